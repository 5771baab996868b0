package verticles.conflicts;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Config {@code conflict_detection}: {@code enabled} (true), {@code time_window} ("30d": a duration, {@code d h m s};
 * or {@code time_window_days}, a number of days), {@code auto_resolve} (false: conflicts wait for review),
 * {@code strategy} (timestamp_first | confidence_first | merge), {@code auto_resolve_outdated} (true: a newer
 * statement of the same attribute closes the older at once, history kept), {@code candidates} (5: neighbours judged
 * per new memory), {@code min_cosine} (0.55: nearer than this to be judged at all), {@code duplicate_cosine} (0.9),
 * {@code llm_judge} (true: the LLM judges when {@code extractor.llm} is configured), {@code timeout_ms} (3000: the
 * detection's budget on the write path; past it, or failing, the write goes on undetected).
 */
public record ConflictSettings(boolean enabled, long windowSeconds, boolean autoResolve, String strategy,
    boolean autoResolveOutdated, int candidates, double minCosine, double duplicateCosine, boolean llmJudge,
    long timeoutMs) {
  public static final List<String> STRATEGIES = List.of("timestamp_first", "confidence_first", "merge");
  static final double DEFAULT_DUPLICATE_COSINE = 0.9;
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([dhms]?)");

  public static ConflictSettings from(JsonObject config) {
    JsonObject c = config.getJsonObject("conflict_detection", new JsonObject());
    long window = c.containsKey("time_window_days") ? Math.round(c.getDouble("time_window_days") * 86_400)
        : seconds(c.getValue("time_window", "30d"));
    String strategy = c.getString("strategy", "timestamp_first");
    if (!STRATEGIES.contains(strategy)) {
      throw new IllegalArgumentException("conflict_detection.strategy must be one of " + STRATEGIES + ", not "
          + strategy);
    }
    return new ConflictSettings(c.getBoolean("enabled", true), window, c.getBoolean("auto_resolve", false), strategy,
        c.getBoolean("auto_resolve_outdated", true), c.getInteger("candidates", 5), c.getDouble("min_cosine", 0.55),
        c.getDouble("duplicate_cosine", DEFAULT_DUPLICATE_COSINE), c.getBoolean("llm_judge", true),
        c.getLong("timeout_ms", 3_000L));
  }

  /** The LLM judges: {@code llm_judge} is on and an LLM is configured ({@code extractor.llm}: base URL and model). */
  public boolean llmJudged(JsonObject config) {
    JsonObject llm = config.getJsonObject("extractor", new JsonObject()).getJsonObject("llm", new JsonObject());
    return llmJudge && !llm.getString("base_url", "").isBlank() && !llm.getString("model", "").isBlank();
  }

  /** "30d", "12h", "90m", "3600s", or a number of days. */
  static long seconds(Object value) {
    if (value instanceof Number n) {
      return Math.round(n.doubleValue() * 86_400);
    }
    Matcher m = DURATION.matcher(String.valueOf(value).strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("conflict_detection.time_window must be a duration like 30d, 12h, 90m or"
          + " 3600s, not " + value);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "h" -> n * 3_600;
      case "m" -> n * 60;
      case "s" -> n;
      default -> n * 86_400;
    };
  }
}
