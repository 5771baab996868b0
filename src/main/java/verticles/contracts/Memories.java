package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import verticles.vectorsearch.MemoryRecord;

/** What a task's extraction writes to MySQL ({@code memory.structured.write}, {@code memory.structured.archive-path}). */
public final class Memories {
  private Memories() {}

  /**
   * {@code memory.structured.write} and {@code memory.archive.write}: a task's extraction, written in one transaction
   * that also completes the task (idempotent by task id), or archived with its conversation.
   *
   * @param extraction {@code {summary, profiles, events}} as the extractor produced them
   * @param records the memories the extraction makes (as index records): each becomes a memory row and version, or
   *     a new version of the memory it restates with a new value; empty for an archive write (and left out of JSON)
   * @param conflicts the conflict detector's findings for the records ({@code Conflicts.Detected}): a duplicate is
   *     merged into the memory it restates, the others are recorded as reports (left out of JSON when empty)
   */
  public record Write(Tasks.Work task, JsonObject extraction, List<MemoryRecord> records, JsonArray conflicts)
      implements Contract {
    public Write(Tasks.Work task, JsonObject extraction) {
      this(task, extraction, List.of(), new JsonArray());
    }

    public Write(Tasks.Work task, JsonObject extraction, List<MemoryRecord> records) {
      this(task, extraction, records, new JsonArray());
    }

    public static Write fromJson(JsonObject j) {
      return new Write(Tasks.Work.fromJson(j.getJsonObject("task", new JsonObject())),
          j.getJsonObject("extraction", new JsonObject()),
          Json.objects(j, "records").stream().map(MemoryRecord::fromJson).toList(),
          j.getJsonArray("conflicts", new JsonArray()));
    }

    @Override

    public JsonObject toJson() {
      JsonObject out = new JsonObject().put("task", task.toJson()).put("extraction", extraction);
      if (!records.isEmpty()) {
        out.put("records", Triaged.array(records));
      }
      if (conflicts != null && !conflicts.isEmpty()) {
        out.put("conflicts", conflicts);
      }
      return out;
    }
  }

  /**
   * {@code memory.structured.triage}: before a task's records are indexed, which of its keyed records (profile facts,
   * recurring events: ids that outlive a task) are news. A fact stated again with the same value, or one the user
   * deleted, or older than what is stored, is left out, so the index keeps the stored version.
   */
  public record Triage(String taskId, List<MemoryRecord> records) implements Contract {
    public static Triage fromJson(JsonObject j) {
      return new Triage(j.getString("task_id"), Json.objects(j, "records").stream().map(MemoryRecord::fromJson).toList());
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("records", Triaged.array(records));
    }
  }

  /** The keyed records to index: new memories, and new versions (keeping the stored importance). */
  public record Triaged(List<MemoryRecord> records) implements Contract {
    public static Triaged fromJson(JsonObject j) {
      return new Triaged(Json.objects(j, "records").stream().map(MemoryRecord::fromJson).toList());
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("records", array(records));
    }

    static JsonArray array(List<MemoryRecord> records) {
      JsonArray out = new JsonArray();
      records.forEach(r -> out.add(r.toJson()));
      return out;
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
