package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Object storage ({@code memory.archive.*}, Archiver). {@code memory.archive.write} takes a {@link Memories.Write};
 * {@code memory.archive.forget} a {@link Owner} and replies {@link Deleted}.
 */
public final class Archive {
  private Archive() {}

  /** The reply of an archive write; path null when the owner was forgotten. */
  public record Archived(String archivePath) implements Contract {
    public static Archived fromJson(JsonObject j) {
      return new Archived(j.getString("archive_path"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("archive_path", archivePath);
    }
  }

  /**
   * {@code memory.archive.usage}: a user's conversation archives and exports (a character's conversations only),
   * or the whole store without a user. @param keys list each object
   */
  public record Usage(String userId, String characterId, boolean keys) implements Contract {
    public static Usage fromJson(JsonObject j) {
      return new Usage(j.getString("user_id"), j.getString("character_id"), j.getBoolean("keys", false));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("keys", keys);
    }
  }

  public record StoredObject(String path, long bytes) implements Contract {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("path", path).put("bytes", bytes);
    }
  }

  /** @param keys null unless asked */
  public record Used(long objects, long bytes, List<StoredObject> keys) implements Contract {
    public static Used fromJson(JsonObject j) {
      JsonArray keys = j.getJsonArray("keys");
      return new Used(j.getLong("objects", 0L), j.getLong("bytes", 0L), keys == null ? null
          : Json.objects(keys).stream().map(k -> new StoredObject(k.getString("path"), k.getLong("bytes", 0L))).toList());
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("objects", objects).put("bytes", bytes);
      if (keys != null) {
        JsonArray a = new JsonArray();
        keys.forEach(k -> a.add(k.toJson()));
        j.put("keys", a);
      }
      return j;
    }
  }

  /** {@code memory.archive.export}: writes {@code exports/{user}/full_export_{exportedAt}.json}. */
  public record Export(String userId, long exportedAtMs, JsonObject export) implements Contract {
    public static Export fromJson(JsonObject j) {
      return new Export(Json.required(j, "user_id"), j.getLong("exported_at", 0L), j.getJsonObject("export"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("exported_at", exportedAtMs).put("export", export);
    }
  }

  public record Written(String path, long bytes) implements Contract {
    public static Written fromJson(JsonObject j) {
      return new Written(j.getString("path"), j.getLong("bytes", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("path", path).put("bytes", bytes);
    }
  }
}
