package verticles.structured;

/** The SQL of {@link ConflictRepository}: the {@code memory_conflicts} rows (V12). */
final class ConflictQueries {
  private ConflictQueries() {}

  static final String COLUMNS = "id, conflict_id, user_id, character_id, memory_id, conflict_type, memory_a,"
      + " version_a, content_a, memory_b, version_b, content_b, severity, evidence, suggested_resolution, detector,"
      + " detected_at, resolved, resolution, resolution_detail, resolved_at, resolved_by";

  /** A report; found there already (a replay of its task), it is left as it is. */
  static final String INSERT = "INSERT INTO memory_conflicts (conflict_id, user_id, character_id, memory_id,"
      + " conflict_type, memory_a, version_a, content_a, memory_b, version_b, content_b, severity, evidence,"
      + " suggested_resolution, detector, detected_at, resolved, resolution, resolution_detail, resolved_at, resolved_by)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id";

  static final String GET = "SELECT " + COLUMNS + " FROM memory_conflicts WHERE conflict_id = ?";
  static final String LOCK = GET + " FOR UPDATE";

  static final String RESOLVE = "UPDATE memory_conflicts SET resolved = 1, resolution = ?, resolution_detail = ?,"
      + " resolved_at = ?, resolved_by = ? WHERE conflict_id = ? AND resolved = 0";

  /** Erasing a memory erases what its reports quote of it. */
  static final String DELETE_OF_MEMORY = "DELETE FROM memory_conflicts WHERE memory_a = ? OR memory_b = ?";

  static String deleteOwner(boolean byCharacter) {
    return "DELETE FROM memory_conflicts" + Sql.ownerWhere(byCharacter);
  }
}
