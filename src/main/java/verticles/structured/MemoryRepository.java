package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verticles.bus.Failures;
import verticles.shared.MemoryIds;

/**
 * The {@code memories} rows and their versions. {@link #write} is the one write of a memory, whoever makes it (the
 * API, the extractor, a restore; later a transaction's commit): it runs on the caller's connection, inside the
 * caller's transaction, so a batch of writes commits or rolls back as one.
 */
final class MemoryRepository {

  Future<MemoryState> find(SqlClient c, String id, boolean lock) {
    return run(c, lock ? MemoryQueries.LOCK : MemoryQueries.GET, Tuple.of(id))
        .map(rs -> rs.size() == 0 ? null : MemoryState.from(rs.iterator().next()));
  }

  /** The stored states of these ids (absent ones are missing from the map), locked when {@code lock}. */
  Future<Map<String, MemoryState>> findAll(SqlClient c, List<String> ids, boolean lock) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String sql = lock ? MemoryQueries.lockAll(ids.size()) : MemoryQueries.getAll(ids.size());
    return run(c, sql, Tuple.from(new ArrayList<Object>(ids))).map(rs -> {
      Map<String, MemoryState> out = new LinkedHashMap<>();
      for (Row r : rs) {
        MemoryState s = MemoryState.from(r);
        out.put(s.id, s);
      }
      return out;
    });
  }

  /**
   * Writes {@code after} as the memory's next version: the row (inserted, or updated only over {@code before}'s
   * version, else 412), a version row with the fields that changed, and, when {@code project}, the seed row the
   * memory shows as (profile, event, summary). {@code before} null: a new memory, version 1.
   */
  Future<MemoryState> write(SqlClient c, MemoryState before, MemoryState after, String op, String reason, String actor,
      boolean project) {
    LocalDateTime now = MemoryState.now();
    after.version = before == null ? 1 : before.version + 1;
    after.updatedAt = now;
    List<String> changed = before == null ? List.of() : after.changedFrom(before);
    Future<RowSet<Row>> row = before == null ? run(c, MemoryQueries.INSERT, after.rowTuple())
        : run(c, MemoryQueries.UPDATE, updateTuple(after, before.version)).compose(rs -> rs.rowCount() == 1
            ? Future.succeededFuture(rs)
            : Future.failedFuture(Failures.of(Failures.PRECONDITION_FAILED, "memory " + after.id
                + " moved on from version " + before.version)));
    return row
        .compose(rs -> run(c, MemoryQueries.INSERT_VERSION, after.versionTuple(op, changed, reason, actor, now)))
        .compose(rs -> run(c, MemoryQueries.INSERT_CHANGE, change(after, op, false, actor, now)))
        .compose(rs -> project ? project(c, after) : Future.succeededFuture())
        .map(x -> after);
  }

  /** New memories, version 1 each, in two statements (a task writes hundreds of message memories). */
  Future<Void> createAll(SqlClient c, List<MemoryState> states, String reason, String actor) {
    if (states.isEmpty()) {
      return Future.succeededFuture();
    }
    LocalDateTime now = MemoryState.now();
    List<Tuple> rows = new ArrayList<>();
    List<Tuple> versions = new ArrayList<>();
    List<Tuple> changes = new ArrayList<>();
    for (MemoryState s : states) {
      s.version = 1;
      s.updatedAt = now;
      rows.add(s.rowTuple());
      versions.add(s.versionTuple("create", List.of(), reason, actor, now));
      changes.add(change(s, "create", false, actor, now));
    }
    // a replay of the task may find some of its rows there already: they stay, and get no second create event
    return existing(c, states.stream().map(s -> s.id).toList()).compose(there -> {
      List<Tuple> fresh = new ArrayList<>();
      for (int i = 0; i < states.size(); i++) {
        if (!there.contains(states.get(i).id)) {
          fresh.add(changes.get(i));
        }
      }
      return batch(c, MemoryQueries.INSERT, rows)
          .compose(x -> batch(c, MemoryQueries.INSERT_VERSION, versions))
          .compose(x -> fresh.isEmpty() ? Future.succeededFuture() : batch(c, MemoryQueries.INSERT_CHANGE, fresh));
    }).mapEmpty();
  }

  /** Which of these ids are stored, in chunks of {@value MemoryQueries#CHUNK}. */
  private Future<java.util.Set<String>> existing(SqlClient c, List<String> ids) {
    java.util.Set<String> out = new java.util.HashSet<>();
    Future<Void> done = Future.succeededFuture();
    for (int from = 0; from < ids.size(); from += MemoryQueries.CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + MemoryQueries.CHUNK));
      done = done.compose(x -> run(c, MemoryQueries.existing(chunk.size()), Tuple.from(new ArrayList<Object>(chunk)))
          .map(rs -> {
            rs.forEach(r -> out.add(r.getString(0)));
            return null;
          }));
    }
    return done.map(out);
  }

  /** Closes a superseded version in the world: it held until {@code until}. */
  Future<Void> close(SqlClient c, String id, int version, LocalDateTime until) {
    return run(c, MemoryQueries.CLOSE_VERSION, Tuple.of(until, id, version)).mapEmpty();
  }

  /** One version's snapshot, or null. */
  Future<MemoryState> version(SqlClient c, String id, int version) {
    return run(c, MemoryQueries.VERSION, Tuple.of(id, version))
        .map(rs -> rs.size() == 0 ? null : MemoryState.from(rs.iterator().next()));
  }

  /** Versions after {@code afterVersion}, oldest first, in the API's shape. */
  Future<JsonArray> history(SqlClient c, String id, int afterVersion, int limit) {
    return run(c, MemoryQueries.HISTORY, Tuple.of(id, afterVersion, limit)).map(rs -> {
      JsonArray out = new JsonArray();
      for (Row r : rs) {
        out.add(versionJson(r));
      }
      return out;
    });
  }

  static JsonObject versionJson(Row r) {
    MemoryState s = MemoryState.from(r);
    return new JsonObject()
        .put("version", s.version)
        .put("op", r.getString("op"))
        .put("content", s.content)
        .put("importance", s.importance)
        .put("category", s.category)
        .put("confidence", s.confidence)
        .put("metadata", s.metadata)
        .put("status", s.status)
        .put("valid_from", MemoryState.seconds(s.validFrom))
        .put("valid_to", MemoryState.seconds(s.validTo))
        .put("provenance", s.provenance())
        .put("changed", Sql.jsonArray(r.getValue("changed")))
        .put("reason", r.getString("reason"))
        .put("actor", r.getString("actor"))
        .put("at", MemoryState.seconds(r.getLocalDateTime("changed_at")));
  }

  /** Erases the memory, every version, its seed row and the conflict reports quoting it; returns how many versions. */
  Future<Integer> erase(SqlClient c, MemoryState m, String actor) {
    String projection = MemoryQueries.eraseProjection(m.type);
    Tuple row = seedRow(m);
    return run(c, MemoryQueries.INSERT_CHANGE, change(m, "delete", true, actor, MemoryState.now()))
        .compose(x -> run(c, ConflictQueries.DELETE_OF_MEMORY, Tuple.of(m.id, m.id))) // reports quote it
        .compose(x -> run(c, MemoryQueries.ERASE_VERSIONS, Tuple.of(m.id)))
        .compose(versions -> run(c, MemoryQueries.ERASE, Tuple.of(m.id))
            .compose(x -> projection == null || row == null ? Future.succeededFuture() : run(c, projection, row))
            .map(x -> versions.rowCount()));
  }

  /**
   * The key of the seed row a memory shows as: a profile's unique key (only while its metadata still names the key
   * its id was made from: a corrected {@code profile_key} must not reach another fact's row), else its id and owner.
   */
  private static Tuple seedRow(MemoryState m) {
    if (!"profile".equals(m.type)) {
      return Tuple.of(m.id, m.userId);
    }
    String type = m.metadata.getValue("profile_type") instanceof String t ? t : null;
    String key = m.metadata.getValue("profile_key") instanceof String k ? k : null;
    return type == null || key == null || !MemoryIds.profile(m.userId, m.characterId, type, key).equals(m.id) ? null
        : Tuple.of(m.userId, m.characterId, type, key);
  }

  private static Future<RowSet<Row>> project(SqlClient c, MemoryState s) {
    String sql = MemoryQueries.project(s.type);
    if (sql == null) {
      return Future.succeededFuture();
    }
    Tuple row = seedRow(s);
    if (row == null) {
      return Future.succeededFuture();
    }
    int deleted = s.deleted() ? 1 : 0;
    Tuple args = switch (s.type) {
      case "profile" -> Tuple.of(s.metadata.getValue("profile_value") instanceof String v ? v : s.content,
          s.confidence, deleted);
      case "event" -> Tuple.of(s.content, s.importance, deleted);
      default -> Tuple.of(s.content, deleted);
    };
    for (int i = 0; i < row.size(); i++) {
      args.addValue(row.getValue(i));
    }
    return run(c, sql, args);
  }

  /** The change event of a version (or, {@code hard}, of the memory's erasure). */
  private static Tuple change(MemoryState s, String event, boolean hard, String actor, LocalDateTime at) {
    return Tuple.from(java.util.Arrays.asList(event, hard ? 1 : 0, s.id, s.version, s.userId, s.characterId, s.type,
        Sql.clip(actor, 64), at));
  }

  private static Tuple updateTuple(MemoryState s, int expectedVersion) {
    return Tuple.from(java.util.Arrays.asList(s.category, s.content, s.importance, s.confidence, s.metadata.encode(),
        s.sessionId, s.taskId, s.sourceMsgIds.encode(), s.status, s.version, s.updatedAt, s.validFrom, s.validTo, s.id,
        expectedVersion));
  }
}
