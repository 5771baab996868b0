package verticles.gateway;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key, shared by the gateway instances of one node: {@code rate} requests per second on
 * average, bursts up to {@code burst}. Per node, not per cluster: N gateway nodes allow N times the rate.
 */
public final class RateLimiter {
  private final double rate;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double ratePerSecond, double burst) {
    this.rate = ratePerSecond;
    this.burst = Math.max(1, burst);
  }

  /**
   * 0 when the request may go; otherwise the whole seconds to wait before the next one would (Retry-After).
   * A key's own rate and burst (not NaN) replace the defaults.
   */
  public long acquire(String key, double ownRate, double ownBurst) {
    double r = Double.isNaN(ownRate) ? rate : ownRate;
    double b = Double.isNaN(ownBurst) ? burst : Math.max(1, ownBurst);
    if (r <= 0) {
      return 0; // limiting off
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(b)).take(r, b, System.nanoTime());
  }

  private static final class Bucket {
    private double tokens;
    private long last;

    Bucket(double burst) {
      tokens = burst;
      last = System.nanoTime();
    }

    synchronized long take(double rate, double burst, long now) {
      tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / rate);
    }
  }
}
