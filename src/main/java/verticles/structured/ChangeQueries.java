package verticles.structured;

/** The SQL of {@link ChangeRepository}: {@code memory_change_outbox} and {@code webhook_dead_letters} (V9, V11). */
final class ChangeQueries {
  private ChangeQueries() {}

  static final String PENDING = "SELECT event_id, event, hard, memory_id, version, user_id, character_id, memory_type,"
      + " actor, changed_at FROM memory_change_outbox ORDER BY event_id LIMIT ?";

  /** Rows waiting, and the time of the oldest (by event_id: the primary key, no scan for it). */
  static final String DEPTH = "SELECT COUNT(*), (SELECT changed_at FROM memory_change_outbox ORDER BY event_id"
      + " LIMIT 1) FROM memory_change_outbox";

  /** The forget event of an owner: one for all their memories. */
  static final String INSERT_FORGET = "INSERT INTO memory_change_outbox (event, hard, memory_id, version, user_id,"
      + " character_id, memory_type, actor, changed_at) VALUES ('forget', 1, NULL, NULL, ?, ?, NULL, ?, ?)";

  /** A redelivered event that fails again updates its row (one per webhook and event). */
  static final String DEAD_LETTER = "INSERT INTO webhook_dead_letters (webhook, event_id, memory_id, user_id,"
      + " character_id, body, attempts, last_status, last_error, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
      + " ON DUPLICATE KEY UPDATE attempts = attempts + VALUES(attempts), last_status = VALUES(last_status),"
      + " last_error = VALUES(last_error), failed_at = VALUES(failed_at)";

  static String deletePublished(int n) {
    return "DELETE FROM memory_change_outbox WHERE event_id IN (" + "?, ".repeat(n - 1) + "?)";
  }
}
