package verticles.merger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the ranking left out of a recall and why, for a recall asked with {@code explain: true} (the console's
 * playground shows it): each candidate not returned, with its score and the reason, in ranking order.
 */
final class Cuts {
  static final String TOP_K = "top_k";
  static final String MAX_TOKENS = "max_tokens";
  static final String DUPLICATE = "duplicate";

  private final JsonArray cut = new JsonArray();

  /** A ranked candidate (it has its score and scores) left out for {@code reason}. */
  void add(JsonObject memory, String reason) {
    cut.add(new JsonObject().put("id", memory.getString("id")).put("memory_type", memory.getString("memory_type"))
        .put("content", memory.getString("content")).put("score", memory.getValue("score"))
        .put("scores", memory.getJsonObject("scores")).put("reason", reason));
  }

  JsonArray toJson() {
    return cut;
  }
}
