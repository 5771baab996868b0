package verticles.structured;

import static verticles.structured.Sql.epoch;
import static verticles.structured.Sql.jsonArray;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import verticles.shared.MemoryIds;
import verticles.shared.SkippedRecords;

/** Reads of a user's memory rows: profiles, events, summaries, and export pages of them. */
final class MemoryReadRepository {
  private static final List<String> JSON_COLUMNS = List.of("topic_tags", "source_msg_ids", "source_data", "message",
      "metadata", "changed");

  private final Pool pool;
  private final SkippedRecords skipped;

  /** @param skipped where rows that cannot be read as a memory are counted; the rest of a read goes on without them */
  MemoryReadRepository(Pool pool, SkippedRecords skipped) {
    this.pool = pool;
    this.skipped = skipped;
  }

  /** The pool reaches MySQL now (the readiness probe). */
  Future<Void> ping() {
    return pool.query(MemoryReadQueries.PING).execute().mapEmpty();
  }

  Future<JsonArray> profiles(String user, String character, int limit) {
    return run(pool, MemoryReadQueries.PROFILES, Tuple.of(user, character, limit))
        .map(rs -> rows(rs, "user_profiles", r -> new JsonObject()
            .put("id", r.getLong("id"))
            .put("memory_id", MemoryIds.profile(user, character, r.getString("profile_type"),
                r.getString("profile_key")))
            .put("profile_type", r.getString("profile_type"))
            .put("profile_key", r.getString("profile_key"))
            .put("profile_value", r.getString("profile_value"))
            .put("confidence", r.getBigDecimal("confidence").doubleValue())
            .put("source_msg_id", r.getString("source_msg_id"))
            .put("extracted_at", epoch(r.getLocalDateTime("extracted_at")))
            .put("updated_at", epoch(r.getLocalDateTime("updated_at")))));
  }

  /**
   * Each row as {@code read} makes it; a row it cannot make (a JSON column that is no array, a NULL where a value
   * must be) is skipped, logged and counted, and the others are still answered.
   */
  private JsonArray rows(RowSet<Row> rs, String table, Function<Row, JsonObject> read) {
    JsonArray out = new JsonArray();
    for (Row r : rs) {
      try {
        out.add(read.apply(r));
      } catch (RuntimeException e) {
        skipped.skip(SkippedRecords.MYSQL, table + " row " + r.getValue("id"), e.toString());
      }
    }
    return out;
  }

  Future<JsonArray> events(String user, String character, int limit, int offset) {
    return events(user, character, 0, limit, offset);
  }

  /** The user's events at or above {@code minImportance}, most important first, then the most recent. */
  Future<JsonArray> events(String user, String character, int minImportance, int limit, int offset) {
    return run(pool, MemoryReadQueries.EVENTS, Tuple.of(user, character, minImportance, limit, offset))
        .map(this::eventRows);
  }

  /**
   * The user's dated events that may happen in [from, to]: every recurring one (birthdays, anniversaries; their year
   * says nothing about the next time) and the one-offs dated inside the window. Which recurring ones fall inside is
   * day arithmetic, left to {@link UpcomingDates}.
   */
  Future<JsonArray> datedEvents(String user, String character, List<String> recurringTypes, LocalDate from,
      LocalDate to) {
    List<Object> args = new ArrayList<>(List.of(user, character));
    args.addAll(recurringTypes);
    args.add(from);
    args.add(to);
    return run(pool, MemoryReadQueries.datedEvents(recurringTypes.size()), Tuple.from(args))
        .map(this::eventRows);
  }

  private JsonArray eventRows(RowSet<Row> rs) {
    return rows(rs, "user_events", r -> {
      LocalDate d = r.getLocalDate("event_date");
      return new JsonObject()
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
          .put("created_at", epoch(r.getLocalDateTime("created_at")));
    });
  }

  Future<JsonArray> summaries(String user, String character, int limit, int offset) {
    return run(pool, MemoryReadQueries.SUMMARIES, Tuple.of(user, character, limit, offset))
        .map(rs -> rows(rs, "conversation_summaries", r -> new JsonObject()
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
            .put("created_at", epoch(r.getLocalDateTime("created_at")))));
  }

  /**
   * One page of a user's rows for an export, all characters when {@code character} is null, in id order after
   * {@code afterId} (keyset paging: stable while rows come and go).
   */
  Future<JsonArray> exportRows(String kind, String user, String character, long afterId, int limit) {
    String table = MemoryReadQueries.exportTable(kind);
    List<Object> args = new ArrayList<>(List.of(user));
    if (character != null) {
      args.add(character);
    }
    args.add(afterId);
    args.add(limit);
    return run(pool, MemoryReadQueries.exportPage(table, character != null), Tuple.from(args))
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
        v = Json.decodeValue(v.toString());
      }
      j.put(name, v);
    }
    return j;
  }
}
