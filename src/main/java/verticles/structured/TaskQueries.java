package verticles.structured;

import java.util.List;

/** The SQL of {@link TaskRepository}: the task rows of {@code memory_generation_tasks}, which are also the outbox. */
final class TaskQueries {
  private TaskQueries() {}

  static final String INSERT = "INSERT INTO memory_generation_tasks (task_id, user_id, character_id, task_type,"
      + " source_data, status, max_retries, session_id, trigger_type) VALUES (?, ?, ?, 'full', ?, 'pending', ?, ?, ?)";

  private static final String STATUS_COLUMNS = "task_id, user_id, character_id, session_id, status, retry_count,"
      + " max_retries, error_message, created_at, started_at, completed_at, trigger_type";

  static final String GET = "SELECT " + STATUS_COLUMNS + " FROM memory_generation_tasks WHERE task_id = ?";

  /** A claimed task whose owner was forgotten: the row holds the forgotten messages. */
  static final String DELETE = "DELETE FROM memory_generation_tasks WHERE task_id = ?";

  /** Only a task that has not ended: a replayed record of a completed or failed task changes nothing. */
  static final String CLAIM = "UPDATE memory_generation_tasks SET status = 'processing',"
      + " started_at = UTC_TIMESTAMP() WHERE task_id = ? AND status IN ('pending', 'processing')";

  static final String LOCK_FOR_FAIL = "SELECT retry_count, max_retries, status FROM memory_generation_tasks"
      + " WHERE task_id = ? FOR UPDATE";

  static final String FAIL = "UPDATE memory_generation_tasks SET status = 'failed', retry_count = ?,"
      + " error_message = ?, completed_at = UTC_TIMESTAMP() WHERE task_id = ?";

  /** Back to the outbox, due again in {@code delayMs}. */
  static String retryLater(long delayMs) {
    return "UPDATE memory_generation_tasks SET status = 'pending', retry_count = ?, error_message = ?,"
        + " published_at = NULL, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL " + delayMs
        + " * 1000 MICROSECOND WHERE task_id = ?";
  }

  /** Never published and older than {@code unpublishedAfterMs} (the gateway's own publish failed), or due again. */
  static String duePending(long unpublishedAfterMs) {
    return "SELECT task_id, user_id, character_id, session_id, trigger_type, source_data"
        + " FROM memory_generation_tasks WHERE status = 'pending' AND published_at IS NULL"
        + " AND ((next_attempt_at IS NULL AND created_at <= UTC_TIMESTAMP() - INTERVAL " + unpublishedAfterMs
        + " * 1000 MICROSECOND) OR next_attempt_at <= UTC_TIMESTAMP(3)) ORDER BY id LIMIT ?";
  }

  static final String MARK_PUBLISHED = "UPDATE memory_generation_tasks SET published_at = UTC_TIMESTAMP()"
      + " WHERE task_id = ? AND status = 'pending'";

  /** Unpublished pending tasks, and pending + processing ones, in one range read of the status index. */
  static final String OUTBOX_DEPTH = "SELECT COALESCE(SUM(status = 'pending' AND published_at IS NULL), 0),"
      + " COUNT(*) FROM memory_generation_tasks WHERE status IN ('pending', 'processing')";

  static final String COUNTS = "SELECT status, COUNT(*) AS n FROM memory_generation_tasks GROUP BY status";

  static final String STATUS_IS = "status = ?";
  static final String USER_IS = "user_id = ?";
  /** '_' is a wildcard in LIKE, and tenant names may hold it: the argument escapes it with '!'. */
  static final String USER_LIKE = "user_id LIKE ? ESCAPE '!'";

  /** The newest tasks first, filtered by {@code conditions} (ANDed, each with one argument), then LIMIT ?. */
  static String list(List<String> conditions) {
    return "SELECT " + STATUS_COLUMNS + " FROM memory_generation_tasks"
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " ORDER BY id DESC LIMIT ?";
  }

  private static final String PUBLISHABLE_COLUMNS = "task_id, user_id, character_id, session_id, trigger_type,"
      + " source_data, status";

  static final String LOCK_FOR_RETRY = "SELECT " + PUBLISHABLE_COLUMNS + " FROM memory_generation_tasks"
      + " WHERE task_id = ? FOR UPDATE";

  /** The {@code count} tasks of a DLQ replay that are not completed, locked for the reset of the failed ones. */
  static String lockForRequeue(int count) {
    String marks = String.join(", ", java.util.Collections.nCopies(count, "?"));
    return "SELECT " + PUBLISHABLE_COLUMNS + " FROM memory_generation_tasks WHERE task_id IN (" + marks + ")"
        + " AND status <> 'completed' FOR UPDATE";
  }

  static final String RESET_TO_PENDING = "UPDATE memory_generation_tasks SET status = 'pending',"
      + " retry_count = 0, error_message = NULL, started_at = NULL, completed_at = NULL, published_at = NULL,"
      + " next_attempt_at = NULL WHERE task_id = ?";
}
