package verticles.structured;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entities read lately, for {@code ttlMs} (seed 003: 30 minutes), at most {@code max} (least recently read go first).
 * One per EntityVerticle instance, used on its event loop only; every change is published to all instances
 * ({@code memory.entities.cache-clear}), which drop the entity, so a read after a change never sees the old one.
 */
final class EntityCache {
  private record Entry(JsonObject entity, long until) {}

  private final long ttlMs;
  private final Map<String, Entry> entries;

  EntityCache(long ttlMs, int max) {
    this.ttlMs = ttlMs;
    this.entries = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > max;
      }
    };
  }

  private static String key(String user, String character, String id) {
    return user + '\u0000' + character + '\u0000' + id;
  }

  /** A copy of the cached entity, or null. */
  JsonObject get(String user, String character, String id) {
    String key = key(user, character, id);
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (e.until() < System.currentTimeMillis()) {
      entries.remove(key);
      return null;
    }
    return e.entity().copy();
  }

  void put(String user, String character, String id, JsonObject entity) {
    if (ttlMs > 0) {
      entries.put(key(user, character, id), new Entry(entity.copy(), System.currentTimeMillis() + ttlMs));
    }
  }

  void drop(String user, String character, String id) {
    entries.remove(key(user, character, id));
  }

  int size() {
    return entries.size();
  }
}
