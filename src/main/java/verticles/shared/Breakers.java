package verticles.shared;

import io.micrometer.core.instrument.Gauge;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named circuit breaker per store and external service. Its state is logged on every change and exported as the
 * gauge {@code engram_circuit_breaker_state{name}} (0 closed, 1 half-open, 2 open). A call it refuses fails with
 * {@link OpenCircuitException}, one it gives up on with its {@code TimeoutException}: both are 503 on the bus
 * ({@code verticles.bus.Failures#unavailable}), never 500.
 */
public final class Breakers {
  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

  private Breakers() {}

  /** Each node's breakers by name: verticles that call one store share its breaker, as they share its health. */
  private static final Map<Vertx, Map<String, CircuitBreaker>> NODES = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The node's breaker of this name, made on first use (its timeout and the "breakers" section's {@code max_failures}
   * (5), {@code reset_timeout_ms} (5000) are the first caller's). Two verticles of one store (say, recall's reads and
   * the access recorder, both MySQL) share one breaker, so its one gauge says what both see.
   */
  public static CircuitBreaker create(Vertx vertx, JsonObject config, String name, long timeoutMs) {
    return NODES.computeIfAbsent(vertx, v -> new ConcurrentHashMap<>())
        .computeIfAbsent(name, n -> newBreaker(vertx, config, n, timeoutMs));
  }

  private static CircuitBreaker newBreaker(Vertx vertx, JsonObject config, String name, long timeoutMs) {
    JsonObject cfg = config.getJsonObject("breakers", new JsonObject());
    CircuitBreaker breaker = CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
        .setTimeout(timeoutMs)
        .setMaxFailures(cfg.getInteger("max_failures", 5))
        .setResetTimeout(cfg.getLong("reset_timeout_ms", 5000L))
        .setFailuresRollingWindow(cfg.getLong("rolling_window_ms", 10_000L)));
    // a request the store refused as bad input says nothing of the store's health: one poison record retried
    // must not open the breaker for everybody else's writes
    breaker.failurePolicy(f -> f.failed() && !badInput(f.cause()));
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

  /** The caller's fault, not the store's: an invalid argument, or a 4xx answer from the verticle asked. */
  static boolean badInput(Throwable t) {
    return t instanceof IllegalArgumentException
        || t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
            && re.failureCode() >= 400 && re.failureCode() < 500;
  }

  /**
   * Counts only the failures {@code counts} accepts against the breaker (say, a 5xx, not a 404 for a missing key);
   * the others still fail the call, but say nothing about the service's health. Timeouts always count.
   */
  public static CircuitBreaker counting(CircuitBreaker breaker, Predicate<Throwable> counts) {
    return breaker.failurePolicy(f -> f.failed() && (f.cause() instanceof io.vertx.circuitbreaker.TimeoutException
        || counts.test(f.cause())));
  }

  /**
   * Runs {@code call} through {@code breaker} (null: no breaker, the call runs as is). The call is handed a future
   * that completes when the breaker's timeout gives up on it, so that it can end its work (reset its HTTP request)
   * rather than leave it running unobserved.
   */
  public static <T> Future<T> execute(CircuitBreaker breaker, Function<Future<Void>, Future<T>> call) {
    Promise<Void> abandoned = Promise.promise();
    if (breaker == null) {
      return call.apply(abandoned.future());
    }
    return breaker.<T>execute(() -> call.apply(abandoned.future())).onFailure(e -> {
      if (e instanceof io.vertx.circuitbreaker.TimeoutException) {
        abandoned.tryComplete();
      }
    });
  }

  /** Whether the call never ran because a breaker was open (or half-open and testing with another call). */
  public static boolean shortCircuited(Throwable t) {
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof OpenCircuitException) {
        return true;
      }
    }
    return false;
  }

  static double stateValue(CircuitBreakerState s) {
    return switch (s) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
