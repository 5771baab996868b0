package verticles.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import verticles.contracts.SessionMemory;

/** An update applied to a stored context, in memory: the embedded store's half of what Redis's script does. */
final class Contexts {
  private Contexts() {}

  /**
   * The stored form after {@code update}: {turns, active_entities, current_location, emotional_tone, turns_total,
   * updated_at}; null when a merge finds nothing to merge into.
   */
  static JsonObject apply(JsonObject stored, SessionMemory.Update update, int maxTurns, long now) {
    if (stored == null && update.mode().equals("merge")) {
      return null;
    }
    JsonObject next = stored == null || update.mode().equals("replace") ? new JsonObject().put("turns", new JsonArray())
        .put("turns_total", 0L) : stored.copy();
    JsonObject fields = update.fields();
    for (String field : SessionMemory.FIELDS) {
      if (!fields.containsKey(field) || field.equals("turns")) {
        continue;
      }
      if (fields.getValue(field) == null) {
        next.remove(field);
      } else {
        next.put(field, fields.getValue(field));
      }
    }
    JsonArray turns = next.getJsonArray("turns").copy();
    JsonArray added = fields.getJsonArray("turns", new JsonArray());
    turns.addAll(added);
    while (turns.size() > maxTurns) {
      turns.remove(0);
    }
    return next.put("turns", turns).put("turns_total", next.getLong("turns_total", 0L) + added.size())
        .put("updated_at", now);
  }

  /** The reply for a stored form. */
  static SessionMemory.Context context(SessionMemory.Get key, JsonObject stored) {
    return SessionMemory.Context.fromJson(stored.copy().mergeIn(key.toJson()));
  }
}
