package verticles.structured;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import verticles.bus.Failures;
import verticles.conflicts.ConflictSettings;
import verticles.contracts.Conflicts;
import verticles.structured.ConflictRepository.Report;

/**
 * The writer's part in conflicts, inside the writer's transaction: the detector's findings recorded as reports, with
 * their automatic resolutions (an {@code outdated} one by default: the newer statement wins, the older is closed;
 * every type when {@code auto_resolve} is on, by the configured strategy; only between memories of one claim each:
 * one that says more waits for review, since resolving it would close the rest too); a restatement merged into the memory it
 * restates (its provenance appended, a resolved {@code duplicate} report keeping its words); and a keyed fact's new
 * value recorded as the structural {@code outdated} report of its two versions. Counted in
 * {@code engram_conflicts_detected_total{type}} and {@code engram_conflicts_resolved_total{type}}.
 */
final class ConflictWrites {
  private final MemoryRepository repo;
  private final ConflictRepository reports;
  private final ConflictResolver resolver;
  private final ConflictSettings settings;
  private final Map<String, Counter> detected = new HashMap<>();
  private final Map<String, Counter> resolved = new HashMap<>();

  ConflictWrites(MemoryRepository repo, ConflictRepository reports, ConflictResolver resolver,
      ConflictSettings settings, MeterRegistry registry) {
    this.repo = repo;
    this.reports = reports;
    this.resolver = resolver;
    this.settings = settings;
    for (String type : Conflicts.TYPES) {
      detected.put(type, Counter.builder("engram_conflicts_detected").description("Conflicts between memories found,"
          + " by type").tag("type", type).register(registry));
      resolved.put(type, Counter.builder("engram_conflicts_resolved").description("Conflicts resolved (automatically"
          + " or by review), by type").tag("type", type).register(registry));
    }
  }

  ConflictSettings settings() {
    return settings;
  }

  /** What recording findings did: the memories its resolutions changed, and the reports ({@code conflict_id, type,
   * memory_a, memory_b, resolved}). */
  record Recorded(List<String> changed, JsonArray reports) {}

  /**
   * Reports for the findings about {@code written} (the states this transaction wrote, by id), each against the
   * stored memory it clashes with (gone or deleted meanwhile: no report), and their automatic resolutions. Duplicates
   * are reported too unless {@code mergedAlready}.
   */
  Future<Recorded> record(SqlClient c, JsonArray findings, Map<String, MemoryState> written, boolean mergedAlready) {
    List<String> changed = new ArrayList<>();
    JsonArray out = new JsonArray();
    Future<Void> done = Future.succeededFuture();
    for (Object o : findings) {
      JsonObject f = (JsonObject) o;
      MemoryState mine = written.get(f.getString("memory_id"));
      String otherId = f.getJsonObject("other", new JsonObject()).getString("id");
      if (mine == null || otherId == null || mine.deleted()
          || mergedAlready && "duplicate".equals(f.getString("type"))) {
        continue;
      }
      done = done.compose(x -> repo.find(c, otherId, true).compose(other -> {
        if (other == null || other.deleted() || !other.userId.equals(mine.userId)
            || !other.characterId.equals(mine.characterId)) {
          return Future.succeededFuture();
        }
        boolean mineNewer = "memory".equals(f.getString("newer"));
        Report r = Report.open(mine.userId, mine.characterId, f.getString("type"), mineNewer ? other : mine,
            mineNewer ? mine : other, f.getDouble("severity", 0.5), f.getJsonArray("evidence", new JsonArray()),
            f.getString("suggested_resolution"), f.getString("detector", "rules"));
        // a memory that says more than the clashing claim is never resolved automatically: the rest would go too
        boolean automatic = f.getBoolean("single", false);
        return inserted(c, r).compose(isNew -> isNew && automatic ? auto(c, r, changed) : Future.succeededFuture(false))
            .map(resolvedNow -> {
              out.add(new JsonObject().put("conflict_id", r.conflictId()).put("type", r.type())
                  .put("memory_a", r.memoryA()).put("memory_b", r.memoryB()).put("resolved", resolvedNow));
              return null;
            });
      }));
    }
    return done.map(x -> new Recorded(List.copyOf(new LinkedHashSet<>(changed)), out));
  }

