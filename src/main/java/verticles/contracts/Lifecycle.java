package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One memory's life ({@code memory.memories.*}): read, list, correct, delete, restore, its history and a comparison
 * of two versions. A request names the caller's {@code tenant}: a memory whose owner is not of that tenant does not
 * exist for it (404). A null tenant is a co-located caller, trusted with every tenant's ids.
 */
public final class Lifecycle {
  private Lifecycle() {}

  /** {@code memory.memories.get}. */
  public record Get(String memoryId, String tenant) implements Contract {
    public static Get fromJson(JsonObject j) {
      return new Get(Json.required(j, "memory_id"), j.getString("tenant"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("tenant", tenant);
    }
  }

  /**
   * A memory as the API shows it: {@code id, user_id, character_id, memory_type, category, content, importance,
   * confidence, metadata, source, provenance {session_id, task_id, msg_ids}, status, version, created_at, updated_at,
   * valid_from, valid_to} (times in epoch seconds). The reply of get, create, update and restore.
   */
  public record Memory(JsonObject memory) implements Contract {
    public static Memory fromJson(JsonObject j) {
      return new Memory(j);
    }

    @Override
    public JsonObject toJson() {
      return memory;
    }
  }

  /**
   * {@code memory.memories.list}: newest first (by creation, then id), a page after {@code cursor}. Every filter is
   * optional; without a user, every user of the tenant. {@code metadata}: key → value, each must equal the memory's
   * metadata value (as text).
   */
  public record Query(String tenant, String userId, String characterId, String type, String category, String status,
      Long since, Long until, String cursor, int limit, JsonObject metadata) implements Contract {
    public static Query fromJson(JsonObject j) {
      int limit = j.getInteger("limit", 50);
      if (limit < 1 || limit > 500) {
        throw new IllegalArgumentException("limit must be between 1 and 500");
      }
      return new Query(j.getString("tenant"), j.getString("user_id"), j.getString("character_id"), j.getString("type"),
          j.getString("category"), j.getString("status"), j.getLong("since"), j.getLong("until"), j.getString("cursor"),
          limit, j.getJsonObject("metadata", new JsonObject()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("user_id", userId).put("character_id", characterId)
          .put("type", type).put("category", category).put("status", status).put("since", since).put("until", until)
          .put("cursor", cursor).put("limit", limit).put("metadata", metadata);
    }
  }

  /** A page of memories, and the cursor of the next one (null: this was the last). */
  public record Page(JsonArray memories, String nextCursor) implements Contract {
    public static Page fromJson(JsonObject j) {
      return new Page(j.getJsonArray("memories", new JsonArray()), j.getString("next_cursor"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memories", memories).put("next_cursor", nextCursor);
    }
  }

  /** {@code memory.memories.history}: versions after {@code afterVersion}, oldest first. */
  public record HistoryQuery(String memoryId, String tenant, int afterVersion, int limit) implements Contract {
    public static HistoryQuery fromJson(JsonObject j) {
      return new HistoryQuery(Json.required(j, "memory_id"), j.getString("tenant"), j.getInteger("after_version", 0),
          Math.max(1, Math.min(j.getInteger("limit", 100), 1000)));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("tenant", tenant).put("after_version", afterVersion)
          .put("limit", limit);
    }
  }

  /**
   * The versions of a memory, each {@code {version, op, content, importance, category, confidence, metadata, status,
   * valid_from, valid_to, provenance, changed, reason, actor, at}}.
   */
  public record History(String memoryId, JsonArray versions) implements Contract {
    public static History fromJson(JsonObject j) {
      return new History(j.getString("memory_id"), j.getJsonArray("versions", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("versions", versions);
    }
  }

  /** {@code memory.memories.compare}: versions a and b of one memory. */
  public record Compare(String memoryId, String tenant, int a, int b) implements Contract {
    public static Compare fromJson(JsonObject j) {
      return new Compare(Json.required(j, "memory_id"), j.getString("tenant"), j.getInteger("a", 0),
          j.getInteger("b", 0));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("tenant", tenant).put("a", a).put("b", b);
    }
  }

  /**
   * What differs from version a to b: {@code changes} {@code [{field, a, b}]}, and {@code diff} of the content:
   * {@code unified} (a unified diff by line) and {@code edits} {@code [{type, a_position, a_text, b_position, b_text}]}
   * by word (a CJK character is a word).
   */
  public record Comparison(String memoryId, int a, int b, JsonArray changes, JsonObject diff) implements Contract {
    public static Comparison fromJson(JsonObject j) {
      return new Comparison(j.getString("memory_id"), j.getInteger("a", 0), j.getInteger("b", 0),
          j.getJsonArray("changes", new JsonArray()), j.getJsonObject("diff", new JsonObject()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("a", a).put("b", b).put("changes", changes)
          .put("diff", diff);
    }
  }

  /**
   * {@code memory.memories.update}: a correction, a new version. {@code changes} holds only what changes, of
   * {@code content, importance, category, metadata} (merged: a null value removes the key) and {@code valid_to}
   * (epoch s; null reopens). {@code ifMatch}: the version the caller saw (412 when the memory moved on); when
   * {@code requireIfMatch} and it is missing, 428.
   */
  public record Update(String memoryId, String tenant, Integer ifMatch, boolean requireIfMatch, JsonObject changes,
      String reason, String actor) implements Contract {
    public static Update fromJson(JsonObject j) {
      return new Update(Json.required(j, "memory_id"), j.getString("tenant"), j.getInteger("if_match"),
          j.getBoolean("require_if_match", false), j.getJsonObject("changes", new JsonObject()), j.getString("reason"),
          j.getString("actor", "system"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("tenant", tenant).put("if_match", ifMatch)
          .put("require_if_match", requireIfMatch).put("changes", changes).put("reason", reason).put("actor", actor);
    }
  }

  /**
   * {@code memory.memories.delete}: soft (a new version with status deleted, out of the index, restorable) or
   * {@code hard} (the memory and every version erased from MySQL, the index and the query cache).
   */
  public record Delete(String memoryId, String tenant, Integer ifMatch, boolean hard, String reason, String actor)
      implements Contract {
    public static Delete fromJson(JsonObject j) {
      return new Delete(Json.required(j, "memory_id"), j.getString("tenant"), j.getInteger("if_match"),
          j.getBoolean("hard", false), j.getString("reason"), j.getString("actor", "system"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("tenant", tenant).put("if_match", ifMatch)
          .put("hard", hard).put("reason", reason).put("actor", actor);
    }
  }

  /** The reply of a delete: soft, with the deleted version; hard, with how many versions were erased. */
  public record Deleted(String memoryId, boolean hard, int version, String status, int versionsErased)
      implements Contract {
    public static Deleted fromJson(JsonObject j) {
      return new Deleted(j.getString("id"), j.getBoolean("hard", false), j.getInteger("version", 0),
          j.getString("status"), j.getInteger("versions_erased", 0));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("id", memoryId).put("hard", hard).put("version", version).put("status", status)
          .put("versions_erased", versionsErased);
    }
  }

  /** {@code memory.memories.restore}: a new version equal to {@code version} (active again if it was deleted). */
  public record Restore(String memoryId, String tenant, Integer ifMatch, int version, String reason, String actor)
      implements Contract {
    public static Restore fromJson(JsonObject j) {
      return new Restore(Json.required(j, "memory_id"), j.getString("tenant"), j.getInteger("if_match"),
          j.getInteger("version", 0), j.getString("reason"), j.getString("actor", "system"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("tenant", tenant).put("if_match", ifMatch)
          .put("version", version).put("reason", reason).put("actor", actor);
    }
  }

  /**
   * {@code memory.memories.create}: a memory that arrives already extracted (an import), as an index record's JSON
   * ({@code id, user_id, character_id, memory_type, content, timestamp, importance, session_id, source_msg_ids,
   * metadata}). Writing one that exists with the same content changes nothing.
   *
   * @param createdAtMs when the request began: a forget after it refuses the write (410)
   */
  public record Create(JsonObject record, String category, String source, String actor, long createdAtMs)
      implements Contract {
    public static Create fromJson(JsonObject j) {
      return new Create(j.getJsonObject("record", new JsonObject()), j.getString("category"),
          j.getString("source", "import"), j.getString("actor", "system"), j.getLong("created_at", 0L));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("record", record).put("category", category).put("source", source)
          .put("actor", actor).put("created_at", createdAtMs);
    }
  }

  /** Where a page of a list ended: the last memory's creation time (epoch ms) and id, as an opaque token. */
  public record Cursor(long createdAtMs, String memoryId) {
    /** Reads a token this service gave out; anything else is a 400. */
    public static Cursor parse(String token) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return new Cursor(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor is not one this service gave out");
      }
    }

    public String token() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString((createdAtMs + ":" + memoryId)
          .getBytes(StandardCharsets.UTF_8));
    }
  }
}
