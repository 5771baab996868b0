package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Lifecycle;
import verticles.contracts.Transaction;

/**
 * Memory transactions (seed 004 §8): staged operations are rows ({@link TransactionRepository}), each holding its
 * memory's lock ({@link MemoryLocks}) until the transaction ends; no reader sees them, since they touch no memory.
 * The commit applies them all in one MySQL transaction at {@code transaction.isolation_level}, in the order they were
 * staged, through {@link MemoryOps} (the same checks and writes as one memory's API write), releases the locks and
 * marks the transaction committed; only then {@link IndexSync} brings the index along, before the reply. One failing
 * operation applies none: the transaction is {@code failed} and the reply names {@code operations[i]}. The batch is the
 * same commit of operations that were never staged.
 */
final class MemoryTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryTransactions.class);
  /** The failure codes of an operation's own checks: the caller's to fix, and the transaction's end. */
  private static final Set<Integer> REFUSALS = Set.of(Failures.BAD_REQUEST, Failures.NOT_FOUND, Failures.CONFLICT,
      Failures.GONE, Failures.PRECONDITION_FAILED, Failures.PRECONDITION_REQUIRED, Failures.LOCKED);

  private final Transactions tx;
  private final TransactionRepository rows;
  private final TransactionStaging staging;
  private final MemoryOps ops;
  private final MemoryLocks locks;
  private final IndexSync sync;
  private final ConflictChecks checks;
  private final Settings settings;

  /** {@code transaction.*}: the commit's isolation level (SQL), the default timeout, the most operations. */
  record Settings(String isolation, int timeoutSeconds, int maxOperations) {}

  /** A value, or a refusal to answer once the MySQL transaction that wrote what led to it (an expiry) committed. */
  record Result<T>(T value, RuntimeException refusal) {
    static <T> Future<Result<T>> ok(T value) {
      return Future.succeededFuture(new Result<>(value, null));
    }

    static <T> Future<Result<T>> refused(RuntimeException refusal) {
      return Future.succeededFuture(new Result<>(null, refusal));
    }

    Future<T> unwrap() {
      return refusal == null ? Future.succeededFuture(value) : Future.failedFuture(refusal);
    }
  }

  /** Operation {@code index} failed with {@code cause}. */
  private static final class OpFailed extends RuntimeException {
    final int index;

    OpFailed(int index, Throwable cause) {
      super(cause.getMessage(), cause, false, false);
      this.index = index;
    }
  }

  MemoryTransactions(Transactions tx, TransactionRepository rows, MemoryOps ops, MemoryLocks locks, IndexSync sync,
      ConflictChecks checks, Settings settings) {
    this.tx = tx;
    this.rows = rows;
    this.ops = ops;
    this.locks = locks;
    this.sync = sync;
    this.checks = checks;
    this.settings = settings;
    this.staging = new TransactionStaging(rows, ops, locks, settings.maxOperations());
  }

  Future<Transaction.View> begin(Transaction.Begin b) {
    String txId = "tx-" + UUID.randomUUID();
    int timeout = b.timeoutSeconds() == null ? settings.timeoutSeconds() : b.timeoutSeconds();
    return tx.run(c -> rows.begin(c, txId, b.tenant(), b.actor(), timeout).compose(x -> rows.find(c, txId)))
        .map(t -> new Transaction.View(t.toJson()));
  }

  /** The transaction and its staged operations (an open one past its time is expired by this read). */
  Future<Transaction.View> get(Transaction.Ref ref) {
    return tx.run(c -> rows.lock(c, ref.txId(), ref.tenant())
            .compose(t -> rows.ops(c, t.txId()).map(staged -> TransactionRepository.view(t, staged))))
        .map(Transaction.View::new);
  }

  /** One more operation, its memory locked for the transaction (waiting while another transaction holds it). */
  Future<Transaction.Staged> stage(Transaction.Stage s) {
    Transaction.Op op = scoped(s.op(), s.tenant());
    return locks.waiting(() -> tx.run(c -> rows.lock(c, s.txId(), s.tenant()).compose(t -> t.open()
            ? staging.stage(c, t, op) : Result.<Transaction.Staged>refused(ended(t, "stage an operation in")))))
        .compose(Result::unwrap)
        .recover(e -> Future.failedFuture(e instanceof ReplyException re && Failures.details(re) == null
            && (re.failureCode() == Failures.PRECONDITION_FAILED || re.failureCode() == Failures.PRECONDITION_REQUIRED)
            ? Failures.of(re.failureCode(), re.getMessage(), new JsonObject().put("field", "if_match")
                .put("tx_id", s.txId()))
            : e)); // the operation's version is its if_match, not an If-Match header
  }

  /** Every staged operation applied, or none (the transaction failed); the index brought along before the reply. */
  Future<Transaction.Ended> commit(Transaction.Ref ref) {
    return tx.run(settings.isolation(), c -> rows.lock(c, ref.txId(), ref.tenant()).compose(t -> {
      if (!t.open()) {
        return Result.<List<MemoryOps.Applied>>refused(ended(t, "commit"));
      }
      return rows.ops(c, t.txId()).compose(staged -> {
        List<Transaction.Op> list = staged.stream().map(TransactionRepository.Staged::op).toList();
        return sql(c, "SAVEPOINT staged").compose(x -> applyAll(c, list, t.txId()))
            .compose(applied -> rows.end(c, t.txId(), "committed", null).compose(x -> Result.ok(applied)))
            .recover(e -> {
              ReplyException refusal = refused(e, list, t.txId());
              if (refusal == null) { // not the operation's doing (a store away, a deadlock): ask the commit again
                return Future.failedFuture(e instanceof OpFailed f ? f.getCause() : e);
              }
              // nothing applied, the transaction failed (its locks released), and that committed
              return sql(c, "ROLLBACK TO SAVEPOINT staged")
                  .compose(x -> rows.end(c, t.txId(), "failed", Failures.details(refusal).getString("message")))
                  .compose(x -> Result.<List<MemoryOps.Applied>>refused(refusal));
            });
      });
    })).compose(Result::unwrap)
        .compose(this::synced)
        .map(results -> new Transaction.Ended(ref.txId(), "committed", results));
  }

  /** Nothing applied, the locks released; the operations stay for a read. Rolling back an ended one says its end. */
  Future<Transaction.Ended> rollback(Transaction.Ref ref) {
    return tx.run(c -> rows.lock(c, ref.txId(), ref.tenant()).compose(t -> {
      if (t.open()) {
        return rows.end(c, t.txId(), "rolled_back", null)
            .compose(x -> Result.ok(new Transaction.Ended(t.txId(), "rolled_back", null)));
      }
      return "committed".equals(t.status()) ? Result.<Transaction.Ended>refused(ended(t, "roll back"))
          : Result.ok(new Transaction.Ended(t.txId(), t.status(), null)); // nothing of it was applied either way
    })).compose(Result::unwrap);
  }

  /** Operations applied in order, all or none, in one MySQL transaction; waits while a transaction holds a memory. */
  Future<Transaction.Results> batch(Transaction.Batch b) {
    if (b.operations().isEmpty() || b.operations().size() > settings.maxOperations()) {
      throw new IllegalArgumentException("operations must hold 1 to " + settings.maxOperations() + " operations");
    }
    List<Transaction.Op> list = b.operations().stream().map(op -> scoped(op, b.tenant())).toList();
    return locks.waiting(() -> tx.run(settings.isolation(), c -> applyAll(c, list, null).recover(e -> {
      RuntimeException refusal = e instanceof OpFailed f && f.getCause() instanceof MemoryLocks.Locked ? null
          : refused(e, list, null);
      return Future.failedFuture(refusal != null ? refusal : e instanceof OpFailed f ? f.getCause() : e);
    }))).compose(this::synced).map(Transaction.Results::new);
  }

  /** Open transactions past their time expired (their locks released), and old ended ones deleted. */
  Future<Integer> sweep(int retentionHours) {
    return tx.run(rows::expire).compose(n -> tx.run(c -> rows.purge(c, retentionHours)).map(n));
  }

  private Future<List<MemoryOps.Applied>> applyAll(SqlClient c, List<Transaction.Op> list, String holder) {
    List<MemoryOps.Applied> applied = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < list.size(); i++) {
      int index = i;
      chain = chain.compose(x -> apply(c, list.get(index), holder)
          .recover(e -> Future.failedFuture(new OpFailed(index, e)))
          .map(a -> {
            applied.add(a);
            return null;
          }));
    }
    return chain.map(x -> applied);
  }

  private Future<MemoryOps.Applied> apply(SqlClient c, Transaction.Op op, String holder) {
    try {
      return switch (op.op()) {
        case "create" -> ops.create(c, Lifecycle.Create.fromJson(op.request()), holder);
        case "update" -> ops.update(c, Lifecycle.Update.fromJson(op.request()), holder);
        default -> ops.delete(c, Lifecycle.Delete.fromJson(op.request()), holder);
      };
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The refusal of the whole for an operation's failure: its own code, naming {@code operations[i]}, the memory and
   * its cause. Null when the failure is not the operation's (a store away, a deadlock): that fails as it is.
   */
  private static ReplyException refused(Throwable e, List<Transaction.Op> list, String txId) {
    if (!(e instanceof OpFailed f)) {
      return null;
    }
    Throwable cause = f.getCause() instanceof MemoryLocks.Locked l ? l.failure("") : f.getCause();
    int code = Bus.code(cause);
    if (!REFUSALS.contains(code)) {
      return null;
    }
    JsonObject details = cause instanceof ReplyException re ? Failures.details(re) : null;
    String why = details == null ? String.valueOf(cause.getMessage()) : details.getString("message");
    Transaction.Op op = list.get(f.index);
    String field = "operations[" + f.index + "]";
    JsonObject out = (details == null ? new JsonObject() : details.copy()).put("field", field)
        .put("memory_id", op.memoryId());
    if (txId != null) {
      out.put("tx_id", txId).put("status", "failed");
    }
    return Failures.of(code, field + " (" + op.op() + " of memory " + op.memoryId() + "): " + why
        + (txId == null ? "; nothing was applied" : "; nothing was applied and the transaction failed"), out);
  }

  /** 409 naming the status of a transaction that ended. */
  private static ReplyException ended(TransactionRepository.Tx t, String what) {
    return Failures.of(Failures.CONFLICT, "cannot " + what + " transaction " + t.txId() + ": it is " + t.status(),
        new JsonObject().put("tx_id", t.txId()).put("status", t.status()));
  }

  /** A tenant's operation names its tenant: its update or delete reaches only that tenant's memories. */
  private static Transaction.Op scoped(Transaction.Op op, String tenant) {
    return tenant == null || "create".equals(op.op()) ? op
        : new Transaction.Op(op.op(), op.request().copy().put("tenant", tenant));
  }

  private static Future<Void> sql(SqlClient c, String statement) {
    return c.query(statement).execute().mapEmpty();
  }

  /**
   * After the commit: the index brought to every changed memory's state before the reply. When that fails the commit
   * stands (MySQL is the truth), the changed results say {@code indexed: false}, and the sweeper finishes the index.
   */
  private Future<JsonArray> synced(List<MemoryOps.Applied> applied) {
    Set<String> changed = new LinkedHashSet<>();
    Set<String> claims = new LinkedHashSet<>();
    JsonArray results = new JsonArray();
    for (MemoryOps.Applied a : applied) {
      results.add(a.reply());
      if (a.changed()) {
        changed.add(a.id());
        if (!a.upkeep()) {
          claims.add(a.id());
        }
      }
    }
    // then the changed memories judged against their owners' others (reports, an outdated one resolved); upkeep's
    // compressions and digests restate old memories and are not judged
    return sync.afterCommit(changed).compose(x -> checks.afterWrite(claims)).map(results).recover(e -> {
      LOG.warn("{} memories committed together, their index records not yet brought along ({}); the sweeper will",
          changed.size(), e.toString());
      for (MemoryOps.Applied a : applied) {
        if (a.changed()) {
          a.reply().put("indexed", false);
        }
      }
      return Future.succeededFuture(results);
    });
  }
}
