package verticles.structured;

/** The SQL of {@link MessageBufferRepository}: {@code buffered_messages}, a session's messages until a task is cut. */
final class MessageBufferQueries {
  private MessageBufferQueries() {}

  static final String INSERT = "INSERT INTO buffered_messages (user_id, character_id, session_id, message)"
      + " VALUES (?, ?, ?, ?)";

  static final String COUNT_SESSION = "SELECT COUNT(*) AS n FROM buffered_messages WHERE user_id = ?"
      + " AND character_id = ? AND session_id = ?";

  /** Sessions whose newest message is {@code ?} seconds old or older. */
  static final String IDLE_SESSIONS = "SELECT user_id, character_id, session_id FROM buffered_messages"
      + " GROUP BY user_id, character_id, session_id"
      + " HAVING MAX(received_at) <= UTC_TIMESTAMP() - INTERVAL ? SECOND LIMIT ?";

  /** Locks the session's messages: two cuts of one session (threshold and idle sweep) take turns. */
  static final String LOCK_SESSION = "SELECT id, message FROM buffered_messages WHERE user_id = ? AND character_id = ?"
      + " AND session_id = ? ORDER BY id FOR UPDATE";

  /** What a cut took, up to the highest id it read. */
  static final String DELETE_CUT = "DELETE FROM buffered_messages WHERE user_id = ? AND character_id = ?"
      + " AND session_id = ? AND id <= ?";
}
