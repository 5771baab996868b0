package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.util.function.Supplier;
import verticles.bus.Failures;

/**
 * A memory's exclusive lock for a transaction: a {@code memory_locks} row (MySQL, so it holds across a cluster's
 * nodes), taken when the transaction stages an operation on the memory and deleted when it ends. A row past its
 * {@code expires_at} holds nothing. Every writer of a memory checks it after taking the memory's row lock
 * ({@code SELECT ... FOR UPDATE}), in the same order as a transaction takes it, so that the two cannot interleave; a
 * writer that finds it held by another transaction gives its MySQL transaction up and tries again after a pause, on a
 * timer (no thread waits), for up to {@code transaction.lock_timeout_ms}; then it is refused: 409 {@code locked}.
 */
final class MemoryLocks {
  /** The first pause between tries; it doubles up to {@value #MAX_PAUSE_MS} ms. */
  private static final long FIRST_PAUSE_MS = 10;
  private static final long MAX_PAUSE_MS = 200;

  private final Vertx vertx;
  private final long timeoutMs;

  MemoryLocks(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** The memory is locked by another transaction than the one that may pass: try again later. */
  static final class Locked extends RuntimeException {
    final String memoryId;
    final String txId;

    Locked(String memoryId, String txId) {
      super("memory " + memoryId + " is locked by transaction " + txId, null, false, false);
      this.memoryId = memoryId;
      this.txId = txId;
    }

    /** The failure the caller gets: 409 locked, naming the memory and the transaction. */
    ReplyException failure(String why) {
      return Failures.of(Failures.LOCKED, getMessage() + why, new JsonObject().put("memory_id", memoryId)
          .put("tx_id", txId));
    }
  }

  /**
   * Fails with {@link Locked} when a live transaction other than {@code holder} (null: none may) holds the memory.
   * The lock row, when there is one, stays locked until the caller's transaction ends.
   */
  Future<Void> check(SqlClient c, String memoryId, String holder) {
    return run(c, TransactionQueries.LOCK_HOLDER, Tuple.of(memoryId)).compose(rs -> {
      String txId = rs.size() == 0 ? null : rs.iterator().next().getString(0);
      return txId == null || txId.equals(holder) ? Future.succeededFuture()
          : Future.failedFuture(new Locked(memoryId, txId));
    });
  }

  /** The memory locked for {@code txId} until {@code expiresAt} (its row taken over when it was expired). */
  Future<Void> take(SqlClient c, String memoryId, String txId, LocalDateTime expiresAt) {
    return run(c, TransactionQueries.TAKE_LOCK, Tuple.of(memoryId, txId, expiresAt)).mapEmpty();
  }

  /** Every lock of the transaction released. */
  Future<Void> release(SqlClient c, String txId) {
    return run(c, TransactionQueries.RELEASE_LOCKS, Tuple.of(txId)).mapEmpty();
  }

  /**
   * Runs {@code attempt} (a whole MySQL transaction) until it does not fail with {@link Locked}, pausing between
   * tries, for up to the lock timeout; then fails 409 locked.
   */
  <T> Future<T> waiting(Supplier<Future<T>> attempt) {
    return attempt(attempt, System.currentTimeMillis() + timeoutMs, FIRST_PAUSE_MS);
  }

  private <T> Future<T> attempt(Supplier<Future<T>> attempt, long deadline, long pause) {
    return attempt.get().recover(e -> {
      if (!(e instanceof Locked locked)) {
        return Future.failedFuture(e);
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return Future.failedFuture(locked.failure("; waited " + timeoutMs + " ms (transaction.lock_timeout_ms)"));
      }
      return vertx.timer(Math.min(pause, left))
          .compose(x -> attempt(attempt, deadline, Math.min(MAX_PAUSE_MS, pause * 2)));
    });
  }
}
