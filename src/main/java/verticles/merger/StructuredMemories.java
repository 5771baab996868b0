package verticles.merger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import verticles.merger.Ranker.Candidate;

/**
 * MySQL rows as recall candidates. Their relevance is fixed, not scored against the query. The seed gives structured
 * results 0.5; events found only in MySQL get 0.2 here, because at 0.5 a user's few most important events outranked
 * the message that answered the question, whatever was asked (the Chinese quality test showed it on most misses).
 * An event the index also found is merged with the index's scored copy (see {@link Ranker}).
 */
final class StructuredMemories {
  private static final double RELEVANCE = 0.5;
  private static final double EVENT_RELEVANCE = 0.2;
  private static final double UPCOMING_RELEVANCE = 0.8;

  private StructuredMemories() {}

  static Candidate event(JsonObject e) {
    // the event's vector_id is its record id in the index, so a hit on both paths merges into one memory
    String id = e.getString("vector_id") != null ? e.getString("vector_id") : "event-row:" + e.getLong("id");
    return new Candidate(memory(id, "event", e.getString("event_title") + ": " + e.getString("event_summary"),
        e.getLong("created_at", 0L), e.getInteger("importance", 5), e), EVENT_RELEVANCE);
  }

  static Candidate upcoming(JsonObject e, boolean zh) {
    long days = e.getLong("days_until", 0L);
    String when = zh ? (days == 0 ? "今天" : days + "天后") : (days == 0 ? "today" : "in " + days + " days");
    String content = zh
        ? "即将到来：" + e.getString("event_title") + "（" + e.getString("next_date") + "，" + when + "）"
        : "Coming up: " + e.getString("event_title") + " (" + e.getString("next_date") + ", " + when + ")";
    return new Candidate(memory("upcoming:" + e.getLong("id"), "event", content, e.getLong("created_at", 0L),
        Math.min(10, e.getInteger("importance", 5) + 1), e), UPCOMING_RELEVANCE);
  }

  static Candidate summary(JsonObject s) {
    return new Candidate(memory(s.getString("vector_id"), "summary", s.getString("summary_text"),
        s.getLong("end_time", 0L), 5, s), RELEVANCE);
  }

  private static JsonObject memory(String id, String type, String content, long timestamp, int importance,
      JsonObject row) {
    return new JsonObject()
        .put("id", id)
        .put("memory_type", type)
        .put("content", content)
        .put("timestamp", timestamp)
        .put("importance", importance)
        .put("source", "mysql")
        .put("provenance", new JsonObject().put("session_id", row.getString("session_id"))
            .put("msg_ids", row.getJsonArray("source_msg_ids", new JsonArray())));
  }
}
