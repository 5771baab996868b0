package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Failures;
import verticles.contracts.Owner;
import verticles.contracts.Transaction;

/**
 * The rows of memory transactions: {@code memory_transactions} and their staged {@code memory_transaction_ops}. Each
 * method runs on the caller's connection, inside the caller's MySQL transaction.
 */
final class TransactionRepository {
  private final MemoryLocks locks;

  TransactionRepository(MemoryLocks locks) {
    this.locks = locks;
  }

  /** A transaction's row. {@code past}: an open one whose time is up (by the database's clock). */
  record Tx(String txId, String tenant, String status, String actor, LocalDateTime createdAt, LocalDateTime expiresAt,
      LocalDateTime endedAt, String error, boolean past) {
    static Tx from(Row r) {
      return new Tx(r.getString("tx_id"), r.getString("tenant"), r.getString("status"), r.getString("actor"),
          r.getLocalDateTime("created_at"), r.getLocalDateTime("expires_at"), r.getLocalDateTime("ended_at"),
          r.getString("error"), r.getInteger("past") == 1);
    }

    boolean open() {
      return "open".equals(status);
    }

    /** As the API shows it; times in epoch seconds. */
    JsonObject toJson() {
      return new JsonObject().put("tx_id", txId).put("status", status).put("actor", actor)
          .put("created_at", MemoryState.seconds(createdAt)).put("expires_at", MemoryState.seconds(expiresAt))
          .put("ended_at", MemoryState.seconds(endedAt)).put("error", error);
    }
  }

  /** A staged operation. */
  record Staged(int seq, Transaction.Op op, LocalDateTime createdAt) {}

  Future<Void> begin(SqlClient c, String txId, String tenant, String actor, int timeoutSeconds) {
    return run(c, TransactionQueries.BEGIN, Tuple.of(txId, tenant, Sql.clip(actor, 64), timeoutSeconds)).mapEmpty();
  }

  Future<Tx> find(SqlClient c, String txId) {
    return run(c, TransactionQueries.GET, Tuple.of(txId))
        .map(rs -> rs.size() == 0 ? null : Tx.from(rs.iterator().next()));
  }

  /**
   * The transaction, its row locked, if it exists for the tenant (else 404: another tenant's transaction does not
   * exist for it). An open one past its time is expired first, its locks released: any access ends it.
   */
  Future<Tx> lock(SqlClient c, String txId, String tenant) {
    return run(c, TransactionQueries.LOCK, Tuple.of(txId)).compose(rs -> {
      Tx tx = rs.size() == 0 ? null : Tx.from(rs.iterator().next());
      if (tx == null || tenant != null && !tenant.equals(tx.tenant())) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no transaction " + txId));
      }
      if (!tx.open() || !tx.past()) {
        return Future.succeededFuture(tx);
      }
      return end(c, txId, "expired", "expired: not committed within its timeout").compose(x -> find(c, txId));
    });
  }

  /** An open transaction ends with {@code status}; its locks are released. */
  Future<Void> end(SqlClient c, String txId, String status, String error) {
    return run(c, TransactionQueries.END, Tuple.of(status, Sql.clip(error, 1000), txId))
        .compose(x -> locks.release(c, txId));
  }

  /** How many operations the transaction holds, and the next one's seq. */
  Future<int[]> count(SqlClient c, String txId) {
    return run(c, TransactionQueries.COUNT_OPS, Tuple.of(txId)).map(rs -> {
      Row r = rs.iterator().next();
      return new int[] {r.getInteger(0), r.getInteger(1)};
    });
  }

  /** The owner an earlier operation of the transaction on the memory named, or null when this is its first. */
  Future<Owner> earlier(SqlClient c, String txId, String memoryId) {
    return run(c, TransactionQueries.EARLIER_OP, Tuple.of(txId, memoryId)).map(rs -> {
      if (rs.size() == 0) {
        return null;
      }
      Row r = rs.iterator().next();
      return new Owner(r.getString(0), r.getString(1));
    });
  }

  Future<Void> stage(SqlClient c, String txId, int seq, Transaction.Op op, Owner owner) {
    return run(c, TransactionQueries.INSERT_OP, Tuple.from(java.util.Arrays.asList(txId, seq, op.op(), op.memoryId(),
        owner.userId(), owner.characterId(), op.request().encode()))).mapEmpty();
  }

  /** The staged operations, in order. */
  Future<List<Staged>> ops(SqlClient c, String txId) {
    return run(c, TransactionQueries.OPS, Tuple.of(txId)).map(rs -> {
      List<Staged> out = new ArrayList<>();
      for (Row r : rs) {
        Object body = r.getValue("body");
        JsonObject request = body instanceof JsonObject j ? j : new JsonObject(body.toString());
        out.add(new Staged(r.getInteger("seq"), new Transaction.Op(r.getString("op"), request),
            r.getLocalDateTime("created_at")));
      }
      return out;
    });
  }

  /** The transaction as the API shows it, with its operations in the API's terms. */
  static JsonObject view(Tx tx, List<Staged> ops) {
    JsonArray operations = new JsonArray();
    for (Staged s : ops) {
      operations.add(describe(s.op()).put("seq", s.seq()).put("op", s.op().op()).put("memory_id", s.op().memoryId())
          .put("created_at", MemoryState.seconds(s.createdAt())));
    }
    return tx.toJson().put("operations", operations);
  }

  /** An operation's fields as a client staged them: the memory of a create, the changes of an update. */
  private static JsonObject describe(Transaction.Op op) {
    JsonObject r = op.request();
    return switch (op.op()) {
      case "create" -> new JsonObject().put("memory", r.getJsonObject("record"))
          .put("category", r.getString("category"));
      case "update" -> r.getJsonObject("changes", new JsonObject()).copy().put("if_match", r.getInteger("if_match"))
          .put("reason", r.getString("reason"));
      default -> new JsonObject().put("hard", r.getBoolean("hard", false)).put("if_match", r.getInteger("if_match"))
          .put("reason", r.getString("reason"));
    };
  }

  /** Open transactions past their time expired and lock rows past theirs deleted; returns how many expired. */
  Future<Integer> expire(SqlClient c) {
    return run(c, TransactionQueries.EXPIRE, Tuple.tuple()).compose(rs -> run(c, TransactionQueries.CLEAN_LOCKS,
        Tuple.tuple()).map(rs.rowCount()));
  }

  /** Ended transactions older than {@code hours}, with their operations, deleted. */
  Future<Void> purge(SqlClient c, int hours) {
    return run(c, TransactionQueries.PURGE_OPS, Tuple.of(-hours))
        .compose(x -> run(c, TransactionQueries.PURGE, Tuple.of(-hours))).mapEmpty();
  }
}
