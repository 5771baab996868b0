package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.clip;
import static verticles.structured.Sql.run;
import static verticles.structured.Sql.utc;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verticles.bus.Failures;
import verticles.contracts.Memories;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;
import verticles.shared.MemoryIds;
import verticles.shared.Tokens;
import verticles.vectorsearch.MemoryRecord;

/**
 * A task's memories written to MySQL, idempotent by task id, and the archive path of its summary: the memory rows
 * and their versions ({@link ExtractedMemories}), and the seed rows they show as (summary, events, profiles).
 */
final class MemoryWriteRepository {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MemoryWriteRepository.class);
  private final Pool pool;
  private final Transactions tx;
  private final ExtractedMemories memories;
  private final IndexSync sync;

  MemoryWriteRepository(Pool pool, Transactions tx, ExtractedMemories memories, IndexSync sync) {
    this.pool = pool;
    this.tx = tx;
    this.memories = memories;
    this.sync = sync;
  }

  /** Which of a task's keyed records to index (see {@link ExtractedMemories#triage}). */
  Future<List<MemoryRecord>> triage(String taskId, List<MemoryRecord> records) {
    return memories.triage(pool, taskId, records);
  }

  /**
   * Writes one task's extraction and marks the task completed, in one transaction. A replay deletes what the task
   * wrote before, so nothing duplicates. Refused (410) when the task's owner was forgotten after it was created.
   * The task indexed its records before this write; its keyed ones (a profile fact, a birthday) are shared with
   * other writers (a correction may have landed between the task's index write and this one), so once this commits
   * they are brought to what MySQL now holds ({@link IndexSync}).
   */
  Future<Memories.Written> writeMemories(Tasks.Work task, JsonObject extraction, List<MemoryRecord> records,
      JsonArray findings) {
    String taskId = task.taskId();
    String user = task.userId();
    String character = task.characterId();
    String session = task.sessionId();
    JsonArray messages = task.messages();
    List<String> keyed = new ArrayList<>(records.stream().map(MemoryRecord::id)
        .filter(id -> MemoryIds.keyed(id, taskId)).distinct().toList());
    return tx.run(c -> run(c, MemoryWriteQueries.LOCK_TOMBSTONES, Tuple.of(user))
        .compose(tombstones -> run(c, MemoryWriteQueries.LOCK_TASK, Tuple.of(taskId)).compose(rs -> {
          LocalDateTime forgottenAt = ForgetRepository.latest(tombstones, character);
          if (forgottenAt != null && (rs.size() == 0
              || !rs.iterator().next().getLocalDateTime("created_at").isAfter(forgottenAt))) {
            return Future.failedFuture(Failures.of(Failures.GONE, "owner of task " + taskId + " was forgotten"));
          }
          return Future.succeededFuture(rs);
        }))
        .compose(rs -> run(c, MemoryWriteQueries.DELETE_TASK_EVENTS, Tuple.of(taskId)))
        .compose(rs -> run(c, MemoryWriteQueries.DELETE_TASK_SUMMARIES, Tuple.of(taskId)))
        .compose(rs -> memories.write(c, task, records, confidences(user, character, extraction), findings))
        .compose(written -> {
          Map<String, ExtractedMemories.Outcome> outcomes = written.outcomes();
          written.synced().stream().filter(id -> !keyed.contains(id)).forEach(keyed::add);
          // a summary merged into the one it restates gets no row of its own
          JsonObject summary = outcomes.get(MemoryIds.summary(taskId)) == ExtractedMemories.Outcome.MERGED ? null
              : extraction.getJsonObject("summary");
          return insertSummary(c, task, summary, messages)
              .compose(summaryId -> insertEvents(c, taskId, user, character, session,
                  extraction.getJsonArray("events"), summaryId, outcomes))
              .compose(n -> upsertProfiles(c, user, character, extraction.getJsonArray("profiles"),
                  lastTimestamp(messages), outcomes));
        })
        .compose(n -> sync.mark(c, keyed))
        .compose(n -> run(c, MemoryWriteQueries.COMPLETE_TASK, Tuple.of(taskId)))
        .map(rs -> new Memories.Written(taskId, TaskStatus.COMPLETED)))
        .compose(written -> sync.afterCommit(keyed).map(written).recover(e -> {
          LOG.warn("Task {} written; the index records of its keyed memories not yet brought along ({}); the sweeper"
              + " will", taskId, e.toString());
          return Future.succeededFuture(written);
        }));
  }

  private Future<Long> insertSummary(SqlClient c, Tasks.Work task, JsonObject summary, JsonArray messages) {
    if (summary == null || summary.getString("text", "").isBlank() || messages.isEmpty()) {
      return Future.succeededFuture((Long) null);
    }
    String taskId = task.taskId();
    long start = messages.getJsonObject(0).getLong("timestamp", 0L);
    long end = lastTimestamp(messages);
    int tokens = 0;
    for (int i = 0; i < messages.size(); i++) {
      tokens += Tokens.estimate(messages.getJsonObject(i).getString("content", ""));
    }
    JsonArray msgIds = summary.getJsonArray("msg_ids", new JsonArray());
    return run(c, MemoryWriteQueries.INSERT_SUMMARY,
            Tuple.from(List.of(task.userId(), task.characterId(), summary.getString("text"),
                summary.getJsonArray("topics", new JsonArray()).encode(), summary.getString("emotion", "neutral"),
                utc(start), utc(end), messages.size(), tokens, taskId + ":summary", taskId,
                task.sessionId(), msgIds.encode())))
        .map(rs -> rs.property(MySQLClient.LAST_INSERTED_ID)); // MySQL 8 has no RETURNING
  }

  /**
   * The task's event rows. A recurring event (a birthday) is one row per memory: written when its memory is new or
   * changed (replacing the row it had), left alone when it was only stated again.
   */
  private Future<Integer> insertEvents(SqlClient c, String taskId, String user, String character, String session,
      JsonArray events, Long summaryId, Map<String, ExtractedMemories.Outcome> outcomes) {
    if (events == null || events.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> rows = new ArrayList<>();
    List<Tuple> replaced = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = events.size() - 1; i >= 0; i--) { // the last of a recurring event wins, as in the index
      JsonObject e = events.getJsonObject(i);
      String id = MemoryIds.event(taskId, i, user, character, e.getString("type"), e.getString("title"));
      if (!seen.add(id) || outcomes.get(id) == ExtractedMemories.Outcome.UNCHANGED
          || outcomes.get(id) == ExtractedMemories.Outcome.MERGED) {
        continue;
      }
      if (MemoryIds.keyed(id, taskId)) {
        replaced.add(Tuple.of(id, user));
      }
      List<Object> values = new ArrayList<>();
      values.add(user);
      values.add(character);
      values.add(clip(e.getString("type", "memory"), 64));
      values.add(clip(e.getString("title", ""), 256));
      values.add(e.getString("summary", ""));
      values.add(eventDate(e.getString("date")));
      values.add(clip(e.getString("emotion"), 32));
      values.add(e.getInteger("importance", 5));
      values.add(id);
      values.add(summaryId);
      values.add(taskId);
      values.add(session);
      values.add(e.getJsonArray("source_msg_ids", new JsonArray()).encode());
      rows.add(Tuple.from(values));
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Collections.reverse(rows);
    Future<?> cleared = replaced.isEmpty() ? Future.succeededFuture()
        : batch(c, MemoryWriteQueries.DELETE_EVENT_ROW, replaced);
    return cleared.compose(x -> batch(c, MemoryWriteQueries.INSERT_EVENT, rows)).map(rs -> rows.size());
  }

  /** Profile rows of facts that are new or changed; one stated again with the same value is left as it is. */
  private Future<Integer> upsertProfiles(SqlClient c, String user, String character, JsonArray profiles,
      long extractedAt, Map<String, ExtractedMemories.Outcome> outcomes) {
    if (profiles == null || profiles.isEmpty()) {
      return Future.succeededFuture(0);
    }
    // in key order, so that tasks of one user upserting the same profile rows lock them in the same order
    List<JsonObject> sorted = new ArrayList<>();
    profiles.forEach(p -> sorted.add((JsonObject) p));
    sorted.sort(Comparator.comparing((JsonObject p) -> String.valueOf(p.getString("type")))
        .thenComparing(p -> String.valueOf(clip(p.getString("key"), 128))));
    List<Tuple> rows = new ArrayList<>();
    for (JsonObject p : sorted) {
      String id = MemoryIds.profile(user, character, p.getString("type"), p.getString("key"));
      if (outcomes.get(id) == ExtractedMemories.Outcome.UNCHANGED) {
        continue;
      }
      rows.add(Tuple.from(List.of(user, character, p.getString("type"), clip(p.getString("key"), 128),
          p.getString("value"), Math.max(0.0, Math.min(1.0, p.getDouble("confidence", 1.0))),
          nullToEmpty(p.getString("source_msg_id")), utc(extractedAt))));
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return batch(c, MemoryWriteQueries.UPSERT_PROFILE, rows).map(rs -> rows.size());
  }

  /** Each profile fact's confidence by its memory id. */
  private static Map<String, Double> confidences(String user, String character, JsonObject extraction) {
    Map<String, Double> out = new HashMap<>();
    JsonArray profiles = extraction.getJsonArray("profiles", new JsonArray());
    for (int i = 0; i < profiles.size(); i++) {
      JsonObject p = profiles.getJsonObject(i);
      out.put(MemoryIds.profile(user, character, p.getString("type"), p.getString("key")),
          p.getDouble("confidence", 1.0));
    }
    return out;
  }

  Future<Integer> setArchivePath(String taskId, String path) {
    return run(pool, MemoryWriteQueries.SET_ARCHIVE_PATH, Tuple.of(path, taskId)).map(RowSet::rowCount);
  }

  private static long lastTimestamp(JsonArray messages) {
    return messages.isEmpty() ? Instant.now().getEpochSecond()
        : messages.getJsonObject(messages.size() - 1).getLong("timestamp", Instant.now().getEpochSecond());
  }

  /** "MM-DD" (no year known) is stored in year {@link UpcomingDates#UNKNOWN_YEAR}. */
  private static LocalDate eventDate(String date) {
    if (date == null) {
      return null;
    }
    try {
      return date.length() == 5 ? LocalDate.parse("2000-" + date) : LocalDate.parse(date);
    } catch (RuntimeException e) {
      return null; // the extractor's date was not a date; the event is still worth keeping
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
