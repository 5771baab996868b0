package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import verticles.shared.JsonNumbers;

/** The few conversions every contract needs; absent lists read as empty, so no caller checks for null. */
final class Json {
  private Json() {}

  static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }

  static List<String> strings(JsonObject j, String field) {
    return strings(j.getJsonArray(field));
  }

  static JsonArray array(List<?> items) {
    return new JsonArray(items == null ? List.of() : List.copyOf(items));
  }

  static List<JsonObject> objects(JsonArray a) {
    return a == null ? List.of() : a.stream().map(JsonObject.class::cast).toList();
  }

  static List<JsonObject> objects(JsonObject j, String field) {
    return objects(j.getJsonArray(field));
  }

  /**
   * An optional integer within [min, max], null when absent. Anything else (a string, a fraction, a number past a long,
   * which {@code getInteger} would wrap) is refused with 400, as the gateway refuses it.
   */
  static Integer integer(JsonObject j, String field, int min, int max) {
    Object v = j.getValue(field);
    if (v == null) {
      return null;
    }
    if (!JsonNumbers.integerWithin(v, min, max)) {
      throw new IllegalArgumentException(field + " must be an integer from " + min + " to " + max + ", got " + v);
    }
    return ((Number) v).intValue();
  }

  /** A required string: an event-bus request without it is a caller's bug, answered 400, never a guess. */
  /** A string field that must be there, blank or not (an id may be " "). */
  static String present(JsonObject j, String field) {
    String v = j.getString(field);
    if (v == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return v;
  }

  static String required(JsonObject j, String field) {
    String v = j.getString(field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return v;
  }
}
