package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Memory transactions ({@code memory.transactions.*}) and the one-shot batch ({@code memory.memories.batch}). A
 * request names the caller's {@code tenant}: another tenant's transaction, and its memories, do not exist for it
 * (404). A null tenant is a co-located caller, trusted with every tenant.
 */
public final class Transaction {
  private Transaction() {}

  /** The operations a transaction or a batch can hold. */
  public static final List<String> OPS = List.of("create", "update", "delete");

  /**
   * One operation: {@code op} and the request of the write it stands for, as that write's own address takes it:
   * {@code Lifecycle.Create} (create), {@code Lifecycle.Update} (update), {@code Lifecycle.Delete} (delete).
   */
  public record Op(String op, JsonObject request) implements Contract {
    public static Op fromJson(JsonObject j) {
      String op = Json.required(j, "op");
      if (!OPS.contains(op)) {
        throw new IllegalArgumentException("op must be one of " + String.join(", ", OPS) + ", not '" + op + "'");
      }
      JsonObject request = j.getJsonObject("request");
      if (request == null) {
        throw new IllegalArgumentException("request is required");
      }
      Op parsed = new Op(op, request);
      String id = parsed.memoryId();
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException(("create".equals(op) ? "request.record.id" : "request.memory_id")
            + " is required");
      }
      return parsed;
    }

    /** The memory it writes: a create's record id, else the request's memory id. */
    public String memoryId() {
      return "create".equals(op) ? request.getJsonObject("record", new JsonObject()).getString("id")
          : request.getString("memory_id");
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("op", op).put("request", request);
    }
  }

  /**
   * {@code memory.transactions.begin}: a new open transaction of the tenant, expiring after {@code timeoutSeconds}
   * (1-300; null: {@code transaction.timeout_seconds}).
   */
  public record Begin(String tenant, String actor, Integer timeoutSeconds) implements Contract {
    public static Begin fromJson(JsonObject j) {
      return new Begin(j.getString("tenant"), j.getString("actor", "system"), Json.integer(j, "timeout_seconds", 1,
          300));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("actor", actor).put("timeout_seconds", timeoutSeconds);
    }
  }

  /** A transaction by id: {@code memory.transactions.get}, {@code .commit}, {@code .rollback}. */
  public record Ref(String txId, String tenant) implements Contract {
    public static Ref fromJson(JsonObject j) {
      return new Ref(Json.required(j, "tx_id"), j.getString("tenant"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tx_id", txId).put("tenant", tenant);
    }
  }

  /**
   * A transaction as the API shows it: {@code tx_id, status (open|committed|rolled_back|expired|failed), actor,
   * created_at, expires_at, ended_at, error}, and for a read {@code operations [{seq, op, memory_id, created_at, ...the
   * operation's fields}]} (times in epoch seconds). The reply of begin and get.
   */
  public record View(JsonObject tx) implements Contract {
    public static View fromJson(JsonObject j) {
      return new View(j);
    }

    @Override
    public JsonObject toJson() {
      return tx;
    }
  }

  /** {@code memory.transactions.stage}: one more operation for the transaction. */
  public record Stage(String txId, String tenant, Op op) implements Contract {
    public static Stage fromJson(JsonObject j) {
      return new Stage(Json.required(j, "tx_id"), j.getString("tenant"), Op.fromJson(j.getJsonObject("operation",
          new JsonObject())));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tx_id", txId).put("tenant", tenant).put("operation", op.toJson());
    }
  }

  /** The reply of a stage: the operation's place in the transaction and the memory it locked. */
  public record Staged(String txId, int seq, String op, String memoryId) implements Contract {
    public static Staged fromJson(JsonObject j) {
      return new Staged(j.getString("tx_id"), j.getInteger("seq", 0), j.getString("op"), j.getString("memory_id"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tx_id", txId).put("seq", seq).put("op", op).put("memory_id", memoryId);
    }
  }

  /**
   * The reply of a commit ({@code status} committed, {@code results}: per operation in order, the memory as
   * {@code Lifecycle.Memory} or {@code Lifecycle.Deleted} shows it) and of a rollback (no results).
   */
  public record Ended(String txId, String status, JsonArray results) implements Contract {
    public static Ended fromJson(JsonObject j) {
      return new Ended(j.getString("tx_id"), j.getString("status"), j.getJsonArray("results"));
    }

    @Override
    public JsonObject toJson() {
      JsonObject out = new JsonObject().put("tx_id", txId).put("status", status);
      return results == null ? out : out.put("results", results);
    }
  }

  /** {@code memory.memories.batch}: operations applied in order, all or none, in one MySQL transaction. */
  public record Batch(String tenant, List<Op> operations) implements Contract {
    public static Batch fromJson(JsonObject j) {
      return new Batch(j.getString("tenant"), Json.objects(j, "operations").stream().map(Op::fromJson).toList());
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("operations", Json.array(operations.stream()
          .map(Op::toJson).toList()));
    }
  }

  /** The reply of a batch: per operation in order, the memory as its own write's reply shows it. */
  public record Results(JsonArray results) implements Contract {
    public static Results fromJson(JsonObject j) {
      return new Results(j.getJsonArray("results", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("results", results);
    }
  }
}
