package verticles.contracts;

import io.vertx.core.json.JsonObject;

/**
 * Whose memories: a user (tenant-scoped id) and one character, or all of the user's characters when the character is
 * null. The body of deletes, counts, stats and forgets; where a missing user would mean everybody, use
 * {@link #required}.
 */
public record Owner(String userId, String characterId) implements Contract {

  public static Owner fromJson(JsonObject j) {
    return new Owner(j.getString("user_id"), j.getString("character_id"));
  }

  /** The owner of a forget, an export or one user's stats: the user is required. */
  public static Owner required(JsonObject j) {
    return new Owner(Json.required(j, "user_id"), j.getString("character_id"));
  }

  @Override

  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId).put("character_id", characterId);
  }
}
