package verticles.structured;

import java.util.Collections;

/** The SQL of {@link IndexSync}: the {@code memory_index_sync} journal (V9). */
final class IndexSyncQueries {
  private IndexSyncQueries() {}

  /** Marked (again): the memory's index record must be brought to its MySQL state. */
  static final String MARK = "INSERT INTO memory_index_sync (memory_id, seq, queued_at) VALUES (?, 1, ?)"
      + " ON DUPLICATE KEY UPDATE seq = seq + 1, queued_at = VALUES(queued_at)";

  /** The marks among {@code n} ids, as committed (a plain read: a writer never waits for a sync). */
  static String marks(int n) {
    return "SELECT memory_id, seq FROM memory_index_sync WHERE memory_id IN ("
        + String.join(", ", Collections.nCopies(n, "?")) + ")";
  }

  /** A mark cleared, unless a later write marked the memory again meanwhile (its sync comes next). */
  static final String CLEAR = "DELETE FROM memory_index_sync WHERE memory_id = ? AND seq = ?";

  /** Marks a sync after their write did not clear (a crash, the index away), oldest first. */
  static final String STALE = "SELECT memory_id FROM memory_index_sync WHERE queued_at < ? ORDER BY queued_at"
      + " LIMIT ?";
}
