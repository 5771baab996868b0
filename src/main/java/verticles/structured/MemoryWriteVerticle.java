package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forget;
import verticles.contracts.Memories;
import verticles.contracts.Owner;
import verticles.contracts.Tasks;
import verticles.shared.Meters;

/**
 * The write path of memory rows in MySQL and of their removal: a task's summary, events and profiles, the archive
 * path of its summary, and forgetting a user (tombstone, deletes, and the tombstone check other write paths ask for).
 */
public final class MemoryWriteVerticle extends VerticleBase {
  private Pool pool;

  @Override
  public Future<?> start() {
    pool = Mysql.pool(vertx, config().getJsonObject("mysql"));
    Transactions tx = new Transactions(vertx, pool, Meters.registry(config()));
    MemoryWriteRepository writes = new MemoryWriteRepository(pool, tx);
    ForgetRepository forgets = new ForgetRepository(tx);
    return Future.all(List.of(
        // a deadlock with another task's write runs the transaction again (Transactions), not the task
        Bus.consume(vertx, Addresses.MEMORIES_WRITE, Memories.Write::fromJson,
            w -> writes.writeMemories(w.task(), w.extraction())),
        Bus.consume(vertx, Addresses.ARCHIVE_PATH_SET, Memories.ArchivePath::fromJson,
            a -> writes.setArchivePath(a.taskId(), a.path()).map(Tasks.Updated::new)),
        Bus.consume(vertx, Addresses.FORGET_TOMBSTONE, Owner::required,
            o -> forgets.tombstone(o.userId(), o.characterId()).map(Forget.Tombstone::new)),
        Bus.consume(vertx, Addresses.FORGET_TASKS, Owner::required, o -> forgets.forgetTasks(o.userId(), o.characterId())),
        Bus.consume(vertx, Addresses.FORGET_ROWS, Owner::required, o -> forgets.forgetRows(o.userId(), o.characterId())),
        Bus.consume(vertx, Addresses.FORGET_CHECK, Forget.Check::fromJson, c -> forgets.forgotten(pool, c.taskId(),
            c.userId(), c.characterId(), c.createdAtMs()).map(Forget.Checked::new))));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
