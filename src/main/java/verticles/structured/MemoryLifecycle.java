package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.contracts.Lifecycle;

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

  MemoryLifecycle(Transactions tx, MemoryOps ops, MemoryLocks locks, IndexSync sync) {
    this.tx = tx;
    this.ops = ops;
    this.locks = locks;
    this.sync = sync;
  }

  /** An imported memory: new, or (posted again) unchanged, or a new version where its fields differ. */
  Future<Lifecycle.Memory> create(Lifecycle.Create req) {
    MemoryOps.record(req); // a record missing a field is a 400 before any transaction
    return write(c -> ops.create(c, req, null)).compose(this::synced);
  }

  /** A correction: a new version with the changed fields, re-embedded and re-indexed. */
  Future<Lifecycle.Memory> update(Lifecycle.Update u) {
    return write(c -> ops.update(c, u, null)).compose(this::synced);
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
    JsonObject memory = a.reply();
    if (!a.changed()) {
      return Future.succeededFuture(new Lifecycle.Memory(memory));
    }
    return sync.afterCommit(List.of(a.id()))
        .map(x -> new Lifecycle.Memory(memory))
        .recover(e -> {
          LOG.warn("Memory {} version {} committed, its index record not yet brought along ({}); the sweeper will",
              a.id(), memory.getInteger("version"), e.toString());
          return Future.succeededFuture(new Lifecycle.Memory(memory.put("indexed", false)));
        });
  }
}
