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
  /** An entity the message names by one of its names: as relevant as a strong hit, not more than a coming date. */
  static final double ENTITY_RELEVANCE = 0.7;

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

  /**
   * An entity the message names (recall's entity read): its current state, its relations (with the other end's state:
   * the one hop) and its latest events, as one memory {@code entity:{id}}, the id of its index record, so a hit on
   * both merges. Its provenance cites the turns its events came from.
   */
  static Candidate entity(JsonObject e, boolean zh) {
    String sep = zh ? "；" : "; ";
    StringBuilder b = new StringBuilder(e.getString("name"));
    JsonArray aliases = e.getJsonArray("aliases", new JsonArray());
    if (!aliases.isEmpty()) {
      b.append(zh ? "（" : " (").append(String.join(", ", aliases.stream().map(String::valueOf).toList()))
          .append(zh ? "）" : ")");
    }
    if (e.getString("current_state") != null) {
      b.append(zh ? "，现在：" : ", now: ").append(e.getString("current_state"));
    }
    String id = e.getString("id");
    for (Object o : e.getJsonArray("relations", new JsonArray())) {
      JsonObject r = (JsonObject) o;
      boolean out = id.equals(r.getString("source_id"));
      b.append(sep).append(out ? (zh ? "→ " : "→ ") : (zh ? "← " : "← ")).append(r.getString("type")).append(' ')
          .append(r.getString("name"));
      if (r.getString("state") != null) {
        b.append(zh ? "（现在：" : " (now: ").append(r.getString("state")).append(zh ? "）" : ")");
      }
    }
    JsonArray msgIds = new JsonArray();
    for (Object o : e.getJsonArray("events", new JsonArray())) {
      JsonObject ev = (JsonObject) o;
      b.append(sep).append(ev.getString("summary"));
      Object tags = ev.getValue("tags");
      JsonArray t = tags instanceof JsonArray a ? a : tags instanceof String s ? new JsonArray(s) : new JsonArray();
      t.forEach(tag -> {
        if (String.valueOf(tag).startsWith("msg:") && !msgIds.contains(String.valueOf(tag).substring(4))) {
          msgIds.add(String.valueOf(tag).substring(4));
        }
      });
    }
    JsonObject row = new JsonObject().put("source_msg_ids", msgIds);
    return new Candidate(memory("entity:" + id, "entity", b.toString(), e.getLong("updated_at", 0L),
        e.getInteger("importance", 5), row), ENTITY_RELEVANCE);
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
