package verticles.contracts;

import io.vertx.core.json.JsonObject;

/** What a task's extraction writes to MySQL ({@code memory.structured.write}, {@code memory.structured.archive-path}). */
public final class Memories {
  private Memories() {}

  /**
   * {@code memory.structured.write} and {@code memory.archive.write}: a task's extraction, written in one transaction
   * that also completes the task (idempotent by task id), or archived with its conversation.
   *
   * @param extraction {@code {summary, profiles, events}} as the extractor produced them
   */
  public record Write(Tasks.Work task, JsonObject extraction) implements Contract {
    public static Write fromJson(JsonObject j) {
      return new Write(Tasks.Work.fromJson(j.getJsonObject("task", new JsonObject())),
          j.getJsonObject("extraction", new JsonObject()));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task", task.toJson()).put("extraction", extraction);
    }
  }

  /** {@code memory.structured.archive-path}: where the task's conversation was archived. */
  public record ArchivePath(String taskId, String path) implements Contract {
    public static ArchivePath fromJson(JsonObject j) {
      return new ArchivePath(j.getString("task_id"), j.getString("path"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("path", path);
    }
  }

  /** The reply of a write: the task is completed. */
  public record Written(String taskId, TaskStatus status) implements Contract {
    public static Written fromJson(JsonObject j) {
      return new Written(j.getString("task_id"), TaskStatus.of(j.getString("status")));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("status", status.wire());
    }
  }
}
