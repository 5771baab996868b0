package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;

/**
 * Owns the generation tasks in MySQL, which are also the outbox rows, and the message buffer they are cut from:
 * create, claim, fail, publish bookkeeping, the operators' list, retry and requeue, and the session cuts.
 */
public final class TaskStoreVerticle extends VerticleBase {
  private Pool pool;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    TaskRepository tasks = new TaskRepository(pool, new ForgetRepository(pool));
    MessageBufferRepository buffer = new MessageBufferRepository(pool, tasks);
    JsonObject extractor = cfg.getJsonObject("extractor");
    int maxRetries = extractor.getInteger("max_retries", 3);
    long backoffMs = extractor.getLong("retry_backoff_ms", 2000L);
    int threshold = cfg.getJsonObject("sessions").getInteger("message_threshold", 20);

    return Future.all(List.of(
        Bus.consume(vertx, Addresses.TASK_CREATE, b -> tasks.createTask(b, maxRetries)),
        Bus.consume(vertx, Addresses.TASK_GET, b -> tasks.getTask(b.getString("task_id"))),
        Bus.consume(vertx, Addresses.TASK_CLAIM, b -> tasks.claimTask(b.getString("task_id"), b.getString("user_id"),
            b.getString("character_id"))),
        Bus.consume(vertx, Addresses.TASK_FAIL, b -> tasks.failTask(b.getString("task_id"), b.getString("error"),
            backoffMs, b.getBoolean("permanent", false))),
        Bus.consume(vertx, Addresses.TASK_COUNTS, b -> tasks.taskCounts()),
        Bus.consume(vertx, Addresses.TASK_OUTBOX_DEPTH, b -> tasks.outboxDepth()
            .map(n -> new JsonObject().put("depth", n))),
        Bus.consume(vertx, Addresses.TASK_PENDING, b -> tasks.duePendingTasks(b.getInteger("limit", 100),
            b.getLong("unpublished_after_ms", 10_000L)).map(a -> new JsonObject().put("tasks", a))),
        Bus.consume(vertx, Addresses.TASK_MARK_PUBLISHED, b -> tasks.markPublished(
            b.getJsonArray("task_ids").stream().map(String::valueOf).toList())
            .map(n -> new JsonObject().put("updated", n))),
        Bus.consume(vertx, Addresses.TASK_LIST, b -> tasks.listTasks(b.getString("status"), b.getString("user_id"),
            b.getString("tenant"), b.getInteger("limit", 50)).map(a -> new JsonObject().put("tasks", a))),
        Bus.consume(vertx, Addresses.TASK_RETRY, b -> tasks.retryTask(b.getString("task_id"))),
        Bus.consume(vertx, Addresses.TASK_REQUEUE, b -> tasks.requeueTasks(
            b.getJsonArray("task_ids", new JsonArray()).stream().map(String::valueOf).toList())),
        Bus.consume(vertx, Addresses.MESSAGES_BUFFER, b -> buffer.bufferMessages(b, threshold, maxRetries)),
        Bus.consume(vertx, Addresses.SESSION_END, b -> buffer.endSession(b.getString("user_id"),
            b.getString("character_id"), b.getString("session_id"), b.getString("trigger", "session_end"),
            maxRetries)),
        Bus.consume(vertx, Addresses.SESSIONS_IDLE, b -> cutIdleSessions(buffer, b, maxRetries))));
  }

  /** Cuts a task from every session idle for {@code idle_seconds}; replies with the tasks cut. */
  private static Future<JsonObject> cutIdleSessions(MessageBufferRepository buffer, JsonObject b, int maxRetries) {
    return buffer.idleSessions(b.getLong("idle_seconds"), b.getInteger("limit", 100))
        .compose(sessions -> {
          List<Future<JsonObject>> cuts = new ArrayList<>();
          for (int i = 0; i < sessions.size(); i++) {
            JsonObject s = sessions.getJsonObject(i);
            cuts.add(buffer.endSession(s.getString("user_id"), s.getString("character_id"), s.getString("session_id"),
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
