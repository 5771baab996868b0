package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Recall follows the detected intent: none, profile, event, history and mixed")
class RecallIntentTest {
  static String user;

  @BeforeAll
  static void memories() throws Exception {
    TestStack.engram();
    user = "u-intent-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 86400;
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "c1").put("messages", new JsonArray()
        .add(msg("i1", "我叫陈默，我是一名程序员", ts))
        .add(msg("i2", "我的生日是10月3日", ts + 10))
        .add(msg("i3", "我下周三要去面试，好紧张", ts + 20))
        .add(msg("i4", "昨天去了一家叫老灶的火锅店，特别好吃", ts + 30)));
    String taskId = TestStack.post("/v1/sessions", session).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS).bodyAsJsonObject().getString("task_id");
    TestStack.awaitTask(taskId, "completed").toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static JsonObject msg(String id, String content, long ts) {
    return new JsonObject().put("msg_id", id).put("role", "user").put("content", content).put("timestamp", ts);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "今天天气不错呀, none, ''",
      "我叫什么名字你还记得吗, profile, 陈默",
      "我的面试是哪天来着, event, 面试",
      "上次我说的那家火锅店叫什么来着, history, 老灶",
      "你还记得我的生日吗？还有我们上次聊的火锅店, mixed, 老灶"})
  @DisplayName("Each intent type recalls what it should")
  void intentType(String message, String type, String expected, VertxTestContext ctx) {
    TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "c1")
            .put("message", message))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject body = r.bodyAsJsonObject();
          JsonObject intent = body.getJsonObject("intent");
          assertEquals(type, intent.getString("recall_type"), body.encode());
          assertTrue(body.getJsonArray("degraded").isEmpty(), body.encode());
          if (type.equals("none")) {
            assertFalse(intent.getBoolean("need_recall"));
            assertTrue(body.getJsonArray("memories").isEmpty() && body.getString("context").isEmpty());
          } else {
            assertTrue(intent.getBoolean("need_recall"));
            assertTrue(body.getString("context").contains(expected), body.getString("context"));
          }
          if (type.equals("profile") || type.equals("mixed")) {
            assertEquals("陈默", EndToEndMemoryTest.profileValue(body.getJsonArray("profiles"), "name"));
          }
          ctx.completeNow();
        })));
  }
}
