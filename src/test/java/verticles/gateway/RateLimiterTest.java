package verticles.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Config;

/** The token bucket on a clock the test drives, with the shipped defaults. */
@DisplayName("Rate limiter")
class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private static final JsonObject AUTH = Config.defaults().getJsonObject("auth");

  private static RateLimiter defaults() {
    return new RateLimiter(AUTH.getDouble("rate_limit_per_s"), AUTH.getDouble("rate_limit_burst"));
  }

  /** How many requests of the key pass at {@code now}, until the first is refused. */
  private static int passing(RateLimiter limiter, String key, double rate, double burst, long now) {
    int n = 0;
    while (limiter.acquire(key, rate, burst, now) == 0) {
      n++;
    }
    return n;
  }

  @Test
  @DisplayName("a chat backend's one key, on the defaults, takes a burst of 10,000 requests and 5,000 a second after it")
  void backendKey() {
    RateLimiter limiter = defaults();
    long t0 = 42 * SECOND;
    assertEquals(10_000, passing(limiter, "backend", Double.NaN, Double.NaN, t0));
    assertEquals(1, limiter.acquire("backend", Double.NaN, Double.NaN, t0), "Retry-After: a whole second");
    assertEquals(5_000, passing(limiter, "backend", Double.NaN, Double.NaN, t0 + SECOND));
    assertEquals(10_000, passing(limiter, "backend", Double.NaN, Double.NaN, t0 + 10 * SECOND), "refilled to the burst");
  }

  @Test
  @DisplayName("a key's own rate and burst replace the defaults; its own rate alone gets two seconds' worth of burst")
  void ownRate() {
    RateLimiter limiter = defaults();
    long t0 = 7 * SECOND;
    assertEquals(3, passing(limiter, "end-user", 1, 3, t0));
    assertEquals(2, passing(limiter, "end-user", 1, 3, t0 + 2 * SECOND));
    assertEquals(4, passing(limiter, "rate-only", 2, Double.NaN, t0));
    assertEquals(2, passing(limiter, "slow", 0.5, 2, t0));
    assertEquals(2, limiter.acquire("slow", 0.5, 2, t0), "Retry-After rounds up to whole seconds");
  }

  @Test
  @DisplayName("rate 0 turns limiting off, for the defaults or one key")
  void off() {
    RateLimiter off = new RateLimiter(0, 1);
    for (int i = 0; i < 100_000; i++) {
      assertEquals(0, off.acquire("any", Double.NaN, Double.NaN, 0));
    }
    assertEquals(0, defaults().acquire("unlimited", 0, Double.NaN, 0));
  }

  @Test
  @DisplayName("a JWT end user's default rate is an end user's, far below a backend key's")
  void jwtDefault() {
    JsonObject jwt = AUTH.getJsonObject("jwt");
    double rate = jwt.getDouble("rate_limit_per_s");
    double burst = jwt.getDouble("rate_limit_burst");
    assertTrue(rate * 100 <= AUTH.getDouble("rate_limit_per_s"), jwt.encode());
    assertEquals((int) burst, passing(defaults(), "jwt:default:u1", rate, burst, SECOND));
  }
}
