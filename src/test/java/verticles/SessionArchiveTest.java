package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/sessions/{session_id}/archive} on the real stack: the conversation as the Archiver stored it. */
@DisplayName("A session's archived conversation")
class SessionArchiveTest {

  private static JsonObject message(String id, String role, String name, String content, long at) {
    JsonObject m = new JsonObject().put("msg_id", id).put("role", role).put("content", content).put("timestamp", at);
    return name == null ? m : m.put("name", name);
  }

  @Test
  @DisplayName("reads back exactly the messages posted, Chinese and emoji intact, once the task is archived")
  void readsTheArchivedMessages() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String user = "u-archive-" + run;
    String session = "s-archive-" + run;
    long at = Instant.now().getEpochSecond() - 120;
    JsonArray messages = new JsonArray()
        .add(message("m1", "user", null, "我家的猫叫豆豆 🐱，今天生日🎂", at))
        .add(message("m2", "assistant", "小美", "生日快乐，豆豆！🎉", at + 5))
        .add(message("m3", "user", null, "它最喜欢吃三文鱼 🍣", at + 10));
    HttpResponse<Buffer> posted = Future.await(TestStack.post("/v1/sessions", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("session_id", session).put("messages", messages)));
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    Future.await(TestStack.awaitTask(posted.bodyAsJsonObject().getString("task_id"), "completed"));

    String path = "/v1/sessions/" + session + "/archive?user_id=" + user + "&character_id=c1";
    // the archive is written right after the task completes
    HttpResponse<Buffer> read = Future.await(TestStack.until(() -> TestStack.get(path), r -> r.statusCode() == 200,
        60_000));
    JsonObject body = read.bodyAsJsonObject();
    assertEquals(session, body.getString("session_id"), body.encode());
    assertEquals(user, body.getString("user_id"), body.encode());
    assertEquals("c1", body.getString("character_id"), body.encode());
    assertTrue(body.getString("archive_path").endsWith("/c1/" + Instant.ofEpochSecond(at).toString()
        .substring(0, 10).replace('-', '/') + "/" + session + ".json"), body.encode());
    assertEquals(messages, body.getJsonArray("messages"), body.encode());
    // the same session id is no one else's: another user's or character's is 404
    for (String other : new String[] {"?user_id=" + user + "x&character_id=c1", "?user_id=" + user + "&character_id=c2"}) {
      HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/sessions/" + session + "/archive" + other));
      assertEquals(404, r.statusCode(), other + ": " + r.bodyAsString());
    }
  }

  @Test
  @DisplayName("an unknown session is 404 with a JSON error naming session_id")
  void unknownIs404() throws Exception {
    for (String query : new String[] {"s-none-" + UUID.randomUUID() + "/archive?user_id=u1&character_id=c1"}) {
      HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/sessions/" + query));
      assertEquals(404, r.statusCode(), r.bodyAsString());
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertEquals("not_found", error.getString("code"), r.bodyAsString());
      assertEquals("session_id", error.getString("field"), r.bodyAsString());
    }
  }

  @Test
  @DisplayName("bad or missing ids are 400 with a JSON error naming the field")
  void badIdsAre400() throws Exception {
    String[][] cases = {
        {"/v1/sessions/s1/archive?character_id=c1", "user_id"},
        {"/v1/sessions/s1/archive?user_id=u1", "character_id"},
        {"/v1/sessions/s1/archive?user_id=&character_id=c1", "user_id"},
        {"/v1/sessions/s1/archive?user_id=u1&character_id=c1&character_id=c2", "character_id"},
        {"/v1/sessions/" + "x".repeat(65) + "/archive?user_id=u1&character_id=c1", "session_id"},
    };
    for (String[] c : cases) {
      HttpResponse<Buffer> r = Future.await(TestStack.get(c[0]));
      assertEquals(400, r.statusCode(), c[0] + ": " + r.bodyAsString());
      assertEquals(c[1], r.bodyAsJsonObject().getJsonObject("error").getString("field"), c[0]);
      assertFalse(r.bodyAsString().contains("Exception"), r.bodyAsString());
    }
  }
}
