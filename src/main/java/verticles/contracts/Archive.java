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

  /**
   * {@code memory.archive.export}: opens {@code exports/{user}/full_export_{exportedAt}.json} for writing; the reply
   * is an {@link ExportSink}, to which the export is sent as {@link Chunk}s.
   */
  public record Export(String userId, long exportedAtMs) implements Contract {
    public static Export fromJson(JsonObject j) {
      return new Export(Json.required(j, "user_id"), j.getLong("exported_at", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("exported_at", exportedAtMs);
    }
  }

  /** Where an export's chunks go (an address of the one Archiver instance writing it), and the object it becomes. */
  public record ExportSink(String address, String path) implements Contract {
    public static ExportSink fromJson(JsonObject j) {
      return new ExportSink(Json.required(j, "address"), Json.required(j, "path"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("address", address).put("path", path);
    }
  }

  /**
   * One piece of a streamed document, answered with {@link Written} (the bytes so far) once it is taken: the sender
   * waits for that before the next, so neither end holds more than a piece. {@code last} completes the document,
   * {@code abort} drops it.
   */
  public record Chunk(String text, boolean last, boolean abort) implements Contract {
    public static Chunk fromJson(JsonObject j) {
      return new Chunk(j.getString("text", ""), j.getBoolean("last", false), j.getBoolean("abort", false));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("text", text).put("last", last).put("abort", abort);
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

  /** {@code memory.archive.read}: a session's archived conversation, replied as {@link Conversation}; 404 when none. */
  public record Read(String userId, String characterId, String sessionId) implements Contract {
    public static Read fromJson(JsonObject j) {
      return new Read(Json.required(j, "user_id"), Json.required(j, "character_id"), Json.required(j, "session_id"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("session_id", sessionId);
    }
  }

  /** @param messages each {msg_id, role, name?, content, timestamp}, in time order */
  public record Conversation(String sessionId, String userId, String characterId, String archivePath,
      JsonArray messages) implements Contract {
    public static Conversation fromJson(JsonObject j) {
      return new Conversation(j.getString("session_id"), j.getString("user_id"), j.getString("character_id"),
          j.getString("archive_path"), j.getJsonArray("messages", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("session_id", sessionId).put("user_id", userId).put("character_id", characterId)
          .put("archive_path", archivePath).put("messages", messages);
    }
  }
}
