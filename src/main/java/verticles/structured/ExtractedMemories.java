package verticles.structured;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import verticles.contracts.Tasks;
import verticles.shared.MemoryIds;
import verticles.vectorsearch.MemoryRecord;

/**
 * A task's memories, written through {@link MemoryRepository}: what the task says once (its summary, events,
 * messages) is new; what is keyed by its subject (a profile fact, a recurring event) is decided against what is
 * stored. Stated again with the same value, or older than the stored version, or restating what the user deleted: no
 * memory and no version. With a new value: a new version of the same memory, the old version closed in the world
 * ({@code valid_to}) when the new one began. The same decision runs twice: in the triage before the index write (so
 * the index keeps what MySQL keeps) and, authoritative, in the task's write.
 */
final class ExtractedMemories {
  enum Outcome { CREATE, UPDATE, UNCHANGED }

  private final MemoryRepository repo;

  ExtractedMemories(MemoryRepository repo) {
    this.repo = repo;
  }

  /**
   * Of the task's keyed records, the ones to index: new memories, new versions as they will be stored, and the stored
   * version of what this very task wrote before (a replay).
   */
  Future<List<MemoryRecord>> triage(SqlClient c, String taskId, List<MemoryRecord> records) {
    Map<String, MemoryRecord> keyed = keyed(dedupe(records), taskId);
    return repo.findAll(c, List.copyOf(keyed.keySet()), false).map(stored -> {
      List<MemoryRecord> out = new ArrayList<>();
      keyed.forEach((id, r) -> {
        MemoryState current = stored.get(id);
        switch (decide(current, r)) {
          case CREATE -> out.add(r);
          case UPDATE -> out.add(updated(current, r, null).record());
          default -> {
            // a replay of the task that wrote the stored version: the task's index write replaces all it wrote,
            // so the stored version goes in again
            if (!current.deleted() && Objects.equals(taskId, current.taskId)) {
              out.add(current.record());
            }
          }
        }
      });
      return out;
    });
  }

  /**
   * Writes the task's memories in the caller's transaction; returns each record's outcome by id.
   *
   * @param confidences profile confidences by memory id (1.0 when absent)
   */
  Future<Map<String, Outcome>> write(SqlClient c, Tasks.Work task, List<MemoryRecord> records,
      Map<String, Double> confidences) {
    Map<String, MemoryRecord> all = dedupe(records);
    Map<String, MemoryRecord> keyed = keyed(all, task.taskId());
    String reason = "extracted from session " + task.sessionId() + " (task " + task.taskId() + ")";
    return repo.findAll(c, List.copyOf(keyed.keySet()), true).compose(stored -> {
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      List<MemoryState> created = new ArrayList<>();
      List<Supplier<Future<Void>>> updates = new ArrayList<>();
      for (MemoryRecord r : all.values()) {
        MemoryState current = stored.get(r.id());
        Outcome outcome = keyed.containsKey(r.id()) ? decide(current, r) : Outcome.CREATE;
        outcomes.put(r.id(), outcome);
        Double confidence = confidences.get(r.id());
        if (outcome == Outcome.CREATE) {
          created.add(MemoryState.of(r, null, confidence == null ? 1.0 : confidence, "extractor", MemoryState.now()));
        } else if (outcome == Outcome.UPDATE) {
          MemoryState after = updated(current, r, confidence);
          updates.add(() -> repo.write(c, current, after, "update", reason, "extractor", false)
              .compose(s -> repo.close(c, s.id, current.version, s.validFrom)));
        }
      }
      Future<Void> done = repo.createAll(c, created, reason, "extractor");
      for (Supplier<Future<Void>> update : updates) { // one after another, on the transaction's connection
        done = done.compose(x -> update.get());
      }
      return done.map(x -> outcomes);
    });
  }

  /** Stated before? Judged on the value, not the sentence: a profile's value, a recurring event's date. */
  static Outcome decide(MemoryState current, MemoryRecord r) {
    if (current == null) {
      return Outcome.CREATE;
    }
    Long storedFrom = MemoryState.seconds(current.validFrom);
    if (storedFrom != null && r.timestamp() < storedFrom) {
      return Outcome.UNCHANGED; // an older statement (a late replay) does not undo a newer one
    }
    String field = switch (r.memoryType()) {
      case "profile" -> "profile_value";
      case "event" -> "event_date";
      default -> null;
    };
    boolean same = field == null ? Objects.equals(current.content, r.content())
        : Objects.equals(current.metadata.getValue(field), r.metadata() == null ? null : r.metadata().getValue(field));
    // the same value again: nothing new, and a memory the user deleted stays deleted
    return same ? Outcome.UNCHANGED : Outcome.UPDATE;
  }

  /** The new version a restatement with a new value makes: the extractor's fields; importance and category kept. */
  static MemoryState updated(MemoryState current, MemoryRecord r, Double confidence) {
    MemoryState after = current.copy();
    after.content = r.content();
    after.metadata = r.metadata() == null ? after.metadata : r.metadata().copy();
    if (confidence != null) {
      after.confidence = MemoryState.clamp(confidence);
    }
    after.validFrom = MemoryState.utc(r.timestamp());
    after.validTo = null;
    after.status = "active";
    after.sessionId = r.sessionId();
    after.taskId = r.taskId();
    after.sourceMsgIds = new io.vertx.core.json.JsonArray(new ArrayList<Object>(r.sourceMsgIds()));
    return after;
  }

  /** The last record of each id wins, as in the index. */
  private static Map<String, MemoryRecord> dedupe(List<MemoryRecord> records) {
    Map<String, MemoryRecord> out = new LinkedHashMap<>();
    records.forEach(r -> out.put(r.id(), r));
    return out;
  }

  private static Map<String, MemoryRecord> keyed(Map<String, MemoryRecord> records, String taskId) {
    Map<String, MemoryRecord> out = new LinkedHashMap<>();
    records.forEach((id, r) -> {
      if (MemoryIds.keyed(id, taskId)) {
        out.put(id, r);
      }
    });
    return out;
  }
}
