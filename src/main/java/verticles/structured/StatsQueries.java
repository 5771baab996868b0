package verticles.structured;

/** The SQL of {@link StatsRepository}: counts and approximate bytes per table, of one owner or of everybody. */
final class StatsQueries {
  private StatsQueries() {}

  private static final String IDS = "LENGTH(user_id) + LENGTH(character_id)";

  /** Per table, the bytes of a row's text columns (JSON columns as their text). */
  static final String PROFILE_BYTES = IDS + " + LENGTH(profile_key) + LENGTH(profile_value)"
      + " + COALESCE(LENGTH(source_msg_id), 0)";
  static final String EVENT_BYTES = IDS + " + LENGTH(event_type) + LENGTH(event_title)"
      + " + LENGTH(event_summary) + COALESCE(LENGTH(emotion_tag), 0) + COALESCE(LENGTH(vector_id), 0)"
      + " + COALESCE(LENGTH(task_id), 0) + COALESCE(LENGTH(session_id), 0)"
      + " + COALESCE(LENGTH(CAST(source_msg_ids AS CHAR)), 0)";
  static final String SUMMARY_BYTES = IDS + " + LENGTH(summary_text)"
      + " + COALESCE(LENGTH(CAST(topic_tags AS CHAR)), 0) + COALESCE(LENGTH(emotion_tone), 0) + LENGTH(vector_id)"
      + " + COALESCE(LENGTH(archive_path), 0) + COALESCE(LENGTH(task_id), 0) + COALESCE(LENGTH(session_id), 0)"
      + " + COALESCE(LENGTH(CAST(source_msg_ids AS CHAR)), 0)";
  static final String BUFFERED_BYTES = IDS + " + LENGTH(session_id) + LENGTH(CAST(message AS CHAR))";
  static final String TASK_BYTES = IDS + " + LENGTH(task_id)"
      + " + LENGTH(CAST(source_data AS CHAR)) + COALESCE(LENGTH(error_message), 0)"
      + " + COALESCE(LENGTH(session_id), 0)";

  /** {@code where} is empty (everybody) or {@link Sql#ownerWhere}. */
  static String countAndBytes(String table, String textBytes, String where) {
    return "SELECT COUNT(*), COALESCE(SUM(" + textBytes + "), 0) FROM " + table + where;
  }

  static String tasksByStatus(String where) {
    return "SELECT status, COUNT(*) AS n FROM memory_generation_tasks" + where + " GROUP BY status";
  }

  /** Distinct users with anything stored. */
  static final String USERS = "SELECT COUNT(*) FROM ("
      + "SELECT user_id FROM user_profiles UNION SELECT user_id FROM user_events"
      + " UNION SELECT user_id FROM conversation_summaries UNION SELECT user_id FROM memory_generation_tasks"
      + " UNION SELECT user_id FROM buffered_messages) u";

  /** InnoDB's data and index lengths of Engram's tables. */
  static final String DATABASE_BYTES = "SELECT"
      + " COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
      + " AND TABLE_NAME IN ('user_profiles', 'user_events', 'conversation_summaries', 'memory_generation_tasks',"
      + " 'buffered_messages')";
}
