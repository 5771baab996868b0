package verticles.contracts;

import io.vertx.core.json.JsonObject;

/**
 * Operators' addresses ({@code memory.admin.*}, AdminVerticle). {@code memory.admin.forget} takes a
 * {@link Owner} and replies {@link Forget.Forgotten}; {@code memory.admin.retry} takes a {@link Tasks.Id}.
 */
public final class Admin {
  private Admin() {}

  /**
   * {@code memory.admin.export}: everything kept about a user, written to object storage a page at a time; the reply
   * is the file's {@link Archive.Written}.
   *
   * @param tenant the caller's tenant: the export's ids are written in the client's own ids (null: as stored)
   * @param replyTo where the document also goes, as {@link Archive.Chunk}s, with its {@code path} first (null: only
   *     to the file)
   */
  public record ExportRequest(String userId, String characterId, String tenant, String replyTo) implements Contract {
    public static ExportRequest fromJson(JsonObject j) {
      return new ExportRequest(j.getString("user_id"), j.getString("character_id"), j.getString("tenant"),
          j.getString("reply_to"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("tenant", tenant)
          .put("reply_to", replyTo);
    }
  }

  /**
   * The reply of {@code memory.admin.stats}: of one user (and character), or of everything (user null, with the
   * number of users).
   */
  public record Stats(String userId, String characterId, Structured.Stats rows, VectorStore.Counts index,
      Archive.Used archive) implements Contract {

    public static Stats fromJson(JsonObject j) {
      JsonObject memories = j.getJsonObject("memories", new JsonObject());
      JsonObject storage = j.getJsonObject("storage", new JsonObject());
      Structured.Stats rows = new Structured.Stats(j.getLong("users"), memories.getLong("profiles", 0L),
          memories.getLong("events", 0L), memories.getLong("summaries", 0L), j.getLong("buffered_messages", 0L),
          Tasks.Counts.fromJson(j.getJsonObject("tasks", new JsonObject())), storage.getLong("mysql_bytes", 0L));
      return new Stats(j.getString("user_id"), j.getString("character_id"), rows,
          VectorStore.Counts.fromJson(j.getJsonObject("index", new JsonObject())),
          new Archive.Used(storage.getLong("archive_objects", 0L), storage.getLong("archive_bytes", 0L), null));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject();
      if (userId != null) {
        j.put("user_id", userId).put("character_id", characterId);
      }
      if (rows.users() != null) {
        j.put("users", rows.users());
      }
      return j.put("memories", new JsonObject().put("profiles", rows.profiles()).put("events", rows.events())
              .put("summaries", rows.summaries()))
          .put("index", index.toJson())
          .put("tasks", rows.tasks().toJson())
          .put("buffered_messages", rows.bufferedMessages())
          .put("storage", new JsonObject().put("archive_objects", archive.objects())
              .put("archive_bytes", archive.bytes()).put("mysql_bytes", rows.mysqlBytes())
              .put("total_bytes", archive.bytes() + rows.mysqlBytes()));
    }
  }

  /** The reply of {@code memory.admin.retry}: the task is pending again with a fresh retry budget. */
  public record Retried(String taskId) implements Contract {
    public static Retried fromJson(JsonObject j) {
      return new Retried(j.getString("task_id"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("status", TaskStatus.PENDING.wire()).put("retry_count", 0);
    }
  }
}
