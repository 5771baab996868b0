package verticles.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A node's stop: steps run in order, each one whatever the one before did (a failed step is logged, not fatal). */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  /** A step of the stop; it may throw. */
  interface Step {
    void run() throws Exception;
  }

  private final List<Step> steps = new ArrayList<>();

  Shutdown then(Step step) {
    steps.add(step);
    return this;
  }

  void run() {
    for (Step step : steps) {
      try {
        step.run();
      } catch (Exception e) {
        LOG.warn("Shutdown step failed: {}", e.toString());
      }
    }
  }

  /**
   * The verticles, the last tier (the API) first: each tier's requests or records in flight get up to
   * {@code drainMs} (their {@code stop()} drains them) before the tier below goes.
   */
  static void undeployTiers(Vertx vertx, List<List<String>> tiers, long drainMs) {
    for (int i = tiers.size() - 1; i >= 0; i--) {
      List<String> ids = tiers.get(i);
      try {
        Future.await(Future.join(ids.stream().map(vertx::undeploy).toList()).timeout(drainMs + 5_000,
            TimeUnit.MILLISECONDS));
      } catch (Exception e) {
        LOG.warn("Stopping verticles {}: {}", ids, e.toString());
      }
    }
    tiers.clear();
  }
}
