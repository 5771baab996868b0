package verticles.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Numbers as the JSON parser gives them: an integer token is an Integer or a Long, or a BigInteger past a long (which
 * {@code JsonObject.getLong} silently wraps: 9223372036854775808 reads as -9223372036854775808, 18446744073709551616
 * as 0); a token with a fraction or an exponent is a Double, infinite past its range (1e400), or a BigDecimal
 * where a parser is set up for them.
 */
public final class JsonNumbers {
  private JsonNumbers() {}

  /** Whether {@code value} is an integer token within [min, max]: not a fraction, an exponent, a string or a BigInteger. */
  public static boolean integerWithin(Object value, long min, long max) {
    return (value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min
        && ((Number) value).longValue() <= max;
  }

  /**
   * The path of the first number in {@code value} (objects and arrays walked) that no double holds (1e400, NaN), or
   * null: such a number is written back as a string, or not at all.
   */
  public static String firstNonFinite(Object value, String path) {
    if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)
        || value instanceof BigDecimal b && !Double.isFinite(b.doubleValue())) {
      return path;
    }
    if (value instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String found = firstNonFinite(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
        if (found != null) {
          return found;
        }
      }
    } else if (value instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String found = firstNonFinite(a.getValue(i), path + "[" + i + "]");
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
