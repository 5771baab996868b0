package verticles.vectorsearch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import verticles.shared.Timestamps;

/**
 * One memory in the vector index (the seed's VikingDB collection plus provenance).
 *
 * @param id unique id (deterministic, so replays overwrite rather than duplicate)
 * @param taskId the generation task that produced it (null for imported memories)
 * @param memoryType summary / event / profile / message / entity
 * @param timestamp epoch seconds
 * @param importance 1..10
 * @param sourceMsgIds ids of the messages it came from
 * @param vector embedding, may be null before embedding
 */
public record MemoryRecord(
    String id,
    String taskId,
    String userId,
    String characterId,
    String memoryType,
    String content,
    long timestamp,
    int importance,
    String sessionId,
    List<String> sourceMsgIds,
    JsonObject metadata,
    float[] vector) {

  /**
   * What is embedded and keyword-indexed. For a message: "speaker: text" followed by its neighbouring turns
   * ({@code metadata.speaker}, {@code metadata.context}, set at extraction), so a question that names the
   * speaker or is answered across a question-and-reply pair still finds it. The content itself stays verbatim.
   */
  public String indexText() {
    String text = content == null ? "" : content;
    if (metadata == null) {
      return text;
    }
    String speaker = metadata.getString("speaker");
    String context = metadata.getString("context");
    StringBuilder b = new StringBuilder();
    if (speaker != null && !speaker.isBlank()) {
      b.append(speaker).append(": ");
    }
    b.append(text);
    if (context != null && !context.isBlank()) {
      b.append('\n').append(context);
    }
    return b.toString();
  }

  /**
   * Why recall cannot show this record as a memory, or null when it can: no id or content, or a time no date shows
   * (a record stored before timestamps were range-checked). Recall skips such a record; the index write refuses it.
   */
  public String defect() {
    if (id == null || id.isBlank()) {
      return "it has no id";
    }
    if (content == null) {
      return "it has no content";
    }
    if (!Timestamps.shown(timestamp)) {
      return "its timestamp " + timestamp + " is no date";
    }
    return null;
  }

  public MemoryRecord withVector(float[] v) {
    return new MemoryRecord(id, taskId, userId, characterId, memoryType, content, timestamp, importance, sessionId,
        sourceMsgIds, metadata, v);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("task_id", taskId)
        .put("user_id", userId)
        .put("character_id", characterId)
        .put("memory_type", memoryType)
        .put("content", content)
        .put("timestamp", timestamp)
        .put("importance", importance)
        .put("session_id", sessionId)
        .put("source_msg_ids", new JsonArray(sourceMsgIds == null ? List.of() : sourceMsgIds))
        .put("metadata", metadata == null ? new JsonObject() : metadata);
  }

  public static MemoryRecord fromJson(JsonObject j) {
    JsonArray ids = j.getJsonArray("source_msg_ids", new JsonArray());
    return new MemoryRecord(
        j.getString("id"),
        j.getString("task_id"),
        j.getString("user_id"),
        j.getString("character_id"),
        j.getString("memory_type"),
        j.getString("content"),
        j.getLong("timestamp", 0L),
        j.getInteger("importance", 5),
        j.getString("session_id"),
        ids.stream().map(String::valueOf).toList(),
        j.getJsonObject("metadata", new JsonObject()),
        null);
  }
}
