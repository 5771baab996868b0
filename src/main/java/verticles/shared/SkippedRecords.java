package verticles.shared;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bad stored record never breaks a read for its owner: the read skips it, and it is logged (once a minute per
 * source, the rest at DEBUG) and counted ({@link Meters#skippedRecords}), so an operator finds and repairs it.
 */
public final class SkippedRecords {
  /** Where the record was stored. */
  public static final String INDEX = "index";
  public static final String MYSQL = "mysql";

  private static final Logger LOG = LoggerFactory.getLogger(SkippedRecords.class);
  private static final ThrottledLog ONCE = new ThrottledLog(LOG, 60_000);

  private final MeterRegistry registry;

  public SkippedRecords(MeterRegistry registry) {
    this.registry = registry;
    Meters.skippedRecords(registry, INDEX); // zeros from the start, not missing series
    Meters.skippedRecords(registry, MYSQL);
  }

  /** Counted in a registry nobody scrapes (an index opened outside a node, as in tests). */
  public static SkippedRecords unscraped() {
    return new SkippedRecords(new SimpleMeterRegistry());
  }

  /** @param record what names the record (its id, a row id, a candidate key) */
  public void skip(String source, String record, String why) {
    Meters.skippedRecords(registry, source).increment();
    ONCE.warn(source, "Skipped a stored record that cannot be read as a memory ({} {}): {}", source, record, why);
  }
}
