package verticles.structured;

import java.util.Collections;

/** The SQL of {@link EntityRepository}: entities, aliases, states, relations and events (V14). Every read is owned. */
final class EntityQueries {
  private EntityQueries() {}

  static final String OWNED = " user_id = ? AND character_id = ?";

  static final String COLUMNS = "entity_id, user_id, character_id, project_id, name, aliases, entity_type,"
      + " description, attributes, importance, current_state, last_appearance_id, created_at, updated_at";

  static final String INSERT = "INSERT INTO entities (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
      + " ?)";

  static final String GET = "SELECT " + COLUMNS + " FROM entities WHERE entity_id = ? AND" + OWNED;
  static final String LOCK = GET + " FOR UPDATE";

  static final String LIST = "SELECT " + COLUMNS + " FROM entities WHERE" + OWNED + " ORDER BY created_at, entity_id"
      + " LIMIT ? OFFSET ?";
  static final String LIST_TYPE = "SELECT " + COLUMNS + " FROM entities WHERE" + OWNED + " AND entity_type = ?"
      + " ORDER BY created_at, entity_id LIMIT ? OFFSET ?";

  static final String UPDATE = "UPDATE entities SET aliases = ?, description = ?, attributes = ?, importance = ?,"
      + " current_state = ?, last_appearance_id = ?, updated_at = ? WHERE entity_id = ? AND" + OWNED;

  static final String INSERT_ALIAS = "INSERT INTO entity_aliases (user_id, character_id, alias_key, entity_id)"
      + " VALUES (?, ?, ?, ?)";
  static final String RESOLVE = "SELECT entity_id FROM entity_aliases WHERE" + OWNED + " AND alias_key = ?";

  static final String INSERT_STATE = "INSERT INTO entity_states (entity_id, user_id, character_id, appearance_id,"
      + " story_time, state, attribute_changes, event_summary, writeback_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static final String STATES = "SELECT id, appearance_id, story_time, state, attribute_changes, event_summary,"
      + " writeback_id, at FROM entity_states WHERE entity_id = ? AND" + OWNED + " ORDER BY id LIMIT ?";
  static final String LATEST_STATE = "SELECT state, appearance_id FROM entity_states WHERE entity_id = ? AND" + OWNED
      + " ORDER BY id DESC LIMIT 1";

  /** Insert or update by (owner, source, target, type): the first appearance stays, the last moves. */
  static final String UPSERT_RELATION = "INSERT INTO entity_relations (user_id, character_id, source_id, target_id,"
      + " relation_type, strength, description, first_appearance_id, last_appearance_id, writeback_id, created_at,"
      + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
      + " strength = IF(? IS NULL, strength, VALUES(strength)),"
      + " description = COALESCE(VALUES(description), description),"
      + " last_appearance_id = COALESCE(VALUES(last_appearance_id), last_appearance_id), updated_at = VALUES(updated_at)";
  static final String RELATION_COLUMNS = "source_id, target_id, relation_type, strength, description,"
      + " first_appearance_id, last_appearance_id, created_at, updated_at";
  static final String RELATION = "SELECT " + RELATION_COLUMNS + " FROM entity_relations WHERE" + OWNED
      + " AND source_id = ? AND target_id = ? AND relation_type = ?";
  static final String BETWEEN = "SELECT " + RELATION_COLUMNS + " FROM entity_relations WHERE" + OWNED
      + " AND ((source_id = ? AND target_id = ?) OR (source_id = ? AND target_id = ?)) ORDER BY id";

  /** The relations touching any of {@code n} entities. */
  static String touching(int n) {
    String in = "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
    return "SELECT " + RELATION_COLUMNS + " FROM entity_relations WHERE" + OWNED + " AND (source_id IN " + in
        + " OR target_id IN " + in + ") ORDER BY id LIMIT ?";
  }

