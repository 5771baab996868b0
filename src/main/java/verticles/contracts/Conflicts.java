package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Conflicts between an owner's memories ({@code memory.conflicts.*}): the detector's judgement of new memories
 * against their neighbours, and the stored reports with their review (list, get, resolve). A request names the
 * caller's {@code tenant}: a report of another tenant's memories does not exist for it (404).
 */
public final class Conflicts {
  private Conflicts() {}

  public static final List<String> TYPES = List.of("duplicate", "outdated", "contradiction", "inconsistent");
  public static final List<String> STATUSES = List.of("open", "resolved");

  /**
   * {@code memory.conflicts.detect}: how each of {@code memories} (new or just changed; each {@code {id, memory_type,
   * content, timestamp, metadata, at}}, {@code at} the time the statement was made, epoch seconds) stands to the
   * owner's other memories. {@code exclude}: ids never to compare with (the same task's other memories).
   */
  public record Detect(String userId, String characterId, List<JsonObject> memories, List<String> exclude)
      implements Contract {
    public static Detect fromJson(JsonObject j) {
      return new Detect(Json.present(j, "user_id"), Json.present(j, "character_id"), Json.objects(j, "memories"),
          Json.strings(j, "exclude"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId)
          .put("memories", Json.array(memories)).put("exclude", Json.array(exclude));
    }
  }

  /**
   * The findings, each {@code {memory_id, type, severity, evidence[], suggested_resolution, detector, cosine, other:
   * {id, memory_type, content, timestamp, metadata}}}: {@code memory_id} the new memory, {@code other} the stored
   * one it clashes with. Only conflicts: a memory that clashes with nothing has no finding.
   */
  public record Detected(JsonArray findings) implements Contract {
    public static Detected fromJson(JsonObject j) {
      return new Detected(j.getJsonArray("findings", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("findings", findings);
    }
  }

  /** {@code memory.conflicts.list}: newest first, a page after {@code cursor}; every filter optional. */
  public record Query(String tenant, String userId, String characterId, String status, String type, String cursor,
      int limit) implements Contract {
    public static Query fromJson(JsonObject j) {
      Integer limit = Json.integer(j, "limit", 1, 500);
      return new Query(j.getString("tenant"), j.getString("user_id"), j.getString("character_id"),
          j.getString("status"), j.getString("type"), j.getString("cursor"), limit == null ? 50 : limit);
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("user_id", userId).put("character_id", characterId)
          .put("status", status).put("type", type).put("cursor", cursor).put("limit", limit);
    }
  }

  /** A page of reports, and the cursor of the next one (null: this was the last). */
  public record Page(JsonArray conflicts, String nextCursor) implements Contract {
    public static Page fromJson(JsonObject j) {
      return new Page(j.getJsonArray("conflicts", new JsonArray()), j.getString("next_cursor"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("conflicts", conflicts).put("next_cursor", nextCursor);
    }
  }

  /** {@code memory.conflicts.get}. */
  public record Get(String conflictId, String tenant) implements Contract {
    public static Get fromJson(JsonObject j) {
      return new Get(Json.required(j, "conflict_id"), j.getString("tenant"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("conflict_id", conflictId).put("tenant", tenant);
    }
  }

  /**
   * A report as the API shows it: {@code conflict_id, memory_id, type, version_a, version_b, content_a, content_b,
   * severity, evidence, suggested_resolution, detected_at, resolved} (the seed's fields), and {@code memory_a,
   * memory_b, user_id, character_id, detector, resolution, resolved_at, resolved_by}. The reply of get and resolve.
   */
  public record Report(JsonObject conflict) implements Contract {
    public static Report fromJson(JsonObject j) {
      return new Report(j);
    }

    @Override
    public JsonObject toJson() {
      return conflict;
    }
  }

  /**
   * {@code memory.conflicts.resolve}: exactly one of {@code strategy} (timestamp_first, confidence_first, merge),
   * {@code keep} ("a" or "b") or {@code content} (the text that holds, written as a new version of b).
   */
  public record Resolve(String conflictId, String tenant, String strategy, String keep, String content, String reason,
      String actor) implements Contract {
    public static Resolve fromJson(JsonObject j) {
      return new Resolve(Json.required(j, "conflict_id"), j.getString("tenant"), j.getString("strategy"),
          j.getString("keep"), j.getString("content"), j.getString("reason"), j.getString("actor", "api"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("conflict_id", conflictId).put("tenant", tenant).put("strategy", strategy)
          .put("keep", keep).put("content", content).put("reason", reason).put("actor", actor);
    }
  }
}
