package verticles.extractor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.conflicts.ConflictSettings;
import verticles.contracts.Conflicts;
import verticles.contracts.Tasks;
import verticles.shared.MemoryIds;
import verticles.shared.ThrottledLog;
import verticles.vectorsearch.MemoryRecord;

/**
 * A task's new memories (not its messages) judged against their owner's others before they are indexed
 * ({@code memory.conflicts.detect}); the task's own records are never compared with each other. Detection is a help,
 * not a condition: when it fails or is late, the task goes on without it (nothing merged, no reports).
 */
final class TaskConflicts {
  private static final Logger LOG = LoggerFactory.getLogger(TaskConflicts.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private final Vertx vertx;
  private final ConflictSettings settings;
  private final DeliveryOptions call;

  TaskConflicts(Vertx vertx, ConflictSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.call = new DeliveryOptions().setSendTimeout(settings.timeoutMs() + 500);
  }

  /** The detector's findings for the records the task will index ({@code indexed}) among all it makes. */
  Future<JsonArray> detect(Tasks.Work work, List<MemoryRecord> indexed, List<MemoryRecord> all) {
    List<JsonObject> memories = new ArrayList<>();
    for (MemoryRecord r : indexed) {
      if (!"message".equals(r.memoryType())) {
        memories.add(new JsonObject().put("id", r.id()).put("memory_type", r.memoryType()).put("content", r.content())
            .put("timestamp", r.timestamp()).put("metadata", r.metadata()).put("at", r.timestamp()));
      }
    }
    if (!settings.enabled() || memories.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    List<String> exclude = all.stream().map(MemoryRecord::id).distinct().toList();
    return Bus.request(vertx, Addresses.CONFLICTS_DETECT, new Conflicts.Detect(work.userId(), work.characterId(),
            memories, exclude), call, Conflicts.Detected::fromJson)
        .map(Conflicts.Detected::findings)
        .recover(e -> {
          AWAY.warn("detect", "Task {}: conflict detection skipped ({})", work.taskId(), e.toString());
          return Future.succeededFuture(new JsonArray());
        });
  }

  /** The task's records the detector found restating a stored memory (keyed ones keep their own identity). */
  static Set<String> merged(JsonArray findings, String taskId) {
    Set<String> out = new HashSet<>();
    for (Object o : findings) {
      JsonObject f = (JsonObject) o;
      if ("duplicate".equals(f.getString("type")) && !MemoryIds.keyed(f.getString("memory_id"), taskId)) {
        out.add(f.getString("memory_id"));
      }
    }
    return out;
  }
}
