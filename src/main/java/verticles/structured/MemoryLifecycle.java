package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.contracts.Lifecycle;
import verticles.vectorsearch.MemoryRecord;

/**
 * The API's writes of one memory: create (an import), correct, delete (soft or hard), restore. Each is one MySQL
 * transaction ({@link Transactions}: run again as a whole on a deadlock or lock wait timeout) running one of
 * {@link MemoryOps}: the row is locked, checked (a transaction's lock, owner, forget, version), written as a new
 * version and marked for the index; once committed, {@link IndexSync} brings the index to the new state before the
 * reply. Should the index fail then, the change stands (MySQL is the truth), the reply says {@code indexed: false},
 * and the sweeper finishes the index write; a crash between the two is finished the same way at the next start. A
 * memory locked by a memory transaction is waited for ({@link MemoryLocks#waiting}), then refused: 409 locked.
 */
final class MemoryLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryLifecycle.class);
  private final Transactions tx;
  private final MemoryOps ops;
  private final MemoryLocks locks;
  private final IndexSync sync;
  private final MemoryRepository repo;
  private final ConflictWrites conflicts;
  private final ConflictChecks checks;

  /** A create's write: what it applied, other memories to bring the index along for, and its conflict reports. */
  private record Created(MemoryOps.Applied applied, List<String> synced, JsonArray reports) {}

  MemoryLifecycle(Transactions tx, MemoryOps ops, MemoryLocks locks, IndexSync sync, MemoryRepository repo,
      ConflictWrites conflicts, ConflictChecks checks) {
    this.tx = tx;
    this.ops = ops;
    this.locks = locks;
    this.sync = sync;
    this.repo = repo;
    this.conflicts = conflicts;
    this.checks = checks;
  }

  /**
   * An imported memory: new, or (posted again) unchanged, or a new version where its fields differ. Judged first
   * against its owner's memories: one that restates a stored memory is merged into it (that memory gets its
   * provenance; the reply is that memory, {@code merged: true}); the other conflicts are recorded with it.
   */
  Future<Lifecycle.Memory> create(Lifecycle.Create req) {
    MemoryRecord r = MemoryOps.record(req); // a record missing a field is a 400 before any transaction
    MemoryState fresh = MemoryState.of(r, req.category(), 1.0, req.source(), MemoryState.now());
    return checks.detect(r.userId(), r.characterId(), List.of(fresh), r.timestamp())
        .compose(findings -> locks.waiting(() -> tx.run(c -> created(c, req, fresh, findings))))
        .compose(done -> {
          List<String> ids = new ArrayList<>(done.synced());
          if (done.applied().changed()) {
            ids.add(0, done.applied().id());
          }
          MemoryOps.Applied a = new MemoryOps.Applied(done.applied().id(), !ids.isEmpty(), done.applied().reply()
              .put("conflicts", done.reports()));
          return synced(a, ids);
        });
  }

  private Future<Created> created(SqlConnection c, Lifecycle.Create req, MemoryState fresh, JsonArray findings) {
    JsonObject duplicate = null;
    for (Object o : findings) {
      if ("duplicate".equals(((JsonObject) o).getString("type"))) {
        duplicate = (JsonObject) o;
      }
    }
    if (duplicate == null) {
      return stored(c, req, fresh, findings);
    }
    JsonObject finding = duplicate;
    String target = finding.getJsonObject("other").getString("id");
    return ops.refuseForgotten(c, fresh.userId, fresh.characterId, req.createdAtMs())
        .compose(x -> repo.findAll(c, List.copyOf(new java.util.TreeSet<>(List.of(fresh.id, target))), true))
        .compose(rows -> {
          MemoryState own = rows.get(fresh.id);
          MemoryState into = rows.get(target);
          if (own != null || into == null || into.deleted() || !into.userId.equals(fresh.userId)
              || !into.characterId.equals(fresh.characterId)) {
            return stored(c, req, fresh, findings); // stored before on its own, or what it restates is gone
          }
          return locks.check(c, into.id, null)
              .compose(x -> conflicts.merged(c, into, fresh, finding, "imported again as " + fresh.id, req.actor()))
              .compose(m -> sync.mark(c, List.of(m.state().id)).map(x -> new Created(new MemoryOps.Applied(
                  m.state().id, true, m.state().toJson().put("merged", true).put("restated_as", fresh.id)), List.of(),
                  new JsonArray().add(m.report()))));
        });
  }

  /** Stored as its own memory, then its conflicts recorded (and resolved as configured) in the same transaction. */
  private Future<Created> stored(SqlConnection c, Lifecycle.Create req, MemoryState fresh, JsonArray findings) {
    return ops.create(c, req, null).compose(a -> findings.isEmpty()
        ? Future.succeededFuture(new Created(a, List.of(), new JsonArray()))
        : repo.find(c, a.id(), false).compose(s -> conflicts.record(c, findings, Map.of(s.id, s), true))
            .map(recorded -> new Created(a, recorded.changed(), recorded.reports())));
  }

  /**
   * A correction: a new version with the changed fields, re-embedded and re-indexed; then judged against its owner's
   * other memories as said now (its conflicts in the reply's {@code conflicts}), unless upkeep wrote it: a compressed
   * old memory is not a new statement, and judged as one it would outrank what the user said since.
   */
  Future<Lifecycle.Memory> update(Lifecycle.Update u) {
    return write(c -> ops.update(c, u, null)).compose(a -> synced(a).compose(m -> !a.changed() || a.upkeep()
        ? Future.succeededFuture(m)
        : checks.afterWrite(List.of(a.id())).map(reports -> new Lifecycle.Memory(m.memory().put("conflicts",
            reports)))));
  }

  /**
   * Soft: a version with status deleted, out of the index (never recalled), restorable. Hard: the memory, every
   * version and its seed row erased, its index record deleted and every VectorSearch's query cache dropped.
   */
  Future<Lifecycle.Deleted> delete(Lifecycle.Delete d) {
    Future<MemoryOps.Applied> written = write(c -> ops.delete(c, d, null));
    if (d.hard()) {
      return written.compose(a -> sync.afterCommit(List.of(a.id())).map(x -> Lifecycle.Deleted.fromJson(a.reply()))
          .recover(e -> {
            LOG.warn("Memory {} erased, its index record not yet removed ({}); the sweeper will", a.id(),
                e.toString());
            return Future.succeededFuture(Lifecycle.Deleted.fromJson(a.reply()));
          }));
    }
    return written.compose(a -> (a.changed() ? sync.afterCommit(List.of(a.id())) : Future.<Void>succeededFuture())
        .map(x -> Lifecycle.Deleted.fromJson(a.reply())));
  }

  /** A new version equal to an earlier one (active, even if the memory was deleted). */
  Future<Lifecycle.Memory> restore(Lifecycle.Restore r) {
    return write(c -> ops.restore(c, r, null)).compose(this::synced);
  }

  /** One write in a transaction of its own, tried again while a memory transaction holds the memory. */
  private Future<MemoryOps.Applied> write(Function<SqlConnection, Future<MemoryOps.Applied>> op) {
    return locks.waiting(() -> tx.run(op));
  }

  /**
   * After the commit: the index brought to the new version before the reply. When that fails the version stands
   * (MySQL is the truth) and the reply says {@code indexed: false}: the sweeper finishes the index write.
   */
  private Future<Lifecycle.Memory> synced(MemoryOps.Applied a) {
    return synced(a, List.of(a.id()));
  }

  private Future<Lifecycle.Memory> synced(MemoryOps.Applied a, List<String> ids) {
    JsonObject memory = a.reply();
    if (!a.changed()) {
      return Future.succeededFuture(new Lifecycle.Memory(memory));
    }
    return sync.afterCommit(ids)
        .map(x -> new Lifecycle.Memory(memory))
        .recover(e -> {
          LOG.warn("Memory {} version {} committed, its index record not yet brought along ({}); the sweeper will",
              a.id(), memory.getInteger("version"), e.toString());
          return Future.succeededFuture(new Lifecycle.Memory(memory.put("indexed", false)));
        });
  }
}
