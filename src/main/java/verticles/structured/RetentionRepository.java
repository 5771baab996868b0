package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import verticles.contracts.Forgetting;
import verticles.shared.Retention;

/**
 * {@code memory_access} (V13: accesses per memory and day) and {@code memory_judged} (the sweep's levels): accesses
 * counted in batches, retention computed from them, and the sweep's reads of {@code memories} (candidates for
 * compression, storage per user, what expired). Counting an access checks that the memory is stored (a plain read,
 * no lock) and writes one row per memory and day, so it never waits for a memory's writer, nor a writer for it.
 */
final class RetentionRepository {
  /** Accesses in the days after this many days ago count as recent (the seed's 7 days). */
  static final int RECENT_DAYS = 7;

  private final Pool pool;
  private final Transactions tx;
  private final Retention retention;

  RetentionRepository(Pool pool, Transactions tx, Retention retention) {
    this.pool = pool;
    this.tx = tx;
    this.retention = retention;
  }

  private record Owner(String userId, String characterId) {}

  /** The owners of the stored ones among these ids, in chunks. */
  private Future<Map<String, Owner>> owners(List<String> ids) {
    Map<String, Owner> out = new HashMap<>();
    Future<Void> done = Future.succeededFuture();
    for (int from = 0; from < ids.size(); from += RetentionQueries.CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + RetentionQueries.CHUNK));
      done = done.compose(x -> run(pool, RetentionQueries.owners(chunk.size()), Tuple.from(new ArrayList<Object>(chunk)))
          .map(rs -> {
            rs.forEach(r -> out.put(r.getString(0), new Owner(r.getString(1), r.getString(2))));
            return null;
          }));
    }
    return done.map(out);
  }

  /** Counts the accesses of stored memories (others are ignored); rows in (id, day) order, so batches never deadlock. */
  Future<Forgetting.Recorded> record(List<Forgetting.Access> accesses) {
    Map<String, Object[]> days = new TreeMap<>(); // "id\0day" → {id, day, hits, last}
    for (Forgetting.Access a : accesses) {
      LocalDate day = day(a.atMs());
      Object[] row = days.computeIfAbsent(a.memoryId() + '\0' + day, k -> new Object[] {a.memoryId(), day, 0, 0L});
      row[2] = (Integer) row[2] + a.hits();
      row[3] = Math.max((Long) row[3], a.atMs());
    }
    List<String> ids = days.values().stream().map(r -> (String) r[0]).distinct().toList();
    return owners(ids).compose(owners -> {
      List<Tuple> rows = new ArrayList<>();
      long hits = 0;
      for (Object[] r : days.values()) {
        if (owners.containsKey((String) r[0])) {
          rows.add(Tuple.of(r[0], r[1], r[2], at((Long) r[3])));
          hits += (Integer) r[2];
        }
      }
      if (rows.isEmpty()) {
        return Future.succeededFuture(new Forgetting.Recorded(0, 0));
      }
      Forgetting.Recorded recorded = new Forgetting.Recorded(owners.size(), hits);
      return tx.run(c -> batch(c, RetentionQueries.RECORD, rows)).map(recorded);
    });
  }

  /** The sweep judged these memories at {@code level}: it passes them by until a stronger level is called for. */
  Future<Forgetting.Recorded> judged(List<String> ids, int level) {
    List<String> sorted = ids.stream().distinct().sorted().toList();
    return owners(sorted).compose(owners -> {
      List<Tuple> rows = new ArrayList<>();
      for (String id : sorted) {
        Owner o = owners.get(id);
        if (o != null) {
          rows.add(Tuple.of(id, o.userId(), o.characterId(), level));
        }
      }
      return rows.isEmpty() ? Future.succeededFuture(new Forgetting.Recorded(0, 0))
          : tx.run(c -> batch(c, RetentionQueries.JUDGED, rows)).map(x -> new Forgetting.Recorded(rows.size(), 0));
    });
  }

  /** id → retention at {@code now}, for the stored ones. */
  Future<JsonObject> retention(List<String> ids, long now) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    List<String> chunk = ids.subList(0, Math.min(ids.size(), RetentionQueries.CHUNK));
    return run(pool, RetentionQueries.retention(chunk.size()), Tuple.from(new ArrayList<Object>(chunk))).map(rs -> {
      JsonObject out = new JsonObject();
      for (Row r : rs) {
        LocalDateTime seen = r.getLocalDateTime("last_at") != null ? r.getLocalDateTime("last_at")
            : r.getLocalDateTime("created_at");
        out.put(r.getString("memory_id"), retention.retention(r.getString("category"), now - Sql.epoch(seen)));
      }
      return out;
    });
  }

  Future<JsonArray> candidates(Forgetting.CandidateQuery q) {
    long now = now(q.now());
    Tuple args = Tuple.tuple().addValue(LocalDate.ofEpochDay(Math.floorDiv(now, 86_400L) - RECENT_DAYS))
        .addValue(Sql.utc(now));
    for (String category : Retention.CATEGORIES) {
      args.addValue(retention.halfLife(category));
    }
    args.addValue(Sql.utc(now - retention.minAgeSeconds()));
    scope(args, q.tenant(), q.userId());
    if ("over_quota".equals(retention.consolidateMessages())) {
      q.overQuota().forEach(args::addValue);
    }
    args.addValue(Retention.halfLivesUntil(retention.threshold()));
    q.overQuota().forEach(args::addValue);
    args.addValue(q.limit());
    return run(pool, RetentionQueries.candidates(q.tenant(), q.userId(), q.overQuota().size(),
        retention.consolidateMessages()), args).map(rs -> {
      JsonArray out = new JsonArray();
      double dueAt = Retention.halfLivesUntil(retention.threshold());
      for (Row r : rs) {
        long recent = r.getNumeric("recent").longValue();
        double idle = r.getNumeric("idle").doubleValue();
        Object metadata = r.getValue("metadata");
        out.add(new JsonObject().put("id", r.getString("memory_id")).put("user_id", r.getString("user_id"))
            .put("character_id", r.getString("character_id")).put("memory_type", r.getString("memory_type"))
            .put("category", r.getString("category")).put("content", r.getString("content"))
            .put("metadata", metadata == null ? new JsonObject() : new JsonObject(metadata.toString()))
            .put("version", r.getInteger("version")).put("session_id", r.getString("session_id"))
            .put("source_msg_ids", Sql.jsonArray(r.getValue("source_msg_ids")))
            .put("importance", r.getInteger("importance"))
            .put("valid_from", Sql.epoch(r.getLocalDateTime("valid_from")))
            .put("created_at", Sql.epoch(r.getLocalDateTime("created_at")))
            .put("access_count", r.getNumeric("access_count").longValue()).put("recent_accesses", recent)
            .put("retention", Math.exp(-0.693 * Math.max(0, idle))).put("due", idle >= dueAt)
            .put("level", recent > 5 ? 1 : recent > 2 ? 2 : 3));
      }
      return out;
    });
  }

  /**
   * Users at or past {@code minBytes} of active memories, largest first; asked for one user without a minimum, that
   * user's (none stored: zero) with the bytes of their history too.
   */
  Future<JsonArray> usage(Forgetting.UsageQuery q) {
    Tuple args = Tuple.tuple();
    scope(args, q.tenant(), q.userId());
    args.addValue(q.minBytes()).addValue(q.limit());
    return run(pool, RetentionQueries.usage(q.tenant(), q.userId()), args).compose(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(new JsonObject().put("user_id", r.getString("user_id"))
          .put("memories", r.getLong("memories")).put("bytes", r.getNumeric("bytes").longValue())));
      if (q.userId() == null || q.minBytes() > 0) {
        return Future.succeededFuture(out);
      }
      return run(pool, RetentionQueries.VERSION_BYTES, Tuple.of(q.userId())).map(v -> {
        long bytes = v.iterator().next().getNumeric(0).longValue();
        if (out.isEmpty()) {
          out.add(new JsonObject().put("user_id", q.userId()).put("memories", 0).put("bytes", 0));
        }
        out.getJsonObject(0).put("version_bytes", bytes);
        return out;
      });
    });
  }

  Future<JsonArray> expired(Forgetting.ExpiredQuery q) {
    long now = now(q.now());
    long contextIdle = Math.round(retention.halfLife("context") * Retention.halfLivesUntil(retention.contextExpiry()));
    Tuple args = Tuple.tuple().addValue(Sql.utc(now));
    scope(args, q.tenant(), q.userId());
    args.addValue(Sql.utc(now)).addValue(Sql.utc(now - retention.minAgeSeconds()))
        .addValue(Sql.utc(now - contextIdle)).addValue(q.limit());
    return run(pool, RetentionQueries.expired(q.tenant(), q.userId()), args).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(new JsonObject().put("id", r.getString("memory_id"))
          .put("version", r.getInteger("version")).put("user_id", r.getString("user_id"))
          .put("reason", r.getString("reason"))));
      return out;
    });
  }

  /** Days older than the level reads folded into one row per memory, and the rows of memories erased since. */
  Future<Long> prune(Long nowSeconds) {
    LocalDate before = LocalDate.ofEpochDay(Math.floorDiv(now(nowSeconds), 86_400L) - RECENT_DAYS - 1);
    return tx.run(c -> run(c, RetentionQueries.FOLD, Tuple.of(before))
            .compose(x -> run(c, RetentionQueries.FOLDED_DAYS, Tuple.of(before))))
        .compose(folded -> run(pool, RetentionQueries.PRUNE_ORPHANS, Tuple.tuple())
            .compose(orphans -> run(pool, RetentionQueries.PRUNE_ORPHAN_JUDGED, Tuple.tuple())
                .map(judged -> (long) folded.rowCount() + orphans.rowCount() + judged.rowCount())));
  }

  private static void scope(Tuple args, String tenant, String user) {
    if (user != null) {
      args.addValue(user);
    } else if (tenant != null) {
      args.addValue(tenant + ":").addValue(tenant + ";"); // the tenant's byte range of user ids
    }
  }

  private static long now(Long nowSeconds) {
    return nowSeconds != null ? nowSeconds : System.currentTimeMillis() / 1000;
  }

  private static LocalDateTime at(long epochMs) {
    return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMs, 1000L), (int) Math.floorMod(epochMs, 1000L) * 1_000_000,
        ZoneOffset.UTC);
  }

  private static LocalDate day(long epochMs) {
    return LocalDate.ofEpochDay(Math.floorDiv(epochMs, 86_400_000L));
  }
}
