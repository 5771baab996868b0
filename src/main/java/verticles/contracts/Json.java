package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

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

  /** A required string: an event-bus request without it is a caller's bug, answered 400, never a guess. */
  static String required(JsonObject j, String field) {
    String v = j.getString(field);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return v;
  }
}
