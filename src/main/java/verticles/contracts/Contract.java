package verticles.contracts;

import io.vertx.core.json.JsonObject;

/**
 * An event-bus request or reply. It travels as its JSON (plain JSON survives clustering, no codec to register);
 * each record also has a static {@code fromJson(JsonObject)} that reads it back.
 */
public interface Contract {
  JsonObject toJson();
}
