package verticles.structured;

import java.util.Collections;

/** The SQL of {@link IndexSync}: the {@code memory_index_sync} journal (V9). */
final class IndexSyncQueries {
  private IndexSyncQueries() {}

  /** Queued (again): the memory's index record must be brought to its MySQL state. */
  static final String MARK = "INSERT INTO memory_index_sync (memory_id, queued_at) VALUES (?, ?)"
      + " ON DUPLICATE KEY UPDATE queued_at = VALUES(queued_at)";

  /** The queued rows among {@code n} ids, locked in id order: one sync of a memory at a time, cluster-wide. */
  static String lock(int n) {
    return "SELECT memory_id FROM memory_index_sync WHERE memory_id IN (" + marks(n) + ") ORDER BY memory_id"
        + " FOR UPDATE";
  }

  static String done(int n) {
    return "DELETE FROM memory_index_sync WHERE memory_id IN (" + marks(n) + ")";
  }

  /** Rows a sync after their write did not clear (a crash, the index away), oldest first. */
  static final String STALE = "SELECT memory_id FROM memory_index_sync WHERE queued_at < ? ORDER BY queued_at"
      + " LIMIT ?";

  static final String COUNT = "SELECT COUNT(*) FROM memory_index_sync";

  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }
}
