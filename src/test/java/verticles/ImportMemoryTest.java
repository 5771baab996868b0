package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@DisplayName("POST /v1/memories imports an already-extracted memory")
class ImportMemoryTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonObject memory(String user, String content) {
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", "event")
        .put("content", content).put("timestamp", Instant.now().getEpochSecond() - 86400).put("importance", 7)
        .put("session_id", "s-import").put("source_msg_ids", new JsonArray().add("D1:3").add("D1:4"))
        .put("metadata", new JsonObject().put("origin", "test"));
  }

  static JsonObject recall(String user, String message) {
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("message", message)
        .put("force", true).put("top_k", 10);
  }

  @Test
  @DisplayName("An imported memory is recalled with its provenance; posting it again replaces it; another user never sees it")
  void importThenRecall(VertxTestContext ctx) {
    String user = "u-import-" + UUID.randomUUID();
    String other = "u-import-other-" + UUID.randomUUID();
    JsonObject body = memory(user, "Caroline went to an LGBTQ support group and found it powerful 🏳️‍🌈");
    TestStack.post("/v1/memories", body)
        .compose(first -> {
          ctx.verify(() -> {
            assertEquals(201, first.statusCode(), first.bodyAsString());
            assertTrue(first.bodyAsJsonObject().getString("id").startsWith("mem-"));
          });
          return TestStack.post("/v1/memories", body).map(second -> {
            ctx.verify(() -> assertEquals(first.bodyAsJsonObject().getString("id"),
                second.bodyAsJsonObject().getString("id"), "the same memory keeps its id"));
            return first.bodyAsJsonObject().getString("id");
          });
        })
        .compose(id -> TestStack.post("/v1/recall", recall(user, "when did Caroline go to the support group?"))
            .map(r -> {
              ctx.verify(() -> {
                JsonArray memories = r.bodyAsJsonObject().getJsonArray("memories");
                JsonObject found = EndToEndMemoryTest.find(memories, "support group");
                assertNotNull(found, memories.encodePrettily());
                assertEquals(id, found.getString("id"));
                assertEquals(new JsonArray().add("D1:3").add("D1:4"),
                    found.getJsonObject("provenance").getJsonArray("msg_ids"));
                assertEquals("s-import", found.getJsonObject("provenance").getString("session_id"));
                assertEquals(1, memories.stream().map(JsonObject.class::cast)
                    .filter(m -> m.getString("content").contains("support group")).count(), "no copy after a repost");
              });
              return id;
            }))
        .compose(id -> TestStack.post("/v1/recall", recall(other, "when did Caroline go to the support group?")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertNull(EndToEndMemoryTest.find(r.bodyAsJsonObject().getJsonArray("memories"), "support group"));
          ctx.completeNow();
        })));
  }

  static JsonObject with(String field, Object value) {
    JsonObject body = memory("u-bad", "我喜欢吃火锅");
    if (field.startsWith("-")) {
      body.remove(field.substring(1));
    } else {
      body.put(field, value);
    }
    return body;
  }

  static Stream<Arguments> badMemories() {
    long future = Instant.now().getEpochSecond() + 10L * 365 * 86400;
    JsonObject bigMetadata = new JsonObject();
    for (int i = 0; i < 40; i++) {
      bigMetadata.put("k" + i, "v".repeat(1000));
    }
    return Stream.of(
        Arguments.of("missing content", with("-content", null), "content"),
        Arguments.of("blank content", with("content", " \n\t "), "content"),
        Arguments.of("content is a number", with("content", 5), "content"),
        Arguments.of("content too long", with("content", "长".repeat(20_001)), "content"),
        Arguments.of("content with a lone surrogate", with("content", "bad \uDC00"), "content"),
        Arguments.of("unknown memory_type", with("memory_type", "secret"), "memory_type"),
        Arguments.of("missing memory_type", with("-memory_type", null), "memory_type"),
        Arguments.of("missing user_id", with("-user_id", null), "user_id"),
        Arguments.of("user_id with a slash", with("user_id", "a/b"), "user_id"),
        Arguments.of("importance above 10", with("importance", 11), "importance"),
        Arguments.of("importance is text", with("importance", "high"), "importance"),
        Arguments.of("timestamp is a string", with("timestamp", "yesterday"), "timestamp"),
        Arguments.of("timestamp far in the future", with("timestamp", future), "timestamp"),
        Arguments.of("metadata is an array", with("metadata", new JsonArray()), "metadata"),
        Arguments.of("metadata too large", with("metadata", bigMetadata), "metadata"),
        Arguments.of("source_msg_ids not an array", with("source_msg_ids", "D1:3"), "source_msg_ids"),
        Arguments.of("source_msg_ids with a control character", with("source_msg_ids",
            new JsonArray().add("ok").add("bad\u0001")), "source_msg_ids[1]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badMemories")
  @DisplayName("A bad memory is refused with 400 naming the field")
  void badMemory(String name, JsonObject body, String field, VertxTestContext ctx) {
    TestStack.post("/v1/memories", body).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(400, r.statusCode(), r.bodyAsString());
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertEquals(field, error.getString("field"), error.encode());
      ctx.completeNow();
    })));
  }
}
