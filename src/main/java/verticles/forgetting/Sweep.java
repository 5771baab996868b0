package verticles.forgetting;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Deleted;
import verticles.contracts.Forgetting;
import verticles.contracts.Lifecycle;
import verticles.contracts.Transaction;
import verticles.shared.Retention;

/**
 * One forgetting sweep: the cleanup first ({@link Cleanup}), then compression. The candidates are the active memories
 * past the minimum age whose retention fell below the threshold, and, for a user storing more than
 * {@code max_storage_ratio} of the quota, that user's others too, least retained first until the user is back under
 * it. The level comes from the accesses of the last 7 days (more than 5 light, more than 2 medium, else aggressive).
 * A memory is compressed to a new version through {@code memory.memories.update} (guarded by the version it was read
 * at; the original stays as a version and can be restored), a session's old messages are consolidated into digests
 * ({@link Digests}) through {@code memory.memories.batch} (the digest created, the messages soft-deleted, in one
 * transaction); the index follows through the write path's index sync. Whatever a sweep judged is recorded
 * ({@code memory.retention.judged}) so it is not judged again until a stronger level is called for.
 */
final class Sweep {
  private static final Logger LOG = LoggerFactory.getLogger(Sweep.class);
  private static final int PARALLEL = 4;
  private static final int MAX_RESULTS = 200;

  /** {@code compression.*}: candidates per sweep, turns per digest, operations per batch, the bus calls' timeout. */
  record Settings(int maxPerSweep, int consolidateTurns, int maxOperations, long callTimeoutMs) {}

  private final Vertx vertx;
  private final Retention retention;
  private final Settings settings;
  private final LlmCompressor llm;
  private final ForgettingMeters meters;
  private final Cleanup cleanup;
  private final DeliveryOptions call;

  Sweep(Vertx vertx, Retention retention, Settings settings, LlmCompressor llm, ForgettingMeters meters) {
    this.vertx = vertx;
    this.retention = retention;
    this.settings = settings;
    this.llm = llm;
    this.meters = meters;
    this.cleanup = new Cleanup(vertx, retention, meters, settings.maxOperations(), settings.callTimeoutMs());
    this.call = new DeliveryOptions().setSendTimeout(settings.callTimeoutMs());
  }

  Future<Forgetting.Cleaned> cleanup(Forgetting.Cleanup c) {
    return cleanup.run(c);
  }

  /** What one sweep did, as its reply shows it. */
  private static final class Tally {
    int considered;
    int compressed;
    int consolidated;
    int digests;
    int skipped;
    long bytesSaved;
    final JsonArray results = new JsonArray();
    final Map<Integer, List<String>> judged = new HashMap<>();
    /** Over-quota users: the bytes still to save. */
    final Map<String, Long> owed = new HashMap<>();

    void judge(String id, int level) {
      judged.computeIfAbsent(level, k -> new ArrayList<>()).add(id);
    }

    void result(JsonObject r) {
      if (results.size() < MAX_RESULTS) {
        results.add(r);
      }
    }
  }

  Future<Forgetting.Swept> run(Forgetting.Sweep w) {
    long now = w.now() != null ? w.now() : System.currentTimeMillis() / 1000;
    Tally t = new Tally();
    return cleanup.run(new Forgetting.Cleanup(w.tenant(), w.userId(), now, false)).compose(cleaned -> {
      long limit = Math.round(retention.maxStorageRatio() * retention.quotaBytes());
      return Bus.request(vertx, Addresses.RETENTION_USAGE, new Forgetting.UsageQuery(w.tenant(), w.userId(), limit + 1,
              100), call, Forgetting.Usage::fromJson)
          .compose(usage -> {
            usage.users().stream().map(JsonObject.class::cast).filter(u -> u.getLong("bytes") > limit)
                .forEach(u -> t.owed.put(u.getString("user_id"), u.getLong("bytes") - limit));
            return Bus.request(vertx, Addresses.RETENTION_CANDIDATES, new Forgetting.CandidateQuery(now, w.tenant(),
                w.userId(), List.copyOf(t.owed.keySet()), settings.maxPerSweep()), call,
                Forgetting.Candidates::fromJson);
          })
          .compose(found -> compress(found.memories().stream().map(JsonObject.class::cast).toList(), t, now))
          .compose(x -> judged(t))
          .compose(x -> Bus.request(vertx, Addresses.RETENTION_PRUNE, new Forgetting.Prune(now), call,
              Deleted::fromJson))
          .map(x -> new Forgetting.Swept(new JsonObject().put("cleanup", cleaned.toJson())
              .put("over_quota", t.owed.size()).put("considered", t.considered).put("compressed", t.compressed)
              .put("consolidated", t.consolidated).put("digests", t.digests).put("skipped", t.skipped)
              .put("bytes_saved", t.bytesSaved).put("results", t.results)));
    });
  }

