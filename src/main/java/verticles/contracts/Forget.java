package verticles.contracts;

import io.vertx.core.json.JsonObject;

/**
 * Forgetting a user ({@code memory.forget.*}, {@code memory.admin.forget}): the tombstone, the deletes in resumable
 * order, and the check every write path makes. Requests name a {@link Owner} (user required).
 */
public final class Forget {
  private Forget() {}

  /** The reply of {@code memory.forget.tombstone}. @param forgottenAt epoch ms */
  public record Tombstone(long forgottenAt) implements Contract {
    public static Tombstone fromJson(JsonObject j) {
      return new Tombstone(j.getLong("forgotten_at"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("forgotten_at", forgottenAt);
    }
  }

  /** The reply of {@code memory.forget.tasks}: tasks (any status) and buffered messages deleted. */
  public record TasksDeleted(long tasks, long bufferedMessages) implements Contract {
    public static TasksDeleted fromJson(JsonObject j) {
      return new TasksDeleted(j.getLong("tasks", 0L), j.getLong("buffered_messages", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("tasks", tasks).put("buffered_messages", bufferedMessages);
    }
  }

  /** The reply of {@code memory.forget.rows}: rows deleted, and tasks or messages that arrived during the forget. */
  public record RowsDeleted(long profiles, long events, long summaries, long memories, long versions, long lateTasks,
      long lateBufferedMessages) implements Contract {
    public static RowsDeleted fromJson(JsonObject j) {
      return new RowsDeleted(j.getLong("profiles", 0L), j.getLong("events", 0L), j.getLong("summaries", 0L),
          j.getLong("memories", 0L), j.getLong("versions", 0L), j.getLong("late_tasks", 0L),
          j.getLong("late_buffered_messages", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("profiles", profiles).put("events", events).put("summaries", summaries)
          .put("memories", memories).put("versions", versions).put("late_tasks", lateTasks)
          .put("late_buffered_messages", lateBufferedMessages);
    }
  }

  /**
   * {@code memory.forget.check}: must a write be refused? Yes when the owner was forgotten and what is written was
   * created no later than that: by the task's row (gone, or created before), else by {@code createdAtMs} (default now).
   */
  public record Check(String taskId, String userId, String characterId, Long createdAtMs) implements Contract {
    public static Check fromJson(JsonObject j) {
      return new Check(j.getString("task_id"), j.getString("user_id"), j.getString("character_id"),
          j.getLong("created_at"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("user_id", userId).put("character_id", characterId)
          .put("created_at", createdAtMs);
    }
  }

  public record Checked(boolean forgotten) implements Contract {
    public static Checked fromJson(JsonObject j) {
      return new Checked(j.getBoolean("forgotten", false));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("forgotten", forgotten);
    }
  }

  /** The reply of {@code memory.admin.forget}: what was deleted where. @param forgottenAt epoch ms */
  public record Forgotten(String userId, String characterId, long forgottenAt, Deleted deleted) implements Contract {
    public static Forgotten fromJson(JsonObject j) {
      return new Forgotten(j.getString("user_id"), j.getString("character_id"), j.getLong("forgotten_at"),
          Deleted.fromJson(j.getJsonObject("deleted", new JsonObject())));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("forgotten_at", forgottenAt)
          .put("deleted", deleted.toJson());
    }
  }

  /** Counts of a forget, per store. */
  public record Deleted(long tasks, long bufferedMessages, long indexRecords, long archiveObjects, long profiles,
      long events, long summaries, long memories, long versions) implements Contract {
    public static Deleted fromJson(JsonObject j) {
      return new Deleted(j.getLong("tasks", 0L), j.getLong("buffered_messages", 0L), j.getLong("index_records", 0L),
          j.getLong("archive_objects", 0L), j.getLong("profiles", 0L), j.getLong("events", 0L),
          j.getLong("summaries", 0L), j.getLong("memories", 0L), j.getLong("versions", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("tasks", tasks).put("buffered_messages", bufferedMessages)
          .put("index_records", indexRecords).put("archive_objects", archiveObjects).put("profiles", profiles)
          .put("events", events).put("summaries", summaries).put("memories", memories).put("versions", versions);
    }
  }
}
