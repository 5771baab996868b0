package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import verticles.bus.Failures;
import verticles.contracts.Lifecycle;
import verticles.contracts.Owner;
import verticles.vectorsearch.MemoryRecord;

/**
 * The API's writes of one memory (create, correct, delete, restore), each inside a MySQL transaction the caller runs:
 * {@link MemoryLifecycle} runs one per transaction, a memory transaction's commit and a batch run many in one. Each
 * locks the memory's row, checks its lock ({@link MemoryLocks}: only {@code holder}, the transaction that may pass,
 * or none), owner, forget and version, writes through {@link MemoryRepository#write} and marks the memory for the
 * index ({@link IndexSync#mark}); the caller brings the index along after its commit.
 */
final class MemoryOps {
  private final MemoryRepository repo;
  private final ForgetRepository forgets;
  private final IndexSync sync;
  private final MemoryLocks locks;

  /**
   * What one write did: the memory it concerns, whether it changed it (a version written, or the memory erased), and
   * its reply ({@code Lifecycle.Memory} or {@code Lifecycle.Deleted} as JSON), and whether upkeep wrote it (a
   * compression or a cleanup restates an old memory: it is no new claim to judge for conflicts).
   */
  record Applied(String id, boolean changed, JsonObject reply, boolean upkeep) {
    Applied(String id, boolean changed, JsonObject reply) {
      this(id, changed, reply, false);
    }
  }

  /** The actors of the forgetting sweep's writes. */
  static final Set<String> UPKEEP_ACTORS = Set.of("compression", "cleanup");

  MemoryOps(MemoryRepository repo, ForgetRepository forgets, IndexSync sync, MemoryLocks locks) {
    this.repo = repo;
    this.forgets = forgets;
    this.sync = sync;
    this.locks = locks;
  }

  /** The memory record of a create, refused (400) when a field it needs is missing. */
  static MemoryRecord record(Lifecycle.Create req) {
    MemoryRecord r = MemoryRecord.fromJson(req.record());
    if (r.id() == null || r.userId() == null || r.characterId() == null || r.memoryType() == null
        || r.content() == null) {
      throw new IllegalArgumentException("record needs id, user_id, character_id, memory_type and content");
    }
    return r;
  }

