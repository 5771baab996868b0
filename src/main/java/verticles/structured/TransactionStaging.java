package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import verticles.bus.Failures;
import verticles.contracts.Lifecycle;
import verticles.contracts.Transaction;
import verticles.shared.Tenants;
import verticles.vectorsearch.MemoryRecord;

/**
 * Staging one operation in an open transaction, inside the MySQL transaction that locked the transaction's row: the
 * operation is checked as its write will be (the first on a memory: the memory's row locked, then its lock checked,
 * owner, forget, If-Match; a later one on the same memory is the transaction's own business), the memory locked for the
 * transaction until it ends, and the operation stored with the next seq.
 */
final class TransactionStaging {
  private final TransactionRepository rows;
  private final MemoryOps ops;
  private final MemoryLocks locks;
  private final int maxOperations;

  TransactionStaging(TransactionRepository rows, MemoryOps ops, MemoryLocks locks, int maxOperations) {
    this.rows = rows;
    this.ops = ops;
    this.locks = locks;
    this.maxOperations = maxOperations;
  }

  Future<MemoryTransactions.Result<Transaction.Staged>> stage(SqlClient c, TransactionRepository.Tx t,
      Transaction.Op op) {
    String id = op.memoryId();
    if ("create".equals(op.op()) && t.tenant() != null) {
      MemoryRecord r = MemoryOps.record(Lifecycle.Create.fromJson(op.request()));
      if (!Tenants.owns(t.tenant(), r.userId())) {
        throw new IllegalArgumentException("record.user_id is not a user of the transaction's tenant");
      }
    }
    return rows.count(c, t.txId()).compose(n -> {
      if (n[0] >= maxOperations) {
        return MemoryTransactions.Result.refused(Failures.of(Failures.CONFLICT, "transaction " + t.txId()
            + " holds " + n[0] + " operations, the most it may (transaction.max_operations)", new JsonObject()
            .put("tx_id", t.txId()).put("status", t.status())));
      }
      return rows.earlier(c, t.txId(), id)
          .compose(owner -> owner != null ? locks.check(c, id, t.txId()).map(owner)
              : ops.check(c, op.op(), op.request(), t.txId()))
          .compose(owner -> locks.take(c, id, t.txId(), t.expiresAt())
              .compose(x -> rows.stage(c, t.txId(), n[1], op, owner)))
          .compose(x -> MemoryTransactions.Result.ok(new Transaction.Staged(t.txId(), n[1], op.op(), id)));
    });
  }
}
