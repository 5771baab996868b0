package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code explain: true} on POST /v1/recall lists what the ranking cut, and why, against the real stack. */
@DisplayName("A recall asked to explain itself lists the memories its budget cut")
class RecallExplainTest {
  private static final String USER = "u-explain-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String TOKEN = "kq" + UUID.randomUUID().toString().substring(0, 6);
  private static final Set<String> SHORT = new HashSet<>();
  private static String longId;

  @BeforeAll
  static void memories() {
    TestStack.engram();
    // three unlike memories sharing one rare word, so none is a near-duplicate of another
    SHORT.add(imported("c1", "Lin drinks green tea at the " + TOKEN + " teahouse"));
    SHORT.add(imported("c1", "The " + TOKEN + " bakery sells the almond croissants Lin's brother loves"));
    SHORT.add(imported("c1", "Lin's cousin studies marine biology at " + TOKEN + " harbour"));
    imported("c2", "Lin plays chess at the " + TOKEN + " teahouse");
    longId = imported("c2", ("Lin told a long story about the " + TOKEN + " teahouse, its garden and its old owner. ")
        .repeat(12));
  }

  private static String imported(String character, String content) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", USER)
        .put("character_id", character).put("memory_type", "event").put("content", content)
        .put("timestamp", Instant.now().getEpochSecond() - 3600)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static JsonObject recall(String character, JsonObject extra) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", USER)
        .put("character_id", character).put("message", "What do you remember about " + TOKEN + "?")
        .put("force", true).put("types", new JsonArray().add("event")).mergeIn(extra)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertTrue(body.getJsonArray("degraded").isEmpty(), body.encode());
    return body;
  }

  @Test
  @DisplayName("Past top_k, the other candidates come back as cut for top_k, each with its score's ingredients")
  void cutByTopK() {
    JsonObject body = recall("c1", new JsonObject().put("top_k", 1).put("explain", true));
    JsonArray memories = body.getJsonArray("memories");
    assertEquals(1, memories.size(), body.encode());
    JsonArray cut = body.getJsonArray("cut");
    assertNotNull(cut, body.encode());
    Set<String> seen = new HashSet<>();
    seen.add(memories.getJsonObject(0).getString("id"));
    for (int i = 0; i < cut.size(); i++) {
      JsonObject c = cut.getJsonObject(i);
      seen.add(c.getString("id"));
      if (SHORT.contains(c.getString("id"))) {
        assertEquals("top_k", c.getString("reason"), c.encode());
        assertEquals("event", c.getString("memory_type"));
        assertTrue(c.getString("content").contains(TOKEN), c.encode());
        assertTrue(c.getDouble("score") <= memories.getJsonObject(0).getDouble("score"), body.encode());
        JsonObject scores = c.getJsonObject("scores");
        assertTrue(scores.containsKey("relevance") && scores.containsKey("recency")
            && scores.containsKey("importance"), c.encode());
      }
    }
    assertTrue(seen.containsAll(SHORT), "every candidate is either returned or cut: " + body.encode());
  }

  @Test
  @DisplayName("A memory too long for max_tokens is cut for max_tokens while a shorter one still fits")
  void cutByMaxTokens() {
    JsonObject body = recall("c2", new JsonObject().put("top_k", 5).put("max_tokens", 40).put("explain", true));
    JsonArray memories = body.getJsonArray("memories");
    assertEquals(1, memories.size(), body.encode());
    assertTrue(memories.getJsonObject(0).getString("content").contains("chess"), body.encode());
    JsonObject cutLong = body.getJsonArray("cut").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals(longId)).findFirst().orElseThrow(() -> new AssertionError(body.encode()));
    assertEquals("max_tokens", cutLong.getString("reason"));
    assertFalse(body.getString("context").contains("old owner"), body.getString("context"));
  }

  @Test
  @DisplayName("Without explain the reply has no cut list")
  void offByDefault() {
    JsonObject body = recall("c1", new JsonObject().put("top_k", 1));
    assertEquals(1, body.getJsonArray("memories").size(), body.encode());
    assertFalse(body.containsKey("cut"), body.encode());
  }

  @Test
  @DisplayName("explain must be a boolean")
  void explainIsChecked() {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", USER)
        .put("character_id", "c1").put("message", "hi").put("explain", "yes")));
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsString().contains("explain"), r.bodyAsString());
  }
}