  /** Plans the units (digests of a session's old messages, single memories) and writes them, a few at a time. */
  private Future<Void> compress(List<JsonObject> candidates, Tally t, long now) {
    t.considered = candidates.size();
    List<JsonObject> messages = new ArrayList<>();
    List<Function<Tally, Future<Void>>> units = new ArrayList<>();
    for (JsonObject m : candidates) {
      JsonObject compression = m.getJsonObject("metadata").getJsonObject("compression");
      boolean digest = compression != null && compression.containsKey("consolidates");
      if (digest) {
        t.judge(m.getString("id"), 3); // a digest is not consolidated again
      } else if ("message".equals(m.getString("memory_type")) && m.getInteger("level") == 3
          && consolidates(m.getString("user_id"), t)) {
        messages.add(m);
      } else {
        units.add(x -> single(m, x, now));
      }
    }
    java.util.Set<String> grouped = new java.util.HashSet<>();
    for (List<JsonObject> group : Digests.groups(messages, settings.consolidateTurns())) {
      group.forEach(m -> grouped.add(m.getString("id")));
      units.add(x -> consolidate(group, x, now));
    }
    // a due message left alone in its session stays as it is, judged
    messages.stream().filter(m -> !grouped.contains(m.getString("id")) && m.getBoolean("due", false))
        .forEach(m -> t.judge(m.getString("id"), 3));
    return each(units, t);
  }

