package verticles.contracts;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The outbox ({@code memory.outbox.publish}, {@code memory.dlq.replay}, Outbox). A publish takes a
 * {@link Tasks.Work}; a replay takes {@link Empty}.
 */
public final class Outbox {
  private Outbox() {}

  public record Published(int published) implements Contract {
    public static Published fromJson(JsonObject j) {
      return new Published(j.getInteger("published", 0));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("published", published);
    }
  }

  /** The reply of a DLQ replay: records read, tasks published again, and the ids. */
  public record Replayed(long scanned, long replayed, long skipped, List<String> taskIds) implements Contract {
    public static Replayed fromJson(JsonObject j) {
      return new Replayed(j.getLong("scanned", 0L), j.getLong("replayed", 0L), j.getLong("skipped", 0L),
          Json.strings(j, "task_ids"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("scanned", scanned).put("replayed", replayed).put("skipped", skipped)
          .put("task_ids", Json.array(taskIds));
    }
  }
}
