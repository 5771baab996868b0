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

/**
 * The write path of memory rows in MySQL and of their removal: a task's summary, events and profiles, the archive
 * path of its summary, and forgetting a user (tombstone, deletes, and the tombstone check other write paths ask for).
 */
public final class MemoryWriteVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryWriteVerticle.class);
  private static final int DEADLOCK_ATTEMPTS = 5;

  private Pool pool;

  @Override
  public Future<?> start() {
    pool = Mysql.pool(vertx, config().getJsonObject("mysql"));
    MemoryWriteRepository writes = new MemoryWriteRepository(pool);
    ForgetRepository forgets = new ForgetRepository(pool);
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.MEMORIES_WRITE, b -> retryingDeadlocks(() -> writes.writeMemories(
            b.getJsonObject("task"), b.getJsonObject("extraction")), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.ARCHIVE_PATH_SET, b -> writes.setArchivePath(b.getString("task_id"),
            b.getString("path")).map(n -> new JsonObject().put("updated", n))),
        Bus.consume(vertx, Addresses.FORGET_TOMBSTONE, b -> forgets.tombstone(Sql.owner(b),
            b.getString("character_id")).map(at -> new JsonObject().put("forgotten_at", at))),
        Bus.consume(vertx, Addresses.FORGET_TASKS, b -> forgets.forgetTasks(Sql.owner(b),
            b.getString("character_id"))),
        Bus.consume(vertx, Addresses.FORGET_ROWS, b -> forgets.forgetRows(Sql.owner(b), b.getString("character_id"))),
        Bus.consume(vertx, Addresses.FORGET_CHECK, b -> forgets.forgotten(pool, b.getString("task_id"),
            b.getString("user_id"), b.getString("character_id"), b.getLong("created_at"))
            .map(gone -> new JsonObject().put("forgotten", gone)))));
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
