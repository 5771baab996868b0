package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.epoch;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import verticles.bus.Failures;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;

/** Generation tasks: the outbox rows, their claims and failures, and the operators' list, retry and requeue. */
final class TaskRepository {
  private final Pool pool;
  private final ForgetRepository forgets;

  TaskRepository(Pool pool, ForgetRepository forgets) {
    this.pool = pool;
    this.forgets = forgets;
  }

  /** Inserts a pending task and returns its publishable form. */
  Future<Tasks.Work> createTask(Tasks.Create req, int maxRetries) {
    return createTask(pool, req.userId(), req.characterId(), req.sessionId(), req.trigger(), req.messages(),
        maxRetries);
  }

  /** On {@code conn}, so that a cut from the message buffer creates its task in the buffer's transaction. */
  Future<Tasks.Work> createTask(SqlClient conn, String user, String character, String session,
      String trigger, JsonArray messages, int maxRetries) {
    String taskId = UUID.randomUUID().toString();
    String sessionId = session == null || session.isBlank() ? UUID.randomUUID().toString() : session;
    return run(conn, TaskQueries.INSERT,
            Tuple.of(taskId, user, character, messages.encode(), maxRetries, sessionId, trigger))
        .map(rs -> taskMessage(taskId, user, character, sessionId, trigger, messages));
  }

  static Tasks.Work taskMessage(String taskId, String user, String character, String session, String trigger,
      JsonArray messages) {
    return new Tasks.Work(taskId, user, character, session, trigger, messages, Instant.now().getEpochSecond());
  }

  Future<Tasks.Row> getTask(String taskId) {
    return run(pool, TaskQueries.GET, Tuple.of(taskId))
        .map(rs -> rs.size() == 0 ? null : taskStatus(rs.iterator().next()));
  }

  private static Tasks.Row taskStatus(Row r) {
    return new Tasks.Row(r.getString("task_id"), r.getString("user_id"), r.getString("character_id"),
        r.getString("session_id"), TaskStatus.of(r.getString("status")), r.getInteger("retry_count"),
        r.getInteger("max_retries"), r.getString("trigger_type"), epoch(r.getLocalDateTime("created_at")),
        epoch(r.getLocalDateTime("started_at")), epoch(r.getLocalDateTime("completed_at")),
        r.getString("error_message"));
  }

  /**
   * Marks a task processing unless it already ended. Returns its status after the attempt: "processing" means the
   * caller owns this attempt; "completed" / "failed" mean skip; "forgotten" means its owner was forgotten after it was
   * created (the row, if any, is deleted: it holds the forgotten messages); null means no such task.
   * {@code user} and {@code character} are the record's owner, for a task whose row a forget already deleted.
   */
  Future<Tasks.Row> claimTask(String taskId, String user, String character) {
    return forgets.forgotten(pool, taskId, user, character, null).compose(gone -> {
      if (gone) {
        return run(pool, TaskQueries.DELETE, Tuple.of(taskId)).map(rs -> new Tasks.Row(taskId, user, character, null,
            TaskStatus.FORGOTTEN, 0, 0, null, null, null, null, null));
      }
      return run(pool, TaskQueries.CLAIM, Tuple.of(taskId)).compose(rs -> getTask(taskId));
    });
  }

