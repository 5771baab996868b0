package verticles.structured;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.stores.Breakers;
import verticles.stores.Mysql;

/** Owns MySQL: reads and writes of profiles, events, summaries, tasks and the message buffer. Stateless, pooled. */
public final class StructuredSearchVerticle extends VerticleBase {
  private Pool pool;
  private MemoryRepository repo;
  private CircuitBreaker mysqlBreaker;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    repo = new MemoryRepository(pool);
    mysqlBreaker = Breakers.create(vertx, cfg, "mysql", cfg.getJsonObject("recall").getLong("mysql_timeout_ms", 1000L));
    JsonObject extractor = cfg.getJsonObject("extractor");
    int maxRetries = extractor.getInteger("max_retries", 3);
    long backoffMs = extractor.getLong("retry_backoff_ms", 2000L);
    int threshold = cfg.getJsonObject("sessions").getInteger("message_threshold", 20);

    return Future.all(List.of(
        Bus.consume(vertx, Addresses.TASK_CREATE, b -> repo.createTask(b, maxRetries)),
        Bus.consume(vertx, Addresses.TASK_GET, b -> repo.getTask(b.getString("task_id"))),
        Bus.consume(vertx, Addresses.TASK_CLAIM, b -> repo.claimTask(b.getString("task_id"))),
        Bus.consume(vertx, Addresses.TASK_FAIL, b -> repo.failTask(b.getString("task_id"), b.getString("error"),
            backoffMs, b.getBoolean("permanent", false))),
        Bus.consume(vertx, Addresses.TASK_COUNTS, b -> repo.taskCounts()),
        Bus.consume(vertx, Addresses.TASK_PENDING, b -> repo.duePendingTasks(b.getInteger("limit", 100),
            b.getLong("unpublished_after_ms", 10_000L)).map(a -> new JsonObject().put("tasks", a))),
        Bus.consume(vertx, Addresses.TASK_MARK_PUBLISHED, b -> repo.markPublished(
            b.getJsonArray("task_ids").stream().map(String::valueOf).toList())
            .map(n -> new JsonObject().put("updated", n))),
        Bus.consume(vertx, Addresses.MEMORIES_WRITE, b -> repo.writeMemories(b.getJsonObject("task"),
            b.getJsonObject("extraction"))),
        Bus.consume(vertx, Addresses.ARCHIVE_PATH_SET, b -> repo.setArchivePath(b.getString("task_id"),
            b.getString("path")).map(n -> new JsonObject().put("updated", n))),
        Bus.consume(vertx, Addresses.USER_LIST, this::list),
        Bus.consume(vertx, Addresses.MESSAGES_BUFFER, b -> repo.bufferMessages(b, threshold, maxRetries)),
        Bus.consume(vertx, Addresses.SESSION_END, b -> repo.endSession(b.getString("user_id"),
            b.getString("character_id"), b.getString("session_id"), b.getString("trigger", "session_end"),
            maxRetries)),
        Bus.consume(vertx, Addresses.SESSIONS_IDLE, this::cutIdleSessions),
        // recall's reads go through the "mysql" breaker: a down or slow MySQL fails them fast
        Bus.consume(vertx, Addresses.STRUCTURED_SEARCH, b -> mysqlBreaker.<JsonObject>execute(() -> search(b)))));
  }

  private Future<JsonObject> list(JsonObject b) {
    String user = b.getString("user_id");
    String character = b.getString("character_id");
    int limit = b.getInteger("limit", 50);
    int offset = b.getInteger("offset", 0);
    Future<JsonArray> rows = switch (b.getString("kind")) {
      case "profiles" -> repo.profiles(user, character, limit);
      case "events" -> repo.events(user, character, limit, offset);
      case "summaries" -> repo.summaries(user, character, limit, offset);
      default -> Future.failedFuture(new IllegalArgumentException("unknown kind " + b.getString("kind")));
    };
    return rows.map(a -> new JsonObject().put("items", a));
  }

  /** The structured half of recall: profiles (and, as asked, events and summaries) of one user + character. */
  private Future<JsonObject> search(JsonObject b) {
    String user = b.getString("user_id");
    String character = b.getString("character_id");
    JsonArray kinds = b.getJsonArray("kinds", new JsonArray().add("profiles"));
    Future<JsonArray> profiles = kinds.contains("profiles")
        ? repo.profiles(user, character, b.getInteger("profile_limit", 20)) : Future.succeededFuture(new JsonArray());
    Future<JsonArray> events = kinds.contains("events")
        ? repo.events(user, character, b.getInteger("event_limit", 10), 0) : Future.succeededFuture(new JsonArray());
    Future<JsonArray> summaries = kinds.contains("summaries")
        ? repo.summaries(user, character, b.getInteger("summary_limit", 3), 0) : Future.succeededFuture(new JsonArray());
    return Future.all(profiles, events, summaries).map(x -> new JsonObject()
        .put("profiles", profiles.result())
        .put("events", events.result())
        .put("summaries", summaries.result()));
  }

  private Future<JsonObject> cutIdleSessions(JsonObject b) {
    int maxRetries = config().getJsonObject("extractor").getInteger("max_retries", 3);
    return repo.idleSessions(b.getLong("idle_seconds"), b.getInteger("limit", 100))
        .compose(sessions -> {
          List<Future<JsonObject>> cuts = new ArrayList<>();
          for (int i = 0; i < sessions.size(); i++) {
            JsonObject s = sessions.getJsonObject(i);
            cuts.add(repo.endSession(s.getString("user_id"), s.getString("character_id"), s.getString("session_id"),
                "idle", maxRetries));
          }
          return Future.all(cuts).map(x -> {
            JsonArray tasks = new JsonArray();
            cuts.forEach(f -> {
              if (f.result().getJsonObject("task") != null) {
                tasks.add(f.result().getJsonObject("task"));
              }
            });
            return new JsonObject().put("tasks", tasks);
          });
        });
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
