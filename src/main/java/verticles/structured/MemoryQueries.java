package verticles.structured;

import java.util.Collections;

/** The SQL of {@link MemoryRepository}: the {@code memories} rows, their versions, and the seed rows they project to. */
final class MemoryQueries {
  private MemoryQueries() {}

  static final String COLUMNS = "memory_id, user_id, character_id, memory_type, category, content, importance,"
      + " confidence, metadata, source, session_id, task_id, source_msg_ids, status, version, created_at, updated_at,"
      + " valid_from, valid_to";

  private static final String VERSION_COLUMNS = "memory_id, version, user_id, character_id, memory_type, category,"
      + " content, importance, confidence, metadata, status, session_id, task_id, source_msg_ids, valid_from, valid_to,"
      + " op, changed, reason, actor, changed_at";

  static final String GET = "SELECT " + COLUMNS + " FROM memories WHERE memory_id = ?";
  static final String LOCK = GET + " FOR UPDATE";

  /** The rows of {@code n} ids, locked: a restated fact is decided against a state nobody else is changing. */
  static String lockAll(int n) {
    return "SELECT " + COLUMNS + " FROM memories WHERE memory_id IN (" + String.join(", ", Collections.nCopies(n, "?"))
        + ") FOR UPDATE";
  }

  static final int CHUNK = 500;

  static String existing(int n) {
    return "SELECT memory_id FROM memories WHERE memory_id IN (" + String.join(", ", Collections.nCopies(n, "?"))
        + ")";
  }

  static String getAll(int n) {
    return "SELECT " + COLUMNS + " FROM memories WHERE memory_id IN (" + String.join(", ", Collections.nCopies(n, "?"))
        + ")";
  }

  /** A new memory; one that exists already (a replay of its task) is left as it is. */
  static final String INSERT = "INSERT INTO memories (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
      + " ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE memory_id = memory_id";

  /** The new state, only over the version it was computed from (else nothing changes, and the write fails). */
  static final String UPDATE = "UPDATE memories SET category = ?, content = ?, importance = ?, confidence = ?,"
      + " metadata = ?, session_id = ?, task_id = ?, source_msg_ids = ?, status = ?, version = ?, updated_at = ?,"
      + " valid_from = ?, valid_to = ? WHERE memory_id = ? AND version = ?";

  static final String INSERT_VERSION = "INSERT INTO memory_versions (" + VERSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?,"
      + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id";

  /** A superseded version closed in the world: it held until the new one began. */
  static final String CLOSE_VERSION = "UPDATE memory_versions SET valid_to = ? WHERE memory_id = ? AND version = ?"
      + " AND valid_to IS NULL";

  static final String VERSION = "SELECT " + VERSION_COLUMNS + " FROM memory_versions WHERE memory_id = ?"
      + " AND version = ?";
  static final String HISTORY = "SELECT " + VERSION_COLUMNS + " FROM memory_versions WHERE memory_id = ?"
      + " AND version > ? ORDER BY version LIMIT ?";

  /** A change event to publish on {@code memory_changes} (V9 memory_change_outbox). */
  static final String INSERT_CHANGE = "INSERT INTO memory_change_outbox (event, hard, memory_id, version, user_id,"
      + " character_id, memory_type, actor, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  static final String ERASE_VERSIONS = "DELETE FROM memory_versions WHERE memory_id = ?";
  static final String ERASE = "DELETE FROM memories WHERE memory_id = ?";

  /**
   * The seed row a memory shows as, by its type: kept in step with status, content and importance. A profile row is
   * found by its unique key, an event's and a summary's by their vector id (the memory id).
   */
  static String project(String type) {
    return switch (type) {
      case "profile" -> "UPDATE user_profiles SET profile_value = ?, confidence = ?, is_deleted = ? WHERE user_id = ?"
          + " AND character_id = ? AND profile_type = ? AND profile_key = ?";
      case "event" -> "UPDATE user_events SET event_summary = ?, importance = ?, is_deleted = ? WHERE vector_id = ?"
          + " AND user_id = ?";
      case "summary" -> "UPDATE conversation_summaries SET summary_text = ?, is_deleted = ? WHERE vector_id = ?"
          + " AND user_id = ?";
      default -> null;
    };
  }

  static String eraseProjection(String type) {
    return switch (type) {
      case "profile" -> "DELETE FROM user_profiles WHERE user_id = ? AND character_id = ? AND profile_type = ?"
          + " AND profile_key = ?";
      case "event" -> "DELETE FROM user_events WHERE vector_id = ? AND user_id = ?";
      case "summary" -> "DELETE FROM conversation_summaries WHERE vector_id = ? AND user_id = ?";
      default -> null;
    };
  }
}
