package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** The task outbox's addresses ({@code memory.tasks.*}): rows of {@code memory_generation_tasks}. */
public final class Tasks {
  private Tasks() {}

  /**
   * A task as the extractor receives it (the Kafka record's value, the outbox's publish body): the conversation to
   * remember. @param createdAt epoch seconds
   */
  public record Work(String taskId, String userId, String characterId, String sessionId, String trigger,
      JsonArray messages, long createdAt) implements Contract {

    public static Work fromJson(JsonObject j) {
      return new Work(j.getString("task_id"), j.getString("user_id"), j.getString("character_id"),
          j.getString("session_id"), j.getString("trigger"), j.getJsonArray("messages", new JsonArray()),
          j.getLong("created_at", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("user_id", userId).put("character_id", characterId)
          .put("session_id", sessionId).put("trigger", trigger).put("messages", messages).put("created_at", createdAt);
    }
  }

  /** A task row's state. Times are epoch seconds; null until they happen. */
  public record Row(String taskId, String userId, String characterId, String sessionId, TaskStatus status,
      int retryCount, int maxRetries, String trigger, Long createdAt, Long startedAt, Long completedAt,
      String errorMessage) implements Contract {

    public static Row fromJson(JsonObject j) {
      return new Row(j.getString("task_id"), j.getString("user_id"), j.getString("character_id"),
          j.getString("session_id"), TaskStatus.of(j.getString("status")), j.getInteger("retry_count", 0),
          j.getInteger("max_retries", 0), j.getString("trigger"), j.getLong("created_at"), j.getLong("started_at"),
          j.getLong("completed_at"), j.getString("error_message"));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("task_id", taskId).put("user_id", userId).put("character_id", characterId)
          .put("session_id", sessionId).put("status", status.wire()).put("retry_count", retryCount)
          .put("max_retries", maxRetries).put("trigger", trigger).put("created_at", createdAt)
          .put("started_at", startedAt).put("completed_at", completedAt);
      if (errorMessage != null) {
        j.put("error_message", errorMessage);
      }
      return j;
    }
  }

  /** {@code memory.tasks.create}: a finished session to remember. @param sessionId null: a new one */
  public record Create(String userId, String characterId, String sessionId, String trigger, JsonArray messages) implements Contract {

    public static Create fromJson(JsonObject j) {
      return new Create(j.getString("user_id"), j.getString("character_id"), j.getString("session_id"),
          j.getString("trigger", "session_end"), Sessions.requireTimes(j.getJsonArray("messages")));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("session_id", sessionId)
          .put("trigger", trigger).put("messages", messages);
    }
  }

  /** {@code memory.tasks.get}, {@code memory.tasks.retry}, {@code memory.admin.retry}: one task by id. */
  public record Id(String taskId) implements Contract {
    public static Id fromJson(JsonObject j) {
      return new Id(j.getString("task_id"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId);
    }
  }

  /**
   * {@code memory.tasks.claim}: marks the task processing unless it ended; replies its {@link Row} (status
   * {@code processing}: the caller owns this attempt), or {@code {task_id, status: forgotten}}, or null (no task).
   * The owner is the record's, for a task whose row a forget already deleted.
   */
  public record Claim(String taskId, String userId, String characterId) implements Contract {
    public static Claim fromJson(JsonObject j) {
      return new Claim(j.getString("task_id"), j.getString("user_id"), j.getString("character_id"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("user_id", userId).put("character_id", characterId);
    }
  }

  /** {@code memory.tasks.fail}: a failed attempt. @param permanent no retry (a malformed task) */
  public record Fail(String taskId, String error, boolean permanent) implements Contract {
    public static Fail fromJson(JsonObject j) {
      return new Fail(j.getString("task_id"), j.getString("error"), j.getBoolean("permanent", false));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("error", error).put("permanent", permanent);
    }
  }

  /** The reply of a fail (null when the row is gone): pending again with a later attempt, failed, or completed. */
  public record Failed(TaskStatus status, Integer retryCount) implements Contract {
    public static Failed fromJson(JsonObject j) {
      return new Failed(TaskStatus.of(j.getString("status")), j.getInteger("retry_count"));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("status", status.wire());
      if (retryCount != null) {
        j.put("retry_count", retryCount);
      }
      return j;
    }
  }

  /** {@code memory.tasks.pending}: tasks never published (Kafka was down) or whose retry is due. */
  public record Due(int limit, long unpublishedAfterMs) implements Contract {
    public static Due fromJson(JsonObject j) {
      return new Due(j.getInteger("limit", 100), j.getLong("unpublished_after_ms", 10_000L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("limit", limit).put("unpublished_after_ms", unpublishedAfterMs);
    }
  }

  /** Tasks to publish: the reply of pending, idle-session cuts, retry and requeue ({@code skipped}: not requeued). */
  public record Batch(List<Work> tasks, int skipped) implements Contract {
    public static Batch of(List<Work> tasks) {
      return new Batch(tasks, 0);
    }

    public static Batch fromJson(JsonObject j) {
      return new Batch(Json.objects(j, "tasks").stream().map(Work::fromJson).toList(), j.getInteger("skipped", 0));
    }

    @Override

    public JsonObject toJson() {
      JsonArray out = new JsonArray();
      tasks.forEach(t -> out.add(t.toJson()));
      return new JsonObject().put("tasks", out).put("skipped", skipped);
    }
  }

  /** {@code memory.tasks.published}, {@code memory.tasks.requeue}: tasks by id. */
  public record Ids(List<String> taskIds) implements Contract {
    public static Ids fromJson(JsonObject j) {
      return new Ids(Json.strings(j, "task_ids"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_ids", Json.array(taskIds));
    }
  }

  /** How many rows a write changed. */
  public record Updated(long updated) implements Contract {
    public static Updated fromJson(JsonObject j) {
      return new Updated(j.getLong("updated", 0L));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("updated", updated);
    }
  }

  /** The longest task list (the HTTP list's query says the same). */
  public static final int MAX_LIST = 500;

  /** {@code memory.tasks.list}: newest first. @param tenant only this tenant's tasks (null: every tenant's) */
  public record Query(TaskStatus status, String userId, String tenant, int limit) implements Contract {
    public static Query fromJson(JsonObject j) {
      String status = j.getString("status");
      Integer limit = Json.integer(j, "limit", 1, MAX_LIST);
      return new Query(status == null ? null : TaskStatus.of(status), j.getString("user_id"), j.getString("tenant"),
          limit == null ? 50 : limit);
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("status", status == null ? null : status.wire()).put("user_id", userId)
          .put("tenant", tenant).put("limit", limit);
    }
  }

  public record Rows(List<Row> tasks) implements Contract {
    public static Rows fromJson(JsonObject j) {
      return new Rows(Json.objects(j, "tasks").stream().map(Row::fromJson).toList());
    }

    @Override

    public JsonObject toJson() {
      JsonArray out = new JsonArray();
      tasks.forEach(t -> out.add(t.toJson()));
      return new JsonObject().put("tasks", out);
    }
  }

  /** {@code memory.tasks.counts}: rows by status, every status present. */
  public record Counts(Map<TaskStatus, Long> byStatus) implements Contract {
    public static Counts fromJson(JsonObject j) {
      Map<TaskStatus, Long> m = new java.util.EnumMap<>(TaskStatus.class);
      TaskStatus.STORED.forEach(s -> m.put(s, j.getLong(s.wire(), 0L)));
      return new Counts(m);
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject();
      TaskStatus.STORED.forEach(s -> j.put(s.wire(), byStatus.getOrDefault(s, 0L)));
      return j;
    }
  }

  /** {@code memory.tasks.outbox-depth}: pending tasks not (yet, or again) handed to Kafka. */
  /** {@code depth}: pending tasks not yet handed to Kafka; {@code backlog}: pending and processing tasks. */
  public record Depth(long depth, long backlog) implements Contract {
    public static Depth fromJson(JsonObject j) {
      return new Depth(j.getLong("depth", 0L), j.getLong("backlog", 0L));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("depth", depth).put("backlog", backlog);
    }
  }

}
