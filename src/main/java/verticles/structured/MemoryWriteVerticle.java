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
import verticles.contracts.Empty;
import verticles.contracts.Forget;
import verticles.contracts.Lifecycle;
import verticles.contracts.Memories;
import verticles.contracts.Owner;
import verticles.contracts.Tasks;
import verticles.shared.Meters;

/**
 * The write path of memory rows in MySQL and of their removal: a task's memories (rows, versions, summary, events and
 * profiles) and the triage of its keyed records, one memory's create, correction, delete and restore (with its index
 * record), the archive path of a summary, and forgetting a user (tombstone, deletes, and the tombstone check other
 * write paths ask for).
 */
public final class MemoryWriteVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryWriteVerticle.class);
  private Pool pool;
  private long sweeper = -1;
  private boolean sweeping;

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
    MemoryWriteRepository writes = new MemoryWriteRepository(pool, tx, new ExtractedMemories(memories), sync);
    ForgetRepository forgets = new ForgetRepository(tx);
    MemoryLifecycle lifecycle = new MemoryLifecycle(tx, memories, forgets, sync);
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
            w -> poking(writes.writeMemories(w.task(), w.extraction(), w.records()))),
        Bus.consume(vertx, Addresses.MEMORIES_TRIAGE, Memories.Triage::fromJson,
            t -> writes.triage(t.taskId(), t.records()).map(Memories.Triaged::new)),
        // one memory's life: each a transaction (run again on a lock conflict) that also brings the index along
        Bus.consume(vertx, Addresses.MEMORY_CREATE, Lifecycle.Create::fromJson, c -> poking(lifecycle.create(c))),
        Bus.consume(vertx, Addresses.MEMORY_UPDATE, Lifecycle.Update::fromJson, u -> poking(lifecycle.update(u))),
        Bus.consume(vertx, Addresses.MEMORY_DELETE, Lifecycle.Delete::fromJson, d -> poking(lifecycle.delete(d))),
        Bus.consume(vertx, Addresses.MEMORY_RESTORE, Lifecycle.Restore::fromJson, r -> poking(lifecycle.restore(r))),
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
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
