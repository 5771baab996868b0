package verticles.shared;

import io.micrometer.core.instrument.Gauge;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named circuit breaker per store. Its state is logged on every change and exported as the gauge
 * {@code engram_circuit_breaker_state{name}} (0 closed, 1 half-open, 2 open).
 */
public final class Breakers {
  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

  private Breakers() {}

  /**
   * @param cfg the "breakers" config section: {@code max_failures} (5), {@code reset_timeout_ms} (5000)
   */
  public static CircuitBreaker create(Vertx vertx, JsonObject config, String name, long timeoutMs) {
    JsonObject cfg = config.getJsonObject("breakers", new JsonObject());
    CircuitBreaker breaker = CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
        .setTimeout(timeoutMs)
        .setMaxFailures(cfg.getInteger("max_failures", 5))
        .setResetTimeout(cfg.getLong("reset_timeout_ms", 5000L))
        .setFailuresRollingWindow(cfg.getLong("rolling_window_ms", 10_000L)));
    breaker.openHandler(v -> LOG.warn("Circuit breaker {} OPEN: calls fail fast", name))
        .halfOpenHandler(v -> LOG.info("Circuit breaker {} half-open: trying the store again", name))
        .closeHandler(v -> LOG.info("Circuit breaker {} closed", name));
    Gauge.builder("engram_circuit_breaker_state", breaker, b -> stateValue(b.state()))
        .tag("name", name)
        .description("0 closed, 1 half-open, 2 open")
        .strongReference(true)
        .register(Meters.registry(config));
    return breaker;
  }

  static double stateValue(CircuitBreakerState s) {
    return switch (s) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
