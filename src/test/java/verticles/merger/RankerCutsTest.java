package verticles.merger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The ranking names what it cut: top_k, max_tokens, duplicate")
class RankerCutsTest {
  private static final long NOW = 1_800_000_000L;

  private static Ranker.Candidate candidate(String id, String content, double relevance) {
    return new Ranker.Candidate(new JsonObject().put("id", id).put("memory_type", "event").put("content", content)
        .put("timestamp", NOW - 60).put("importance", 5).put("source", "vector"), relevance);
  }

  @Test
  @DisplayName("Each candidate left out is listed once, in ranking order, with its reason and scores")
  void reasons() {
    Ranker ranker = new Ranker(new JsonObject());
    Cuts cuts = new Cuts();
    List<JsonObject> kept = ranker.rank(List.of(candidate("a", "tea with Mei", 0.9),
        candidate("b", "tea with Mei", 0.8),
        candidate("c", "a very long story ".repeat(40), 0.7),
        candidate("d", "chess on Sunday", 0.6),
        candidate("e", "poetry", 0.5)), new JsonObject(), NOW, 2, 30, cuts);
    assertEquals(List.of("a", "d"), kept.stream().map(m -> m.getString("id")).toList());
    JsonArray cut = cuts.toJson();
    assertEquals(List.of("b:duplicate", "c:max_tokens", "e:top_k"), cut.stream().map(JsonObject.class::cast)
        .map(c -> c.getString("id") + ":" + c.getString("reason")).toList());
    assertEquals(0.8, cut.getJsonObject(0).getJsonObject("scores").getDouble("relevance"));
  }

  @Test
  @DisplayName("Without a collector the ranking is unchanged")
  void unchanged() {
    Ranker ranker = new Ranker(new JsonObject());
    List<Ranker.Candidate> in = List.of(candidate("a", "x", 0.9), candidate("b", "y", 0.5));
    assertEquals(1, ranker.rank(in, NOW, 1, 100).size());
  }
}
