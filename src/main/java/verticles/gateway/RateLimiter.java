package verticles.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key, shared by the gateway instances of one node: {@code rate} requests per second on
 * average, bursts up to {@code burst}. Per node, not per cluster: N gateway nodes allow N times the rate.
 * The defaults ({@code auth.rate_limit_per_s}, {@code auth.rate_limit_burst}) are sized for a chat backend's one key;
 * per-end-user keys and JWTs carry their own, smaller rates (README, "Sizing the rate limit").
 */
public final class RateLimiter {
  private final double rate;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double ratePerSecond, double burst) {
    this.rate = ratePerSecond;
    this.burst = Math.max(1, burst);
  }

  /** The route handler: the authenticated key's request goes on, or is answered 429 with {@code Retry-After}. */
  public Handler<RoutingContext> handler() {
    return ctx -> {
      long wait = acquire(Auth.key(ctx));
      if (wait > 0) {
        ctx.response().putHeader("Retry-After", String.valueOf(wait));
        Replies.error(ctx, 429, "rate_limited", "Authorization", "too many requests for this key; retry after "
            + wait + " s");
        return;
      }
      ctx.next();
    };
  }

  /** {@link #acquire(String, double, double)} for the key's own name, rate and burst. */
  public long acquire(ApiKeys.Key key) {
    return acquire(key.name(), key.ratePerSecond(), key.burst());
  }

  /**
   * 0 when the request may go; otherwise the whole seconds to wait before the next one would (Retry-After).
   * A key's own rate and burst (not NaN) replace the defaults; a key with its own rate but no burst of its own
   * gets two seconds' worth, not the backend-sized default burst.
   */
  public long acquire(String key, double ownRate, double ownBurst) {
    return acquire(key, ownRate, ownBurst, System.nanoTime());
  }

  /** {@link #acquire(String, double, double)} at the given {@link System#nanoTime()}: tests drive the clock. */
  long acquire(String key, double ownRate, double ownBurst, long nowNanos) {
    double r = Double.isNaN(ownRate) ? rate : ownRate;
    if (r <= 0) {
      return 0; // limiting off
    }
    double b = Math.max(1, !Double.isNaN(ownBurst) ? ownBurst : Double.isNaN(ownRate) ? burst : 2 * ownRate);
    return buckets.computeIfAbsent(key, k -> new Bucket(b, nowNanos)).take(r, b, nowNanos);
  }

  private static final class Bucket {
    private double tokens;
    private long last;

    Bucket(double burst, long now) {
      tokens = burst;
      last = now;
    }

    synchronized long take(double rate, double burst, long now) {
      tokens = Math.min(burst, tokens + Math.max(0, now - last) / 1e9 * rate);
      last = Math.max(last, now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / rate);
    }
  }
}
