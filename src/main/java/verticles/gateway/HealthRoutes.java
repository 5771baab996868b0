package verticles.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import verticles.shared.Meters;

/** The open endpoints, for probes and scrapers on the internal network: no key, no scope, no rate. */
final class HealthRoutes {
  private HealthRoutes() {}

  static void mount(Router router, Vertx vertx, JsonObject config) {
    router.get("/health/live").handler(ctx -> Replies.json(ctx, 200, new JsonObject().put("status", "UP")));
    // 200 {status: UP, checks} when every store answers, else 503 naming the failing checks (Readiness)
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(Readiness.create(vertx, config)));
    if (Meters.registry(config) instanceof PrometheusMeterRegistry metrics) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    }
  }
}