  /** An imported memory: new, or (posted again) unchanged, or a new version where its fields differ. */
  Future<Applied> create(SqlClient c, Lifecycle.Create req, String holder) {
    MemoryRecord r = record(req);
    MemoryState fresh = MemoryState.of(r, req.category(), 1.0, req.source(), MemoryState.now());
    return refuseForgotten(c, r.userId(), r.characterId(), req.createdAtMs())
        .compose(x -> repo.find(c, r.id(), true))
        .compose(current -> locks.check(c, r.id(), holder).map(current))
        .compose(current -> {
          if (current == null) {
            return written(c, repo.write(c, null, fresh, "create", null, req.actor(), false), req.actor());
          }
          if (!current.userId.equals(r.userId()) || !current.characterId.equals(r.characterId())) {
            return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + r.id() + " has another owner"));
          }
          MemoryState after = current.copy();
          after.takeFieldsOf(fresh);
          after.status = current.status; // posting a deleted import again does not bring it back
          after.sessionId = fresh.sessionId;
          after.sourceMsgIds = fresh.sourceMsgIds;
          if (after.changedFrom(current).isEmpty() && after.provenance().equals(current.provenance())) {
            return unchanged(current);
          }
          return written(c, repo.write(c, current, after, "update", "imported again", req.actor(), true), req.actor());
        });
  }

  /** A correction: a new version with the changed fields. */
  Future<Applied> update(SqlClient c, Lifecycle.Update u, String holder) {
    return locked(c, u.memoryId(), u.tenant(), u.ifMatch(), u.requireIfMatch(), holder).compose(current -> {
      if (current.deleted()) {
        return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + u.memoryId()
            + " is deleted; restore it first"));
      }
      MemoryState after = current.copy();
      apply(after, u.changes());
      if (after.changedFrom(current).isEmpty()) {
        return unchanged(current); // nothing differs: no version
      }
      return written(c, repo.write(c, current, after, "update", u.reason(), u.actor(), true), u.actor());
    });
  }

  /**
   * Soft: a version with status deleted (deleted already: no second version). Hard: the memory, every version and
   * its seed row erased.
   */
  Future<Applied> delete(SqlClient c, Lifecycle.Delete d, String holder) {
    return locked(c, d.memoryId(), d.tenant(), d.ifMatch(), false, holder).compose(current -> {
      if (d.hard()) {
        return repo.erase(c, current, d.actor()).compose(versions -> sync.mark(c, List.of(current.id))
            .map(x -> new Applied(current.id, true, new Lifecycle.Deleted(current.id, true, current.version, "erased",
                versions).toJson())));
      }
      if (current.deleted()) {
        return Future.succeededFuture(new Applied(current.id, false, deleted(current)));
      }
      MemoryState after = current.copy();
      after.status = "deleted";
      return repo.write(c, current, after, "delete", d.reason(), d.actor(), true)
          .compose(s -> sync.mark(c, List.of(s.id)).map(x -> new Applied(s.id, true, deleted(s))));
    });
  }

  /** A new version equal to an earlier one (active, even if the memory was deleted). */
  Future<Applied> restore(SqlClient c, Lifecycle.Restore r, String holder) {
    return locked(c, r.memoryId(), r.tenant(), r.ifMatch(), false, holder)
        .compose(current -> repo.version(c, r.memoryId(), r.version()).compose(old -> {
          if (old == null) {
            return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "memory " + r.memoryId() + " has no version "
                + r.version()));
          }
          MemoryState after = current.copy();
          after.takeFieldsOf(old);
          if (after.changedFrom(current).isEmpty()) {
            return unchanged(current);
          }
          String reason = r.reason() == null ? "restored version " + r.version() : r.reason();
          return written(c, repo.write(c, current, after, "restore", reason, r.actor(), true), r.actor());
        }));
  }

  /**
   * The checks {@code op}'s write will make, without writing, and the memory's owner: for a transaction's first
   * operation on a memory, so that a missing memory (404), a stale If-Match (412), a deleted one to correct (409) or
   * a bad change (400) is refused when it is staged rather than at the commit. As the write, it locks the memory's
   * row before it checks the memory's lock.
   */
  Future<Owner> check(SqlClient c, String op, JsonObject request, String holder) {
    switch (op) {
      case "create" -> {
        Lifecycle.Create req = Lifecycle.Create.fromJson(request);
        MemoryRecord r = record(req);
        return refuseForgotten(c, r.userId(), r.characterId(), req.createdAtMs())
            .compose(x -> repo.find(c, r.id(), true))
            .compose(current -> current != null && (!current.userId.equals(r.userId())
                || !current.characterId.equals(r.characterId()))
                ? Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + r.id() + " has another owner"))
                : locks.check(c, r.id(), holder).map(new Owner(r.userId(), r.characterId())));
      }
      case "update" -> {
        Lifecycle.Update u = Lifecycle.Update.fromJson(request);
        return locked(c, u.memoryId(), u.tenant(), u.ifMatch(), false, holder).compose(s -> {
          if (s.deleted()) {
            return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + u.memoryId()
                + " is deleted; restore it first"));
          }
          apply(s.copy(), u.changes()); // a change the write would refuse is refused now
          return Future.succeededFuture(new Owner(s.userId, s.characterId));
        });
      }
      default -> {
        Lifecycle.Delete d = Lifecycle.Delete.fromJson(request);
        return locked(c, d.memoryId(), d.tenant(), d.ifMatch(), false, holder)
            .map(s -> new Owner(s.userId, s.characterId));
      }
    }
  }

  /**
   * The memory, its row locked for this transaction, if it exists for the caller (else 404), is not being forgotten
   * (404), is not locked by another transaction than {@code holder} ({@link MemoryLocks.Locked}), and is at the
   * version the caller names (412; 428 when a version is required and none was named).
   */
  Future<MemoryState> locked(SqlClient c, String id, String tenant, Integer ifMatch, boolean require, String holder) {
    return MemoryReads.owned(repo.find(c, id, true), id, tenant)
        .compose(s -> forgets.forgotten(c, null, s.userId, s.characterId, s.createdAtMs()).compose(gone -> {
          if (gone) {
            return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no memory " + id));
          }
          return locks.check(c, id, holder).map(s);
        }))
        .compose(s -> {
          if (ifMatch == null && require) {
            return Future.failedFuture(Failures.of(Failures.PRECONDITION_REQUIRED, "name the version you correct"
                + " in If-Match (the current one is " + s.version + ")"));
          }
          if (ifMatch != null && ifMatch != s.version) {
            return Future.failedFuture(Failures.of(Failures.PRECONDITION_FAILED, "memory " + id + " is at version "
                + s.version + ", not " + ifMatch));
          }
          return Future.succeededFuture(s);
        });
  }

  /** A new memory made while its owner's forget began is refused (410), as the index refuses it. */
  Future<Void> refuseForgotten(SqlClient c, String user, String character, long createdAtMs) {
    return forgets.forgotten(c, null, user, character, createdAtMs).compose(gone -> gone
        ? Future.failedFuture(Failures.of(Failures.GONE, "the owner of this memory was forgotten"))
        : Future.succeededFuture());
  }

  /** The corrected fields onto the state; {@code metadata} merges (a null value removes its key). */
  static void apply(MemoryState s, JsonObject changes) {
    if (changes.containsKey("content")) {
      s.content = Objects.requireNonNull(changes.getString("content"), "content");
    }
    if (changes.containsKey("importance")) {
      s.importance = Math.max(1, Math.min(10, changes.getInteger("importance")));
    }
    if (changes.containsKey("category")) {
      String category = changes.getString("category");
      if (!MemoryState.CATEGORIES.contains(category)) {
        throw new IllegalArgumentException("category must be one of " + MemoryState.CATEGORIES);
      }
      s.category = category;
    }
    if (changes.containsKey("metadata")) {
      JsonObject merged = s.metadata.copy();
      changes.getJsonObject("metadata", new JsonObject()).forEach(e -> {
        if (e.getValue() == null) {
          merged.remove(e.getKey());
        } else {
          merged.put(e.getKey(), e.getValue());
        }
      });
      s.metadata = merged;
    }
    if (changes.containsKey("valid_to")) {
      Long validTo = changes.getLong("valid_to");
      s.validTo = validTo == null ? null : MemoryState.utc(validTo);
    }
  }

  private static Future<Applied> unchanged(MemoryState s) {
    return Future.succeededFuture(new Applied(s.id, false, s.toJson()));
  }

  private static JsonObject deleted(MemoryState s) {
    return new Lifecycle.Deleted(s.id, false, s.version, s.status, 0).toJson();
  }

  /** A new version, marked for the index in the same transaction. */
  private Future<Applied> written(SqlClient c, Future<MemoryState> write, String actor) {
    return write.compose(s -> sync.mark(c, List.of(s.id))
        .map(x -> new Applied(s.id, true, s.toJson(), UPKEEP_ACTORS.contains(actor))));
  }
}
