package verticles.structured;

import java.util.Collections;

/** The SQL of {@link MemoryReadRepository}: profiles, events and summaries as recall, lists and exports read them. */
final class MemoryReadQueries {
  private MemoryReadQueries() {}

  static final String PING = "SELECT 1";

  static final String PROFILES = "SELECT id, profile_type, profile_key, profile_value, confidence, source_msg_id,"
      + " extracted_at, updated_at FROM user_profiles WHERE user_id = ? AND character_id = ? AND is_deleted = 0"
      + " ORDER BY updated_at DESC, id DESC LIMIT ?";

  private static final String EVENT_COLUMNS = "id, event_type, event_title, event_summary, event_date, emotion_tag,"
      + " importance, vector_id, session_id, source_msg_ids, created_at";

  /** Events at or above an importance, most important first, then the most recent. */
  static final String EVENTS = "SELECT " + EVENT_COLUMNS + " FROM user_events"
      + " WHERE user_id = ? AND character_id = ? AND is_deleted = 0 AND importance >= ?"
      + " ORDER BY importance DESC, created_at DESC, id DESC LIMIT ? OFFSET ?";

  /** Dated events of {@code recurringTypes} recurring types (any date), or dated BETWEEN ? AND ?. */
  static String datedEvents(int recurringTypes) {
    String types = String.join(", ", Collections.nCopies(recurringTypes, "?"));
    return "SELECT " + EVENT_COLUMNS + " FROM user_events"
        + " WHERE user_id = ? AND character_id = ? AND is_deleted = 0 AND event_date IS NOT NULL"
        + " AND (event_type IN (" + types + ") OR event_date BETWEEN ? AND ?)"
        + " ORDER BY importance DESC, created_at DESC, id DESC";
  }

  static final String SUMMARIES = "SELECT id, summary_text, topic_tags, emotion_tone, start_time, end_time,"
      + " message_count, total_tokens, vector_id, archive_path, session_id, source_msg_ids, created_at"
      + " FROM conversation_summaries WHERE user_id = ? AND character_id = ? AND is_deleted = 0"
      + " ORDER BY end_time DESC, id DESC LIMIT ? OFFSET ?";

  /** The table an export's {@code kind} reads. */
  static String exportTable(String kind) {
    return switch (kind) {
      case "profiles" -> "user_profiles";
      case "events" -> "user_events";
      case "summaries" -> "conversation_summaries";
      case "versions" -> "memory_versions";
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    };
  }

  /** One keyset page of an owner's rows: every column, after id ?, LIMIT ?. */
  static String exportPage(String table, boolean byCharacter) {
    return "SELECT * FROM " + table + " WHERE user_id = ?" + (byCharacter ? " AND character_id = ?" : "")
        + " AND id > ? ORDER BY id LIMIT ?";
  }
}
