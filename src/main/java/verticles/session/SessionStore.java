package verticles.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import verticles.contracts.SessionMemory;

/**
 * Where session contexts live: each update is atomic (no turn of a concurrent update is lost), refreshes the TTL
 * and keeps the last {@code max_turns} turns.
 */
interface SessionStore {
  /** The session's context, or null when there is none (never set, or expired). */
  Future<SessionMemory.Context> get(SessionMemory.Get key);

  /** Applies the update atomically; the context after it, or null for a merge on a missing context. */
  Future<SessionMemory.Context> update(SessionMemory.Update update, long nowSeconds);

  /** Deletes every context of the user (and character, when not null); how many sessions there were. */
  Future<Long> forget(String userId, String characterId);

  Future<Void> close();

  /** The start of the keys of every session of the user (and character, when not null). */
  static String prefix(String userId, String characterId) {
    String ids = (characterId == null ? new JsonArray().add(userId) : new JsonArray().add(userId).add(characterId))
        .encode();
    return "engram:session:" + ids.substring(0, ids.length() - 1) + ",";
  }

  /**
   * The store's key of a session: its three ids as a JSON array, so no id (which may hold ':') can run into another.
   */
  static String key(SessionMemory.Get k) {
    return "engram:session:" + new JsonArray().add(k.userId()).add(k.characterId()).add(k.sessionId()).encode();
  }
}
