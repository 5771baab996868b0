package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Changes;
import verticles.contracts.Empty;
import verticles.contracts.Sessions;
import verticles.contracts.Tasks;
import verticles.shared.Meters;

/**
 * Owns the generation tasks in MySQL, which are also the outbox rows, and the message buffer they are cut from:
 * create, claim, fail, publish bookkeeping, the operators' list, retry and requeue, and the session cuts. Also the
 * other outbox, of change events ({@code memory_change_outbox}), which the change relay reads and empties, and the
 * webhooks' dead letters.
 */
public final class TaskStoreVerticle extends VerticleBase {
  private Pool pool;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    Transactions tx = new Transactions(vertx, pool, Meters.registry(cfg));
    TaskRepository tasks = new TaskRepository(pool, tx, new ForgetRepository(tx));
    MessageBufferRepository buffer = new MessageBufferRepository(pool, tx, tasks);
    JsonObject extractor = cfg.getJsonObject("extractor");
    int maxRetries = extractor.getInteger("max_retries", 3);
    long backoffMs = extractor.getLong("retry_backoff_ms", 2000L);
    int threshold = cfg.getJsonObject("sessions").getInteger("message_threshold", 20);
    ChangeRepository changes = new ChangeRepository(pool);

    return Future.all(List.of(
        Bus.consume(vertx, Addresses.TASK_CREATE, Tasks.Create::fromJson, req -> tasks.createTask(req, maxRetries)),
        Bus.consume(vertx, Addresses.TASK_GET, Tasks.Id::fromJson, id -> tasks.getTask(id.taskId())),
        Bus.consume(vertx, Addresses.TASK_CLAIM, Tasks.Claim::fromJson, c -> tasks.claimTask(c.taskId(), c.userId(),
            c.characterId())),
        Bus.consume(vertx, Addresses.TASK_FAIL, Tasks.Fail::fromJson, f -> tasks.failTask(f.taskId(), f.error(),
            backoffMs, f.permanent())),
        Bus.consume(vertx, Addresses.TASK_COUNTS, Empty::fromJson, x -> tasks.taskCounts()),
        Bus.consume(vertx, Addresses.TASK_OUTBOX_DEPTH, Empty::fromJson, x -> tasks.outboxDepth()),
        Bus.consume(vertx, Addresses.TASK_PENDING, Tasks.Due::fromJson, due -> tasks.duePendingTasks(due.limit(),
            due.unpublishedAfterMs()).map(Tasks.Batch::of)),
        Bus.consume(vertx, Addresses.TASK_MARK_PUBLISHED, Tasks.Ids::fromJson, ids -> tasks.markPublished(ids.taskIds())
            .map(Tasks.Updated::new)),
        Bus.consume(vertx, Addresses.TASK_LIST, Tasks.Query::fromJson, q -> tasks.listTasks(q.status(), q.userId(),
            q.tenant(), q.limit()).map(Tasks.Rows::new)),
        Bus.consume(vertx, Addresses.TASK_RETRY, Tasks.Id::fromJson, id -> tasks.retryTask(id.taskId())),
        Bus.consume(vertx, Addresses.TASK_REQUEUE, Tasks.Ids::fromJson, ids -> tasks.requeueTasks(ids.taskIds())),
        Bus.consume(vertx, Addresses.MESSAGES_BUFFER, Sessions.Buffer::fromJson,
            req -> buffer.bufferMessages(req, threshold, maxRetries)),
        Bus.consume(vertx, Addresses.SESSION_END, Sessions.End::fromJson, end -> buffer.endSession(end.userId(),
            end.characterId(), end.sessionId(), end.trigger(), maxRetries)),
        Bus.consume(vertx, Addresses.SESSIONS_IDLE, Sessions.Idle::fromJson,
            idle -> cutIdleSessions(buffer, idle, maxRetries)),
        // the change outbox, read and emptied by the relay; the webhooks' dead letters
        Bus.consume(vertx, Addresses.CHANGES_PENDING, Changes.Due::fromJson, due -> changes.pending(due.limit())),
        Bus.consume(vertx, Addresses.CHANGES_PUBLISHED, Changes.Ids::fromJson,
            ids -> changes.published(ids.eventIds())),
        Bus.consume(vertx, Addresses.CHANGES_DEPTH, Empty::fromJson, x -> changes.depth()),
        Bus.consume(vertx, Addresses.CHANGES_DEAD_LETTER, Changes.DeadLetter::fromJson,
            d -> changes.deadLetter(d).map(Empty.INSTANCE))));
  }

  /** Cuts a task from every session idle for {@code idle_seconds}; replies with the tasks cut. */
  private static Future<Tasks.Batch> cutIdleSessions(MessageBufferRepository buffer, Sessions.Idle idle,
      int maxRetries) {
    return buffer.idleSessions(idle.idleSeconds(), idle.limit())
        .compose(sessions -> {
          List<Future<Sessions.Cut>> cuts = new ArrayList<>();
          for (int i = 0; i < sessions.size(); i++) {
            JsonObject s = sessions.getJsonObject(i);
            cuts.add(buffer.endSession(s.getString("user_id"), s.getString("character_id"), s.getString("session_id"),
                "idle", maxRetries));
          }
          return Future.all(cuts).map(x -> Tasks.Batch.of(cuts.stream().map(f -> f.result().task())
              .filter(Objects::nonNull).toList()));
        });
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
