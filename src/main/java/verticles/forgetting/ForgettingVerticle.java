package verticles.forgetting;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forgetting;
import verticles.shared.Meters;
import verticles.shared.Retention;

/**
 * Forgetting and compression (issue 14, seed 004 §7): every {@code compression.check_interval} seconds one sweep per
 * cluster ({@link Sweep}: the cleanup of expired memories, then compression), run by the instance holding the
 * cluster-wide lock {@value #LEADER} (a Vert.x shared-data lock, Hazelcast's when clustered, as the outbox and the
 * change relay lead); and, on any instance, {@code memory.maintenance.cleanup} (the API's cleanup) and
 * {@code memory.maintenance.sweep} (a sweep now, for operators' tools, tests and benchmarks). A sweep, periodic or
 * asked for, runs holding {@value #RUNNING}, so two never overlap.
 */
public final class ForgettingVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ForgettingVerticle.class);
  static final String LEADER = "engram.forgetting.leader";
  static final String RUNNING = "engram.forgetting.sweep";

  private final CircuitBreaker llmBreaker;
  private Sweep sweep;
  private long timer = -1;
  private long lockTimeoutMs;
  private long callTimeoutMs;
  private Lock leadership;
  private boolean asking;
  private boolean sweeping;

  /** @param llmBreaker the node's {@code llm} breaker when a model is configured, else null (extractive only) */
  public ForgettingVerticle(CircuitBreaker llmBreaker) {
    this.llmBreaker = llmBreaker;
  }

  @Override
  public Future<?> start() {
    JsonObject cfg = Retention.section(config());
    JsonObject llmCfg = config().getJsonObject("extractor", new JsonObject()).getJsonObject("llm");
    LlmCompressor llm = llmBreaker != null && cfg.getBoolean("use_llm", true) && LlmCompressor.configured(llmCfg)
        ? new LlmCompressor(vertx, llmCfg, llmBreaker) : null;
    callTimeoutMs = cfg.getLong("call_timeout_ms", 60_000L);
    lockTimeoutMs = config().getJsonObject("cluster", new JsonObject()).getLong("lock_timeout_ms", 1000L);
    int maxOperations = config().getJsonObject("transaction", new JsonObject()).getInteger("max_operations", 100);
    sweep = new Sweep(vertx, Retention.of(config()), new Sweep.Settings(cfg.getInteger("max_per_sweep", 2000),
        cfg.getInteger("consolidate_turns", 2), maxOperations, callTimeoutMs), llm,
        new ForgettingMeters(Meters.registry(config())));
    if (cfg.getBoolean("enabled", true)) {
      long intervalMs = Retention.seconds(cfg.getValue("check_interval", 3600)) * 1000;
      timer = vertx.setPeriodic(intervalMs, id -> tick()); // the first after one interval, not at start
    }
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.MAINTENANCE_CLEANUP, Forgetting.Cleanup::fromJson, sweep::cleanup),
        Bus.consume(vertx, Addresses.MAINTENANCE_SWEEP, Forgetting.Sweep::fromJson,
            w -> exclusive(w, callTimeoutMs))));
  }

  /** The periodic sweep: only the leader runs it, and not while another sweep runs. */
  private void tick() {
    if (sweeping || !leads()) {
      return;
    }
    sweeping = true;
    exclusive(new Forgetting.Sweep(null, null, null), lockTimeoutMs)
        .onSuccess(s -> LOG.info("Forgetting sweep: {}", s.toJson().copy().put("results", s.toJson()
            .getJsonArray("results").size()).encode()))
        .onFailure(e -> LOG.warn("Forgetting sweep not run or cut short: {}", e.toString()))
        .onComplete(x -> sweeping = false);
  }

  /** One sweep holding the cluster's sweep lock (waiting up to {@code waitMs} for it). */
  private Future<Forgetting.Swept> exclusive(Forgetting.Sweep w, long waitMs) {
    return vertx.sharedData().getLockWithTimeout(RUNNING, waitMs)
        .compose(lock -> sweep.run(w).eventually(() -> {
          lock.release();
          return Future.succeededFuture();
        }));
  }

  /** Whether this instance leads the sweeps; if not, asks for the lock once more (one question at a time). */
  private boolean leads() {
    if (leadership == null && !asking) {
      asking = true;
      vertx.sharedData().getLockWithTimeout(LEADER, lockTimeoutMs)
          .onSuccess(lock -> {
            leadership = lock;
            LOG.info("This node now runs the cluster's forgetting sweeps");
            tick();
          })
          .onComplete(x -> asking = false);
    }
    return leadership != null;
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (leadership != null) {
      leadership.release(); // hand over now rather than when the member leaves
      leadership = null;
    }
    return Future.succeededFuture();
  }
}
