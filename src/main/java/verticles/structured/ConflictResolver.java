package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import verticles.bus.Failures;
import verticles.structured.ConflictRepository.Report;

/**
 * Resolves a conflict through versions, never by losing a memory: the loser is closed and soft-deleted (a version
 * with status deleted: out of the index, restorable with {@code POST /v1/memories/{id}/restore}); a merge or a given
 * text is a new version. Two versions of one memory (a profile fact stated with a new value): keeping b leaves it as
 * it is, keeping a writes a version equal to a (b closed), a merge or a text writes a version of it. Runs in the
 * caller's transaction, on locked rows, and marks what it changed for the index ({@link IndexSync#mark}).
 */
final class ConflictResolver {
  enum Decision { KEEP_A, KEEP_B, MERGE, CONTENT }

  /** The report resolved, and the memories the resolution wrote (to bring the index along after the commit). */
  record Outcome(Report report, List<String> changed) {}

  private final MemoryRepository repo;
  private final MemoryLocks locks;
  private final IndexSync sync;

  ConflictResolver(MemoryRepository repo, MemoryLocks locks, IndexSync sync) {
    this.repo = repo;
    this.locks = locks;
    this.sync = sync;
  }

  /** What a strategy decides: timestamp_first keeps b (newer), merge merges, confidence_first keeps the surer side. */
  Future<Decision> decide(SqlClient c, Report r, String strategy) {
    return switch (strategy) {
      case "merge" -> Future.succeededFuture(Decision.MERGE);
      case "confidence_first" -> sides(c, r).map(s -> {
        double a = s.a() == null ? -1 : s.a().confidence;
        double b = s.b() == null ? -1 : s.b().confidence;
        return a > b ? Decision.KEEP_A : Decision.KEEP_B; // a tie goes to the newer
      });
      default -> Future.succeededFuture(Decision.KEEP_B);
    };
  }

  /**
   * Applies {@code d} ({@code content} for {@link Decision#CONTENT}) and returns the report as resolved. With
   * {@code checkLocks}, a memory held by a memory transaction is refused (409 locked), as every API write is.
   */
  Future<Outcome> apply(SqlClient c, Report r, Decision d, String content, String reason, String actor,
      boolean checkLocks) {
    List<String> ids = List.copyOf(new TreeSet<>(List.of(r.memoryA(), r.memoryB())));
    String why = reason != null ? reason : "conflict " + r.conflictId() + " (" + r.type() + "): " + label(d);
    return repo.findAll(c, ids, true).compose(rows -> { // the rows' locks first, then the transactions' (one order)
      Future<Void> checked = Future.succeededFuture();
      for (String id : checkLocks ? ids : List.<String>of()) {
        checked = checked.compose(x -> locks.check(c, id, null));
      }
      return checked.map(rows);
    }).compose(rows -> {
      List<JsonObject> written = new ArrayList<>();
      Future<Void> done = r.sameMemory() ? versions(c, r, rows.get(r.memoryA()), d, content, why, actor, written)
          : memories(c, r, rows.get(r.memoryA()), rows.get(r.memoryB()), d, content, why, actor, written);
      return done.compose(x -> {
        List<String> changed = new ArrayList<>(new LinkedHashSet<>(written.stream()
            .map(w -> w.getString("memory_id")).toList()));
        JsonObject detail = new JsonObject().put("kept", label(d)).put("written", new JsonArray(written));
        return sync.mark(c, changed).map(y -> new Outcome(r.resolvedAs(resolution(d), detail, actor), changed));
      });
    });
  }

