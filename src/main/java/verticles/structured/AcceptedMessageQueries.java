package verticles.structured;

import java.util.Collections;

/** The SQL of {@link AcceptedMessages}: {@code accepted_messages}, the message ids each session has accepted. */
final class AcceptedMessageQueries {
  private AcceptedMessageQueries() {}

  /**
   * A message id already accepted (by a committed or a concurrent post, which it waits for) is left as it is. Not
   * INSERT IGNORE: that would also turn a too-long id into a truncated one, silently, instead of an error.
   */
  static final String ACCEPT = "INSERT INTO accepted_messages (user_id, character_id, session_id, msg_id,"
      + " accepted_by, task_id) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE accepted_by = accepted_by";

  /**
   * Who accepted each of {@code count} message ids of one session. A locking read, so it sees what concurrent posts
   * committed while this one waited for them (the locks are held already, from the insert).
   */
  static String whoAccepted(int count) {
    return "SELECT id, msg_id, accepted_by, task_id FROM accepted_messages WHERE user_id = ? AND character_id = ?"
        + " AND session_id = ? AND msg_id IN (" + String.join(", ", Collections.nCopies(count, "?")) + ")"
        + " LOCK IN SHARE MODE";
  }
}
