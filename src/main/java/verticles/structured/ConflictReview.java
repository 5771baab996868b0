package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Failures;
import verticles.contracts.Conflicts;
import verticles.shared.Tenants;
import verticles.structured.ConflictRepository.Report;

/**
 * The review of conflict reports: list and get (StructuredSearch), resolve (MemoryWrite). A resolution is one MySQL
 * transaction (the report and both memories locked, a memory transaction's lock waited for, then 409 locked), the
 * index brought along after the commit. A report of another tenant's memories is 404; one resolved already, 409.
 */
final class ConflictReview {
  private static final Logger LOG = LoggerFactory.getLogger(ConflictReview.class);
  private final Pool pool;
  private final ConflictRepository reports = new ConflictRepository();
  private final Transactions tx;
  private final MemoryLocks locks;
  private final ConflictResolver resolver;
  private final ConflictWrites writes;
  private final IndexSync sync;

  /** For reads only (list, get). */
  ConflictReview(Pool pool) {
    this(pool, null, null, null, null, null);
  }

  ConflictReview(Pool pool, Transactions tx, MemoryLocks locks, ConflictResolver resolver, ConflictWrites writes,
      IndexSync sync) {
    this.pool = pool;
    this.tx = tx;
    this.locks = locks;
    this.resolver = resolver;
    this.writes = writes;
    this.sync = sync;
  }

  Future<Conflicts.Page> list(Conflicts.Query q) {
    if (q.cursor() != null && !q.cursor().matches("[0-9]{1,19}")) {
      throw new IllegalArgumentException("cursor is not one this API gave out");
    }
    return reports.list(pool, q).map(rows -> {
      boolean more = rows.size() > q.limit();
      List<Report> page = more ? rows.subList(0, q.limit()) : rows;
      JsonArray out = new JsonArray();
      page.forEach(r -> out.add(r.toJson()));
      return new Conflicts.Page(out, more ? String.valueOf(page.get(page.size() - 1).rowId()) : null);
    });
  }

  Future<Conflicts.Report> get(Conflicts.Get g) {
    return owned(reports.find(pool, g.conflictId(), false), g.conflictId(), g.tenant())
        .map(r -> new Conflicts.Report(r.toJson()));
  }

  /** Applies the review's choice: a strategy, a side to keep, or the text that holds. */
  Future<Conflicts.Report> resolve(Conflicts.Resolve q) {
    return locks.waiting(() -> tx.run(c -> owned(reports.find(c, q.conflictId(), true), q.conflictId(), q.tenant())
        .compose(r -> {
          if (r.resolved()) {
            return Future.failedFuture(Failures.of(Failures.CONFLICT, "conflict " + r.conflictId() + " is resolved"
                + " already (" + r.resolution() + " by " + r.resolvedBy() + "); restore a memory's version to undo it"));
          }
          Future<ConflictResolver.Decision> decision = q.keep() != null
              ? Future.succeededFuture("a".equals(q.keep()) ? ConflictResolver.Decision.KEEP_A
                  : ConflictResolver.Decision.KEEP_B)
              : q.content() != null ? Future.succeededFuture(ConflictResolver.Decision.CONTENT)
              : resolver.decide(c, r, q.strategy());
          return decision.compose(d -> resolver.apply(c, r, d, q.content(), q.reason(), q.actor(), true))
              .compose(outcome -> writes.resolvedByReview(c, outcome.report()).map(outcome));
        })))
        .compose(outcome -> sync.afterCommit(outcome.changed()).recover(e -> {
          LOG.warn("Conflict {} resolved; the index records of {} not yet brought along ({}); the sweeper will",
              q.conflictId(), outcome.changed(), e.toString());
          return Future.succeededFuture();
        }).map(x -> new Conflicts.Report(outcome.report().toJson())));
  }

  private static Future<Report> owned(Future<Report> found, String id, String tenant) {
    return found.compose(r -> r == null || tenant != null && !Tenants.owns(tenant, r.userId())
        ? Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no conflict " + id))
        : Future.succeededFuture(r));
  }
}
