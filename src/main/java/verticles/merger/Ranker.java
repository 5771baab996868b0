package verticles.merger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The seed's ranking: score = relevance·w1 + recency·w2 + importance·w3 (0.5 / 0.3 / 0.2 by default), recency with a
 * 30-day half-life; then de-duplication and top-k.
 */
final class Ranker {
  private final double wRelevance;
  private final double wRecency;
  private final double wImportance;
  private final double halfLifeDays;

  Ranker(JsonObject cfg) {
    wRelevance = cfg.getDouble("relevance_weight", 0.5);
    wRecency = cfg.getDouble("recency_weight", 0.3);
    wImportance = cfg.getDouble("importance_weight", 0.2);
    halfLifeDays = cfg.getDouble("half_life_days", 30.0);
  }

  /** Vector hits → scored memories, best first, distinct content, at most topK. */
  List<JsonObject> rank(JsonArray hits, long nowSeconds, int topK) {
    List<JsonObject> scored = new ArrayList<>();
    for (int i = 0; i < hits.size(); i++) {
      JsonObject h = hits.getJsonObject(i);
      double relevance = h.getDouble("score", 0.0);
      double days = Math.max(0, nowSeconds - h.getLong("timestamp", 0L)) / 86400.0;
      double recency = Math.pow(0.5, days / halfLifeDays);
      double importance = h.getInteger("importance", 5) / 10.0;
      double score = relevance * wRelevance + recency * wRecency + importance * wImportance;
      scored.add(new JsonObject()
          .put("id", h.getString("id"))
          .put("memory_type", h.getString("memory_type"))
          .put("content", h.getString("content"))
          .put("timestamp", h.getLong("timestamp"))
          .put("importance", h.getInteger("importance"))
          .put("score", score)
          .put("scores", new JsonObject().put("relevance", relevance).put("recency", recency)
              .put("importance", importance))
          .put("source", "vector")
          .put("provenance", new JsonObject().put("session_id", h.getString("session_id"))
              .put("msg_ids", h.getJsonArray("source_msg_ids", new JsonArray()))));
    }
    scored.sort(Comparator.comparingDouble((JsonObject m) -> m.getDouble("score")).reversed());
    List<JsonObject> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonObject m : scored) {
      String key = m.getString("content", "").strip();
      if (seen.add(key) && out.size() < topK) {
        out.add(m);
      }
    }
    return out;
  }
}