  /**
   * The resolution a new report gets at once: outdated by default, every type with auto_resolve. True when it was
   * resolved; the memories it changed are added to {@code changed}.
   */
  private Future<Boolean> auto(SqlClient c, Report r, List<String> changed) {
    Future<ConflictResolver.Decision> decision;
    if ("outdated".equals(r.type()) && settings.autoResolveOutdated()) {
      decision = Future.succeededFuture(ConflictResolver.Decision.KEEP_B);
    } else if (settings.autoResolve()) {
      decision = resolver.decide(c, r, settings.strategy());
    } else {
      return Future.succeededFuture(false);
    }
    // a side held by a memory transaction, or the side to keep gone: the report waits for review (both refusals
    // come before any write)
    return decision.compose(d -> resolver.apply(c, r, d, null, null, "system", true))
        .compose(outcome -> {
          changed.addAll(outcome.changed());
          return resolved(c, outcome.report());
        })
        .recover(e -> e instanceof MemoryLocks.Locked
            || e instanceof ReplyException re && re.failureCode() == Failures.CONFLICT
            ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /**
   * A keyed fact (a profile key, a birthday) stated with a new value: the new version is written already, the older
   * one closed; the report of the two versions is resolved at once (kept b) unless {@code auto_resolve_outdated} is
   * off, when it waits for review with the new value in place.
   */
  Future<Void> keyedUpdate(SqlClient c, MemoryState before, MemoryState after) {
    String key = before.metadata.getString("profile_key", before.metadata.getString("event_type", before.type));
    JsonArray evidence = new JsonArray().add("same " + before.type + " " + key + ", a newer value");
    Report r = Report.open(after.userId, after.characterId, "outdated", before, after, 0.5, evidence,
        "keep b (the newer value); a stays in the history as a closed version", "structure");
    if (!settings.autoResolveOutdated()) { // then auto_resolve's strategy decides, or a reviewer
      return inserted(c, r).compose(isNew -> isNew && settings.autoResolve() ? auto(c, r, new ArrayList<>())
          : Future.succeededFuture(false)).mapEmpty();
    }
    Report done = r.resolvedAs("kept_b", new JsonObject().put("kept", "b").put("written", new JsonArray()), "system");
    return inserted(c, done).map(isNew -> {
      if (isNew) {
        resolved.get(r.type()).increment();
      }
      return null;
    });
  }

  /**
   * A restatement merged on write: {@code existing} gets its provenance (a version, unless this restatement was
   * merged before: a replay), and a resolved {@code duplicate} report keeps the restated words. Returns the state.
   */
  Future<MemoryState> merge(SqlClient c, MemoryState existing, MemoryState restated, JsonObject finding,
      String reason, String actor) {
    return merged(c, existing, restated, finding, reason, actor).map(m -> m.state());
  }

  /** A merge's outcome: the restated memory's state, and its report ({@code conflict_id, type, ...}). */
  record Merged(MemoryState state, JsonObject report) {}

  Future<Merged> merged(SqlClient c, MemoryState existing, MemoryState restated, JsonObject finding,
      String reason, String actor) {
    MemoryState after = existing.copy();
    appendProvenance(after, restated.sessionId, restated.taskId, restated.sourceMsgIds, restated.id);
    // the same claim said with more (我下周去北京出差 / …出差见客户): the fuller text stands, the shorter stays a version
    boolean fuller = fuller(restated.content, existing.content);
    if (fuller) {
      after.content = restated.content;
    }
    Supplier<Future<MemoryState>> write = () -> !fuller && after.metadata.equals(existing.metadata)
        ? Future.succeededFuture(existing) : repo.write(c, existing, after, "update", reason, actor, true);
    Report r = Report.open(existing.userId, existing.characterId, "duplicate", existing, restated,
        finding.getDouble("severity", 0.3), finding.getJsonArray("evidence", new JsonArray()),
        finding.getString("suggested_resolution"), finding.getString("detector", "rules"))
        .resolvedAs("merged_on_write", new JsonObject().put("kept", fuller ? "b's text" : "a")
            .put("merged_into", existing.id), "system");
    return write.get().compose(s -> inserted(c, r).map(isNew -> {
      if (isNew) {
        resolved.get(r.type()).increment();
      }
      return new Merged(s, new JsonObject().put("conflict_id", r.conflictId()).put("type", r.type())
          .put("memory_a", r.memoryA()).put("memory_b", r.memoryB()).put("resolved", true));
    }));
  }

  /** Whether {@code b} says noticeably more than {@code a} (a fifth more characters, letters and digits only). */
  static boolean fuller(String b, String a) {
    long lb = b == null ? 0 : b.codePoints().filter(Character::isLetterOrDigit).count();
    long la = a == null ? 0 : a.codePoints().filter(Character::isLetterOrDigit).count();
    return lb > la * 1.2;
  }

  Future<Void> resolvedByReview(SqlClient c, Report r) {
    return resolved(c, r).mapEmpty();
  }

  private Future<Boolean> resolved(SqlClient c, Report r) {
    return reports.resolve(c, r).map(done -> {
      if (done) {
        resolved.get(r.type()).increment();
      }
      return done;
    });
  }

  private Future<Boolean> inserted(SqlClient c, Report r) {
    return reports.insert(c, r).map(isNew -> {
      if (isNew) {
        detected.get(r.type()).increment();
      }
      return isNew;
    });
  }

  /**
   * Another statement's provenance onto {@code s}: its message ids joined to the memory's, and an entry in
   * {@code metadata.restated} ({@code memory_id, session_id, task_id, msg_ids}); once per restating memory id.
   */
  static void appendProvenance(MemoryState s, String session, String task, JsonArray msgIds, String memoryId) {
    JsonArray restated = s.metadata.getValue("restated") instanceof JsonArray a ? a.copy() : new JsonArray();
    for (Object o : restated) {
      if (o instanceof JsonObject e && memoryId.equals(e.getString("memory_id"))) {
        return;
      }
    }
    restated.add(new JsonObject().put("memory_id", memoryId).put("session_id", session).put("task_id", task)
        .put("msg_ids", msgIds.copy()));
    s.metadata = s.metadata.copy().put("restated", restated);
    LinkedHashSet<Object> ids = new LinkedHashSet<>(s.sourceMsgIds.getList());
    ids.addAll(msgIds.getList());
    s.sourceMsgIds = new JsonArray(new ArrayList<>(ids));
  }
}
