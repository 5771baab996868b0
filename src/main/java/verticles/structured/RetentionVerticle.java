package verticles.structured;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Deleted;
import verticles.contracts.Forgetting;
import verticles.shared.Breakers;
import verticles.shared.Meters;
import verticles.shared.Retention;

/**
 * How much each memory is used (issue 14), in MySQL: the accesses recall reports in batches
 * ({@code memory.access.record}), retention for ranking ({@code memory.access.retention}, behind the {@code mysql}
 * breaker: it is on recall's path when the ranking weighs retention), and the forgetting sweep's reads and
 * bookkeeping ({@code memory.retention.*}). The sweep's writes of memories go through {@link MemoryWriteVerticle}'s
 * one write path; this verticle writes only the access tables.
 *
 * <p>Metric: {@code engram_memory_accesses_recorded_total}, the accesses of stored memories counted.
 */
public final class RetentionVerticle extends VerticleBase {
  private Pool pool;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    MeterRegistry registry = Meters.registry(cfg);
    Retention retention = Retention.of(cfg);
    RetentionRepository repo = new RetentionRepository(pool, new Transactions(vertx, pool, registry), retention);
    CircuitBreaker mysql = Breakers.create(vertx, cfg, "mysql", cfg.getJsonObject("recall")
        .getLong("mysql_timeout_ms", 1000L));
    Counter recorded = Counter.builder("engram_memory_accesses_recorded")
        .description("Accesses of stored memories counted (each memory a recall returned counts one)")
        .register(registry);
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.ACCESS_RECORD, Forgetting.Accesses::fromJson,
            a -> repo.record(a.accesses()).onSuccess(r -> recorded.increment(r.hits()))),
        Bus.consume(vertx, Addresses.ACCESS_RETENTION, Forgetting.RetentionQuery::fromJson,
            q -> mysql.<Forgetting.Retentions>execute(() -> repo.retention(q.ids(),
                q.now() != null ? q.now() : System.currentTimeMillis() / 1000).map(Forgetting.Retentions::new))),
        Bus.consume(vertx, Addresses.RETENTION_CANDIDATES, Forgetting.CandidateQuery::fromJson,
            q -> repo.candidates(q).map(Forgetting.Candidates::new)),
        Bus.consume(vertx, Addresses.RETENTION_USAGE, Forgetting.UsageQuery::fromJson,
            q -> repo.usage(q).map(Forgetting.Usage::new)),
        Bus.consume(vertx, Addresses.RETENTION_EXPIRED, Forgetting.ExpiredQuery::fromJson,
            q -> repo.expired(q).map(Forgetting.Expired::new)),
        Bus.consume(vertx, Addresses.RETENTION_JUDGED, Forgetting.Judged::fromJson,
            j -> repo.judged(j.ids(), j.level())),
        Bus.consume(vertx, Addresses.RETENTION_PRUNE, Forgetting.Prune::fromJson,
            p -> repo.prune(p.now()).map(Deleted::new))));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
