package verticles.admin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.shared.Tenants;
import verticles.bus.Bus;
import verticles.bus.Failures;

/**
 * What operators ask of Engram, coordinated over the event bus as the Merger coordinates recall: forget a user, export
 * one, stats, retry a failed task. Stateless; each store's verticle does its own part.
 *
 * <p>Forget runs in an order that can be resumed after a crash: the tombstone first (from then on every write path
 * refuses what the owner's earlier tasks produce), then tasks and buffered messages (nothing new is cut from them),
 * index records, archives and exports, and the rows last. Each step is idempotent, so a forget cut short is finished
 * by asking again.
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  /** Rows and records per export page. */
  static final int PAGE = 500;
  static final List<String> MEMORY_TYPES = List.of("summary", "event", "profile", "message", "entity");

  private DeliveryOptions call;

  @Override
  public Future<?> start() {
    call = new DeliveryOptions().setSendTimeout(config().getJsonObject("admin", new JsonObject())
        .getLong("store_timeout_ms", 30_000L));
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.ADMIN_FORGET, this::forget),
        Bus.consume(vertx, Addresses.ADMIN_EXPORT, this::export),
        Bus.consume(vertx, Addresses.ADMIN_STATS, this::stats),
        Bus.consume(vertx, Addresses.ADMIN_RETRY, this::retry)));
  }

  // ---------------------------------------------------------------- forget

  /**
   * {user_id, character_id?} → {user_id, character_id, forgotten_at (epoch ms), deleted: {...counts}}. A second
   * forget finds nothing left and answers zero counts.
   */
  private Future<JsonObject> forget(JsonObject b) {
    JsonObject owner = owner(b);
    JsonObject deleted = new JsonObject();
    long[] forgottenAt = new long[1];
    return request(Addresses.FORGET_TOMBSTONE, owner)
        .compose(t -> {
          forgottenAt[0] = t.getLong("forgotten_at");
          return request(Addresses.FORGET_TASKS, owner);
        })
        .compose(r -> {
          deleted.put("tasks", r.getLong("tasks")).put("buffered_messages", r.getLong("buffered_messages"));
          return request(Addresses.VECTOR_DELETE, owner);
        })
        .compose(r -> {
          deleted.put("index_records", r.getLong("deleted"));
          vertx.eventBus().publish(Addresses.VECTOR_CACHE_CLEAR, new JsonObject());
          return request(Addresses.ARCHIVE_FORGET, owner);
        })
        .compose(r -> {
          deleted.put("archive_objects", r.getLong("deleted"));
          return request(Addresses.FORGET_ROWS, owner);
        })
        .map(r -> {
          deleted.put("profiles", r.getLong("profiles")).put("events", r.getLong("events"))
              .put("summaries", r.getLong("summaries"))
              .put("tasks", deleted.getLong("tasks") + r.getLong("late_tasks"))
              .put("buffered_messages", deleted.getLong("buffered_messages") + r.getLong("late_buffered_messages"));
          String character = owner.getString("character_id");
          LOG.info("Forgot user {} ({}): {}", owner.getString("user_id"),
              character == null ? "all characters" : "character " + character, deleted.encode());
          return owner.copy().put("forgotten_at", forgottenAt[0]).put("deleted", deleted);
        });
  }

  // ---------------------------------------------------------------- export

  /**
   * {user_id, character_id?} → the export, also written to {@code exports/{user}/full_export_{epoch ms}.json}, plus
   * its {@code path}. A user with nothing stored gets empty sections (and the file), not a 404: "nothing is kept about
   * you" is an answer an export should be able to give.
   */
  private Future<JsonObject> export(JsonObject b) {
    JsonObject owner = owner(b);
    long now = System.currentTimeMillis();
    Future<JsonArray> profiles = rows("profiles", owner, 0, new JsonArray());
    Future<JsonArray> events = rows("events", owner, 0, new JsonArray());
    Future<JsonArray> summaries = rows("summaries", owner, 0, new JsonArray());
    Future<JsonArray> memories = records(owner, 0, new JsonArray());
    Future<JsonObject> archives = request(Addresses.ARCHIVE_USAGE, owner.copy().put("keys", true));
    return Future.all(List.of(profiles, events, summaries, memories, archives)).compose(x -> {
      JsonArray paths = new JsonArray();
      archives.result().getJsonArray("keys").forEach(k -> {
        String path = ((JsonObject) k).getString("path");
        if (path.startsWith("conversations/")) { // earlier exports are not part of the user's data
          paths.add(path);
        }
      });
      JsonObject built = new JsonObject()
          .put("format", "engram.export.v1")
          .put("user_id", owner.getString("user_id"))
          .put("character_id", owner.getString("character_id"))
          .put("exported_at", Instant.ofEpochMilli(now).toString())
          .put("profiles", profiles.result())
          .put("events", events.result())
          .put("summaries", summaries.result())
          .put("memories", memories.result())
          .put("archive_paths", paths);
      // the file is the client's: its ids in the client's terms, like every reply
      JsonObject export = b.getString("tenant") == null ? built : Tenants.outward(b.getString("tenant"), built);
      return request(Addresses.ARCHIVE_EXPORT, new JsonObject().put("user_id", owner.getString("user_id"))
              .put("exported_at", now).put("export", export))
          .map(written -> export.put("path", written.getString("path")));
    });
  }

  /** Every row of one kind, a keyset page at a time. */
  private Future<JsonArray> rows(String kind, JsonObject owner, long afterId, JsonArray acc) {
    return request(Addresses.STRUCTURED_EXPORT, owner.copy().put("kind", kind).put("after_id", afterId)
        .put("limit", PAGE)).compose(r -> {
          JsonArray page = r.getJsonArray("items");
          page.forEach(acc::add);
          return page.size() < PAGE ? Future.succeededFuture(acc)
              : rows(kind, owner, page.getJsonObject(page.size() - 1).getLong("id"), acc);
        });
  }

  /** Every index record of the owner, a page at a time. */
  private Future<JsonArray> records(JsonObject owner, int offset, JsonArray acc) {
    return request(Addresses.VECTOR_LIST, owner.copy().put("offset", offset).put("limit", PAGE)).compose(r -> {
      JsonArray page = r.getJsonArray("records");
      page.forEach(acc::add);
      return page.size() < PAGE ? Future.succeededFuture(acc) : records(owner, offset + PAGE, acc);
    });
  }

  // ---------------------------------------------------------------- stats

  /**
   * {user_id?, character_id?} → counts by memory type (MySQL rows and index records), tasks by status, buffered
   * messages and storage bytes; of one user, or of everything (plus the number of users) without user_id.
   */
  private Future<JsonObject> stats(JsonObject b) {
    JsonObject scope = b.getString("user_id") == null ? new JsonObject() : owner(b);
    Future<JsonObject> sql = request(Addresses.STRUCTURED_STATS, scope);
    Future<JsonObject> index = request(Addresses.VECTOR_COUNTS, scope);
    Future<JsonObject> archive = request(Addresses.ARCHIVE_USAGE, scope);
    return Future.all(List.of(sql, index, archive)).map(x -> {
      JsonObject s = sql.result();
      JsonObject byType = new JsonObject();
      MEMORY_TYPES.forEach(t -> byType.put(t, index.result().getJsonObject("by_type").getLong(t, 0L)));
      index.result().getJsonObject("by_type").forEach(e -> byType.put(e.getKey(), e.getValue()));
      long archiveBytes = archive.result().getLong("bytes");
      JsonObject out = scope.copy();
      if (s.containsKey("users")) {
        out.put("users", s.getLong("users"));
      }
      return out
          .put("memories", new JsonObject().put("profiles", s.getLong("profiles")).put("events", s.getLong("events"))
              .put("summaries", s.getLong("summaries")))
          .put("index", new JsonObject().put("by_type", byType).put("total", index.result().getLong("total")))
          .put("tasks", s.getJsonObject("tasks"))
          .put("buffered_messages", s.getLong("buffered_messages"))
          .put("storage", new JsonObject()
              .put("archive_objects", archive.result().getLong("objects"))
              .put("archive_bytes", archiveBytes)
              .put("mysql_bytes", s.getLong("mysql_bytes"))
              .put("total_bytes", archiveBytes + s.getLong("mysql_bytes")));
    });
  }

  // ---------------------------------------------------------------- retry

  /** {task_id} → {task_id, status: pending, retry_count: 0}: a failed task, reset and published again. */
  private Future<JsonObject> retry(JsonObject b) {
    return request(Addresses.TASK_RETRY, new JsonObject().put("task_id", b.getString("task_id")))
        .compose(task -> request(Addresses.OUTBOX_PUBLISH, task)
            // the row is pending and unpublished: the outbox sweep publishes it if this did not
            .recover(e -> {
              LOG.info("Retried task {} left for the outbox sweep: {}", task.getString("task_id"), e.toString());
              return Future.succeededFuture(null);
            })
            .map(x -> new JsonObject().put("task_id", task.getString("task_id")).put("status", "pending")
                .put("retry_count", 0)));
  }

  // ---------------------------------------------------------------- plumbing

  /** {user_id, character_id} of a request; the user is required (a missing one would mean everybody). */
  private static JsonObject owner(JsonObject b) {
    String user = b.getString("user_id");
    if (user == null || user.isBlank()) {
      throw Failures.of(Failures.BAD_REQUEST, "user_id is required");
    }
    return new JsonObject().put("user_id", user).put("character_id", b.getString("character_id"));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, call).map(Message::body);
  }
}