  /**
   * Records a failed attempt: back to pending with a later attempt time, or failed once retries are spent.
   * Returns the new status.
   */
  Future<Tasks.Failed> failTask(String taskId, String error, long backoffMs, boolean permanent) {
    String msg = error == null ? "unknown error" : error.length() > 2000 ? error.substring(0, 2000) : error;
    return pool.withTransaction(conn -> run(conn, TaskQueries.LOCK_FOR_FAIL, Tuple.of(taskId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.succeededFuture((Tasks.Failed) null);
          }
          Row r = rs.iterator().next();
          if (TaskStatus.COMPLETED.wire().equals(r.getString("status"))) {
            return Future.succeededFuture(new Tasks.Failed(TaskStatus.COMPLETED, null));
          }
          int retries = r.getInteger("retry_count") + 1;
          boolean spent = permanent || retries >= r.getInteger("max_retries");
          long delayMs = backoffMs * (1L << Math.min(10, retries - 1));
          String sql = spent ? TaskQueries.FAIL : TaskQueries.retryLater(delayMs);
          return run(conn, sql, Tuple.of(Math.min(retries, 255), msg, taskId))
              .map(x -> new Tasks.Failed(spent ? TaskStatus.FAILED : TaskStatus.PENDING, retries));
        }));
  }

  /** Pending tasks that were never published (Kafka was down) or whose retry is due. */
  Future<List<Tasks.Work>> duePendingTasks(int limit, long unpublishedAfterMs) {
    return run(pool, TaskQueries.duePending(unpublishedAfterMs), Tuple.of(limit))
        .map(rs -> {
          List<Tasks.Work> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(publishable(r));
          }
          return out;
        });
  }

  Future<Integer> markPublished(List<String> taskIds) {
    if (taskIds.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return batch(pool, TaskQueries.MARK_PUBLISHED, taskIds.stream().map(Tuple::of).toList())
        .map(rs -> taskIds.size());
  }

  /** Pending tasks not (yet, or again) handed to Kafka (the outbox's depth), and all tasks not yet finished. */
  Future<Tasks.Depth> outboxDepth() {
    return pool.query(TaskQueries.OUTBOX_DEPTH).execute()
        .map(rs -> {
          Row r = rs.iterator().next();
          return new Tasks.Depth(r.getLong(0), r.getLong(1));
        });
  }

  /** Task counts by status (for tests, stats and the outbox depth). */
  Future<Tasks.Counts> taskCounts() {
    return pool.query(TaskQueries.COUNTS).execute()
        .map(rs -> {
          Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
          rs.forEach(r -> counts.put(TaskStatus.of(r.getString("status")), r.getLong("n")));
          return new Tasks.Counts(counts);
        });
  }

  /**
   * The newest tasks first, optionally of one status and one user.
   *
   * @param tenant when given, only users of that tenant ({@code tenant:...}); tenant names are [a-z0-9_-]
   */
  Future<List<Tasks.Row>> listTasks(TaskStatus status, String user, String tenant, int limit) {
    if (status != null && !TaskStatus.STORED.contains(status)) {
      throw new IllegalArgumentException("status must be one of pending, processing, completed, failed");
    }
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be between 1 and 500");
    }
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (status != null) {
      where.add(TaskQueries.STATUS_IS);
      args.add(status.wire());
    }
    if (user != null) {
      where.add(TaskQueries.USER_IS);
      args.add(user);
    }
    if (tenant != null) {
      where.add(TaskQueries.USER_LIKE);
      args.add(tenant.replace("!", "!!").replace("_", "!_").replace("%", "!%") + ":%");
    }
    args.add(limit);
    return run(pool, TaskQueries.list(where), Tuple.from(args))
        .map(rs -> {
          List<Tasks.Row> out = new ArrayList<>();
          rs.forEach(r -> out.add(taskStatus(r)));
          return out;
        });
  }

  /** A failed task back to pending with its retry budget reset; returns its publishable form. 404 / 409 otherwise. */
  Future<Tasks.Work> retryTask(String taskId) {
    return pool.withTransaction(c -> run(c, TaskQueries.LOCK_FOR_RETRY, Tuple.of(taskId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no task " + taskId));
          }
          Row r = rs.iterator().next();
          if (!"failed".equals(r.getString("status"))) {
            return Future.failedFuture(Failures.of(Failures.CONFLICT, "task " + taskId + " is "
                + r.getString("status") + "; only a failed task can be retried"));
          }
          return run(c, TaskQueries.RESET_TO_PENDING, Tuple.of(taskId)).map(x -> publishable(r));
        }));
  }

  /**
   * For a DLQ replay: of {@code taskIds}, the tasks that exist and are not completed, failed ones reset to pending
   * with a fresh retry budget. Returns {@code {tasks: [publishable], skipped}}.
   */
  Future<Tasks.Batch> requeueTasks(List<String> taskIds) {
    if (taskIds.isEmpty()) {
      return Future.succeededFuture(Tasks.Batch.of(List.of()));
    }
    Tuple ids = Tuple.from(new ArrayList<>(taskIds));
    return pool.withTransaction(c -> run(c, TaskQueries.lockForRequeue(taskIds.size()), ids)
        .compose(rs -> {
          List<Tasks.Work> tasks = new ArrayList<>();
          List<Tuple> failed = new ArrayList<>();
          for (Row r : rs) {
            tasks.add(publishable(r));
            if ("failed".equals(r.getString("status"))) {
              failed.add(Tuple.of(r.getString("task_id")));
            }
          }
          Future<?> reset = failed.isEmpty() ? Future.succeededFuture()
              : batch(c, TaskQueries.RESET_TO_PENDING, failed);
          return reset.map(x -> new Tasks.Batch(tasks, taskIds.size() - tasks.size()));
        }));
  }

  private static Tasks.Work publishable(Row r) {
    return taskMessage(r.getString("task_id"), r.getString("user_id"), r.getString("character_id"),
        r.getString("session_id"), r.getString("trigger_type"), new JsonArray(r.getValue("source_data").toString()));
  }
}
