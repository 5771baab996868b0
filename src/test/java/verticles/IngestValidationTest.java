package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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
@DisplayName("Bad input gets a 4xx JSON error naming the field, and nothing accepted is lost")
class IngestValidationTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonObject valid() {
    return new JsonObject().put("user_id", "u-valid").put("character_id", "c1").put("messages", new JsonArray()
        .add(new JsonObject().put("msg_id", "m1").put("role", "user").put("content", "你好")
            .put("timestamp", Instant.now().getEpochSecond())));
  }

  static JsonObject with(String pointer, Object value) {
    JsonObject body = valid();
    JsonObject m = body.getJsonArray("messages").getJsonObject(0);
    switch (pointer) {
      case "user_id" -> body.put("user_id", value);
      case "-user_id" -> body.remove("user_id");
      case "messages" -> body.put("messages", value);
      case "-messages" -> body.remove("messages");
      case "role" -> m.put("role", value);
      case "-role" -> m.remove("role");
      case "content" -> m.put("content", value);
      case "timestamp" -> m.put("timestamp", value);
      case "msg_id" -> m.put("msg_id", value);
      default -> throw new IllegalArgumentException(pointer);
    }
    return body;
  }

  static Stream<Arguments> badSessions() {
    long future = Instant.now().getEpochSecond() + 10L * 365 * 86400;
    return Stream.of(
        Arguments.of("missing user_id", with("-user_id", null), "user_id"),
        Arguments.of("user_id is a number", with("user_id", 42), "user_id"),
        Arguments.of("user_id is blank", with("user_id", ""), "user_id"),
        Arguments.of("user_id climbs out of its folder", with("user_id", "../etc"), "user_id"),
        Arguments.of("user_id longer than 64", with("user_id", "u".repeat(65)), "user_id"),
        Arguments.of("missing messages", with("-messages", null), "messages"),
        Arguments.of("messages is not an array", with("messages", "hello"), "messages"),
        Arguments.of("messages is empty", with("messages", new JsonArray()), "messages"),
        Arguments.of("unknown role", with("role", "system"), "messages[0].role"),
        Arguments.of("missing role", with("-role", null), "messages[0].role"),
        Arguments.of("empty content", with("content", ""), "messages[0].content"),
        Arguments.of("blank content", with("content", "   \n "), "messages[0].content"),
        Arguments.of("content is an object", with("content", new JsonObject()), "messages[0].content"),
        Arguments.of("timestamp is a string", with("timestamp", "yesterday"), "messages[0].timestamp"),
        Arguments.of("timestamp is negative", with("timestamp", -5), "messages[0].timestamp"),
        Arguments.of("timestamp far in the future", with("timestamp", future), "messages[0].timestamp"),
        Arguments.of("timestamp in milliseconds", with("timestamp", Instant.now().toEpochMilli()), "messages[0].timestamp"),
        Arguments.of("content with a lone surrogate", with("content", "bad \uD800 text"), "messages[0].content"),
        Arguments.of("content too long", with("content", "长".repeat(20_001)), "messages[0].content"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSessions")
  @DisplayName("A bad session is refused with 400 naming the field")
  void badSession(String name, JsonObject body, String field, VertxTestContext ctx) {
    TestStack.post("/v1/sessions", body).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(400, r.statusCode(), r.bodyAsString());
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertEquals(field, error.getString("field"), error.encode());
      assertTrue(error.getString("message").length() > 3, error.encode());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A 10 MB body is refused with 413 and a JSON error")
  void hugeBody(VertxTestContext ctx) {
    JsonObject body = with("content", "x".repeat(10 * 1024 * 1024));
    TestStack.post("/v1/sessions", body).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(413, r.statusCode());
      assertEquals("body", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Invalid UTF-8, non-JSON, a JSON array and an empty body are refused with 400 on field 'body'")
  void malformedBodies(VertxTestContext ctx) {
    Buffer invalidUtf8 = Buffer.buffer("{\"user_id\":\"").appendBytes(new byte[] {(byte) 0xC3, (byte) 0x28})
        .appendString("\"}");
    Future<HttpResponse<Buffer>> a = TestStack.http().post("/v1/sessions").sendBuffer(invalidUtf8);
    Future<HttpResponse<Buffer>> b = TestStack.http().post("/v1/sessions").sendBuffer(Buffer.buffer("{not json"));
    Future<HttpResponse<Buffer>> c = TestStack.http().post("/v1/sessions").sendBuffer(Buffer.buffer("[1,2]"));
    Future<HttpResponse<Buffer>> d = TestStack.http().post("/v1/sessions").send();
    Future.all(a, b, c, d).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      for (Future<HttpResponse<Buffer>> f : java.util.List.of(a, b, c, d)) {
        assertEquals(400, f.result().statusCode(), f.result().bodyAsString());
        assertEquals("body", f.result().bodyAsJsonObject().getJsonObject("error").getString("field"));
      }
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Recall, message buffering and task lookups validate their input too")
  void otherEndpoints(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> recall = TestStack.post("/v1/recall", new JsonObject().put("user_id", "u")
        .put("character_id", "c").put("message", "   "));
    Future<HttpResponse<Buffer>> topK = TestStack.post("/v1/recall", new JsonObject().put("user_id", "u")
        .put("character_id", "c").put("message", "hi").put("top_k", "five"));
    Future<HttpResponse<Buffer>> buffer = TestStack.post("/v1/messages", valid()); // no session_id
    Future<HttpResponse<Buffer>> task = TestStack.get("/v1/tasks/" + UUID.randomUUID());
    Future<HttpResponse<Buffer>> list = TestStack.get("/v1/users/u/characters/c/profiles?limit=abc");
    Future.all(recall, topK, buffer, task, list).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      assertEquals("message", recall.result().bodyAsJsonObject().getJsonObject("error").getString("field"));
      assertEquals("top_k", topK.result().bodyAsJsonObject().getJsonObject("error").getString("field"));
      assertEquals("session_id", buffer.result().bodyAsJsonObject().getJsonObject("error").getString("field"));
      assertEquals(404, task.result().statusCode());
      assertEquals(400, list.result().statusCode());
      assertEquals("limit", list.result().bodyAsJsonObject().getJsonObject("error").getString("field"));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A good session accepted between bad ones is stored and processed")
  void acceptedIsKept(VertxTestContext ctx) {
    String user = "u-kept-" + UUID.randomUUID();
    JsonObject good = valid().put("user_id", user);
    TestStack.post("/v1/sessions", with("role", "robot"))
        .compose(bad -> TestStack.post("/v1/sessions", good))
        .compose(r -> {
          ctx.verify(() -> assertEquals(202, r.statusCode()));
          return TestStack.post("/v1/sessions", with("content", ""))
              .compose(bad -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"));
        })
        .onComplete(ctx.succeedingThenComplete());
  }
}
