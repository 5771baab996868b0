package verticles.merger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verticles.shared.Tokens;

/**
 * The seed's ranking: score = relevance·w1 + recency·w2 + importance·w3 (0.5 / 0.3 / 0.2 by default), recency with a
 * 30-day half-life; then top-k within the token budget. Near-duplicates by vector similarity are removed by
 * VectorSearch, which holds the vectors; here the same memory found twice merges by id, and identical text is
 * dropped.
 */
final class Ranker {
  private final double wRelevance;
  private final double wRecency;
  private final double wImportance;
  private final double halfLifeDays;
  private final double wRetention;

  Ranker(JsonObject cfg) {
    wRelevance = cfg.getDouble("relevance_weight", 0.5);
    wRecency = cfg.getDouble("recency_weight", 0.3);
    wImportance = cfg.getDouble("importance_weight", 0.2);
    halfLifeDays = cfg.getDouble("half_life_days", 30.0);
    wRetention = cfg.getDouble("retention_weight", 0.0);
  }

  /** Whether the score adds retention·{@code retention_weight} (issue 14; off by default, see docs/benchmarks.md). */
  boolean weighsRetention() {
    return wRetention > 0;
  }

  /** A candidate memory before ranking: the reply's fields and its relevance in [0,1]. */
  record Candidate(JsonObject memory, double relevance) {}

  static Candidate fromHit(JsonObject h) {
    JsonObject m = new JsonObject()
        .put("id", h.getString("id"))
        .put("memory_type", h.getString("memory_type"))
        .put("content", h.getString("content"))
        .put("timestamp", h.getLong("timestamp"))
        .put("importance", h.getInteger("importance"))
        .put("source", "vector")
        .put("provenance", new JsonObject().put("session_id", h.getString("session_id"))
            .put("msg_ids", h.getJsonArray("source_msg_ids", new JsonArray())));
    return new Candidate(m, h.getDouble("score", 0.0));
  }

  /** An entity that recall's entity read found by a name in the message (not the index's copy). */
  private static boolean named(Candidate c) {
    return "entity".equals(c.memory().getString("memory_type")) && "mysql".equals(c.memory().getString("source"));
  }

  /** Scores, merges candidates with the same id, drops identical text, keeps topK within maxTokens. */
  List<JsonObject> rank(List<Candidate> candidates, long nowSeconds, int topK, int maxTokens) {
    return rank(candidates, new JsonObject(), nowSeconds, topK, maxTokens);
  }

  /** As above, with each memory's retention (id → (0, 1]; a missing id counts as 1) when the ranking weighs it. */
  List<JsonObject> rank(List<Candidate> candidates, JsonObject retention, long nowSeconds, int topK, int maxTokens) {
    return rank(candidates, retention, nowSeconds, topK, maxTokens, null);
  }

  /** As above; {@code cuts}, when not null, receives every scored candidate left out and why. */
  List<JsonObject> rank(List<Candidate> candidates, JsonObject retention, long nowSeconds, int topK, int maxTokens,
      Cuts cuts) {
    Map<String, Candidate> byId = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      // The same memory found by both stores: the index's copy was scored against the query and carries the time
      // it was said, MySQL's has a fixed relevance and the row's time; keep the index's, note both sources.
      byId.merge(c.memory().getString("id"), c, (a, b) -> {
        Candidate named = named(a) ? a : named(b) ? b : null;
        if (named != null) {
          // an entity the message names: the entity read's copy has its state, relations and events
          Candidate other = named == a ? b : a;
          named.memory().put("source", other.memory().getString("source") + "+" + named.memory().getString("source"));
          return new Candidate(named.memory(), Math.max(a.relevance(), b.relevance()));
        }
        Candidate keep = "vector".equals(a.memory().getString("source")) ? a
            : "vector".equals(b.memory().getString("source")) ? b : a.relevance() >= b.relevance() ? a : b;
        Candidate other = keep == a ? b : a;
        keep.memory().put("source", keep.memory().getString("source") + "+" + other.memory().getString("source"));
        return keep;
      });
    }
    List<Candidate> scored = new ArrayList<>(byId.values());
    for (Candidate c : scored) {
      JsonObject m = c.memory();
      double days = Math.max(0, nowSeconds - m.getLong("timestamp", 0L)) / 86400.0;
      double recency = Math.pow(0.5, days / halfLifeDays);
      double importance = Math.max(1, Math.min(10, m.getInteger("importance", 5))) / 10.0;
      JsonObject scores = new JsonObject().put("relevance", c.relevance()).put("recency", recency)
          .put("importance", importance);
      double score = c.relevance() * wRelevance + recency * wRecency + importance * wImportance;
      if (wRetention > 0) {
        double kept = retention.getDouble(m.getString("id"), 1.0);
        score += kept * wRetention;
        scores.put("retention", kept);
      }
      m.put("score", score);
      m.put("scores", scores);
    }
    scored.sort(Comparator.comparingDouble((Candidate c) -> c.memory().getDouble("score")).reversed());

    List<JsonObject> out = new ArrayList<>();
    Set<String> texts = new HashSet<>();
    int tokens = 0;
    for (Candidate c : scored) {
      if (out.size() >= topK) {
        if (cuts == null) {
          break;
        }
        cuts.add(c.memory(), Cuts.TOP_K);
        continue;
      }
      String text = c.memory().getString("content", "").strip();
      if (!texts.add(text)) {
        if (cuts != null) {
          cuts.add(c.memory(), Cuts.DUPLICATE);
        }
        continue;
      }
      int cost = Tokens.estimate(text) + 4; // the date prefix and line break
      if (tokens + cost > maxTokens) {
        if (cuts != null) {
          cuts.add(c.memory(), Cuts.MAX_TOKENS);
        }
        continue; // a shorter memory further down may still fit
      }
      tokens += cost;
      out.add(c.memory());
    }
    return out;
  }
}
