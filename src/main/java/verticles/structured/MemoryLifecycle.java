package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Failures;
import verticles.contracts.Deleted;
import verticles.contracts.Lifecycle;
import verticles.vectorsearch.MemoryRecord;

/**
 * The API's writes of one memory: create (an import), correct, delete (soft or hard), restore. Each is one MySQL
 * transaction ({@link Transactions}: run again as a whole on a deadlock or lock wait timeout): the row is locked,
 * checked (owner, forget, version), written as a new version through {@link MemoryRepository#write} and marked for
 * the index; once committed, {@link IndexSync} brings the index to the new state before the reply. Should the index
 * fail then, the change stands (MySQL is the truth), the reply says {@code indexed: false}, and the sweeper finishes
 * the index write; a crash between the two is finished the same way at the next start.
 */
final class MemoryLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryLifecycle.class);
  private final Transactions tx;
  private final MemoryRepository repo;
  private final ForgetRepository forgets;
  private final IndexSync sync;

  /** A write's result: the memory's state, and whether this write made a new version of it. */
  private record Written(MemoryState state, boolean changed) {
    static Future<Written> unchanged(MemoryState s) {
      return Future.succeededFuture(new Written(s, false));
    }
  }

  MemoryLifecycle(Transactions tx, MemoryRepository repo, ForgetRepository forgets, IndexSync sync) {
    this.tx = tx;
    this.repo = repo;
    this.forgets = forgets;
    this.sync = sync;
  }

  /** An imported memory: new, or (posted again) unchanged, or a new version where its fields differ. */
  Future<Lifecycle.Memory> create(Lifecycle.Create req) {
    MemoryRecord r = MemoryRecord.fromJson(req.record());
    if (r.id() == null || r.userId() == null || r.characterId() == null || r.memoryType() == null
        || r.content() == null) {
      throw new IllegalArgumentException("record needs id, user_id, character_id, memory_type and content");
    }
    MemoryState fresh = MemoryState.of(r, req.category(), 1.0, req.source(), MemoryState.now());
    return tx.run(c -> refuseForgotten(c, r.userId(), r.characterId(), req.createdAtMs())
        .compose(x -> repo.find(c, r.id(), true))
        .compose(current -> {
          if (current == null) {
            return written(c, repo.write(c, null, fresh, "create", null, req.actor(), false));
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
            return Written.unchanged(current);
          }
          return written(c, repo.write(c, current, after, "update", "imported again", req.actor(), true));
        }))
        .compose(this::synced);
  }

  /** A correction: a new version with the changed fields, re-embedded and re-indexed. */
  Future<Lifecycle.Memory> update(Lifecycle.Update u) {
    return tx.run(c -> locked(c, u.memoryId(), u.tenant(), u.ifMatch(), u.requireIfMatch())
        .compose(current -> {
          if (current.deleted()) {
            return Future.failedFuture(Failures.of(Failures.CONFLICT, "memory " + u.memoryId()
                + " is deleted; restore it first"));
          }
          MemoryState after = current.copy();
          apply(after, u.changes());
          if (after.changedFrom(current).isEmpty()) {
            return Written.unchanged(current); // nothing differs: no version
          }
          return written(c, repo.write(c, current, after, "update", u.reason(), u.actor(), true));
        }))
        .compose(this::synced);
  }

  /**
   * Soft: a version with status deleted, out of the index (never recalled), restorable. Hard: the memory, every
   * version and its seed row erased, its index record deleted and every VectorSearch's query cache dropped.
   */
  Future<Lifecycle.Deleted> delete(Lifecycle.Delete d) {
    if (d.hard()) {
      return tx.run(c -> locked(c, d.memoryId(), d.tenant(), d.ifMatch(), false)
          .compose(current -> repo.erase(c, current, d.actor())
              .compose(versions -> sync.mark(c, List.of(current.id)).map(x -> new Lifecycle.Deleted(current.id, true,
                  current.version, "erased", versions)))))
          .compose(deleted -> sync.afterCommit(List.of(deleted.memoryId())).map(deleted).recover(e -> {
            LOG.warn("Memory {} erased, its index record not yet removed ({}); the sweeper will", deleted.memoryId(),
                e.toString());
            return Future.succeededFuture(deleted);
          }));
    }
    return tx.run(c -> locked(c, d.memoryId(), d.tenant(), d.ifMatch(), false)
        .compose(current -> {
          if (current.deleted()) {
            return Written.unchanged(current); // deleted already: no second version
          }
          MemoryState after = current.copy();
          after.status = "deleted";
          return written(c, repo.write(c, current, after, "delete", d.reason(), d.actor(), true));
        }))
        .compose(w -> (w.changed() ? sync.afterCommit(List.of(w.state().id)) : Future.<Void>succeededFuture())
            .map(x -> new Lifecycle.Deleted(w.state().id, false, w.state().version, w.state().status, 0)));
  }

  /** A new version equal to an earlier one (active, even if the memory was deleted). */
  Future<Lifecycle.Memory> restore(Lifecycle.Restore r) {
    return tx.run(c -> locked(c, r.memoryId(), r.tenant(), r.ifMatch(), false)
        .compose(current -> repo.version(c, r.memoryId(), r.version()).compose(old -> {
          if (old == null) {
            return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "memory " + r.memoryId() + " has no version "
                + r.version()));
          }
          MemoryState after = current.copy();
          after.takeFieldsOf(old);
          if (after.changedFrom(current).isEmpty()) {
            return Written.unchanged(current);
          }
          String reason = r.reason() == null ? "restored version " + r.version() : r.reason();
          return written(c, repo.write(c, current, after, "restore", reason, r.actor(), true));
        })))
        .compose(this::synced);
  }

  /**
   * The memory, locked for this transaction, if it exists for the caller (else 404), is not being forgotten (404),
   * and is at the version the caller names (412; 428 when a version is required and none was named).
   */
  private Future<MemoryState> locked(SqlClient c, String id, String tenant, Integer ifMatch, boolean require) {
    return MemoryReads.owned(repo.find(c, id, true), id, tenant)
        .compose(s -> forgets.forgotten(c, null, s.userId, s.characterId, s.createdAtMs()).compose(gone -> {
          if (gone) {
            return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no memory " + id));
          }
          if (ifMatch == null && require) {
            return Future.failedFuture(Failures.of(Failures.PRECONDITION_REQUIRED, "name the version you correct"
                + " in If-Match (the current one is " + s.version + ")"));
          }
          if (ifMatch != null && ifMatch != s.version) {
            return Future.failedFuture(Failures.of(Failures.PRECONDITION_FAILED, "memory " + id + " is at version "
                + s.version + ", not " + ifMatch));
          }
          return Future.succeededFuture(s);
        }));
  }

  /** A new memory made while its owner's forget began is refused (410), as the index refuses it. */
  private Future<Void> refuseForgotten(SqlClient c, String user, String character, long createdAtMs) {
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

  /** A new version, marked for the index in the same transaction. */
  private Future<Written> written(SqlClient c, Future<MemoryState> write) {
    return write.compose(s -> sync.mark(c, List.of(s.id)).map(x -> new Written(s, true)));
  }

  /**
   * After the commit: the index brought to the new version before the reply. When that fails the version stands
   * (MySQL is the truth) and the reply says {@code indexed: false}: the sweeper finishes the index write.
   */
  private Future<Lifecycle.Memory> synced(Written w) {
    JsonObject memory = w.state().toJson();
    if (!w.changed()) {
      return Future.succeededFuture(new Lifecycle.Memory(memory));
    }
    return sync.afterCommit(List.of(w.state().id))
        .map(x -> new Lifecycle.Memory(memory))
        .recover(e -> {
          LOG.warn("Memory {} version {} committed, its index record not yet brought along ({}); the sweeper will",
              w.state().id, w.state().version, e.toString());
          return Future.succeededFuture(new Lifecycle.Memory(memory.put("indexed", false)));
        });
  }
}
