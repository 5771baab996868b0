package verticles.contracts;

import io.vertx.core.json.JsonObject;

/**
 * A body with nothing to say: readiness probes ({@code memory.health.*}, whose replies are the probe's details as a
 * JSON object), {@code memory.vector.cache-clear} (published), {@code memory.tasks.counts},
 * {@code memory.tasks.outbox-depth}, {@code memory.dlq.replay}, {@code memory.changes.depth} and
 * {@code memory.changes.poke} (published), and the reply of {@code memory.changes.dead-letter}.
 */
public record Empty() implements Contract {
  public static final Empty INSTANCE = new Empty();

  public static Empty fromJson(JsonObject j) {
    return INSTANCE;
  }

  @Override

  public JsonObject toJson() {
    return new JsonObject();
  }
}
