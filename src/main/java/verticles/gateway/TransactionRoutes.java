package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Addresses;
import verticles.contracts.Transaction;

/**
 * Memory transactions over HTTP: begin, stage operations, commit, roll back, read; and the one-shot batch. A
 * transaction is its tenant's: another tenant's id answers 404, as an unknown one does.
 */
final class TransactionRoutes {
  private final Calls calls;
  private final TransactionOps ops;
  private final int maxOperations;

  TransactionRoutes(Calls calls, int maxOperations) {
    this.calls = calls;
    this.ops = new TransactionOps(calls.validator);
    this.maxOperations = maxOperations;
  }

  /** {@code POST /v1/transactions} {@code {timeout_seconds?}} → 201 {@code {tx_id, status:"open", expires_at}}. */
  void begin(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      Buffer raw = ctx.body().buffer();
      JsonObject body = raw == null || raw.length() == 0 ? new JsonObject()
          : calls.validator.validate("transaction_begin", RequestValidator.parse(raw));
      for (String field : body.fieldNames()) {
        if (!field.equals("timeout_seconds")) {
          throw new RequestValidator.ValidationException(field, "is not a field of a transaction; it takes"
              + " timeout_seconds");
        }
      }
      return calls.request(Addresses.TX_BEGIN, new Transaction.Begin(Auth.tenant(ctx), MemoryRoutes.actor(ctx),
          body.getInteger("timeout_seconds")), calls.write, Transaction.View::fromJson).map(Transaction.View::toJson);
    }, 201);
  }

  /**
   * {@code POST /v1/transactions/{tx_id}/operations} with one operation ({@code {op:"create", memory}}, {@code
   * {op:"update", id, ...}}, {@code {op:"delete", id, ...}}) → 201 {@code {tx_id, seq, op, memory_id}}.
   */
  void stage(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String txId = txId(ctx);
      Transaction.Op op = ops.parse(RequestValidator.parse(ctx.body().buffer()), "", Auth.tenant(ctx),
          MemoryRoutes.actor(ctx), System.currentTimeMillis());
      return calls.request(Addresses.TX_STAGE, new Transaction.Stage(txId, Auth.tenant(ctx), op), calls.write,
          Transaction.Staged::fromJson).map(Transaction.Staged::toJson);
    }, 201);
  }

  /** {@code POST /v1/transactions/{tx_id}/commit} → {@code {tx_id, status:"committed", results}}. */
  void commit(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.TX_COMMIT, new Transaction.Ref(txId(ctx), Auth.tenant(ctx)),
        calls.write, Transaction.Ended::fromJson).map(Transaction.Ended::toJson), 200);
  }

  /** {@code POST /v1/transactions/{tx_id}/rollback} → {@code {tx_id, status:"rolled_back"}}. */
  void rollback(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.TX_ROLLBACK, new Transaction.Ref(txId(ctx), Auth.tenant(ctx)),
        calls.write, Transaction.Ended::fromJson).map(Transaction.Ended::toJson), 200);
  }

  /** {@code GET /v1/transactions/{tx_id}}: status, times and the staged operations. */
  void get(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.TX_GET, new Transaction.Ref(txId(ctx), Auth.tenant(ctx)),
        calls.store, Transaction.View::fromJson).map(Transaction.View::toJson), 200);
  }

  /** {@code POST /v1/memories/batch} {@code {operations}}: applied in order, all or none → {@code {results}}. */
  void batch(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      JsonObject body = calls.validator.validate("memory_batch", RequestValidator.parse(ctx.body().buffer()));
      for (String field : body.fieldNames()) {
        if (!field.equals("operations")) {
          throw new RequestValidator.ValidationException(field, "is not a field of a batch; it takes operations");
        }
      }
      JsonArray list = body.getJsonArray("operations");
      if (list.size() > maxOperations) {
        throw new RequestValidator.ValidationException("operations", "at most " + maxOperations
            + " operations (transaction.max_operations), got " + list.size());
      }
      String tenant = Auth.tenant(ctx);
      String actor = MemoryRoutes.actor(ctx);
      long now = System.currentTimeMillis();
      List<Transaction.Op> parsed = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        parsed.add(ops.parse(list.getValue(i), "operations[" + i + "]", tenant, actor, now));
      }
      return calls.request(Addresses.MEMORY_BATCH, new Transaction.Batch(tenant, parsed), calls.write,
          Transaction.Results::fromJson).map(Transaction.Results::toJson);
    }, 200);
  }

  private static String txId(RoutingContext ctx) {
    String id = ctx.pathParam("tx_id");
    Ids.check("tx_id", id);
    return id;
  }
}
