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
import java.util.Comparator;
import java.util.List;
import verticles.bus.Failures;
import verticles.contracts.Memories;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;
import verticles.shared.Tokens;

/** A task's memories written to MySQL, idempotent by task id, and the archive path of its summary. */
final class MemoryWriteRepository {
  private final Pool pool;
  private final Transactions tx;

  MemoryWriteRepository(Pool pool, Transactions tx) {
    this.pool = pool;
    this.tx = tx;
  }

  /**
   * Writes one task's extraction and marks the task completed, in one transaction. A replay deletes what the task
   * wrote before, so nothing duplicates. Refused (410) when the task's owner was forgotten after it was created.
   */
  Future<Memories.Written> writeMemories(Tasks.Work task, JsonObject extraction) {
    String taskId = task.taskId();
    String user = task.userId();
    String character = task.characterId();
    String session = task.sessionId();
    JsonArray messages = task.messages();
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
        .compose(rs -> insertSummary(c, task, extraction.getJsonObject("summary"), messages))
        .compose(summaryId -> insertEvents(c, taskId, user, character, session, extraction.getJsonArray("events"),
            summaryId))
        .compose(n -> upsertProfiles(c, user, character, extraction.getJsonArray("profiles"), lastTimestamp(messages)))
        .compose(n -> run(c, MemoryWriteQueries.COMPLETE_TASK, Tuple.of(taskId)))
        .map(rs -> new Memories.Written(taskId, TaskStatus.COMPLETED)));
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

  private Future<Integer> insertEvents(SqlClient c, String taskId, String user, String character, String session,
      JsonArray events, Long summaryId) {
    if (events == null || events.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      List<Object> values = new ArrayList<>();
      values.add(user);
      values.add(character);
      values.add(clip(e.getString("type", "memory"), 64));
      values.add(clip(e.getString("title", ""), 256));
      values.add(e.getString("summary", ""));
      values.add(eventDate(e.getString("date")));
      values.add(clip(e.getString("emotion"), 32));
      values.add(e.getInteger("importance", 5));
      values.add(taskId + ":event:" + i);
      values.add(summaryId);
      values.add(taskId);
      values.add(session);
      values.add(e.getJsonArray("source_msg_ids", new JsonArray()).encode());
      rows.add(Tuple.from(values));
    }
    return batch(c, MemoryWriteQueries.INSERT_EVENT, rows).map(rs -> rows.size());
  }

  private Future<Integer> upsertProfiles(SqlClient c, String user, String character, JsonArray profiles,
      long extractedAt) {
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
      rows.add(Tuple.from(List.of(user, character, p.getString("type"), clip(p.getString("key"), 128),
          p.getString("value"), Math.max(0.0, Math.min(1.0, p.getDouble("confidence", 1.0))),
          nullToEmpty(p.getString("source_msg_id")), utc(extractedAt))));
    }
    return batch(c, MemoryWriteQueries.UPSERT_PROFILE, rows).map(rs -> rows.size());
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
