package verticles.structured;

/** The SQL of {@link MemoryWriteRepository}: one task's summary, events and profiles, written in one transaction. */
final class MemoryWriteQueries {
  private MemoryWriteQueries() {}

  /**
   * The shared lock on the owner's tombstones makes a concurrent forget's tombstone wait for the write's commit (and
   * its later row deletes then see the rows), or the write see the tombstone and refuse.
   */
  static final String LOCK_TOMBSTONES = "SELECT character_id, forgotten_at FROM forgotten_users WHERE user_id = ?"
      + " LOCK IN SHARE MODE";

  static final String LOCK_TASK = "SELECT status, created_at FROM memory_generation_tasks WHERE task_id = ?"
      + " FOR UPDATE";

  /** A replay deletes what the task wrote before. */
  /**
   * A replay's clean slate: the event rows of what the task says once ({task}:event:{i}). A recurring event's row
   * (event:{sha1}) belongs to its memory, not to the task that last wrote it: the replay's write decides it again
   * (unchanged: the row stays as it is; changed: {@link #DELETE_EVENT_ROW} and a new row).
   */
  static final String DELETE_TASK_EVENTS = "DELETE FROM user_events WHERE task_id = ?"
      + " AND LEFT(vector_id, CHAR_LENGTH(task_id) + 1) = CONCAT(task_id, ':')";
  static final String DELETE_TASK_SUMMARIES = "DELETE FROM conversation_summaries WHERE task_id = ?";

  static final String INSERT_SUMMARY = "INSERT INTO conversation_summaries (user_id, character_id, summary_text,"
      + " topic_tags, emotion_tone, start_time, end_time, message_count, total_tokens, vector_id, task_id,"
      + " session_id, source_msg_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  static final String INSERT_EVENT = "INSERT INTO user_events (user_id, character_id, event_type, event_title,"
      + " event_summary, event_date, emotion_tag, importance, vector_id, source_summary_id, task_id, session_id,"
      + " source_msg_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** A recurring event's row before its new version is inserted: one row per memory. */
  static final String DELETE_EVENT_ROW = "DELETE FROM user_events WHERE vector_id = ? AND user_id = ?";

  /**
   * The seed's upsert (newest value wins, confidence only grows), for a fact that is new or changed: its memory holds
   * the versions.
   */
  static final String UPSERT_PROFILE = "INSERT INTO user_profiles (user_id, character_id, profile_type, profile_key,"
      + " profile_value, confidence, source_msg_id, extracted_at)"
      + " VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?)"
      + " ON DUPLICATE KEY UPDATE profile_value = VALUES(profile_value),"
      + " confidence = GREATEST(confidence, VALUES(confidence)), source_msg_id = VALUES(source_msg_id),"
      + " extracted_at = VALUES(extracted_at), is_deleted = 0, updated_at = CURRENT_TIMESTAMP";

  static final String COMPLETE_TASK = "UPDATE memory_generation_tasks SET status = 'completed',"
      + " completed_at = UTC_TIMESTAMP(), error_message = NULL WHERE task_id = ?";

  static final String SET_ARCHIVE_PATH = "UPDATE conversation_summaries SET archive_path = ? WHERE task_id = ?";
}
