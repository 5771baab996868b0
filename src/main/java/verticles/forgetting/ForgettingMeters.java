package verticles.forgetting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The forgetting sweep's meters: {@code engram_memories_compressed_total{level}} (a new, shorter version written),
 * {@code engram_memories_consolidated_total} (messages consolidated into digests),
 * {@code engram_memories_expired_total{reason}} (soft-deleted by a cleanup: {@code valid_to}, {@code context}) and
 * {@code engram_compression_bytes_saved_total} (active storage saved: content and metadata bytes, and 64 a row).
 */
final class ForgettingMeters {
  private final MeterRegistry registry;
  final Counter consolidated;
  final Counter bytesSaved;

  ForgettingMeters(MeterRegistry registry) {
    this.registry = registry;
    consolidated = Counter.builder("engram_memories_consolidated")
        .description("Old messages consolidated into digest memories that cite them").register(registry);
    bytesSaved = Counter.builder("engram_compression_bytes_saved")
        .description("Active memory storage saved by compression and consolidation (bytes)").register(registry);
    for (Compressor.Level level : Compressor.Level.values()) {
      compressed(level);
    }
    expired("valid_to");
    expired("context");
  }

  Counter compressed(Compressor.Level level) {
    return Counter.builder("engram_memories_compressed").description("Memories compressed to a new, shorter version")
        .tag("level", level.id()).register(registry);
  }

  Counter expired(String reason) {
    return Counter.builder("engram_memories_expired").description("Memories soft-deleted by a cleanup as expired")
        .tag("reason", reason).register(registry);
  }
}