  /** Both sides are versions of one memory: b is current (or was, when the report was made). */
  private Future<Void> versions(SqlClient c, Report r, MemoryState current, Decision d, String content, String why,
      String actor, List<JsonObject> written) {
    if (current == null) {
      return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + r.memoryA() + " no longer exists"));
    }
    if (d == Decision.KEEP_B) {
      return Future.succeededFuture();
    }
    if (current.version != r.versionB()) { // a third value since: keeping a or merging would overwrite it unseen
      return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + r.memoryA() + " is at version "
          + current.version + " since this report (version " + r.versionB() + "); resolve it by a correction"));
    }
    return repo.version(c, r.memoryA(), r.versionA()).compose(old -> {
      if (old == null && d == Decision.KEEP_A) {
        return Future.failedFuture(Failures.of(Failures.CONFLICT, "version " + r.versionA() + " of memory "
            + r.memoryA() + " no longer exists"));
      }
      MemoryState after = current.copy();
      LocalDateTime now = MemoryState.now();
      if (d == Decision.KEEP_A) {
        after.takeFieldsOf(old == null ? current : old);
        after.validFrom = now; // a holds again from now on
        after.validTo = null;
      } else {
        after.content = d == Decision.CONTENT ? content : merged(r.contentA(), current.content);
        after.status = "active";
      }
      return write(c, current, after, d == Decision.KEEP_A ? "restore" : "update", why, actor, written)
          .compose(s -> repo.close(c, s.id, current.version, now));
    });
  }

  /** The side to keep must still be there: keeping a deleted one would leave nothing current. */
  private static Future<Void> kept(String id, MemoryState winner) {
    return winner != null && !winner.deleted() ? Future.succeededFuture()
        : Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + id + " to keep is deleted or gone; restore it"
            + " first"));
  }

  /** Two memories: the loser soft-deleted (closed when it is outdated), the winner rewritten by a merge or a text. */
  private Future<Void> memories(SqlClient c, Report r, MemoryState a, MemoryState b, Decision d, String content,
      String why, String actor, List<JsonObject> written) {
    if (a == null && b == null) {
      return Future.failedFuture(Failures.of(Failures.CONFLICT, "both memories of conflict " + r.conflictId()
          + " no longer exist"));
    }
    LocalDateTime closeA = "outdated".equals(r.type()) && b != null ? (b.validFrom != null ? b.validFrom
        : MemoryState.now()) : null;
    switch (d) {
      case KEEP_A:
        return kept(r.memoryA(), a).compose(x -> lose(c, b, null, why, actor, written)).mapEmpty();
      case KEEP_B:
        return kept(r.memoryB(), b).compose(x -> lose(c, a, closeA, why, actor, written)).mapEmpty();
      default:
        if ("duplicate".equals(r.type()) && d == Decision.MERGE && a != null && b != null) {
          MemoryState folded = a.copy(); // a restatement: a stays as it is said, with b's provenance
          ConflictWrites.appendProvenance(folded, b.sessionId, b.taskId, b.sourceMsgIds, b.id);
          return write(c, a, folded, "update", why, actor, written)
              .compose(x -> lose(c, b, null, why, actor, written)).mapEmpty();
        }
        if (b == null) {
          return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + r.memoryB() + " no longer exists"));
        }
        MemoryState after = b.copy();
        after.content = d == Decision.CONTENT ? content : merged(a == null ? r.contentA() : a.content, b.content);
        after.status = "active";
        if (a != null) {
          ConflictWrites.appendProvenance(after, a.sessionId, a.taskId, a.sourceMsgIds, a.id);
        }
        return write(c, b, after, "update", why, actor, written).compose(x -> lose(c, a, null, why, actor, written))
            .mapEmpty();
    }
  }

  private Future<MemoryState> lose(SqlClient c, MemoryState loser, LocalDateTime closeAt, String why, String actor,
      List<JsonObject> written) {
    if (loser == null || loser.deleted()) {
      return Future.succeededFuture();
    }
    MemoryState after = loser.copy();
    after.status = "deleted";
    if (closeAt != null && after.validTo == null) {
      after.validTo = closeAt;
    }
    return write(c, loser, after, "delete", why, actor, written);
  }

  private Future<MemoryState> write(SqlClient c, MemoryState before, MemoryState after, String op, String why,
      String actor, List<JsonObject> written) {
    if (after.changedFrom(before).isEmpty() && after.provenance().equals(before.provenance())) {
      return Future.succeededFuture(before);
    }
    return repo.write(c, before, after, op, why, actor, true).map(s -> {
      written.add(new JsonObject().put("memory_id", s.id).put("version", s.version).put("op", op)
          .put("status", s.status));
      return s;
    });
  }

  /** Both sides' current states (a version's when both are one memory's). */
  private Future<Sides> sides(SqlClient c, Report r) {
    if (r.sameMemory()) {
      return Future.all(repo.version(c, r.memoryA(), r.versionA()), repo.version(c, r.memoryB(), r.versionB()))
          .map(f -> new Sides(f.resultAt(0), f.resultAt(1)));
    }
    return repo.findAll(c, List.of(r.memoryA(), r.memoryB()), false)
        .map((Map<String, MemoryState> m) -> new Sides(m.get(r.memoryA()), m.get(r.memoryB())));
  }

  private record Sides(MemoryState a, MemoryState b) {}

  /** b, with a kept beside it: the seed merged as "a [更新] b"; this reads as one memory. */
  static String merged(String a, String b) {
    boolean zh = (a + b).codePoints().anyMatch(ch -> Character.UnicodeScript.of(ch) == Character.UnicodeScript.HAN);
    return zh ? b + "（此前：" + a + "）" : b + " (earlier: " + a + ")";
  }

  static String resolution(Decision d) {
    return switch (d) {
      case KEEP_A -> "kept_a";
      case KEEP_B -> "kept_b";
      case MERGE -> "merged";
      case CONTENT -> "content";
    };
  }

  private static String label(Decision d) {
    return switch (d) {
      case KEEP_A -> "a";
      case KEEP_B -> "b";
      case MERGE -> "merged";
      case CONTENT -> "content";
    };
  }
}
