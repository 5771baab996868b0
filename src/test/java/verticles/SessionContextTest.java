package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Session memory on the shared stack (embedded store): the message feed, recall beside long-term memories, the
 * session's lock held elsewhere, and bad input on the context routes.
 */
@DisplayName("Session context on the real stack")
class SessionContextTest {
  @BeforeAll
  static void start() {
    TestStack.engram();
  }

  private static String path(String session) {
    return "/v1/sessions/" + session + "/context";
  }

  private static JsonObject context(String user, String session) {
    HttpResponse<Buffer> r = Future.await(TestStack.get(path(session) + "?user_id=" + user + "&character_id=c1"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject messages(String user, String session, long ts, String... contents) {
    JsonArray ms = new JsonArray();
    for (int i = 0; i < contents.length; i++) {
      ms.add(new JsonObject().put("msg_id", "m-" + ts + "-" + i).put("role", i % 2 == 0 ? "user" : "assistant")
          .put("content", contents[i]).put("timestamp", ts + i));
    }
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", session)
        .put("messages", ms);
  }

  private static List<String> contents(JsonObject context) {
    return context.getJsonArray("turns").stream().map(t -> ((JsonObject) t).getString("content")).toList();
  }

  @Test
  @DisplayName("POST /v1/messages appends its turns to the session's context, creating it; a retry adds nothing")
  void messagesFeedTheContext() {
    String user = "u-feed-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 100;
    JsonObject first = messages(user, "s-feed", ts, "我妹妹叫林小晴🙂", "她多大了？");
    assertEquals(202, Future.await(TestStack.post("/v1/messages", first)).statusCode());
    JsonObject got = context(user, "s-feed");
    assertEquals(List.of("我妹妹叫林小晴🙂", "她多大了？"), contents(got));
    assertEquals(new JsonObject().put("role", "user").put("content", "我妹妹叫林小晴🙂").put("at", ts),
        got.getJsonArray("turns").getJsonObject(0));
    assertEquals(202, Future.await(TestStack.post("/v1/messages", first)).statusCode()); // the client's retry
    assertEquals(2, context(user, "s-feed").getJsonArray("turns").size());
    Future.await(TestStack.post("/v1/messages", messages(user, "s-feed", ts + 10, "她今年十八岁")));
    got = context(user, "s-feed");
    assertEquals(List.of("我妹妹叫林小晴🙂", "她多大了？", "她今年十八岁"), contents(got));
    assertEquals(3, got.getLong("turns_total"));
    // a retry that repeats an accepted message beside a new one: only the new one is a new turn
    JsonObject partly = messages(user, "s-feed", ts + 20, "她在读大学");
    partly.getJsonArray("messages").add(0, first.getJsonArray("messages").getJsonObject(1));
    assertEquals(202, Future.await(TestStack.post("/v1/messages", partly)).statusCode());
    got = context(user, "s-feed");
    assertEquals(List.of("我妹妹叫林小晴🙂", "她多大了？", "她今年十八岁", "她在读大学"), contents(got));
    assertEquals(4, got.getLong("turns_total"));
  }

  @Test
  @DisplayName("the feed sets the emotional tone from the user's last message when it says something; a neutral one"
      + " leaves it")
  void feedSetsTheTone() {
    String user = "u-feed-tone-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 100;
    Future.await(TestStack.post("/v1/messages", messages(user, "s-tone", ts, "明天要面试了，好紧张")));
    assertEquals("anxious", context(user, "s-tone").getString("emotional_tone"));
    Future.await(TestStack.post("/v1/messages", messages(user, "s-tone", ts + 10, "今天吃了米饭")));
    assertEquals("anxious", context(user, "s-tone").getString("emotional_tone"));
    Future.await(TestStack.post("/v1/messages", messages(user, "s-tone", ts + 20, "面试过了，太开心了！")));
    assertEquals("positive", context(user, "s-tone").getString("emotional_tone"));
  }

  @Test
  @DisplayName("a session store that does not answer never fails a message: it is accepted, only the context misses it")
  void feedFailureNeverFailsTheMessage() {
    String user = "u-feed-held-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 100;
    assertEquals(202, Future.await(TestStack.post("/v1/messages", messages(user, "s-held", ts, "第一句")))
        .statusCode());
    // the session's lock held by somebody else: its updates wait for lock_timeout_ms, then fail 503
    String key = "engram.session-memory:engram:session:" + new JsonArray().add(TestStack.internal(user)).add("c1")
        .add("s-held").encode();
    Lock held = Future.await(TestStack.vertx().sharedData().getLocalLock(key));
    try {
      HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/messages", messages(user, "s-held", ts + 5, "第二句")));
      assertEquals(202, r.statusCode(), r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().getLong("buffered") >= 1, "buffered all the same: " + r.bodyAsString());
      HttpResponse<Buffer> patched = Future.await(TestStack.http().patch(path("s-held")).sendJsonObject(
          new JsonObject().put("user_id", user).put("character_id", "c1").put("emotional_tone", "calm")));
      assertEquals(503, patched.statusCode(), patched.bodyAsString());
      assertEquals(List.of("第一句"), contents(context(user, "s-held")), "reads need no lock");
    } finally {
      held.release();
    }
    assertEquals(200, Future.await(TestStack.http().patch(path("s-held")).sendJsonObject(new JsonObject()
        .put("user_id", user).put("character_id", "c1").put("emotional_tone", "calm"))).statusCode());
  }

  @Test
  @DisplayName("recall with a session_id returns the session's context beside the long-term memories")
  void recallReturnsTheSession() {
    String user = "u-ctx-recall-" + UUID.randomUUID();
    JsonObject memory = new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", "event")
        .put("content", "我养了一只柯基叫豆豆").put("timestamp", Instant.now().getEpochSecond() - 3600);
    assertEquals(201, Future.await(TestStack.post("/v1/memories", memory)).statusCode());
    assertEquals(200, Future.await(TestStack.http().put(path("s-r")).sendJsonObject(new JsonObject()
        .put("user_id", user).put("character_id", "c1").put("active_entities", new JsonArray().add("豆豆"))
        .put("turns", new JsonArray().add(new JsonObject().put("role", "user").put("content", "豆豆今天不吃饭")))))
        .statusCode());
    JsonObject reply = Future.await(TestStack.until(() -> TestStack.post("/v1/recall", new JsonObject()
            .put("user_id", user).put("character_id", "c1").put("message", "豆豆是什么狗").put("force", true)
            .put("session_id", "s-r")).map(HttpResponse::bodyAsJsonObject),
        r -> EndToEndMemoryTest.find(r.getJsonArray("memories"), "柯基") != null, 30_000));
    JsonObject session = reply.getJsonObject("session");
    assertNotNull(session, reply.encode());
    assertEquals(List.of("豆豆今天不吃饭"), contents(session));
    assertEquals(new JsonArray().add("豆豆"), session.getJsonArray("active_entities"));
    assertEquals(user, session.getString("user_id"));
    assertEquals(new JsonArray(), reply.getJsonArray("degraded"), reply.encode());
  }

  @Test
  @DisplayName("session memory's reads and updates are counted in engram_session_memory_operations_total")
  void metrics() {
    double gets = operations("get", "not_found");
    double updates = operations("update", "ok");
    String user = "u-ctx-metrics-" + UUID.randomUUID();
    assertEquals(404, Future.await(TestStack.get(path("s-m") + "?user_id=" + user + "&character_id=c1")).statusCode());
    assertEquals(200, Future.await(TestStack.http().put(path("s-m")).sendJsonObject(new JsonObject()
        .put("user_id", user).put("character_id", "c1"))).statusCode());
    assertEquals(gets + 1, operations("get", "not_found"));
    assertTrue(operations("update", "ok") >= updates + 1);
  }

  private static double operations(String op, String result) {
    for (String line : Future.await(TestStack.get("/metrics")).bodyAsString().split("\n")) {
      if (line.startsWith("engram_session_memory_operations_total{") && line.contains("op=\"" + op + "\"")
          && line.contains("result=\"" + result + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no engram_session_memory_operations_total{op=" + op + ",result=" + result + "}");
  }

  @Test
  @DisplayName("forgetting a user's character, then the user, deletes their session contexts")
  void forgetDeletesContexts() {
    String user = "u-ctx-forget-" + UUID.randomUUID();
    for (String character : List.of("c1", "c2")) {
      assertEquals(200, Future.await(TestStack.http().put(path("s-f")).sendJsonObject(new JsonObject()
          .put("user_id", user).put("character_id", character).put("current_location", "家"))).statusCode());
    }
    assertEquals(200, Future.await(TestStack.delete("/v1/users/" + user + "/characters/c1")).statusCode());
    assertEquals(404, Future.await(TestStack.get(path("s-f") + "?user_id=" + user + "&character_id=c1")).statusCode());
    assertEquals(200, Future.await(TestStack.get(path("s-f") + "?user_id=" + user + "&character_id=c2")).statusCode());
    assertEquals(200, Future.await(TestStack.delete("/v1/users/" + user)).statusCode());
    assertEquals(404, Future.await(TestStack.get(path("s-f") + "?user_id=" + user + "&character_id=c2")).statusCode());
  }

  @Test
  @DisplayName("bad input on the context routes is a 400 naming the field; nothing is stored")
  void badInput() {
    String user = "u-ctx-bad-" + UUID.randomUUID();
    JsonObject ok = new JsonObject().put("user_id", user).put("character_id", "c1");
    JsonObject turn = new JsonObject().put("role", "user").put("content", "你好");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) {
      tooMany.add(turn);
    }
    Map<String, JsonObject> cases = new java.util.LinkedHashMap<>();
    cases.put("user_id", new JsonObject().put("character_id", "c1"));
    cases.put("character_id", new JsonObject().put("user_id", user).put("character_id", 7));
    cases.put("turns", ok.copy().put("turns", "你好"));
    cases.put("turns[0].content", ok.copy().put("turns", new JsonArray().add(turn.copy().put("content", "   "))));
    cases.put("turns[1].content", ok.copy().put("turns", new JsonArray().add(turn).add(turn.copy()
        .put("content", "长".repeat(20_001)))));
    cases.put("turns[0].role", ok.copy().put("turns", new JsonArray().add(turn.copy().put("role", "bot"))));
    cases.put("turns[0].at", ok.copy().put("turns", new JsonArray().add(turn.copy()
        .put("at", Instant.now().getEpochSecond() + 10 * 86_400))));
    cases.put("turns[0].content ", ok.copy().put("turns", new JsonArray().add(new JsonObject().put("role", "user"))));
    cases.put("turns ", ok.copy().put("turns", tooMany));
    cases.put("active_entities[0]", ok.copy().put("active_entities", new JsonArray().add(" ")));
    cases.put("active_entities[1]", ok.copy().put("active_entities", new JsonArray().add("豆豆").add(3)));
    cases.put("current_location", ok.copy().put("current_location", "路".repeat(201)));
    cases.put("emotional_tone", ok.copy().put("emotional_tone", List.of("sad")));
    cases.put("turn", ok.copy().put("turn", new JsonArray().add(turn)));
    for (String method : List.of("PUT", "PATCH")) {
      for (Map.Entry<String, JsonObject> c : cases.entrySet()) {
        HttpResponse<Buffer> r = Future.await(TestStack.http().request(io.vertx.core.http.HttpMethod.valueOf(method),
            path("s-bad")).sendJsonObject(c.getValue()));
        assertEquals(400, r.statusCode(), method + " " + c.getKey() + ": " + r.bodyAsString());
        assertEquals(c.getKey().strip(), r.bodyAsJsonObject().getJsonObject("error").getString("field"),
            method + ": " + r.bodyAsString());
      }
      for (String body : List.of("", "[1]", "{\"user_id\":", "\"text\"")) {
        HttpResponse<Buffer> r = Future.await(TestStack.http().request(io.vertx.core.http.HttpMethod.valueOf(method),
            path("s-bad")).sendBuffer(Buffer.buffer(body)));
        assertEquals(400, r.statusCode(), method + " " + body + ": " + r.bodyAsString());
        assertEquals("body", r.bodyAsJsonObject().getJsonObject("error").getString("field"), r.bodyAsString());
      }
      HttpResponse<Buffer> badId = Future.await(TestStack.http().request(io.vertx.core.http.HttpMethod.valueOf(method),
          path("%E2%80%8Bs")).sendJsonObject(ok)); // a zero-width space
      assertEquals(400, badId.statusCode(), badId.bodyAsString());
      assertEquals("session_id", badId.bodyAsJsonObject().getJsonObject("error").getString("field"));
      HttpResponse<Buffer> invalidUtf8 = Future.await(TestStack.http().request(io.vertx.core.http.HttpMethod
          .valueOf(method), path("s-bad")).sendBuffer(Buffer.buffer(new byte[] {'{', '"', (byte) 0xff, '"', '}'})));
      assertEquals(400, invalidUtf8.statusCode());
    }
    for (String query : List.of("", "?user_id=" + user, "?character_id=c1", "?user_id=" + user + "&user_id=x"
        + "&character_id=c1", "?user_id=&character_id=c1")) {
      HttpResponse<Buffer> r = Future.await(TestStack.get(path("s-bad") + query));
      assertEquals(400, r.statusCode(), query + ": " + r.bodyAsString());
      assertTrue(List.of("user_id", "character_id").contains(r.bodyAsJsonObject().getJsonObject("error")
          .getString("field")), r.bodyAsString());
    }
    HttpResponse<Buffer> none = Future.await(TestStack.get(path("s-bad") + "?user_id=" + user + "&character_id=c1"));
    assertEquals(404, none.statusCode(), "nothing of the bad requests was stored: " + none.bodyAsString());
    HttpResponse<Buffer> badRecall = Future.await(TestStack.post("/v1/recall", ok.copy().put("message", "你好")
        .put("session_id", 5)));
    assertEquals(400, badRecall.statusCode());
    assertEquals("session_id", badRecall.bodyAsJsonObject().getJsonObject("error").getString("field"));
    assertFalse(badRecall.bodyAsString().isEmpty());
  }
}
