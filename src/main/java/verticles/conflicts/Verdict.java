package verticles.conflicts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one statement is to another: a conflict type (or {@code none}), its severity in [0, 1], the evidence, and a
 * suggested resolution. The types are the seed's: {@code duplicate} (the same thing said again), {@code outdated} (a
 * newer statement of the same attribute), {@code contradiction} (incompatible at the same time), {@code inconsistent}
 * (related, incompatible details).
 */
record Verdict(String type, double severity, List<String> evidence, String suggestion, String detector) {
  static final String NONE = "none";
  static final String DUPLICATE = "duplicate";
  static final String OUTDATED = "outdated";
  static final String CONTRADICTION = "contradiction";
  static final String INCONSISTENT = "inconsistent";
  static final List<String> TYPES = List.of(DUPLICATE, OUTDATED, CONTRADICTION, INCONSISTENT);

  /** A verdict of the rules. */
  Verdict(String type, double severity, List<String> evidence, String suggestion) {
    this(type, severity, evidence, suggestion, "rules");
  }

  static Verdict none(String why) {
    return new Verdict(NONE, 0, List.of(why), null);
  }

  boolean conflict() {
    return !NONE.equals(type);
  }

  JsonObject toJson() {
    return new JsonObject().put("type", type).put("severity", Math.round(severity * 100) / 100.0)
        .put("evidence", new JsonArray(List.copyOf(evidence))).put("suggested_resolution", suggestion)
        .put("detector", detector);
  }
}
