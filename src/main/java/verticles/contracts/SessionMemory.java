package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Short-term session memory ({@code memory.session-context.*}, seed 003 §7): per session of a user and character,
 * its recent turns, active entities, current location and emotional tone, kept for a TTL.
 */
public final class SessionMemory {
  private SessionMemory() {}

  /** The session context's fields a client sets (PUT) or merges (PATCH). */
  public static final List<String> FIELDS = List.of("turns", "active_entities", "current_location", "emotional_tone");

  /** {@code memory.session-context.get}: one session's context; fails 404 when there is none (unknown or expired). */
  public record Get(String userId, String characterId, String sessionId) implements Contract {
    public static Get fromJson(JsonObject j) {
      return new Get(Json.required(j, "user_id"), Json.required(j, "character_id"), Json.required(j, "session_id"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("session_id", sessionId);
    }
  }

  /**
   * {@code memory.session-context.update}: one atomic change of a session's context; replies the {@link Context}
   * after it.
   *
   * @param mode {@code replace} (PUT: the given fields, nothing else; creates), {@code merge} (PATCH: the given fields
   *     over the stored ones, {@code turns} appended; 404 when there is no context), {@code append} (the message
   *     feed: as merge, but creates the context)
   * @param fields some of {@link #FIELDS}; a field given as null is cleared
   */
  public record Update(String userId, String characterId, String sessionId, String mode, JsonObject fields)
      implements Contract {
    public static final List<String> MODES = List.of("replace", "merge", "append");

    public static Update fromJson(JsonObject j) {
      String mode = Json.required(j, "mode");
      if (!MODES.contains(mode)) {
        throw new IllegalArgumentException("mode must be one of " + MODES + ", got " + mode);
      }
      return new Update(Json.required(j, "user_id"), Json.required(j, "character_id"),
          Json.required(j, "session_id"), mode, j.getJsonObject("fields", new JsonObject()));
    }

    public Get key() {
      return new Get(userId, characterId, sessionId);
    }

    @Override

    public JsonObject toJson() {
      return key().toJson().put("mode", mode).put("fields", fields);
    }
  }

  /**
   * A session's context.
   *
   * @param turns the last {@code session_memory.max_turns} turns, oldest first: {role, content, name?, at}
   * @param turnsTotal every turn the session was given since it was created or replaced (the kept ones are the last)
   * @param updatedAt epoch seconds of the last update
   */
  public record Context(String userId, String characterId, String sessionId, JsonArray turns,
      List<String> activeEntities, String currentLocation, String emotionalTone, long turnsTotal, long updatedAt)
      implements Contract {

    public static Context fromJson(JsonObject j) {
      return new Context(j.getString("user_id"), j.getString("character_id"), j.getString("session_id"),
          j.getJsonArray("turns", new JsonArray()), Json.strings(j, "active_entities"),
          j.getString("current_location"), j.getString("emotional_tone"), j.getLong("turns_total", 0L),
          j.getLong("updated_at", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("session_id", sessionId)
          .put("turns", turns).put("active_entities", Json.array(activeEntities))
          .put("current_location", currentLocation).put("emotional_tone", emotionalTone)
          .put("turns_total", turnsTotal).put("updated_at", updatedAt);
    }
  }
}
