package verticles.structured;

import java.util.Collections;

/** The SQL of {@link RetentionRepository}: accesses, retention, the sweep's candidates, usage and expiry. */
final class RetentionQueries {
  private RetentionQueries() {}

  static final int CHUNK = 500;

  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /** The owners of stored memories (a plain read: counting an access takes no memory's lock). */
  static String owners(int n) {
    return "SELECT memory_id, user_id, character_id FROM memories WHERE memory_id IN (" + marks(n) + ")";
  }

  static final String RECORD = "INSERT INTO memory_access (memory_id, day, hits, last_at) VALUES (?, ?, ?, ?)"
      + " ON DUPLICATE KEY UPDATE hits = hits + VALUES(hits), last_at = GREATEST(last_at, VALUES(last_at))";

  static final String JUDGED = "INSERT INTO memory_judged (memory_id, user_id, character_id, level, judged_at)"
      + " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE level = GREATEST(level, VALUES(level)),"
      + " judged_at = VALUES(judged_at)";

  /** The last access of memory {@code m} (null: never returned by a recall). */
  private static final String LAST = "(SELECT MAX(x.last_at) FROM memory_access x WHERE x.memory_id = m.memory_id)";

  /** What a memory's retention is computed from. */
  static String retention(int n) {
    return "SELECT m.memory_id, m.category, m.created_at, " + LAST + " AS last_at FROM memories m"
        + " WHERE m.memory_id IN (" + marks(n) + ")";
  }

  /** " AND m.user_id = ?" for one user, the tenant's byte range of user ids for a tenant, nothing for all. */
  static String scope(String tenant, String user) {
    return user != null ? " AND m.user_id = ?" : tenant != null ? " AND m.user_id >= ? AND m.user_id < ?" : "";
  }

  /**
   * Active memories past the minimum age (profile facts are keyed "key: value" lines: nothing to compress), with
   * their idleness in half-lives of their category ({@code idle}), accesses in the last days ({@code recent}) and the
   * level those call for ({@code lvl}), not yet judged at that level; due (idle past the threshold) or of a user over
   * quota; least retained first. A message goes past medium only where messages may be consolidated (everywhere, or
   * for a user over quota): below that it is never cut. Arguments: recent-since day, now, five half-lives (fact,
   * preference, context, skill, general), created-before, the scope's, (for {@code over_quota}) the over-quota
   * users, threshold in half-lives, the over-quota users again, limit.
   */
  static String candidates(String tenant, String user, int overQuota, String consolidation) {
    String overQuotaUser = overQuota == 0 ? "FALSE" : "user_id IN (" + marks(overQuota) + ")";
    String consolidates = switch (consolidation) {
      case "always" -> "TRUE";
      case "never" -> "FALSE";
      default -> overQuotaUser;
    };
    return "SELECT * FROM (SELECT m.memory_id, m.user_id, m.character_id, m.memory_type, m.category, m.content,"
        + " m.metadata, m.version, m.session_id, m.source_msg_ids, m.importance, m.valid_from, m.created_at,"
        + " COALESCE((SELECT SUM(x.hits) FROM memory_access x WHERE x.memory_id = m.memory_id), 0) AS access_count,"
        + " COALESCE(j.level, 0) AS judged_level,"
        + " COALESCE((SELECT SUM(d.hits) FROM memory_access d WHERE d.memory_id = m.memory_id AND d.day > ?), 0)"
        + " AS recent, TIMESTAMPDIFF(SECOND, COALESCE(" + LAST + ", m.created_at), ?) / (CASE m.category"
        + " WHEN 'fact' THEN ? WHEN 'preference' THEN ? WHEN 'context' THEN ? WHEN 'skill' THEN ? ELSE ? END) AS idle"
        + " FROM memories m LEFT JOIN memory_judged j ON j.memory_id = m.memory_id"
        + " WHERE m.status = 'active' AND m.memory_type NOT IN ('profile', 'entity') AND m.created_at <= ?"
        + scope(tenant, user)
        + ") c WHERE judged_level < (CASE WHEN memory_type = 'message' AND NOT (" + consolidates + ")"
        + " THEN LEAST(" + LEVEL + ", 2) ELSE " + LEVEL + " END)"
        + " AND (idle >= ? OR " + overQuotaUser + ") ORDER BY idle DESC, memory_id LIMIT ?";
  }

  /** The level the accesses of the last days call for: more than 5 light (1), more than 2 medium (2), else 3. */
  private static final String LEVEL = "(CASE WHEN recent > 5 THEN 1 WHEN recent > 2 THEN 2 ELSE 3 END)";

  /** Storage of active memories per user: content and metadata bytes, and 64 a row. */
  static String usage(String tenant, String user) {
    String bytes = "SUM(LENGTH(m.content) + COALESCE(LENGTH(m.metadata), 0) + 64)";
    return "SELECT m.user_id, COUNT(*) AS memories, " + bytes + " AS bytes FROM memories m WHERE m.status = 'active'"
        + scope(tenant, user) + " GROUP BY m.user_id HAVING " + bytes + " >= ? ORDER BY bytes DESC LIMIT ?";
  }

  /** The history's storage of one user (every version kept, compressed ones' originals among them). */
  static final String VERSION_BYTES = "SELECT COALESCE(SUM(LENGTH(content) + COALESCE(LENGTH(metadata), 0) + 64), 0)"
      + " FROM memory_versions WHERE user_id = ?";

  /**
   * Active memories past their valid_to, and context memories that are no conversation's record (messages and
   * summaries are consolidated, never expired), past the minimum age and idle past the expiry. Arguments: now,
   * the scope's, now, created-before, idle-before, limit.
   */
  static String expired(String tenant, String user) {
    return "SELECT m.memory_id, m.version, m.user_id, IF(m.valid_to IS NOT NULL AND m.valid_to <= ?, 'valid_to',"
        + " 'context') AS reason FROM memories m WHERE m.status = 'active'" + scope(tenant, user)
        + " AND ((m.valid_to IS NOT NULL AND m.valid_to <= ?) OR (m.category = 'context'"
        + " AND m.memory_type NOT IN ('message', 'summary') AND m.created_at <= ?"
        + " AND COALESCE(" + LAST + ", m.created_at) <= ?)) ORDER BY m.memory_id LIMIT ?";
  }

  /** The day that holds the days folded in. */
  static final String FOLDED = "1970-01-01";

  /** Days before the cutoff folded into {@value #FOLDED}, then deleted (one transaction). */
  static final String FOLD = "INSERT INTO memory_access (memory_id, day, hits, last_at) SELECT memory_id, '" + FOLDED
      + "', SUM(hits), MAX(last_at) FROM memory_access WHERE day > '" + FOLDED + "' AND day < ? GROUP BY memory_id"
      + " ON DUPLICATE KEY UPDATE hits = hits + VALUES(hits), last_at = GREATEST(last_at, VALUES(last_at))";
  static final String FOLDED_DAYS = "DELETE FROM memory_access WHERE day > '" + FOLDED + "' AND day < ?";

  /** Rows of memories erased since (a hard delete; a forget cut short after its memories' delete). */
  static final String PRUNE_ORPHANS = "DELETE a FROM memory_access a LEFT JOIN memories m"
      + " ON m.memory_id = a.memory_id WHERE m.memory_id IS NULL";
  static final String PRUNE_ORPHAN_JUDGED = "DELETE j FROM memory_judged j LEFT JOIN memories m"
      + " ON m.memory_id = j.memory_id WHERE m.memory_id IS NULL";
}
