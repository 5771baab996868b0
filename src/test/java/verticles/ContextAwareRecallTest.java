package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Recall that follows the conversation: {@code recent_context} as a text or as turns (HTTP and WebSocket) shapes the
 * search, session memory stands in when the caller sends no turns, and bad turns are refused naming the field.
 * Real stack: the ONNX model embeds every turn.
 */
@DisplayName("Context-aware recall on the real stack")
class ContextAwareRecallTest {
  private static final String DANCE = "去年圣诞节的晚会上我跳了一支爵士舞，穿的是红色亮片裙";
  private static final List<String> OTHERS = List.of(
      "我上周去医院体检，医生说我的血压有点高", "我养了一只橘猫叫豆豆，它特别爱睡觉", "我最近在学做意大利面，还不太熟练",
      "我和同事小王周末一起去爬了香山", "我打算明年春天去日本看樱花", "我的手机屏幕摔碎了，换了一块新的",
      "我妈妈喜欢在阳台上种番茄和辣椒", "我每天早上坐地铁十号线去上班");
  /** A follow-up that says nothing on its own: only the conversation tells what it is about. */
  private static final String VAGUE = "你帮我出出主意吧";

  private static String user;

  @BeforeAll
  static void memories() {
    TestStack.engram();
    user = "u-ctx-" + UUID.randomUUID();
    for (String text : concat(DANCE, OTHERS)) {
      HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", user)
          .put("character_id", "c1").put("content", text).put("memory_type", "event")
          .put("timestamp", Instant.now().getEpochSecond() - 86_400)));
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
  }

  private static JsonArray turns() {
    return new JsonArray()
        .add(new JsonObject().put("role", "user").put("name", "小林").put("content", "元旦晚会我又要上台跳舞了🎤"))
        .add(new JsonObject().put("role", "assistant").put("content", "太棒了！这次准备穿什么？"))
        .add(new JsonObject().put("role", "user").put("content", "还没想好穿什么衣服呢"));
  }

  private static JsonObject recall(String message, Object recentContext, String session) {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("message", message)
        .put("force", true).put("top_k", 3).put("types", new JsonArray().add("event"));
    if (recentContext != null) {
      body.put("recent_context", recentContext);
    }
    if (session != null) {
      body.put("session_id", session);
    }
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/recall", body));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(new JsonArray(), r.bodyAsJsonObject().getJsonArray("degraded"), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static String top(JsonObject reply) {
    JsonArray memories = reply.getJsonArray("memories");
    return memories.isEmpty() ? null : memories.getJsonObject(0).getString("content");
  }

  @Test
  @DisplayName("A vague follow-up finds the memory its conversation calls for, given as turns or as text; alone it does not")
  void theConversationShapesTheSearch() {
    assertNotEquals(DANCE, top(recall(VAGUE, null, null)), "the message alone says nothing of the dance");
    assertEquals(DANCE, top(recall(VAGUE, turns(), null)));
    assertEquals(DANCE, top(recall(VAGUE, "元旦晚会我又要上台跳舞了🎤\n太棒了！这次准备穿什么？\n还没想好穿什么衣服呢",
        null)));
  }

  @Test
  @DisplayName("A clear question keeps its answer first when the conversation before it was about something else")
  void aClearQuestionWinsOverTheConversation() {
    JsonArray elsewhere = new JsonArray().add(new JsonObject().put("role", "user").put("content", "我今天加班到很晚，好累"))
        .add(new JsonObject().put("role", "assistant").put("content", "辛苦啦，早点休息"));
    assertEquals("我养了一只橘猫叫豆豆，它特别爱睡觉", top(recall("我家的猫叫什么名字来着？", elsewhere, null)));
  }

  @Test
  @DisplayName("Without recent_context, the session's turns shape the search")
  void sessionMemoryIsTheSourceOfTurns() {
    String session = "s-ctx-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 60;
    JsonArray messages = new JsonArray();
    JsonArray turns = turns();
    for (int i = 0; i < turns.size(); i++) {
      messages.add(new JsonObject().put("msg_id", "m" + i).put("role", turns.getJsonObject(i).getString("role"))
          .put("content", turns.getJsonObject(i).getString("content")).put("timestamp", ts + i));
    }
    HttpResponse<Buffer> fed = Future.await(TestStack.post("/v1/messages", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("session_id", session).put("messages", messages)));
    assertEquals(202, fed.statusCode(), fed.bodyAsString());
    JsonObject reply = recall(VAGUE, null, session);
    assertEquals(DANCE, top(reply));
    assertEquals(3, reply.getJsonObject("session").getJsonArray("turns").size());
  }

  @Test
  @DisplayName("Bad recent_context is a 400 naming the field: a number, a turn without content, an unknown role, too much text")
  void badTurnsAreRefused() {
    List<Object> bad = List.of(42, new JsonArray().add(new JsonObject().put("role", "user")),
        new JsonArray().add(new JsonObject().put("role", "robot").put("content", "hi")),
        new JsonArray().add("just a string"), tooMuch());
    for (Object value : bad) {
      HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", user)
          .put("character_id", "c1").put("message", VAGUE).put("recent_context", value)));
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().getJsonObject("error").getString("field").startsWith("recent_context"),
          r.bodyAsString());
    }
  }

  private static JsonArray tooMuch() {
    JsonArray turns = new JsonArray();
    for (int i = 0; i < 6; i++) {
      turns.add(new JsonObject().put("role", "user").put("content", "很长的话😀".repeat(600)));
    }
    return turns;
  }

  @Test
  @DisplayName("A WebSocket recall frame carries recent_context as turns")
  void webSocketFramesCarryTurns() {
    WebSocket ws = Future.await(TestStack.vertx().createWebSocketClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(TestStack.engram().port()).setURI("/v1/ws")
        .addHeader("Authorization", "Bearer " + TestStack.API_KEY)));
    io.vertx.core.Promise<JsonObject> reply = io.vertx.core.Promise.promise();
    ws.textMessageHandler(text -> reply.tryComplete(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("type", "recall").put("id", "ctx-1").put("user_id", user)
        .put("character_id", "c1").put("message", VAGUE).put("force", true).put("top_k", 3)
        .put("types", new JsonArray().add("event")).put("recent_context", turns()).encode());
    JsonObject got = Future.await(reply.future());
    Future.await(ws.close());
    assertEquals("recall.result", got.getString("type"), got.encode());
    assertEquals(DANCE, got.getJsonArray("memories").getJsonObject(0).getString("content"));
  }
}
