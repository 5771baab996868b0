package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forget;
import verticles.contracts.Lifecycle;
import verticles.contracts.Memories;
import verticles.contracts.Owner;
import verticles.contracts.Tasks;

/**
 * The write path of memory rows in MySQL and of their removal: a task's memories (rows, versions, summary, events and
 * profiles) and the triage of its keyed records, one memory's create, correction, delete and restore (with its index
 * record), the archive path of a summary, and forgetting a user (tombstone, deletes, and the tombstone check other
 * write paths ask for).
 */
public final class MemoryWriteVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryWriteVerticle.class);
  private static final int DEADLOCK_ATTEMPTS = 5;

  private Pool pool;

  @Override
  public Future<?> start() {
    pool = Mysql.pool(vertx, config().getJsonObject("mysql"));
    MemoryRepository memories = new MemoryRepository();
    MemoryWriteRepository writes = new MemoryWriteRepository(pool, new ExtractedMemories(memories));
    ForgetRepository forgets = new ForgetRepository(pool, memories);
    MemoryLifecycle lifecycle = new MemoryLifecycle(vertx, pool, memories, forgets,
        config().getJsonObject("index", new JsonObject()).getLong("write_timeout_ms", 15_000L) + 5_000L);
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.MEMORIES_WRITE, Memories.Write::fromJson, w -> retryingDeadlocks(
            () -> writes.writeMemories(w.task(), w.extraction(), w.records()), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.MEMORIES_TRIAGE, Memories.Triage::fromJson,
            t -> writes.triage(t.taskId(), t.records()).map(Memories.Triaged::new)),
        // one memory's life: each a transaction that also brings the index to the new state
        Bus.consume(vertx, Addresses.MEMORY_CREATE, Lifecycle.Create::fromJson,
            c -> retryingDeadlocks(() -> lifecycle.create(c), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.MEMORY_UPDATE, Lifecycle.Update::fromJson,
            u -> retryingDeadlocks(() -> lifecycle.update(u), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.MEMORY_DELETE, Lifecycle.Delete::fromJson,
            d -> retryingDeadlocks(() -> lifecycle.delete(d), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.MEMORY_RESTORE, Lifecycle.Restore::fromJson,
            r -> retryingDeadlocks(() -> lifecycle.restore(r), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.ARCHIVE_PATH_SET, Memories.ArchivePath::fromJson,
            a -> writes.setArchivePath(a.taskId(), a.path()).map(Tasks.Updated::new)),
        Bus.consume(vertx, Addresses.FORGET_TOMBSTONE, Owner::required,
            o -> forgets.tombstone(o.userId(), o.characterId()).map(Forget.Tombstone::new)),
        Bus.consume(vertx, Addresses.FORGET_TASKS, Owner::required, o -> forgets.forgetTasks(o.userId(), o.characterId())),
        Bus.consume(vertx, Addresses.FORGET_ROWS, Owner::required, o -> forgets.forgetRows(o.userId(), o.characterId())),
        Bus.consume(vertx, Addresses.FORGET_CHECK, Forget.Check::fromJson, c -> forgets.forgotten(pool, c.taskId(),
            c.userId(), c.characterId(), c.createdAtMs()).map(Forget.Checked::new))));
  }

  /**
   * Runs a transaction again when InnoDB picked it as a deadlock victim (1213) or its lock wait timed out (1205):
   * tasks of one user running side by side lock the same profile rows, and the task's own retry budget is for real
   * failures, not for this.
   */
  private <T> Future<T> retryingDeadlocks(Supplier<Future<T>> transaction, int attemptsLeft) {
    return transaction.get().recover(e -> {
      boolean lockConflict = e instanceof MySQLException m && (m.getErrorCode() == 1213 || m.getErrorCode() == 1205);
      if (!lockConflict || attemptsLeft <= 1) {
        return Future.failedFuture(e);
      }
      long backoff = 10 + ThreadLocalRandom.current().nextLong(40L << (DEADLOCK_ATTEMPTS - attemptsLeft));
      LOG.debug("Deadlock on a memory write, again in {} ms", backoff);
      return vertx.timer(backoff).compose(x -> retryingDeadlocks(transaction, attemptsLeft - 1));
    });
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
