package verticles.structured;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.conflicts.ConflictSettings;
import verticles.contracts.Conflicts;
import verticles.contracts.Empty;
import verticles.contracts.Forget;
import verticles.contracts.Lifecycle;
import verticles.contracts.Memories;
import verticles.contracts.Owner;
import verticles.contracts.Tasks;
import verticles.contracts.Transaction;
import verticles.shared.Meters;

/**
 * The write path of memory rows in MySQL and of their removal: a task's memories (rows, versions, summary, events and
 * profiles) and the triage of its keyed records, one memory's create, correction, delete and restore (with its index
 * record), the archive path of a summary, and forgetting a user (tombstone, deletes, and the tombstone check other
 * write paths ask for); memory transactions (staged operations, per-memory locks, commit, expiry) and batches; and
 * conflicts between memories: the detector's findings recorded with each write, and a report's resolution.
 */
public final class MemoryWriteVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryWriteVerticle.class);
  private Pool pool;
  private long sweeper = -1;
  private boolean sweeping;
  private long txSweeper = -1;
  private boolean txSweeping;

  @Override
  public Future<?> start() {
    JsonObject mysql = config().getJsonObject("mysql");
    pool = Mysql.pool(vertx, mysql);
    MeterRegistry registry = Meters.registry(config());
    Transactions tx = new Transactions(vertx, pool, registry);
    MemoryRepository memories = new MemoryRepository();
    JsonObject syncCfg = config().getJsonObject("index_sync", new JsonObject());
    IndexSync sync = new IndexSync(vertx, pool, memories,
        config().getJsonObject("index", new JsonObject()).getLong("write_timeout_ms", 15_000L) + 1_000L, registry);
    JsonObject txCfg = config().getJsonObject("transaction", new JsonObject());
    MemoryLocks locks = new MemoryLocks(vertx, txCfg.getLong("lock_timeout_ms", 5_000L));
    ConflictRepository reports = new ConflictRepository();
    ConflictResolver resolver = new ConflictResolver(memories, locks, sync);
    ConflictWrites conflictWrites = new ConflictWrites(memories, reports, resolver, ConflictSettings.from(config()),
        registry);
    MemoryWriteRepository writes = new MemoryWriteRepository(pool, tx, new ExtractedMemories(memories, conflictWrites),
        sync);
    ForgetRepository forgets = new ForgetRepository(tx);
    MemoryOps ops = new MemoryOps(memories, forgets, sync, locks);
    ConflictChecks checks = new ConflictChecks(vertx, pool, tx, memories, conflictWrites, sync, forgets);
    ConflictReview review = new ConflictReview(pool, tx, locks, resolver, conflictWrites, sync);
    MemoryLifecycle lifecycle = new MemoryLifecycle(tx, ops, locks, sync, memories, conflictWrites, checks);
    MemoryTransactions transactions = new MemoryTransactions(tx, new TransactionRepository(locks), ops, locks, sync,
        checks,
        new MemoryTransactions.Settings(Transactions.isolation(txCfg.getString("isolation_level", "read_committed")),
            txCfg.getInteger("timeout_seconds", 30), txCfg.getInteger("max_operations", 100)));
    long txSweepMs = txCfg.getLong("sweep_interval_ms", 1_000L);
    int retentionHours = txCfg.getInteger("retention_hours", 168);
    txSweeper = vertx.setPeriodic(txSweepMs, txSweepMs, id -> {
      if (!txSweeping) {
        txSweeping = true;
        transactions.sweep(retentionHours).onComplete(x -> txSweeping = false)
            .onSuccess(n -> {
              if (n > 0) {
                LOG.info("{} memory transactions expired (not committed within their timeout), their locks released",
                    n);
              }
            })
            .onFailure(e -> LOG.warn("Memory transaction sweep failed: {}", e.toString()));
      }
    });
    long sweepMs = syncCfg.getLong("sweep_interval_ms", 5_000L);
    long graceMs = syncCfg.getLong("grace_ms", 5_000L);
    sweeper = vertx.setPeriodic(sweepMs, sweepMs, id -> {
      if (!sweeping) { // one sweep at a time on this instance
        sweeping = true;
        sync.sweep(graceMs, 200).onComplete(x -> sweeping = false)
            .onFailure(e -> LOG.warn("Index sync sweep failed: {}", e.toString()));
      }
    });
    return Future.all(List.of(
        // a deadlock with another task's write runs the transaction again (Transactions), not the task
        Bus.consume(vertx, Addresses.MEMORIES_WRITE, Memories.Write::fromJson,
            w -> poking(writes.writeMemories(w.task(), w.extraction(), w.records(), w.conflicts()))),
        Bus.consume(vertx, Addresses.MEMORIES_TRIAGE, Memories.Triage::fromJson,
            t -> writes.triage(t.taskId(), t.records()).map(Memories.Triaged::new)),
        // one memory's life: each a transaction (run again on a lock conflict) that also brings the index along
        Bus.consume(vertx, Addresses.MEMORY_CREATE, Lifecycle.Create::fromJson, c -> poking(lifecycle.create(c))),
        Bus.consume(vertx, Addresses.MEMORY_UPDATE, Lifecycle.Update::fromJson, u -> poking(lifecycle.update(u))),
        Bus.consume(vertx, Addresses.MEMORY_DELETE, Lifecycle.Delete::fromJson, d -> poking(lifecycle.delete(d))),
        Bus.consume(vertx, Addresses.MEMORY_RESTORE, Lifecycle.Restore::fromJson, r -> poking(lifecycle.restore(r))),
        // a conflict's review: its resolution written through versions, one transaction, then the index
        Bus.consume(vertx, Addresses.CONFLICTS_RESOLVE, Conflicts.Resolve::fromJson, r -> poking(review.resolve(r))),
        // memory transactions: staged operations and locks in MySQL, the commit one MySQL transaction, then the index
        Bus.consume(vertx, Addresses.MEMORY_BATCH, Transaction.Batch::fromJson, b -> poking(transactions.batch(b))),
        Bus.consume(vertx, Addresses.TX_BEGIN, Transaction.Begin::fromJson, transactions::begin),
        Bus.consume(vertx, Addresses.TX_STAGE, Transaction.Stage::fromJson, transactions::stage),
        Bus.consume(vertx, Addresses.TX_COMMIT, Transaction.Ref::fromJson, r -> poking(transactions.commit(r))),
        Bus.consume(vertx, Addresses.TX_ROLLBACK, Transaction.Ref::fromJson, transactions::rollback),
        Bus.consume(vertx, Addresses.TX_GET, Transaction.Ref::fromJson, transactions::get),
        Bus.consume(vertx, Addresses.ARCHIVE_PATH_SET, Memories.ArchivePath::fromJson,
            a -> writes.setArchivePath(a.taskId(), a.path()).map(Tasks.Updated::new)),
        Bus.consume(vertx, Addresses.FORGET_TOMBSTONE, Owner::required,
            o -> forgets.tombstone(o.userId(), o.characterId()).map(Forget.Tombstone::new)),
        Bus.consume(vertx, Addresses.FORGET_TASKS, Owner::required, o -> forgets.forgetTasks(o.userId(), o.characterId())),
        Bus.consume(vertx, Addresses.FORGET_ROWS, Owner::required,
            o -> poking(forgets.forgetRows(o.userId(), o.characterId()))),
        Bus.consume(vertx, Addresses.FORGET_CHECK, Forget.Check::fromJson, c -> forgets.forgotten(pool, c.taskId(),
            c.userId(), c.characterId(), c.createdAtMs()).map(Forget.Checked::new))));
  }

  /**
   * After a write, tells the change relay that the outbox may have rows (a poke, published to every node; only the
   * relay holding the cluster's lock acts), so an event leaves within milliseconds, not at the relay's next poll.
   * Also after a failure: a write may have committed before a later step failed (its index sync, say).
   */
  private <T> Future<T> poking(Future<T> write) {
    return write.onComplete(x -> vertx.eventBus().publish(Addresses.CHANGES_POKE, Empty.INSTANCE.toJson()));
  }

  @Override
  public Future<?> stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    if (txSweeper >= 0) {
      vertx.cancelTimer(txSweeper);
    }
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
