package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
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
  /** MERGED: a restatement of a stored memory (the detector's duplicate), which got its provenance instead. */
  enum Outcome { CREATE, UPDATE, UNCHANGED, MERGED }

  /**
   * What a task's write did: each record's outcome by id, and the other memories whose index records must follow
   * the commit (a restated memory's new provenance, a memory a resolution closed, a restatement stored after all).
   */
  record Written(Map<String, Outcome> outcomes, List<String> synced) {}

  private final MemoryRepository repo;
  private final ConflictWrites conflicts;

  ExtractedMemories(MemoryRepository repo, ConflictWrites conflicts) {
    this.repo = repo;
    this.conflicts = conflicts;
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
   * Writes the task's memories in the caller's transaction. A record the detector found restating a stored memory
   * ({@code findings}: a duplicate, of a record not keyed by its subject) is merged into it; the other findings are
   * recorded as reports once the task's memories are written, and a keyed fact's new value as an outdated one.
   *
   * @param confidences profile confidences by memory id (1.0 when absent)
   */
  Future<Written> write(SqlClient c, Tasks.Work task, List<MemoryRecord> records, Map<String, Double> confidences,
      JsonArray findings) {
    Map<String, MemoryRecord> all = dedupe(records);
    Map<String, MemoryRecord> keyed = keyed(all, task.taskId());
    Map<String, JsonObject> merges = merges(findings, all, keyed);
    String reason = "extracted from session " + task.sessionId() + " (task " + task.taskId() + ")";
    List<String> locked = new ArrayList<>(new TreeSet<>(keyed.keySet()));
    merges.values().forEach(f -> locked.add(f.getJsonObject("other").getString("id")));
    return repo.findAll(c, locked, true).compose(stored -> {
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      Map<String, MemoryState> created = new LinkedHashMap<>();
      List<String> synced = new ArrayList<>();
      List<Supplier<Future<Void>>> writes = new ArrayList<>();
      for (MemoryRecord r : all.values()) {
        MemoryState current = stored.get(r.id());
        Double confidence = confidences.get(r.id());
        MemoryState fresh = MemoryState.of(r, null, confidence == null ? 1.0 : confidence, "extractor",
            MemoryState.now());
        JsonObject merge = merges.get(r.id());
        MemoryState target = merge == null ? null : stored.get(merge.getJsonObject("other").getString("id"));
        // a restatement of a memory deleted since detection is stored as new: merged, it would be current nowhere
        Outcome outcome = keyed.containsKey(r.id()) ? decide(current, r)
            : target != null && !target.deleted() && target.userId.equals(r.userId())
                && target.characterId.equals(r.characterId()) ? Outcome.MERGED : Outcome.CREATE;
        outcomes.put(r.id(), outcome);
        if (outcome == Outcome.CREATE) {
          created.put(r.id(), fresh);
          if (merge != null) {
            synced.add(r.id()); // left out of the index as a restatement, yet stored: its memory is gone
          }
        } else if (outcome == Outcome.MERGED) {
          synced.add(target.id);
          // read again at its turn: two records of one task may restate the same memory, each a version of it
          writes.add(() -> repo.find(c, target.id, true)
              .compose(now -> conflicts.merge(c, now, fresh, merge, reason, "extractor")).mapEmpty());
        } else if (outcome == Outcome.UPDATE) {
          MemoryState after = updated(current, r, confidence);
          writes.add(() -> repo.write(c, current, after, "update", reason, "extractor", false)
              .compose(s -> repo.close(c, s.id, current.version, s.validFrom).compose(x -> conflicts.keyedUpdate(c,
                  current, s))));
        }
      }
      Future<Void> done = repo.createAll(c, List.copyOf(created.values()), reason, "extractor");
      for (Supplier<Future<Void>> write : writes) { // one after another, on the transaction's connection
        done = done.compose(x -> write.get());
      }
      return done.compose(x -> conflicts.record(c, findings, created, true))
          .map(recorded -> {
            synced.addAll(recorded.changed());
            return new Written(outcomes, synced);
          });
    });
  }

  /** The detector's duplicates of records not keyed by their subject: record id → finding. */
  private static Map<String, JsonObject> merges(JsonArray findings, Map<String, MemoryRecord> all,
      Map<String, MemoryRecord> keyed) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    for (Object o : findings) {
      JsonObject f = (JsonObject) o;
      String id = f.getString("memory_id");
      if ("duplicate".equals(f.getString("type")) && all.containsKey(id) && !keyed.containsKey(id)
          && f.getJsonObject("other", new JsonObject()).getString("id") != null) {
        out.putIfAbsent(id, f);
      }
    }
    return out;
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
    after.sourceMsgIds = new JsonArray(new ArrayList<Object>(r.sourceMsgIds()));
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