  static final String INSERT_EVENT = "INSERT INTO entity_events (event_id, user_id, character_id, appearance_id,"
      + " story_time_start, story_time_end, real_time, event_type, summary, description, location_id, importance, tags,"
      + " writeback_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static final String INSERT_EVENT_ENTITY = "INSERT IGNORE INTO entity_event_entities (event_id, entity_id, user_id,"
      + " character_id) VALUES (?, ?, ?, ?)";
  private static final String EVENT_COLUMNS = "e.event_id, e.appearance_id, e.story_time_start, e.story_time_end,"
      + " e.real_time, e.event_type, e.summary, e.description, e.location_id, e.importance, e.tags, e.created_at,"
      + " (SELECT JSON_ARRAYAGG(x.entity_id) FROM entity_event_entities x WHERE x.event_id = e.event_id) AS involved";

  static final String EVENT = "SELECT " + EVENT_COLUMNS + " FROM entity_events e WHERE e.event_id = ?"
      + " AND e.user_id = ? AND e.character_id = ?";

  /** Events by story time (an event without one by its real time's epoch seconds), optionally involving an entity. */
  static String events(boolean byEntity) {
    return "SELECT " + EVENT_COLUMNS + " FROM entity_events e"
        + (byEntity ? " JOIN entity_event_entities w ON w.event_id = e.event_id AND w.entity_id = ?" : "")
        + " WHERE e.user_id = ? AND e.character_id = ?"
        + " AND COALESCE(e.story_time_start, UNIX_TIMESTAMP(e.real_time)) BETWEEN ? AND ?"
        + " ORDER BY COALESCE(e.story_time_start, UNIX_TIMESTAMP(e.real_time)), e.created_at, e.event_id LIMIT ?";
  }

  static String eventsUntimed(boolean byEntity) {
    return "SELECT " + EVENT_COLUMNS + " FROM entity_events e"
        + (byEntity ? " JOIN entity_event_entities w ON w.event_id = e.event_id AND w.entity_id = ?" : "")
        + " WHERE e.user_id = ? AND e.character_id = ?"
        + " ORDER BY COALESCE(e.story_time_start, UNIX_TIMESTAMP(e.real_time)), e.created_at, e.event_id LIMIT ?";
  }

  // A chapter's write-back again: what the previous one wrote goes first.
  static final String WRITEBACK_STATE_ENTITIES = "SELECT DISTINCT entity_id FROM entity_states WHERE" + OWNED
      + " AND writeback_id = ?";
  static final String DELETE_WRITEBACK_STATES = "DELETE FROM entity_states WHERE" + OWNED + " AND writeback_id = ?";
  static final String DELETE_WRITEBACK_EVENT_ENTITIES = "DELETE x FROM entity_event_entities x JOIN entity_events e"
      + " ON e.event_id = x.event_id WHERE e.user_id = ? AND e.character_id = ? AND e.writeback_id = ?";
  static final String DELETE_WRITEBACK_EVENTS = "DELETE FROM entity_events WHERE" + OWNED + " AND writeback_id = ?";
  static final String DELETE_WRITEBACK_RELATIONS = "DELETE FROM entity_relations WHERE" + OWNED
      + " AND writeback_id = ?";

  static final String SAVE_WRITEBACK = "INSERT INTO chapter_writebacks (user_id, character_id, chapter_id, task_id,"
      + " summary, applied, failed, extractor, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
      + " task_id = VALUES(task_id), summary = VALUES(summary), applied = VALUES(applied), failed = VALUES(failed),"
      + " extractor = VALUES(extractor), updated_at = VALUES(updated_at)";
  static final String GET_WRITEBACK = "SELECT chapter_id, task_id, summary, applied, failed, extractor, updated_at"
      + " FROM chapter_writebacks WHERE" + OWNED + " AND chapter_id = ?";
  /** The task ends with its write-back: completed, the failed items (if any) named in its error message. */
  /** The task recorded for the chapter, and whether it was made after this task (ties: not after). */
  static final String WRITEBACK_TASKS = "SELECT w.task_id AS recorded, COALESCE(r.created_at > t.created_at, FALSE)"
      + " AS newer FROM chapter_writebacks w LEFT JOIN memory_generation_tasks r ON r.task_id = w.task_id"
      + " LEFT JOIN memory_generation_tasks t ON t.task_id = ? WHERE w.user_id = ? AND w.character_id = ?"
      + " AND w.chapter_id = ?";
  static final String COMPLETE_TASK = "UPDATE memory_generation_tasks SET status = 'completed',"
      + " completed_at = UTC_TIMESTAMP(), error_message = ? WHERE task_id = ?";

  /** The tables of a forget, children first. */
  static final java.util.List<String> FORGET_TABLES = java.util.List.of("chapter_writebacks", "entity_event_entities", "entity_events",
      "entity_relations", "entity_states", "entity_aliases", "entities");
}
