package verticles.structured;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBatchException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every MySQL write runs: as one transaction, run again as a whole, after a short random pause, when InnoDB picks
 * it as a deadlock victim (1213) or its lock wait times out (1205). Writes of one user side by side (tasks upserting
 * the same profile rows, posts buffering into one session) lock the same rows; that is the database's business, not
 * a failure of the task or of the caller, so neither is charged for it. Counted in
 * {@code engram_mysql_lock_retries_total{error="deadlock"|"lock_wait_timeout"}}.
 */
final class Transactions {
  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
  static final int ATTEMPTS = 6;
  static final int DEADLOCK = 1213;
  static final int LOCK_WAIT_TIMEOUT = 1205;

  private final Vertx vertx;
  private final Pool pool;
  private final Counter deadlocks;
  private final Counter lockWaits;

  Transactions(Vertx vertx, Pool pool, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    deadlocks = retries(registry, "deadlock");
    lockWaits = retries(registry, "lock_wait_timeout");
  }

  private static Counter retries(MeterRegistry registry, String error) {
    return Counter.builder("engram_mysql_lock_retries")
        .description("MySQL transactions run again after InnoDB chose them as a deadlock victim or their lock wait"
            + " timed out")
        .tag("error", error).register(registry);
  }

  /** Runs {@code work} in a transaction (committed when its future succeeds), again on a lock conflict. */
  <T> Future<T> run(Function<SqlConnection, Future<T>> work) {
    return attempt(work, null, 1);
  }

  /**
   * As {@link #run(Function)}, the transaction at {@code isolation} (SQL: {@code READ COMMITTED}, {@code REPEATABLE
   * READ}, {@code SERIALIZABLE}) rather than the server's default.
   */
  <T> Future<T> run(String isolation, Function<SqlConnection, Future<T>> work) {
    return attempt(work, isolation, 1);
  }

  private <T> Future<T> attempt(Function<SqlConnection, Future<T>> work, String isolation, int n) {
    Future<T> once = isolation == null ? pool.withTransaction(work)
        : pool.withConnection(c -> isolated(c, isolation, work));
    return once.recover(e -> {
      int code = lockConflict(e);
      if (code == 0 || n >= ATTEMPTS) {
        return Future.failedFuture(e);
      }
      (code == DEADLOCK ? deadlocks : lockWaits).increment();
      // random, so that the two sides of a deadlock do not meet again at once; longer each time
      long pause = 2 + ThreadLocalRandom.current().nextLong(10L << n);
      LOG.debug("MySQL error {} (attempt {}), the transaction runs again in {} ms", code, n, pause);
      return vertx.timer(pause).compose(x -> attempt(work, isolation, n + 1));
    });
  }

  /** One transaction at {@code isolation}: SET TRANSACTION applies to the connection's next transaction only. */
  private static <T> Future<T> isolated(SqlConnection c, String isolation, Function<SqlConnection, Future<T>> work) {
    return c.query("SET TRANSACTION ISOLATION LEVEL " + isolation).execute()
        .compose(x -> c.begin())
        .compose(t -> {
          Future<T> done;
          try {
            done = work.apply(c);
          } catch (RuntimeException e) {
            done = Future.failedFuture(e);
          }
          return done.compose(r -> t.commit().map(r), e -> t.rollback().transform(x -> Future.<T>failedFuture(e)));
        });
  }

  /** The SQL of a {@code transaction.isolation_level} setting: read_committed, repeatable_read or serializable. */
  static String isolation(String setting) {
    return switch (setting) {
      case "read_committed" -> "READ COMMITTED";
      case "repeatable_read" -> "REPEATABLE READ";
      case "serializable" -> "SERIALIZABLE";
      default -> throw new IllegalArgumentException("transaction.isolation_level must be read_committed,"
          + " repeatable_read or serializable, not '" + setting + "'");
    };
  }

  /**
   * {@value #DEADLOCK} or {@value #LOCK_WAIT_TIMEOUT} when {@code e}, a cause of it, or a statement of a batch (the
   * client wraps those in a {@link MySQLBatchException} that carries no code of its own) failed with it; else 0.
   */
  static int lockConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MySQLException m && (m.getErrorCode() == DEADLOCK || m.getErrorCode() == LOCK_WAIT_TIMEOUT)) {
        return m.getErrorCode();
      }
      if (t instanceof MySQLBatchException batch) {
        for (Throwable statement : batch.getIterationError().values()) {
          int code = lockConflict(statement);
          if (code != 0) {
            return code;
          }
        }
      }
    }
    return 0;
  }
}
