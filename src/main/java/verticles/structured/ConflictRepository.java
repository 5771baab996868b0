package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import verticles.contracts.Conflicts;

/** The {@code memory_conflicts} rows: conflict reports between an owner's memories and their resolution. */
final class ConflictRepository {

  /** One report. Side a is the older statement, b the newer; {@code memoryA == memoryB} for two versions of one. */
  record Report(long rowId, String conflictId, String userId, String characterId, String memoryId, String type,
      String memoryA, int versionA, String contentA, String memoryB, int versionB, String contentB, double severity,
      JsonArray evidence, String suggestion, String detector, LocalDateTime detectedAt, boolean resolved,
      String resolution, JsonObject detail, LocalDateTime resolvedAt, String resolvedBy) {

    /** A new, open report; its id derived from its type and both sides, so that writing it again adds nothing. */
    static Report open(String userId, String characterId, String type, MemoryState a, MemoryState b, double severity,
        JsonArray evidence, String suggestion, String detector) {
      return new Report(0, id(type, a.id, a.version, b.id, b.version), userId, characterId, b.id, type, a.id,
          a.version, a.content, b.id, b.version, b.content, severity, evidence, suggestion, detector,
          MemoryState.now(), false, null, null, null, null);
    }

    boolean sameMemory() {
      return memoryA.equals(memoryB);
    }

    Report resolvedAs(String how, JsonObject what, String by) {
      return new Report(rowId, conflictId, userId, characterId, memoryId, type, memoryA, versionA, contentA, memoryB,
          versionB, contentB, severity, evidence, suggestion, detector, detectedAt, true, how, what,
          MemoryState.now(), by);
    }

    static Report from(Row r) {
      Object detail = r.getValue("resolution_detail");
      return new Report(r.getLong("id"), r.getString("conflict_id"), r.getString("user_id"),
          r.getString("character_id"), r.getString("memory_id"), r.getString("conflict_type"), r.getString("memory_a"),
          r.getInteger("version_a"), r.getString("content_a"), r.getString("memory_b"), r.getInteger("version_b"),
          r.getString("content_b"), r.getBigDecimal("severity").doubleValue(), Sql.jsonArray(r.getValue("evidence")),
          r.getString("suggested_resolution"), r.getString("detector"), r.getLocalDateTime("detected_at"),
          r.getInteger("resolved") == 1, r.getString("resolution"),
          detail == null ? null : new JsonObject(detail.toString()), r.getLocalDateTime("resolved_at"),
          r.getString("resolved_by"));
    }

    /** The API's shape: the seed's fields, then both sides' ids, the owner and the review. */
    JsonObject toJson() {
      return new JsonObject().put("conflict_id", conflictId).put("memory_id", memoryId).put("type", type)
          .put("version_a", versionA).put("version_b", versionB).put("content_a", contentA).put("content_b", contentB)
          .put("severity", severity).put("evidence", evidence).put("suggested_resolution", suggestion)
          .put("detected_at", MemoryState.seconds(detectedAt)).put("resolved", resolved)
          .put("memory_a", memoryA).put("memory_b", memoryB).put("user_id", userId).put("character_id", characterId)
          .put("detector", detector).put("resolution", resolution).put("resolution_detail", detail)
          .put("resolved_at", MemoryState.seconds(resolvedAt)).put("resolved_by", resolvedBy);
    }

    private Tuple insertTuple() {
      return Tuple.from(Arrays.asList(conflictId, userId, characterId, memoryId, type, memoryA, versionA, contentA,
          memoryB, versionB, contentB, Math.round(Math.max(0, Math.min(1, severity)) * 100) / 100.0,
          evidence.encode(), Sql.clip(suggestion, 500), detector, detectedAt, resolved ? 1 : 0, resolution,
          detail == null ? null : detail.encode(), resolvedAt, Sql.clip(resolvedBy, 64)));
    }
  }

  static String id(String type, String a, int versionA, String b, int versionB) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-1");
      for (String part : List.of(type, a, String.valueOf(versionA), b, String.valueOf(versionB))) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "conf-" + HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the report unless it is there already; true when this call wrote it. */
  Future<Boolean> insert(SqlClient c, Report r) {
    return run(c, ConflictQueries.INSERT, r.insertTuple()).map(rs -> rs.rowCount() == 1);
  }

  Future<Report> find(SqlClient c, String conflictId, boolean lock) {
    return run(c, lock ? ConflictQueries.LOCK : ConflictQueries.GET, Tuple.of(conflictId))
        .map(rs -> rs.size() == 0 ? null : Report.from(rs.iterator().next()));
  }

  /** Marks the report resolved (once: a report resolved already is left as it is); false when it was. */
  Future<Boolean> resolve(SqlClient c, Report r) {
    return run(c, ConflictQueries.RESOLVE, Tuple.from(Arrays.asList(r.resolution(),
        r.detail() == null ? null : r.detail().encode(), r.resolvedAt(), Sql.clip(r.resolvedBy(), 64),
        r.conflictId()))).map(rs -> rs.rowCount() == 1);
  }

  /** One page, newest first: {@code limit + 1} rows, the last telling whether another page follows. */
  Future<List<Report>> list(SqlClient c, Conflicts.Query q) {
    StringBuilder where = new StringBuilder();
    List<Object> args = new ArrayList<>();
    Sql.scope(where, args, q.userId(), q.tenant());
    Sql.equal(where, args, "character_id", q.characterId());
    Sql.equal(where, args, "resolved", q.status() == null ? null : "resolved".equals(q.status()) ? 1 : 0);
    Sql.equal(where, args, "conflict_type", q.type());
    if (q.cursor() != null) {
      where.append(" AND id < ?");
      args.add(Long.parseLong(q.cursor()));
    }
    args.add(q.limit() + 1);
    return run(c, "SELECT " + ConflictQueries.COLUMNS + " FROM memory_conflicts WHERE 1 = 1" + where
        + " ORDER BY id DESC LIMIT ?", Tuple.from(args)).map(rs -> {
          List<Report> out = new ArrayList<>();
          rs.forEach(r -> out.add(Report.from(r)));
          return out;
        });
  }

  Future<Void> deleteOfMemory(SqlClient c, String memoryId) {
    return run(c, ConflictQueries.DELETE_OF_MEMORY, Tuple.of(memoryId, memoryId)).mapEmpty();
  }
}
