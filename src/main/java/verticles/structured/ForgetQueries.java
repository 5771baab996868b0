package verticles.structured;

/** The SQL of {@link ForgetRepository}: {@code forgotten_users} tombstones and the deletes of a forget. */
final class ForgetQueries {
  private ForgetQueries() {}

  /** A repeated forget moves the tombstone to now. */
  static final String TOMBSTONE = "INSERT INTO forgotten_users (user_id, character_id, forgotten_at)"
      + " VALUES (?, ?, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE forgotten_at = VALUES(forgotten_at)";

  /** {@code character_key} is the generated unique key column: the character, or '' for all of them. */
  static final String TOMBSTONE_AT = "SELECT forgotten_at FROM forgotten_users WHERE user_id = ?"
      + " AND character_key = ?";

  static final String TOMBSTONES = "SELECT character_id, forgotten_at FROM forgotten_users WHERE user_id = ?";

  static final String TASK_OWNER = "SELECT user_id, character_id, created_at FROM memory_generation_tasks"
      + " WHERE task_id = ?";

  /** The access counts of the owner's memories (the access rows hold memory ids only): before the memories go. */
  static String deleteAccesses(boolean byCharacter) {
    return "DELETE a FROM memory_access a JOIN memories m ON m.memory_id = a.memory_id WHERE m.user_id = ?"
        + (byCharacter ? " AND m.character_id = ?" : "");
  }

  /** Deletes the owner's rows of {@code table}: all the user's, or one character's when {@code byCharacter}. */
  static String deleteOwned(String table, boolean byCharacter) {
    return "DELETE FROM " + table + Sql.ownerWhere(byCharacter);
  }
}
