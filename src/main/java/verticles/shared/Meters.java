package verticles.shared;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.DoubleConsumer;

/**
 * Micrometer helpers for the seed's §7 metrics. Histograms export exactly the seed's bucket bounds as
 * {@code _bucket{le=...}} (service-level objectives, no percentile histogram), so dashboards written for the seed
 * read them unchanged. Prometheus naming adds the suffixes: a counter {@code memory_recall_requests} is scraped as
 * {@code memory_recall_requests_total}, a timer {@code memory_recall_latency} as {@code memory_recall_latency_seconds}.
 */
public final class Meters {
  private Meters() {}

  /** The node's registry; with metrics off, a private one that nobody scrapes, so callers need no null checks. */
  public static MeterRegistry registry(JsonObject config) {
    String name = config.getString("metrics_registry"); // set by Engram when it builds the node's Vert.x
    MeterRegistry registry = name == null ? null : BackendRegistries.getNow(name);
    return registry != null ? registry : new SimpleMeterRegistry();
  }

  /** A timer whose histogram has exactly these upper bounds, in seconds. */
  public static Timer.Builder timer(String name, double... bucketsSeconds) {
    Duration[] slos = Arrays.stream(bucketsSeconds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
        .toArray(Duration[]::new);
    return Timer.builder(name).publishPercentileHistogram(false).serviceLevelObjectives(slos);
  }

  /** Count histograms already registered, per Prometheus registry: a second verticle instance reuses the first's. */
  private static final Map<PrometheusMeterRegistry, Map<String, Histogram>> COUNT_HISTOGRAMS = new WeakHashMap<>();

  /**
   * A histogram of counts with exactly these upper bounds; returns its observe function. Micrometer refuses a bound of
   * 0, the seed's first bucket of {@code memory_recall_count}, so on the Prometheus registry this is the Prometheus
   * client's own classic histogram, registered beside Micrometer's meters and scraped with them. Elsewhere (metrics
   * off) a plain Micrometer summary.
   */
  public static synchronized DoubleConsumer countHistogram(MeterRegistry registry, String name, String help,
      double... bounds) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      Histogram histogram = COUNT_HISTOGRAMS.computeIfAbsent(prometheus, k -> new HashMap<>())
          .computeIfAbsent(name, n -> Histogram.builder().name(n).help(help).classicOnly().classicUpperBounds(bounds)
              .withoutExemplars() // exemplars need the tracer initializer, which Micrometer leaves out
              .register(prometheus.getPrometheusRegistry()));
      return histogram::observe;
    }
    return DistributionSummary.builder(name).description(help).register(registry)::record;
  }

  /**
   * {@code engram_recall_skipped_records_total{source}}: stored records that a read skipped because they cannot be
   * read as a memory (a time no date shows, unreadable JSON); {@code source} index or mysql.
   */
  public static Counter skippedRecords(MeterRegistry registry, String source) {
    return Counter.builder("engram_recall_skipped_records")
        .description("Stored records skipped by recall and lists because they cannot be read as a memory")
        .tag("source", source).register(registry);
  }
}
