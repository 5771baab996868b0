package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLClient;
import verticles.bus.Failures;
import verticles.shared.Tokens;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL of Engram. Times are stored as UTC (the pool sets the session time zone). */
final class MemoryRepository {
  private final Pool pool;

  MemoryRepository(Pool pool) {
    this.pool = pool;
  }

  // ---------------------------------------------------------------- tasks (the outbox)

  /** Inserts a pending task and returns its publishable form. */
  Future<JsonObject> createTask(JsonObject req, int maxRetries) {
    return createTask(pool, req.getString("user_id"), req.getString("character_id"), req.getString("session_id"),
        req.getString("trigger", "session_end"), req.getJsonArray("messages"), maxRetries);
  }

  private Future<JsonObject> createTask(SqlClient conn, String user, String character, String session,
      String trigger, JsonArray messages, int maxRetries) {
    String taskId = UUID.randomUUID().toString();
    String sessionId = session == null || session.isBlank() ? UUID.randomUUID().toString() : session;
    return run(conn, "INSERT INTO memory_generation_tasks (task_id, user_id, character_id, task_type, source_data,"
                + " status, max_retries, session_id, trigger_type) VALUES (?, ?, ?, 'full', ?, 'pending', ?, ?, ?)",
            Tuple.of(taskId, user, character, messages.encode(), maxRetries, sessionId, trigger))
        .map(rs -> taskMessage(taskId, user, character, sessionId, trigger, messages));
  }

  static JsonObject taskMessage(String taskId, String user, String character, String session, String trigger,
      JsonArray messages) {
    return new JsonObject()
        .put("task_id", taskId)
        .put("user_id", user)
        .put("character_id", character)
        .put("session_id", session)
        .put("trigger", trigger)
        .put("messages", messages)
        .put("created_at", Instant.now().getEpochSecond());
  }

  Future<JsonObject> getTask(String taskId) {
    return pool.preparedQuery("SELECT task_id, user_id, character_id, session_id, status, retry_count, max_retries,"
            + " error_message, created_at, started_at, completed_at, trigger_type FROM memory_generation_tasks"
            + " WHERE task_id = ?")
        .execute(Tuple.of(taskId))
        .map(rs -> rs.size() == 0 ? null : taskStatus(rs.iterator().next()));
  }

  private static JsonObject taskStatus(Row r) {
    JsonObject j = new JsonObject()
        .put("task_id", r.getString("task_id"))
        .put("user_id", r.getString("user_id"))
        .put("character_id", r.getString("character_id"))
        .put("session_id", r.getString("session_id"))
        .put("status", r.getString("status"))
        .put("retry_count", r.getInteger("retry_count"))
        .put("max_retries", r.getInteger("max_retries"))
        .put("trigger", r.getString("trigger_type"))
        .put("created_at", epoch(r.getLocalDateTime("created_at")))
        .put("started_at", epoch(r.getLocalDateTime("started_at")))
        .put("completed_at", epoch(r.getLocalDateTime("completed_at")));
    if (r.getString("error_message") != null) {
      j.put("error_message", r.getString("error_message"));
    }
    return j;
  }

  /**
   * Marks a task processing unless it already ended. Returns its status after the attempt: "processing" means the
   * caller owns this attempt; "completed" / "failed" mean skip; "forgotten" means its owner was forgotten after it was
   * created (the row, if any, is deleted: it holds the forgotten messages); null means no such task.
   * {@code user} and {@code character} are the record's owner, for a task whose row a forget already deleted.
   */
  Future<JsonObject> claimTask(String taskId, String user, String character) {
    return forgotten(pool, taskId, user, character, null).compose(gone -> {
      if (gone) {
        return run(pool, "DELETE FROM memory_generation_tasks WHERE task_id = ?", Tuple.of(taskId))
            .map(rs -> new JsonObject().put("task_id", taskId).put("status", "forgotten"));
      }
      return pool.preparedQuery("UPDATE memory_generation_tasks SET status = 'processing',"
              + " started_at = UTC_TIMESTAMP() WHERE task_id = ? AND status IN ('pending', 'processing')")
          .execute(Tuple.of(taskId))
          .compose(rs -> getTask(taskId));
    });
  }