  /** Runs the units {@value #PARALLEL} at a time; a unit's failure is logged and counted, the others go on. */
  private Future<Void> each(List<Function<Tally, Future<Void>>> units, Tally t) {
    Iterator<Function<Tally, Future<Void>>> it = units.iterator();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < PARALLEL; i++) {
      lanes.add(lane(it, t));
    }
    return Future.join(lanes).mapEmpty();
  }

  private Future<Void> lane(Iterator<Function<Tally, Future<Void>>> it, Tally t) {
    if (!it.hasNext()) {
      return Future.succeededFuture();
    }
    Promise<Void> next = Promise.promise();
    Future<Void> unit;
    try {
      unit = it.next().apply(t);
    } catch (RuntimeException e) {
      unit = Future.failedFuture(e); // a unit that throws is skipped like one that fails, the lane goes on
    }
    unit.onComplete(ar -> {
      if (ar.failed()) {
        t.skipped++;
        LOG.debug("A compression was skipped: {}", ar.cause().toString());
      }
      vertx.runOnContext(v -> lane(it, t).onComplete(next)); // a fresh stack per unit, however many there are
    });
    return next.future();
  }

  /**
   * Whether the user's old messages may be consolidated ({@code compression.consolidate_messages}): everyone's, only a
   * user's over quota (the default: a digest cites several turns, and recall finds its turns less precisely than the
   * messages themselves, docs/benchmarks.md), or none.
   */
  private boolean consolidates(String user, Tally t) {
    return switch (retention.consolidateMessages()) {
      case "always" -> true;
      case "never" -> false;
      default -> t.owed.containsKey(user);
    };
  }

  /** Whether a memory that is not due may still be compressed: its user is over quota, with bytes still to save. */
  private static boolean wanted(JsonObject m, Tally t) {
    return m.getBoolean("due", false) || t.owed.getOrDefault(m.getString("user_id"), 0L) > 0;
  }

  private Future<Void> single(JsonObject m, Tally t, long now) {
    if (!wanted(m, t)) {
      return Future.succeededFuture();
    }
    boolean message = "message".equals(m.getString("memory_type"));
    // a message is never cut: where it is not consolidated only repeated lines go, and it counts as judged at
    // medium at most, so a user going over quota later still gets it consolidated
    int number = message ? Math.min(2, m.getInteger("level")) : m.getInteger("level");
    Compressor.Level level = message ? Compressor.Level.LIGHT : Compressor.Level.of(number);
    String content = m.getString("content");
    Future<Compressor.Result> extractive = vertx.executeBlocking(() -> Compressor.compress(content, level));
    Future<Compressor.Result> text = llm == null || level == Compressor.Level.LIGHT ? extractive
        : llm.compress(content, level, m.getString("category")).recover(e -> {
          LOG.debug("Model compression of {} failed ({}), extractive instead", m.getString("id"), e.toString());
          return vertx.executeBlocking(() -> Compressor.compress(content, level));
        });
    return text.compose(r -> {
      // on the memory only the level (the version's reason has the sizes, the sweep's result the rest)
      JsonObject info = new JsonObject().put("level", level.id());
      JsonObject metadata = m.getJsonObject("metadata").copy().put("compression", info);
      long saved = bytes(content, m.getJsonObject("metadata")) - bytes(r.text(), metadata);
      if (!Compressor.worthwhile(r) || saved <= 0) {
        t.judge(m.getString("id"), number);
        return Future.succeededFuture();
      }
      String reason = "compressed (" + level.id() + ", " + r.method() + "): " + r.originalSize() + " → "
          + r.compressedSize() + " characters, quality " + r.quality();
      return Bus.request(vertx, Addresses.MEMORY_UPDATE, new Lifecycle.Update(m.getString("id"), null,
              m.getInteger("version"), false, new JsonObject().put("content", r.text())
              .put("metadata", new JsonObject().put("compression", info)), reason, "compression"), call,
              Lifecycle.Memory::fromJson)
          .map(x -> {
            t.compressed++;
            t.bytesSaved += saved;
            t.owed.computeIfPresent(m.getString("user_id"), (u, owed) -> owed - saved);
            t.judge(m.getString("id"), number);
            meters.compressed(level).increment();
            meters.bytesSaved.increment(Math.max(0, saved));
            t.result(result(m.getString("id"), level, r));
            return null;
          });
    });
  }

  private Future<Void> consolidate(List<JsonObject> members, Tally t, long now) {
    String user = members.get(0).getString("user_id");
    boolean wanted = "always".equals(retention.consolidateMessages()) ? members.stream().anyMatch(m -> wanted(m, t))
        : t.owed.getOrDefault(user, 0L) > 0; // over quota: only until the user is back under it
    if (!wanted) {
      return Future.succeededFuture();
    }
    List<String> lines = Digests.lines(members);
    Future<Digests.Digest> made = (llm == null ? Future.<Compressor.Result>failedFuture("no model")
        : llm.summarise(lines))
        .map(r -> Digests.of(members, r.text(), "llm", now))
        .recover(e -> vertx.executeBlocking(() -> Digests.of(members, Digests.verbatim(members), "extractive", now)));
    return made.compose(d -> {
      long before = members.stream().mapToLong(m -> bytes(m.getString("content"), m.getJsonObject("metadata"))).sum();
      long saved = before - bytes(d.record().getString("content"), d.record().getJsonObject("metadata"))
          + 64L * (members.size() - 1);
      if (saved <= 0) {
        members.forEach(m -> t.judge(m.getString("id"), 3)); // not worth it: the members stay as they are
        return Future.succeededFuture();
      }
      List<Transaction.Op> ops = new ArrayList<>();
      ops.add(new Transaction.Op("create", new Lifecycle.Create(d.record(), "context", "system", "compression",
          System.currentTimeMillis()).toJson()));
      for (JsonObject m : members) {
        ops.add(new Transaction.Op("delete", new Lifecycle.Delete(m.getString("id"), null, m.getInteger("version"),
            false, "consolidated into " + d.id(), "compression").toJson()));
      }
      return Bus.request(vertx, Addresses.MEMORY_BATCH, new Transaction.Batch(null, ops), call,
              Transaction.Results::fromJson)
          .map(x -> {
            t.consolidated += members.size();
            t.digests++;
            t.bytesSaved += saved;
            t.owed.computeIfPresent(members.get(0).getString("user_id"), (u, owed) -> owed - saved);
            t.judge(d.id(), 3);
            meters.consolidated.increment(members.size());
            meters.bytesSaved.increment(saved);
            t.result(result(d.id(), Compressor.Level.AGGRESSIVE, d.result()).put("consolidates",
                new JsonArray(members.stream().map(m -> m.getString("id")).toList())));
            return null;
          });
    });
  }

  /** Records what was judged, a level at a time, in chunks. */
  private Future<Void> judged(Tally t) {
    Future<Void> done = Future.succeededFuture();
    for (Map.Entry<Integer, List<String>> e : t.judged.entrySet()) {
      List<String> ids = e.getValue();
      for (int from = 0; from < ids.size(); from += 1000) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
        done = done.compose(x -> Bus.request(vertx, Addresses.RETENTION_JUDGED, new Forgetting.Judged(chunk,
            e.getKey()), call, Forgetting.Recorded::fromJson).mapEmpty());
      }
    }
    return done;
  }

  private static JsonObject result(String id, Compressor.Level level, Compressor.Result r) {
    return new JsonObject().put("memory_id", id).put("level", level.id()).put("method", r.method())
        .put("original_size", r.originalSize()).put("compressed_size", r.compressedSize())
        .put("compression_ratio", r.ratio()).put("key_points_preserved", new JsonArray(r.keyPointsPreserved()))
        .put("quality_score", r.quality());
  }

  /** A memory's storage as usage counts it: content and metadata bytes. */
  private static long bytes(String content, JsonObject metadata) {
    return content.getBytes(StandardCharsets.UTF_8).length
        + (metadata == null ? 0 : metadata.encode().getBytes(StandardCharsets.UTF_8).length);
  }
}
