package verticles.forgetting;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forgetting;
import verticles.contracts.Lifecycle;
import verticles.contracts.Transaction;
import verticles.shared.Retention;

/**
 * The seed's {@code cleanup_expired}: soft-deletes the active memories past their {@code valid_to} and the expired
 * {@code context} memories, through the memories' one write path ({@code memory.memories.batch}, a batch of deletes
 * each guarded by the version it was found at; a batch refused as a whole is done one by one), so each is a version
 * with status deleted, leaves the index, sends its change event, and can be restored. A context memory expires once
 * it is past the minimum age and its retention fell below {@code compression.context_expiry_retention} (0.01: idle
 * about 6.6 half-lives, a week at the seed's one-day half-life); messages and summaries, though context by default,
 * are a conversation's record and never expire (they are consolidated instead).
 */
final class Cleanup {
  private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);
  /** A cleanup deletes at most this many memories per round, and goes on while rounds come full. */
  private static final int ROUND = 1000;
  private static final int MAX_ROUNDS = 50;

  private final Vertx vertx;
  private final Retention retention;
  private final ForgettingMeters meters;
  private final int maxOperations;
  private final DeliveryOptions call;

  Cleanup(Vertx vertx, Retention retention, ForgettingMeters meters, int maxOperations, long callTimeoutMs) {
    this.vertx = vertx;
    this.retention = retention;
    this.meters = meters;
    this.maxOperations = maxOperations;
    this.call = new DeliveryOptions().setSendTimeout(callTimeoutMs);
  }

  Future<Forgetting.Cleaned> run(Forgetting.Cleanup c) {
    long now = c.now() != null ? c.now() : System.currentTimeMillis() / 1000;
    return round(c, now, new Forgetting.Cleaned(0, 0, 0, c.dryRun()), 0);
  }

  private Future<Forgetting.Cleaned> round(Forgetting.Cleanup c, long now, Forgetting.Cleaned sum, int n) {
    return Bus.request(vertx, Addresses.RETENTION_EXPIRED, new Forgetting.ExpiredQuery(now, c.tenant(), c.userId(),
            ROUND), call, Forgetting.Expired::fromJson)
        .compose(found -> {
          List<JsonObject> rows = found.memories().stream().map(JsonObject.class::cast).toList();
          int validTo = (int) rows.stream().filter(r -> "valid_to".equals(r.getString("reason"))).count();
          Forgetting.Cleaned counted = new Forgetting.Cleaned(sum.pastValidTo() + validTo,
              sum.expiredContext() + rows.size() - validTo, sum.deleted(), c.dryRun());
          if (c.dryRun() || rows.isEmpty()) {
            return Future.succeededFuture(counted);
          }
          return delete(rows).compose(deleted -> {
            Forgetting.Cleaned done = new Forgetting.Cleaned(counted.pastValidTo(), counted.expiredContext(),
                counted.deleted() + deleted, false);
            // a full round may have more behind it; a round that deleted nothing would find the same rows again
            return rows.size() == ROUND && deleted > 0 && n + 1 < MAX_ROUNDS ? round(c, now, done, n + 1)
                : Future.succeededFuture(done);
          });
        });
  }

  /** Soft-deletes the rows in batches; returns how many were deleted. */
  private Future<Integer> delete(List<JsonObject> rows) {
    Future<Integer> done = Future.succeededFuture(0);
    for (int from = 0; from < rows.size(); from += maxOperations) {
      List<JsonObject> chunk = rows.subList(from, Math.min(rows.size(), from + maxOperations));
      done = done.compose(total -> batch(chunk).map(n -> total + n));
    }
    return done;
  }

  private Future<Integer> batch(List<JsonObject> chunk) {
    List<Transaction.Op> ops = new ArrayList<>();
    chunk.forEach(r -> ops.add(new Transaction.Op("delete", delete(r).toJson())));
    return Bus.request(vertx, Addresses.MEMORY_BATCH, new Transaction.Batch(null, ops), call,
            Transaction.Results::fromJson)
        .map(x -> {
          chunk.forEach(this::count);
          return chunk.size();
        })
        .recover(e -> {
          // one memory changed or locked meanwhile refuses the whole batch: the others go one by one
          LOG.debug("Cleanup batch of {} refused ({}), deleting one by one", chunk.size(), e.toString());
          Future<Integer> one = Future.succeededFuture(0);
          for (JsonObject r : chunk) {
            one = one.compose(n -> Bus.request(vertx, Addresses.MEMORY_DELETE, delete(r), call,
                    Lifecycle.Deleted::fromJson)
                .map(x -> {
                  count(r);
                  return n + 1;
                })
                .recover(f -> Future.succeededFuture(n)));
          }
          return one;
        });
  }

  private void count(JsonObject row) {
    meters.expired("valid_to".equals(row.getString("reason")) ? "valid_to" : "context").increment();
  }

  private Lifecycle.Delete delete(JsonObject row) {
    long idleDays = Math.round(retention.halfLife("context") * Retention.halfLivesUntil(retention.contextExpiry())
        / 86_400.0);
    String reason = "valid_to".equals(row.getString("reason")) ? "expired: past its valid_to"
        : "expired: a context memory not recalled for about " + idleDays + " days";
    return new Lifecycle.Delete(row.getString("id"), null, row.getInteger("version"), false, reason, "cleanup");
  }
}
