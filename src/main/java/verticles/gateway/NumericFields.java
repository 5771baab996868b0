package verticles.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import verticles.shared.JsonNumbers;

/**
 * The numeric fields of one request schema, each with the range its schema declares ({@code "type": "integer"} with
 * {@code minimum} and {@code maximum}; one without both stops the start), checked before the schema validator runs.
 * A value must be a plain JSON integer within the range: not a string, not a fraction or an exponent (1.5, 1e3, even
 * 5.0), and not past a long. The validator alone is not enough: 9223372036854775808 passed it, and the gateway then
 * read it as -9223372036854775808 ({@code getLong} wraps a BigInteger), which broke every later recall of its user.
 * Any number anywhere in the body that no double holds (1e400) is refused too, since it cannot be written back.
 */
final class NumericFields {
  /** One field: its path ("messages[].timestamp") as steps, a step "[]" for each array element. */
  private record Field(List<String> steps, long min, long max, String unit) {}

  private final List<Field> fields;

  private NumericFields(List<Field> fields) {
    this.fields = fields;
  }

  /** The numeric fields of {@code schema}, its {@code $ref}s resolved in {@code defs}. */
  static NumericFields of(JsonObject schema, JsonObject defs) {
    List<Field> out = new ArrayList<>();
    collect(schema, defs, new ArrayList<>(), out);
    return new NumericFields(out);
  }

  private static void collect(JsonObject schema, JsonObject defs, List<String> steps, List<Field> out) {
    String ref = schema.getString("$ref");
    if (ref != null) {
      collect(defs.getJsonObject(ref.substring("#/$defs/".length())), defs, steps, out);
      return;
    }
    String type = schema.getString("type");
    if ("integer".equals(type) || "number".equals(type)) {
      if (!"integer".equals(type) || !(schema.getValue("minimum") instanceof Number min)
          || !(schema.getValue("maximum") instanceof Number max)) {
        throw new IllegalStateException("api.json: numeric field " + String.join(".", steps)
            + " needs \"type\": \"integer\" with a minimum and a maximum");
      }
      out.add(new Field(List.copyOf(steps), min.longValue(), max.longValue(), schema.getString("description")));
    }
    JsonObject properties = schema.getJsonObject("properties");
    if (properties != null) {
      for (String name : properties.fieldNames()) {
        steps.add(name);
        collect(properties.getJsonObject(name), defs, steps, out);
        steps.remove(steps.size() - 1);
      }
    }
    if (schema.getValue("items") instanceof JsonObject items) {
      steps.add("[]");
      collect(items, defs, steps, out);
      steps.remove(steps.size() - 1);
    }
  }

  /** Throws a 400 naming the first numeric field that is no integer in its range, or the first infinite number. */
  void check(JsonObject body) {
    for (Field f : fields) {
      check(body, f, 0, "");
    }
    String infinite = JsonNumbers.firstNonFinite(body, "");
    if (infinite != null) {
      throw new RequestValidator.ValidationException(infinite, "is a number beyond any range Engram accepts");
    }
  }

  private static void check(Object node, Field f, int step, String at) {
    if (step == f.steps().size()) {
      if (!JsonNumbers.integerWithin(node, f.min(), f.max())) {
        throw new RequestValidator.ValidationException(at, "must be an integer from " + f.min() + " to " + f.max()
            + (f.unit() == null ? "" : " (" + f.unit() + ")") + ", written without a fraction, exponent or quotes");
      }
      return;
    }
    String name = f.steps().get(step);
    if (name.equals("[]")) {
      if (node instanceof JsonArray a) {
        for (int i = 0; i < a.size(); i++) {
          check(a.getValue(i), f, step + 1, at + "[" + i + "]");
        }
      }
    } else if (node instanceof JsonObject o && o.containsKey(name)) { // absent: the schema says whether it may be
      check(o.getValue(name), f, step + 1, at.isEmpty() ? name : at + "." + name);
    }
  }
}
