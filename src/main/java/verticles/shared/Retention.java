package verticles.shared;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forgetting curve (seed 004 §7): a memory's retention is {@code exp(-0.693 * idle / half_life(category))}, idle
 * being the time since recall last returned it, or since it was created when it never was; so it halves every
 * half-life. Read from config {@code compression}: {@code half_lives} per category (the seed's fact 7d, preference
 * 30d, context 1d, skill 90d; general 30d, the seed's default), {@code min_age} (nothing younger is compressed or
 * expires: a new memory has no access history yet), {@code retention_threshold} (below it a memory is due for
 * compression), {@code context_expiry_retention} (below it a {@code context} memory that is not part of a
 * conversation's record expires), and the per-user storage quota that {@code max_storage_ratio} is a ratio of.
 */
public final class Retention {
  public static final List<String> CATEGORIES = List.of("fact", "preference", "context", "skill", "general");
  private static final double LN2 = 0.693;

  private final Map<String, Long> halfLives = new LinkedHashMap<>();
  private final long minAgeSeconds;
  private final double threshold;
  private final double contextExpiry;
  private final long quotaBytes;
  private final double maxStorageRatio;
  private final String consolidateMessages;

  private Retention(JsonObject cfg) {
    JsonObject lives = cfg.getJsonObject("half_lives", new JsonObject());
    Map<String, String> seed = Map.of("fact", "7d", "preference", "30d", "context", "1d", "skill", "90d",
        "general", "30d");
    for (String category : CATEGORIES) {
      long s = seconds(lives.getValue(category, seed.get(category)));
      if (s <= 0) {
        throw new IllegalArgumentException("compression.half_lives." + category + " must be positive");
      }
      halfLives.put(category, s);
    }
    minAgeSeconds = seconds(cfg.getValue("min_age", "7d"));
    threshold = cfg.getDouble("retention_threshold", 0.1);
    contextExpiry = cfg.getDouble("context_expiry_retention", 0.01);
    quotaBytes = cfg.getLong("user_quota_bytes", 10_485_760L);
    maxStorageRatio = cfg.getDouble("max_storage_ratio", 0.8);
    consolidateMessages = cfg.getString("consolidate_messages", "over_quota");
    if (!List.of("always", "over_quota", "never").contains(consolidateMessages)) {
      throw new IllegalArgumentException("compression.consolidate_messages must be always, over_quota or never");
    }
    if (!(threshold > 0 && threshold < 1) || !(contextExpiry > 0 && contextExpiry < 1)) {
      throw new IllegalArgumentException("compression.retention_threshold and context_expiry_retention must be"
          + " between 0 and 1");
    }
  }

  /** From the node's config (its {@code compression} section). */
  public static Retention of(JsonObject config) {
    return new Retention(section(config));
  }

  public static JsonObject section(JsonObject config) {
    return config.getJsonObject("compression", new JsonObject());
  }

  /** The category's half-life in seconds; an unknown category has general's. */
  public long halfLife(String category) {
    return halfLives.getOrDefault(category, halfLives.get("general"));
  }

  public Map<String, Long> halfLives() {
    return Map.copyOf(halfLives);
  }

  /** exp(-0.693 · idle / half-life), in (0, 1]. */
  public double retention(String category, long idleSeconds) {
    return Math.exp(-LN2 * Math.max(0, idleSeconds) / halfLife(category));
  }

  /** How many half-lives of idleness bring retention down to {@code r}. */
  public static double halfLivesUntil(double r) {
    return -Math.log(r) / LN2;
  }

  public long minAgeSeconds() {
    return minAgeSeconds;
  }

  /** Below this retention a memory past the minimum age is due for compression. */
  public double threshold() {
    return threshold;
  }

  /** Below this retention a {@code context} memory that is not a conversation's record expires. */
  public double contextExpiry() {
    return contextExpiry;
  }

  /** The storage a user may hold (active memories' content and metadata, plus 64 bytes a row). */
  public long quotaBytes() {
    return quotaBytes;
  }

  /** Past this share of the quota a user's least-retained memories compress first, due or not. */
  public double maxStorageRatio() {
    return maxStorageRatio;
  }

  /**
   * When old messages are consolidated into digests: {@code always} (every due one at the aggressive level),
   * {@code over_quota} (only a user's past {@code max_storage_ratio} of the quota, least retained first) or
   * {@code never}. Otherwise a message is kept verbatim (only repeated lines go).
   */
  public String consolidateMessages() {
    return consolidateMessages;
  }

  /** A duration in config: seconds as a number, or a number with s, m, h or d ("7d", "12h"). */
  public static long seconds(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    String s = String.valueOf(value).strip().toLowerCase(java.util.Locale.ROOT);
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    char unit = s.charAt(s.length() - 1);
    long factor = switch (unit) {
      case 's' -> 1;
      case 'm' -> 60;
      case 'h' -> 3600;
      case 'd' -> 86_400;
      default -> 0;
    };
    try {
      return factor == 0 ? Long.parseLong(s) : Long.parseLong(s.substring(0, s.length() - 1).strip()) * factor;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: '" + value + "' (seconds, or a number with s, m, h or d)");
    }
  }
}