  /**
   * Records a failed attempt: back to pending with a later attempt time, or failed once retries are spent.
   * Returns the new status.
   */
  Future<JsonObject> failTask(String taskId, String error, long backoffMs, boolean permanent) {
    String msg = error == null ? "unknown error" : error.length() > 2000 ? error.substring(0, 2000) : error;
    return pool.withTransaction(conn -> conn
        .preparedQuery("SELECT retry_count, max_retries, status FROM memory_generation_tasks WHERE task_id = ? FOR UPDATE")
        .execute(Tuple.of(taskId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.succeededFuture((JsonObject) null);
          }
          Row r = rs.iterator().next();
          if ("completed".equals(r.getString("status"))) {
            return Future.succeededFuture(new JsonObject().put("status", "completed"));
          }
          int retries = r.getInteger("retry_count") + 1;
          boolean spent = permanent || retries >= r.getInteger("max_retries");
          long delayMs = backoffMs * (1L << Math.min(10, retries - 1));
          String sql = spent
              ? "UPDATE memory_generation_tasks SET status = 'failed', retry_count = ?, error_message = ?,"
                  + " completed_at = UTC_TIMESTAMP() WHERE task_id = ?"
              : "UPDATE memory_generation_tasks SET status = 'pending', retry_count = ?, error_message = ?,"
                  + " published_at = NULL, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL " + delayMs
                  + " * 1000 MICROSECOND WHERE task_id = ?";
          return conn.preparedQuery(sql).execute(Tuple.of(Math.min(retries, 255), msg, taskId))
              .map(x -> new JsonObject().put("status", spent ? "failed" : "pending").put("retry_count", retries));
        }));
  }

  /** Pending tasks that were never published (Kafka was down) or whose retry is due. */
  Future<JsonArray> duePendingTasks(int limit, long unpublishedAfterMs) {
    return pool.preparedQuery("SELECT task_id, user_id, character_id, session_id, trigger_type, source_data"
            + " FROM memory_generation_tasks WHERE status = 'pending' AND published_at IS NULL"
            + " AND ((next_attempt_at IS NULL AND created_at <= UTC_TIMESTAMP() - INTERVAL " + unpublishedAfterMs
            + " * 1000 MICROSECOND) OR next_attempt_at <= UTC_TIMESTAMP(3)) ORDER BY id LIMIT ?")
        .execute(Tuple.of(limit))
        .map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(taskMessage(r.getString("task_id"), r.getString("user_id"), r.getString("character_id"),
                r.getString("session_id"), r.getString("trigger_type"), new JsonArray(r.getValue("source_data").toString())));
          }
          return out;
        });
  }

  Future<Integer> markPublished(List<String> taskIds) {
    if (taskIds.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> batch = taskIds.stream().map(Tuple::of).toList();
    return pool.preparedQuery("UPDATE memory_generation_tasks SET published_at = UTC_TIMESTAMP()"
            + " WHERE task_id = ? AND status = 'pending'")
        .executeBatch(batch)
        .map(rs -> taskIds.size());
  }

  /** Pending tasks not (yet, or again) handed to Kafka: the outbox's backlog. Counted on the outbox index. */
  Future<Long> outboxDepth() {
    return pool.query("SELECT COUNT(*) FROM memory_generation_tasks WHERE status = 'pending' AND published_at IS NULL")
        .execute().map(rs -> rs.iterator().next().getLong(0));
  }

  /** Task counts by status (for tests, stats and the outbox depth). */
  Future<JsonObject> taskCounts() {
    return pool.query("SELECT status, COUNT(*) AS n FROM memory_generation_tasks GROUP BY status").execute()
        .map(rs -> {
          JsonObject j = new JsonObject().put("pending", 0).put("processing", 0).put("completed", 0).put("failed", 0);
          rs.forEach(r -> j.put(r.getString("status"), r.getLong("n")));
          return j;
        });
  }

  // ---------------------------------------------------------------- memory writes (idempotent by task id)

  /**
   * Writes one task's extraction and marks the task completed, in one transaction. A replay deletes what the task
   * wrote before, so nothing duplicates.
   */
  Future<JsonObject> writeMemories(JsonObject task, JsonObject extraction) {
    String taskId = task.getString("task_id");
    String user = task.getString("user_id");
    String character = task.getString("character_id");
    String session = task.getString("session_id");
    JsonArray messages = task.getJsonArray("messages", new JsonArray());
    return pool.withTransaction(c -> {
      // The shared lock on the owner's tombstones makes a concurrent forget's tombstone wait for this commit (and its
      // later row deletes then see these rows), or this write see the tombstone and refuse.
      return run(c, "SELECT character_id, forgotten_at FROM forgotten_users WHERE user_id = ? LOCK IN SHARE MODE",
              Tuple.of(user))
          .compose(tombstones -> run(c, "SELECT status, created_at FROM memory_generation_tasks WHERE task_id = ?"
              + " FOR UPDATE", Tuple.of(taskId)).compose(rs -> {
                LocalDateTime forgottenAt = latest(tombstones, character);
                if (forgottenAt != null && (rs.size() == 0
                    || !rs.iterator().next().getLocalDateTime("created_at").isAfter(forgottenAt))) {
                  return Future.failedFuture(Failures.of(Failures.GONE, "owner of task " + taskId + " was forgotten"));
                }
                return Future.succeededFuture(rs);
              }))
          .compose(rs -> run(c, "DELETE FROM user_events WHERE task_id = ?", Tuple.of(taskId)))
          .compose(rs -> run(c, "DELETE FROM conversation_summaries WHERE task_id = ?", Tuple.of(taskId)))
          .compose(rs -> insertSummary(c, task, extraction.getJsonObject("summary"), messages))
          .compose(summaryId -> insertEvents(c, taskId, user, character, session, extraction.getJsonArray("events"),
              summaryId))
          .compose(n -> upsertProfiles(c, user, character, extraction.getJsonArray("profiles"), lastTimestamp(messages)))
          .compose(n -> run(c, "UPDATE memory_generation_tasks SET status = 'completed', completed_at = UTC_TIMESTAMP(),"
              + " error_message = NULL WHERE task_id = ?", Tuple.of(taskId)))
          .map(rs -> new JsonObject().put("task_id", taskId).put("status", "completed"));
    });
  }

  private Future<Long> insertSummary(SqlClient c, JsonObject task, JsonObject summary, JsonArray messages) {
    if (summary == null || summary.getString("text", "").isBlank() || messages.isEmpty()) {
      return Future.succeededFuture((Long) null);
    }
    String taskId = task.getString("task_id");
    long start = messages.getJsonObject(0).getLong("timestamp", 0L);
    long end = lastTimestamp(messages);
    int tokens = 0;
    for (int i = 0; i < messages.size(); i++) {
      tokens += Tokens.estimate(messages.getJsonObject(i).getString("content", ""));
    }
    JsonArray msgIds = summary.getJsonArray("msg_ids", new JsonArray());
    return run(c, "INSERT INTO conversation_summaries (user_id, character_id, summary_text, topic_tags, emotion_tone,"
                + " start_time, end_time, message_count, total_tokens, vector_id, task_id, session_id, source_msg_ids)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            Tuple.from(List.of(task.getString("user_id"), task.getString("character_id"), summary.getString("text"),
                summary.getJsonArray("topics", new JsonArray()).encode(), summary.getString("emotion", "neutral"),
                utc(start), utc(end), messages.size(), tokens, taskId + ":summary", taskId,
                task.getString("session_id"), msgIds.encode())))
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
    return batch(c, "INSERT INTO user_events (user_id, character_id, event_type, event_title, event_summary, event_date,"
        + " emotion_tag, importance, vector_id, source_summary_id, task_id, session_id, source_msg_ids)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows).map(rs -> rows.size());
  }

  /** The seed's upsert: newest value wins, confidence only grows. */
  private Future<Integer> upsertProfiles(SqlClient c, String user, String character, JsonArray profiles,
      long extractedAt) {
    if (profiles == null || profiles.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < profiles.size(); i++) {
      JsonObject p = profiles.getJsonObject(i);
      rows.add(Tuple.from(List.of(user, character, p.getString("type"), clip(p.getString("key"), 128),
          p.getString("value"), Math.max(0.0, Math.min(1.0, p.getDouble("confidence", 1.0))),
          nullToEmpty(p.getString("source_msg_id")), utc(extractedAt))));
    }
    return batch(c, "INSERT INTO user_profiles (user_id, character_id, profile_type, profile_key, profile_value,"
        + " confidence, source_msg_id, extracted_at) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?)"
        + " ON DUPLICATE KEY UPDATE profile_value = VALUES(profile_value),"
        + " confidence = GREATEST(confidence, VALUES(confidence)), source_msg_id = VALUES(source_msg_id),"
        + " extracted_at = VALUES(extracted_at), is_deleted = 0, updated_at = CURRENT_TIMESTAMP", rows)
        .map(rs -> rows.size());
  }

  Future<Integer> setArchivePath(String taskId, String path) {
    return pool.preparedQuery("UPDATE conversation_summaries SET archive_path = ? WHERE task_id = ?")
        .execute(Tuple.of(path, taskId))
        .map(RowSet::rowCount);
  }

  // ---------------------------------------------------------------- reads

  Future<JsonArray> profiles(String user, String character, int limit) {
    return pool.preparedQuery("SELECT id, profile_type, profile_key, profile_value, confidence, source_msg_id,"
            + " extracted_at, updated_at FROM user_profiles WHERE user_id = ? AND character_id = ? AND is_deleted = 0"
            + " ORDER BY updated_at DESC, id DESC LIMIT ?")
        .execute(Tuple.of(user, character, limit))
        .map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(new JsonObject()
                .put("id", r.getLong("id"))
                .put("profile_type", r.getString("profile_type"))
                .put("profile_key", r.getString("profile_key"))
                .put("profile_value", r.getString("profile_value"))
                .put("confidence", r.getBigDecimal("confidence").doubleValue())
                .put("source_msg_id", r.getString("source_msg_id"))
                .put("extracted_at", epoch(r.getLocalDateTime("extracted_at")))
                .put("updated_at", epoch(r.getLocalDateTime("updated_at"))));
          }
          return out;
        });
  }

  private static final String EVENT_COLUMNS = "id, event_type, event_title, event_summary, event_date, emotion_tag,"
      + " importance, vector_id, session_id, source_msg_ids, created_at";

  Future<JsonArray> events(String user, String character, int limit, int offset) {
    return events(user, character, 0, limit, offset);
  }

  /** The user's events at or above {@code minImportance}, most important first, then the most recent. */
  Future<JsonArray> events(String user, String character, int minImportance, int limit, int offset) {
    return pool.preparedQuery("SELECT " + EVENT_COLUMNS + " FROM user_events"
            + " WHERE user_id = ? AND character_id = ? AND is_deleted = 0 AND importance >= ?"
            + " ORDER BY importance DESC, created_at DESC, id DESC LIMIT ? OFFSET ?")
        .execute(Tuple.of(user, character, minImportance, limit, offset))
        .map(MemoryRepository::eventRows);
  }

  /**
   * The user's dated events that may happen in [from, to]: every recurring one (birthdays, anniversaries; their year
   * says nothing about the next time) and the one-offs dated inside the window. Which recurring ones fall inside is
   * day arithmetic, left to {@link UpcomingDates}.
   */
  Future<JsonArray> datedEvents(String user, String character, List<String> recurringTypes, LocalDate from,
      LocalDate to) {
    String types = String.join(", ", recurringTypes.stream().map(t -> "?").toList());
    List<Object> args = new ArrayList<>(List.of(user, character));
    args.addAll(recurringTypes);
    args.add(from);
    args.add(to);
    return pool.preparedQuery("SELECT " + EVENT_COLUMNS + " FROM user_events"
            + " WHERE user_id = ? AND character_id = ? AND is_deleted = 0 AND event_date IS NOT NULL"
            + " AND (event_type IN (" + types + ") OR event_date BETWEEN ? AND ?)"
            + " ORDER BY importance DESC, created_at DESC, id DESC")
        .execute(Tuple.from(args))
        .map(MemoryRepository::eventRows);
  }

  private static JsonArray eventRows(RowSet<Row> rs) {
    JsonArray out = new JsonArray();
    for (Row r : rs) {
      LocalDate d = r.getLocalDate("event_date");
      out.add(new JsonObject()
          .put("id", r.getLong("id"))
          .put("event_type", r.getString("event_type"))
          .put("event_title", r.getString("event_title"))
          .put("event_summary", r.getString("event_summary"))
          .put("event_date", d == null ? null : d.toString())
          .put("emotion_tag", r.getString("emotion_tag"))
          .put("importance", r.getInteger("importance"))
          .put("vector_id", r.getString("vector_id"))
          .put("session_id", r.getString("session_id"))
          .put("source_msg_ids", jsonArray(r.getValue("source_msg_ids")))
          .put("created_at", epoch(r.getLocalDateTime("created_at"))));
    }
    return out;
  }

  Future<JsonArray> summaries(String user, String character, int limit, int offset) {
    return pool.preparedQuery("SELECT id, summary_text, topic_tags, emotion_tone, start_time, end_time, message_count,"
            + " total_tokens, vector_id, archive_path, session_id, source_msg_ids, created_at FROM conversation_summaries"
            + " WHERE user_id = ? AND character_id = ? AND is_deleted = 0 ORDER BY end_time DESC, id DESC LIMIT ? OFFSET ?")
        .execute(Tuple.of(user, character, limit, offset))
        .map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(new JsonObject()
                .put("id", r.getLong("id"))
                .put("summary_text", r.getString("summary_text"))
                .put("topic_tags", jsonArray(r.getValue("topic_tags")))
                .put("emotion_tone", r.getString("emotion_tone"))
                .put("start_time", epoch(r.getLocalDateTime("start_time")))
                .put("end_time", epoch(r.getLocalDateTime("end_time")))
                .put("message_count", r.getInteger("message_count"))
                .put("total_tokens", r.getInteger("total_tokens"))
                .put("vector_id", r.getString("vector_id"))
                .put("archive_path", r.getString("archive_path"))
                .put("session_id", r.getString("session_id"))
                .put("source_msg_ids", jsonArray(r.getValue("source_msg_ids")))
                .put("created_at", epoch(r.getLocalDateTime("created_at"))));
          }
          return out;
        });
  }

  // ---------------------------------------------------------------- message buffer (POST /v1/messages)

  /** Buffers messages; cuts a task when the session reaches {@code threshold}. */
  Future<JsonObject> bufferMessages(JsonObject req, int threshold, int maxRetries) {
    String user = req.getString("user_id");
    String character = req.getString("character_id");
    String session = req.getString("session_id");
    JsonArray messages = req.getJsonArray("messages");
    return pool.withTransaction(c -> {
      List<Tuple> rows = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        rows.add(Tuple.of(user, character, session, messages.getJsonObject(i).encode()));
      }
      return batch(c, "INSERT INTO buffered_messages (user_id, character_id, session_id, message) VALUES (?, ?, ?, ?)",
              rows)
          .compose(x -> run(c, "SELECT COUNT(*) AS n FROM buffered_messages WHERE user_id = ? AND character_id = ?"
              + " AND session_id = ?", Tuple.of(user, character, session)))
          .compose(rs -> {
            long n = rs.iterator().next().getLong("n");
            if (n < threshold) {
              return Future.succeededFuture(new JsonObject().put("buffered", n));
            }
            return cut(c, user, character, session, "threshold", maxRetries)
                .map(task -> new JsonObject().put("buffered", 0).put("task", task));
          });
    });
  }

  /** Cuts a task from a session's buffered messages (session end); null task when nothing was buffered. */
  Future<JsonObject> endSession(String user, String character, String session, String trigger, int maxRetries) {
    return pool.withTransaction(conn -> cut(conn, user, character, session, trigger, maxRetries))
        .map(task -> new JsonObject().put("task", task));
  }

  /** Sessions with buffered messages and nothing new for {@code idleSeconds}. */
  Future<JsonArray> idleSessions(long idleSeconds, int limit) {
    return pool.preparedQuery("SELECT user_id, character_id, session_id FROM buffered_messages"
            + " GROUP BY user_id, character_id, session_id"
            + " HAVING MAX(received_at) <= UTC_TIMESTAMP() - INTERVAL ? SECOND LIMIT ?")
        .execute(Tuple.of(idleSeconds, limit))
        .map(rs -> {
          JsonArray out = new JsonArray();
          rs.forEach(r -> out.add(new JsonObject().put("user_id", r.getString("user_id"))
              .put("character_id", r.getString("character_id")).put("session_id", r.getString("session_id"))));
          return out;
        });
  }

  private Future<JsonObject> cut(SqlClient c, String user, String character, String session, String trigger,
      int maxRetries) {
    return run(c, "SELECT id, message FROM buffered_messages WHERE user_id = ? AND character_id = ? AND session_id = ?"
            + " ORDER BY id FOR UPDATE", Tuple.of(user, character, session))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.succeededFuture((JsonObject) null);
          }
          JsonArray messages = new JsonArray();
          long maxId = 0;
          for (Row r : rs) {
            messages.add(new JsonObject(r.getValue("message").toString()));
            maxId = Math.max(maxId, r.getLong("id"));
          }
          long last = maxId;
          return createTask(c, user, character, session, trigger, messages, maxRetries)
              .compose(task -> run(c, "DELETE FROM buffered_messages WHERE user_id = ? AND character_id = ?"
                  + " AND session_id = ? AND id <= ?", Tuple.of(user, character, session, last)).map(x -> task));
        });
  }

  // ---------------------------------------------------------------- admin: task list, retry, requeue

  static final List<String> TASK_STATUSES = List.of("pending", "processing", "completed", "failed");

  /** The newest tasks first, optionally of one status and one user. */
  /** @param tenant when given, only users of that tenant ({@code tenant:...}); tenant names are [a-z0-9_-] */
  Future<JsonArray> listTasks(String status, String user, String tenant, int limit) {
    if (status != null && !TASK_STATUSES.contains(status)) {
      throw new IllegalArgumentException("status must be one of " + TASK_STATUSES);
    }
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be between 1 and 500");
    }
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (status != null) {
      where.add("status = ?");
      args.add(status);
    }
    if (user != null) {
      where.add("user_id = ?");
      args.add(user);
    }
    if (tenant != null) {
      where.add("user_id LIKE ? ESCAPE '!'"); // '_' is a wildcard in LIKE, and tenant names may hold it
      args.add(tenant.replace("!", "!!").replace("_", "!_").replace("%", "!%") + ":%");
    }
    args.add(limit);
    return pool.preparedQuery("SELECT task_id, user_id, character_id, session_id, status, retry_count, max_retries,"
            + " error_message, created_at, started_at, completed_at, trigger_type FROM memory_generation_tasks"
            + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY id DESC LIMIT ?")
        .execute(Tuple.from(args))
        .map(rs -> {
          JsonArray out = new JsonArray();
          rs.forEach(r -> out.add(taskStatus(r)));
          return out;
        });
  }

  private static final String RESET_TO_PENDING = "UPDATE memory_generation_tasks SET status = 'pending',"
      + " retry_count = 0, error_message = NULL, started_at = NULL, completed_at = NULL, published_at = NULL,"
      + " next_attempt_at = NULL WHERE task_id = ?";

  /** A failed task back to pending with its retry budget reset; returns its publishable form. 404 / 409 otherwise. */
  Future<JsonObject> retryTask(String taskId) {
    return pool.withTransaction(c -> run(c, "SELECT task_id, user_id, character_id, session_id, trigger_type,"
            + " source_data, status FROM memory_generation_tasks WHERE task_id = ? FOR UPDATE", Tuple.of(taskId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no task " + taskId));
          }
          Row r = rs.iterator().next();
          if (!"failed".equals(r.getString("status"))) {
            return Future.failedFuture(Failures.of(Failures.CONFLICT, "task " + taskId + " is "
                + r.getString("status") + "; only a failed task can be retried"));
          }
          return run(c, RESET_TO_PENDING, Tuple.of(taskId)).map(x -> publishable(r));
        }));
  }

  /**
   * For a DLQ replay: of {@code taskIds}, the tasks that exist and are not completed, failed ones reset to pending
   * with a fresh retry budget. Returns {@code {tasks: [publishable], skipped}}.
   */
  Future<JsonObject> requeueTasks(List<String> taskIds) {
    if (taskIds.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("tasks", new JsonArray()).put("skipped", 0));
    }
    String marks = String.join(", ", taskIds.stream().map(t -> "?").toList());
    return pool.withTransaction(c -> run(c, "SELECT task_id, user_id, character_id, session_id, trigger_type,"
            + " source_data, status FROM memory_generation_tasks WHERE task_id IN (" + marks + ") AND status <> 'completed'"
            + " FOR UPDATE", Tuple.from(new ArrayList<>(taskIds)))
        .compose(rs -> {
          JsonArray tasks = new JsonArray();
          List<Tuple> failed = new ArrayList<>();
          for (Row r : rs) {
            tasks.add(publishable(r));
            if ("failed".equals(r.getString("status"))) {
              failed.add(Tuple.of(r.getString("task_id")));
            }
          }
          Future<?> reset = failed.isEmpty() ? Future.succeededFuture() : batch(c, RESET_TO_PENDING, failed);
          return reset.map(x -> new JsonObject().put("tasks", tasks).put("skipped", taskIds.size() - tasks.size()));
        }));
  }

  private static JsonObject publishable(Row r) {
    return taskMessage(r.getString("task_id"), r.getString("user_id"), r.getString("character_id"),
        r.getString("session_id"), r.getString("trigger_type"), new JsonArray(r.getValue("source_data").toString()));
  }

  // ---------------------------------------------------------------- export and stats

  /**
   * One page of a user's rows for an export, all characters when {@code character} is null, in id order after
   * {@code afterId} (keyset paging: stable while rows come and go).
   */
  Future<JsonArray> exportRows(String kind, String user, String character, long afterId, int limit) {
    String table = switch (kind) {
      case "profiles" -> "user_profiles";
      case "events" -> "user_events";
      case "summaries" -> "conversation_summaries";
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    };
    List<Object> args = new ArrayList<>(List.of(user));
    String owner = "user_id = ?";
    if (character != null) {
      owner += " AND character_id = ?";
      args.add(character);
    }
    args.add(afterId);
    args.add(limit);
    return pool.preparedQuery("SELECT * FROM " + table + " WHERE " + owner + " AND id > ? ORDER BY id LIMIT ?")
        .execute(Tuple.from(args))
        .map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(exportRow(r));
          }
          return out;
        });
  }

  /** Every column, times as epoch seconds, JSON columns as JSON. */
  private static JsonObject exportRow(Row r) {
    JsonObject j = new JsonObject();
    for (int i = 0; i < r.size(); i++) {
      String name = r.getColumnName(i);
      Object v = r.getValue(i);
      if (v instanceof LocalDateTime t) {
        v = epoch(t);
      } else if (v instanceof LocalDate d) {
        v = d.toString();
      } else if (v instanceof Numeric n) { // DECIMAL and unsigned BIGINT
        v = n.bigDecimalValue().stripTrailingZeros().scale() <= 0 ? (Object) n.longValue() : (Object) n.doubleValue();
      } else if (v != null && JSON_COLUMNS.contains(name)) {
        v = io.vertx.core.json.Json.decodeValue(v.toString());
      }
      j.put(name, v);
    }
    return j;
  }

  private static final List<String> JSON_COLUMNS = List.of("topic_tags", "source_msg_ids", "source_data", "message");

  /** Per row beyond its text: ids, numbers, times and index entries. An estimate, as the row bytes are. */
  static final int ROW_OVERHEAD_BYTES = 64;

  /**
   * Counts and approximate bytes of one owner's rows (text lengths plus {@link #ROW_OVERHEAD_BYTES} per row), or of
   * the whole database when {@code user} is null (then bytes are InnoDB's data and index lengths, and distinct users
   * are counted).
   */
  Future<JsonObject> stats(String user, String character) {
    List<Object> args = new ArrayList<>();
    String where = "";
    if (user != null) {
      where = " WHERE user_id = ?";
      args.add(user);
      if (character != null) {
        where += " AND character_id = ?";
        args.add(character);
      }
    }
    Tuple owner = Tuple.from(args);
    String ids = "LENGTH(user_id) + LENGTH(character_id)";
    Future<long[]> profiles = countAndBytes("user_profiles", ids + " + LENGTH(profile_key) + LENGTH(profile_value)"
        + " + COALESCE(LENGTH(source_msg_id), 0)", where, owner);
    Future<long[]> events = countAndBytes("user_events", ids + " + LENGTH(event_type) + LENGTH(event_title)"
        + " + LENGTH(event_summary) + COALESCE(LENGTH(emotion_tag), 0) + COALESCE(LENGTH(vector_id), 0)"
        + " + COALESCE(LENGTH(task_id), 0) + COALESCE(LENGTH(session_id), 0)"
        + " + COALESCE(LENGTH(CAST(source_msg_ids AS CHAR)), 0)", where, owner);
    Future<long[]> summaries = countAndBytes("conversation_summaries", ids + " + LENGTH(summary_text)"
        + " + COALESCE(LENGTH(CAST(topic_tags AS CHAR)), 0) + COALESCE(LENGTH(emotion_tone), 0) + LENGTH(vector_id)"
        + " + COALESCE(LENGTH(archive_path), 0) + COALESCE(LENGTH(task_id), 0) + COALESCE(LENGTH(session_id), 0)"
        + " + COALESCE(LENGTH(CAST(source_msg_ids AS CHAR)), 0)", where, owner);
    Future<long[]> buffered = countAndBytes("buffered_messages", ids + " + LENGTH(session_id)"
        + " + LENGTH(CAST(message AS CHAR))", where, owner);
    Future<long[]> taskBytes = countAndBytes("memory_generation_tasks", ids + " + LENGTH(task_id)"
        + " + LENGTH(CAST(source_data AS CHAR)) + COALESCE(LENGTH(error_message), 0)"
        + " + COALESCE(LENGTH(session_id), 0)", where, owner);
    Future<JsonObject> tasks = run(pool, "SELECT status, COUNT(*) AS n FROM memory_generation_tasks" + where
        + " GROUP BY status", owner).map(rs -> {
          JsonObject j = new JsonObject().put("pending", 0L).put("processing", 0L).put("completed", 0L)
              .put("failed", 0L);
          rs.forEach(r -> j.put(r.getString("status"), r.getLong("n")));
          return j;
        });
    Future<Long> users = user != null ? Future.succeededFuture((Long) null) : pool.query("SELECT COUNT(*) FROM ("
        + "SELECT user_id FROM user_profiles UNION SELECT user_id FROM user_events"
        + " UNION SELECT user_id FROM conversation_summaries UNION SELECT user_id FROM memory_generation_tasks"
        + " UNION SELECT user_id FROM buffered_messages) u").execute().map(rs -> rs.iterator().next().getLong(0));
    Future<Long> dbBytes = user != null ? Future.succeededFuture((Long) null) : pool.query("SELECT"
        + " COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME IN ('user_profiles', 'user_events', 'conversation_summaries', 'memory_generation_tasks',"
        + " 'buffered_messages')").execute().map(rs -> rs.iterator().next().getNumeric(0).longValue());
    return Future.all(List.of(profiles, events, summaries, buffered, taskBytes, tasks, users, dbBytes)).map(x -> {
      long rowBytes = profiles.result()[1] + events.result()[1] + summaries.result()[1] + buffered.result()[1]
          + taskBytes.result()[1];
      JsonObject out = new JsonObject()
          .put("profiles", profiles.result()[0])
          .put("events", events.result()[0])
          .put("summaries", summaries.result()[0])
          .put("buffered_messages", buffered.result()[0])
          .put("tasks", tasks.result())
          .put("mysql_bytes", dbBytes.result() != null ? dbBytes.result() : rowBytes);
      if (users.result() != null) {
        out.put("users", users.result());
      }
      return out;
    });
  }

  private Future<long[]> countAndBytes(String table, String textBytes, String where, Tuple owner) {
    return run(pool, "SELECT COUNT(*), COALESCE(SUM(" + textBytes + "), 0) FROM " + table + where, owner)
        .map(rs -> {
          Row r = rs.iterator().next();
          long n = r.getLong(0);
          return new long[] {n, r.getNumeric(1).longValue() + n * ROW_OVERHEAD_BYTES};
        });
  }

  // ---------------------------------------------------------------- forget

  /**
   * Writes the owner's tombstone, or moves it to now (a repeated forget); returns its time in epoch milliseconds.
   * Nothing is deleted before it exists, so a forget cut short anywhere still blocks every later write.
   */
  Future<Long> tombstone(String user, String character) {
    return run(pool, "INSERT INTO forgotten_users (user_id, character_id, forgotten_at) VALUES (?, ?, UTC_TIMESTAMP(3))"
            + " ON DUPLICATE KEY UPDATE forgotten_at = VALUES(forgotten_at)", Tuple.of(user, character))
        .compose(x -> run(pool, "SELECT forgotten_at FROM forgotten_users WHERE user_id = ? AND character_key = ?",
            Tuple.of(user, character == null ? "" : character)))
        .map(rs -> millis(rs.iterator().next().getLocalDateTime("forgotten_at")));
  }

  /** Deletes the owner's tasks (any status) and buffered messages; returns how many of each. */
  Future<JsonObject> forgetTasks(String user, String character) {
    Tuple owner = character == null ? Tuple.of(user) : Tuple.of(user, character);
    String where = character == null ? " WHERE user_id = ?" : " WHERE user_id = ? AND character_id = ?";
    return run(pool, "DELETE FROM memory_generation_tasks" + where, owner)
        .compose(tasks -> run(pool, "DELETE FROM buffered_messages" + where, owner)
            .map(buffered -> new JsonObject().put("tasks", (long) tasks.rowCount())
                .put("buffered_messages", (long) buffered.rowCount())));
  }

  /**
   * Deletes the owner's profiles, events and summaries, and once more any task or buffered message that arrived
   * during the forget; returns how many of each.
   */
  Future<JsonObject> forgetRows(String user, String character) {
    Tuple owner = character == null ? Tuple.of(user) : Tuple.of(user, character);
    String where = character == null ? " WHERE user_id = ?" : " WHERE user_id = ? AND character_id = ?";
    JsonObject out = new JsonObject();
    return run(pool, "DELETE FROM user_profiles" + where, owner)
        .compose(rs -> {
          out.put("profiles", (long) rs.rowCount());
          return run(pool, "DELETE FROM user_events" + where, owner);
        })
        .compose(rs -> {
          out.put("events", (long) rs.rowCount());
          return run(pool, "DELETE FROM conversation_summaries" + where, owner);
        })
        .compose(rs -> {
          out.put("summaries", (long) rs.rowCount());
          return forgetTasks(user, character);
        })
        .map(late -> out.put("late_tasks", late.getLong("tasks"))
            .put("late_buffered_messages", late.getLong("buffered_messages")));
  }

  /**
   * Whether a write for this owner must be refused: the owner (or this character of theirs) was forgotten, and what
   * is written was created no later than that: the task's row is gone (the forget deleted it) or was created then or
   * before; without a task, {@code createdAtMs} (default now) is the creation time. Both times are in milliseconds.
   */
  Future<Boolean> forgotten(SqlClient c, String taskId, String user, String character, Long createdAtMs) {
    if (taskId == null && user == null) {
      return Future.succeededFuture(false);
    }
    Future<RowSet<Row>> task = taskId == null ? Future.succeededFuture(null)
        : run(c, "SELECT user_id, character_id, created_at FROM memory_generation_tasks WHERE task_id = ?",
            Tuple.of(taskId));
    return task.compose(rs -> {
      Row row = rs == null || rs.size() == 0 ? null : rs.iterator().next();
      String u = row != null ? row.getString("user_id") : user;
      String ch = row != null ? row.getString("character_id") : character;
      if (u == null) {
        return Future.succeededFuture(false); // an unknown task of an unknown owner: nothing to compare with
      }
      return run(c, "SELECT character_id, forgotten_at FROM forgotten_users WHERE user_id = ?", Tuple.of(u))
          .map(tombstones -> {
            LocalDateTime at = latest(tombstones, ch);
            if (at == null) {
              return false;
            }
            if (row != null) {
              return !row.getLocalDateTime("created_at").isAfter(at);
            }
            // no row: a task the forget deleted, or a write without a task (an import), created at createdAtMs
            return taskId != null || (createdAtMs == null ? System.currentTimeMillis() : createdAtMs) <= millis(at);
          });
    });
  }

  /** The latest tombstone covering {@code character}: one for it, or one for all the user's characters. */
  private static LocalDateTime latest(RowSet<Row> tombstones, String character) {
    LocalDateTime latest = null;
    for (Row t : tombstones) {
      String scope = t.getString("character_id");
      if (scope == null || scope.equals(character)) {
        LocalDateTime at = t.getLocalDateTime("forgotten_at");
        latest = latest == null || at.isAfter(latest) ? at : latest;
      }
    }
    return latest;
  }

  // ---------------------------------------------------------------- helpers

  private static Future<RowSet<Row>> run(SqlClient c, String sql, Tuple args) {
    return c.preparedQuery(sql).execute(args);
  }

  private static Future<RowSet<Row>> batch(SqlClient c, String sql, List<Tuple> rows) {
    return c.preparedQuery(sql).executeBatch(rows);
  }

  static LocalDateTime utc(long epochSeconds) {
    return LocalDateTime.ofEpochSecond(epochSeconds, 0, ZoneOffset.UTC);
  }

  static Long epoch(LocalDateTime t) {
    return t == null ? null : t.toEpochSecond(ZoneOffset.UTC);
  }

  static long millis(LocalDateTime t) {
    return t.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static long lastTimestamp(JsonArray messages) {
    return messages.isEmpty() ? Instant.now().getEpochSecond()
        : messages.getJsonObject(messages.size() - 1).getLong("timestamp", Instant.now().getEpochSecond());
  }

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

  private static JsonArray jsonArray(Object v) {
    return v == null ? new JsonArray() : new JsonArray(v.toString());
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
