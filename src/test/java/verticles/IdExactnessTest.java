package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.structured.Mysql;

/**
 * Ids compare exactly, code point for code point, in every store: ids that utf8mb4_unicode_ci takes for one (case,
 * a trailing space, an accent, full width, a combining mark) are different users, sessions and characters in MySQL
 * as in the index. What cannot be told apart on sight (control and format characters, unpaired surrogates) is
 * refused with a 400 naming the field, wherever an id arrives.
 */
@DisplayName("Ids are compared exactly and never normalised")
class IdExactnessTest {
  /** Not ids: DEL, C1 controls, zero-width space, right-to-left override, BOM, line separator, lone surrogates. */
  private static final List<String> BAD = List.of("a\u007fb", "a\u0085b", "a\u009fb", "a\u200bb", "\u202eabc",
      "\ufeffab", "a\u2028b", "a\ud800b", "a\udc00b");
  /** The same in a URL: a path or query cannot carry a surrogate, and invalid UTF-8 there decodes to U+FFFD. */
  private static final List<String> BAD_IN_URL = List.of("a%7Fb", "a%C2%85b", "a%C2%9Fb", "a%E2%80%8Bb",
      "%E2%80%AEabc", "%EF%BB%BFab", "a%E2%80%A8b", "a%ED%A0%80b", "a%EF%BF%BDb");

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /** What utf8mb4_unicode_ci takes for {@code bob1-<run>}. */
  private static List<String> lookAlikes(String run) {
    return List.of("BOB1-" + run.toUpperCase(Locale.ROOT), "bob1-" + run + " ", "b\u00f3b1-" + run,
        "\uff42ob1-" + run, "bo\u0300b1-" + run);
  }

  @Test
  @DisplayName("Look-alikes of a user are other users: no profile overwrite, and recall, export and forget of a "
      + "look-alike never reach the user's rows or index records")
  void lookAlikeUsersStayApart() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String bob = "bob1-" + run;
    String secret = "杏仁酥" + run;
    String task = Future.await(ExportTest.ingest(ExportTest.session(bob, "c1", "s-" + run, "你好，我叫林小雨",
        "你好小雨！", "我的生日是3月15日", "记住啦", "我最喜欢吃" + secret)));
    importMemory(bob, "我养了一只猫叫" + secret);

    List<String> others = lookAlikes(run);
    for (int i = 0; i < others.size(); i++) {
      String other = others.get(i);
      Future.await(ExportTest.ingest(ExportTest.session(other, "c1", "s-" + run, "你好，我叫王大海", "你好大海！",
          "我的生日是7月7日", "记住啦", "我最喜欢吃龙须糖" + i)));
      importMemory(other, "我养了一只狗叫龙须糖" + i);
    }

    String bobsProfiles = profiles(bob);
    assertTrue(bobsProfiles.contains("林小雨") && bobsProfiles.contains("03-15"), bobsProfiles);
    assertFalse(bobsProfiles.contains("王大海") || bobsProfiles.contains("07-07"), "overwritten: " + bobsProfiles);
    for (int i = 0; i < others.size(); i++) {
      String other = others.get(i);
      String theirs = profiles(other);
      assertTrue(theirs.contains("王大海") && theirs.contains("07-07"), other + ": " + theirs);
      assertFalse(theirs.contains("林小雨"), other + " sees bob1's profile: " + theirs);

      String recalled = Future.await(ForgetTest.recall(other, "c1")).encode();
      assertTrue(recalled.contains("王大海"), other + " recalls its own profile: " + recalled);
      assertFalse(recalled.contains(secret) || recalled.contains("林小雨"), other + " recalled bob1's: " + recalled);

      HttpResponse<Buffer> export = Future.await(TestStack.http().post("/v1/users/" + encode(other) + "/export")
          .send());
      assertEquals(200, export.statusCode(), export.bodyAsString());
      assertEquals(other, export.bodyAsJsonObject().getString("user_id"));
      assertTrue(export.bodyAsString().contains("龙须糖" + i), export.bodyAsString());
      assertFalse(export.bodyAsString().contains(secret) || export.bodyAsString().contains("林小雨"),
          other + " exported bob1's: " + export.bodyAsString());
    }

    JsonObject before = Future.await(ForgetTest.footprint(ForgetTest.Node.shared(), bob, null));
    assertTrue(before.getLong("user_profiles") > 0 && before.getLong("index") > 5 && before.getInteger("archives") == 1,
        before.encode());
    for (String other : others) {
      assertEquals(200, Future.await(TestStack.delete("/v1/users/" + encode(other))).statusCode(), other);
      ForgetTest.assertNothing(Future.await(ForgetTest.footprint(ForgetTest.Node.shared(), other, null)));
    }
    assertEquals(before, Future.await(ForgetTest.footprint(ForgetTest.Node.shared(), bob, null)),
        "forgetting the look-alikes left bob1's rows, index records and archives whole");
    String recalled = Future.await(ForgetTest.recall(bob, "c1")).encode();
    assertTrue(recalled.contains("林小雨") && recalled.contains(secret), recalled);
    assertEquals(404, Future.await(TestStack.get("/v1/tasks/" + task.toUpperCase(Locale.ROOT))).statusCode(),
        "a task id in other case is another task");
  }

  @Test
  @DisplayName("Look-alike sessions and characters of one user buffer their messages apart")
  void lookAlikeSessionsAndCharactersStayApart() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String user = "carol-" + run;
    String session = "s-" + run;
    List<String[]> scopes = List.of(new String[] {"c1", session}, new String[] {"C1", session},
        new String[] {"c1 ", session}, new String[] {"c\u0301" + "1", session},
        new String[] {"c1", session.toUpperCase(Locale.ROOT)}, new String[] {"c1", session + " "},
        new String[] {"c1", "\uff53-" + run});
    try {
      for (String[] scope : scopes) {
        HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/messages", new JsonObject().put("user_id", user)
            .put("character_id", scope[0]).put("session_id", scope[1]).put("messages", new JsonArray().add(
                EndToEndMemoryTest.msg("m1", "user", "今天天气不错", Instant.now().getEpochSecond() - 10)))));
        assertEquals(202, r.statusCode(), r.bodyAsString());
        assertEquals(1, r.bodyAsJsonObject().getInteger("buffered"),
            "[" + scope[0] + "]/[" + scope[1] + "] is a session of its own: " + r.bodyAsString());
        assertEquals(scope[1], r.bodyAsJsonObject().getString("session_id"));
      }
      // in MySQL too, each is a buffer of its own (unless the idle sweep cut it already)
      long most = Future.await(TestStack.sql().preparedQuery("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n"
          + " FROM buffered_messages WHERE user_id = ? GROUP BY character_id, session_id) b")
          .execute(Tuple.of(TestStack.internal(user)))).iterator().next().getLong(0);
      assertTrue(most <= 1, "at most one message per buffer: " + most);
    } finally {
      assertEquals(200, Future.await(TestStack.delete("/v1/users/" + user)).statusCode());
    }
  }

  @Test
  @DisplayName("Every id column of every table is binary and NO PAD: a look-alike or a trailing space is another id")
  void idColumnsAreBinaryNoPad() throws Exception {
    List<String> expected = List.of("user_profiles.user_id", "user_profiles.character_id",
        "user_profiles.source_msg_id", "user_events.user_id", "user_events.character_id", "user_events.vector_id",
        "user_events.task_id", "user_events.session_id", "conversation_summaries.user_id",
        "conversation_summaries.character_id", "conversation_summaries.vector_id", "conversation_summaries.task_id",
        "conversation_summaries.session_id", "conversation_summaries.archive_path", "memory_generation_tasks.task_id",
        "memory_generation_tasks.user_id", "memory_generation_tasks.character_id",
        "memory_generation_tasks.session_id", "buffered_messages.user_id", "buffered_messages.character_id",
        "buffered_messages.session_id", "forgotten_users.user_id", "forgotten_users.character_id",
        "forgotten_users.character_key");
    List<String> found = new ArrayList<>();
    List<String> collations = new ArrayList<>();
    for (Row r : Future.await(TestStack.sql().query("SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME"
        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('varchar', 'char')"
        + " AND (COLUMN_NAME LIKE '%\\_id' OR COLUMN_NAME LIKE '%\\_key' OR COLUMN_NAME LIKE '%\\_path')"
        + " AND COLUMN_NAME <> 'profile_key'").execute())) {
      String column = r.getString(0) + "." + r.getString(1);
      found.add(column);
      assertTrue(Mysql.ID_COLLATIONS.contains(r.getString(2)), column + " is " + r.getString(2));
      collations.add(r.getString(2));
    }
    assertTrue(found.containsAll(expected), "every id column checked: " + found);
    // and the collation does what it says, in a real comparison
    String run = "x" + UUID.randomUUID().toString().substring(0, 7);
    for (String collation : collations.stream().distinct().toList()) {
      for (String other : lookAlikes(run)) {
        Row r = Future.await(TestStack.sql().preparedQuery("SELECT CAST(? AS CHAR CHARACTER SET utf8mb4) COLLATE "
            + collation + " = CAST(? AS CHAR CHARACTER SET utf8mb4), CAST(? AS CHAR CHARACTER SET utf8mb4) COLLATE "
            + collation + " = CAST(? AS CHAR CHARACTER SET utf8mb4)")
            .execute(Tuple.of("bob1-" + run, other, other, other))).iterator().next();
        assertEquals(0, r.getInteger(0), "[" + other + "] differs under " + collation);
        assertEquals(1, r.getInteger(1), "[" + other + "] equals itself under " + collation);
      }
    }
  }

  @Test
  @DisplayName("Control and format characters, unpaired surrogates and U+FFFD in any id, in a body, path, query or "
      + "WebSocket frame, are refused with 400 naming the field")
  void unseeableIdsAreRefused() throws Exception {
    long ts = Instant.now().getEpochSecond() - 60;
    JsonObject message = EndToEndMemoryTest.msg("m1", "user", "你好", ts);
    JsonObject session = new JsonObject().put("user_id", "u").put("character_id", "c1").put("session_id", "s1")
        .put("messages", new JsonArray().add(message));
    JsonObject memory = new JsonObject().put("user_id", "u").put("character_id", "c1").put("memory_type", "event")
        .put("content", "养了一只猫").put("timestamp", ts).put("session_id", "s1")
        .put("source_msg_ids", new JsonArray().add("m1"));
    JsonObject recall = new JsonObject().put("user_id", "u").put("character_id", "c1").put("message", "你好");
    JsonObject owner = new JsonObject().put("user_id", "u").put("character_id", "c1");
    List<Object[]> bodies = List.of(
        new Object[] {"/v1/sessions", session, List.of("user_id", "character_id", "session_id", "messages[0].msg_id")},
        new Object[] {"/v1/messages", session, List.of("user_id", "character_id", "session_id", "messages[0].msg_id")},
        new Object[] {"/v1/memories", memory, List.of("user_id", "character_id", "session_id", "source_msg_ids[0]")},
        new Object[] {"/v1/recall", recall, List.of("user_id", "character_id")},
        new Object[] {"/v1/sessions/s1/end", owner, List.of("user_id", "character_id")},
        new Object[] {"/v1/users/u/export", new JsonObject().put("character_id", "c1"), List.of("character_id")});
    for (Object[] b : bodies) {
      @SuppressWarnings("unchecked")
      List<String> fields = (List<String>) b[2];
      for (String field : fields) {
        for (String bad : BAD) {
          String text = with((JsonObject) b[1], field, "@BAD@").encode().replace("@BAD@", jsonEscape(bad));
          assertRefused(Future.await(TestStack.http().post((String) b[0]).putHeader("content-type",
              "application/json").sendBuffer(Buffer.buffer(text))), field, b[0] + " " + text);
        }
      }
    }

    for (String bad : BAD_IN_URL) {
      List<String[]> urls = List.of(new String[] {"POST", "/v1/sessions/" + bad + "/end", "session_id"},
          new String[] {"GET", "/v1/users/" + bad + "/characters/c1/profiles", "user_id"},
          new String[] {"GET", "/v1/users/u/characters/" + bad + "/events", "character_id"},
          new String[] {"GET", "/v1/tasks/" + bad, "task_id"},
          new String[] {"POST", "/v1/tasks/" + bad + "/retry", "task_id"},
          new String[] {"GET", "/v1/tasks?user_id=" + bad, "user_id"},
          new String[] {"POST", "/v1/users/" + bad + "/export", "user_id"},
          new String[] {"POST", "/v1/users/u/export?character_id=" + bad, "character_id"},
          new String[] {"GET", "/v1/users/" + bad + "/stats", "user_id"},
          new String[] {"GET", "/v1/users/u/stats?character_id=" + bad, "character_id"},
          new String[] {"DELETE", "/v1/users/" + bad, "user_id"},
          new String[] {"DELETE", "/v1/users/u/characters/" + bad, "character_id"});
      for (String[] u : urls) {
        var request = TestStack.http().request(HttpMethod.valueOf(u[0]), u[1]);
        HttpResponse<Buffer> r = Future.await(u[1].endsWith("/end") ? request.sendJsonObject(owner) : request.send());
        assertRefused(r, u[2], u[0] + " " + u[1]);
      }
    }

    List<String> frames = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    for (String field : List.of("user_id", "character_id")) {
      for (String bad : BAD) {
        frames.add(recall.copy().put("type", "recall").put("id", frames.size()).put(field, "@BAD@").encode()
            .replace("@BAD@", jsonEscape(bad)));
        fields.add(field);
      }
    }
    for (JsonObject reply : Future.await(overWebSocket(frames))) {
      int id = reply.getInteger("id");
      assertEquals("error", reply.getString("type"), frames.get(id));
      assertEquals(fields.get(id), reply.getJsonObject("error").getString("field"), frames.get(id));
    }
  }

  @Test
  @DisplayName("Ids are 1-64 code points: 64 emoji are an id in a body and in a path, 65 are not")
  void lengthCountsCodePoints() throws Exception {
    String emoji64 = "😀".repeat(64);
    HttpResponse<Buffer> ok = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", emoji64)
        .put("character_id", emoji64).put("message", "你还记得我吗").put("force", true)));
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    assertEquals(200, Future.await(TestStack.get("/v1/users/" + encode(emoji64) + "/characters/"
        + encode(emoji64) + "/profiles")).statusCode());
    assertRefused(Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", emoji64 + "😀")
        .put("character_id", "c1").put("message", "你好"))), "user_id", "65 emoji");
    assertRefused(Future.await(TestStack.get("/v1/users/" + encode(emoji64 + "😀") + "/characters/c1/profiles")),
        "user_id", "65 emoji in the path");
  }

  /** Sends each text frame on one socket of the shared node and collects as many replies. */
  private static Future<List<JsonObject>> overWebSocket(List<String> frames) {
    WebSocketClient client = TestStack.vertx().createWebSocketClient();
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(TestStack.engram().port())
            .setURI("/v1/ws").addHeader("Authorization", "Bearer " + TestStack.API_KEY))
        .compose(ws -> {
          Promise<List<JsonObject>> replies = Promise.promise();
          List<JsonObject> received = new ArrayList<>();
          ws.textMessageHandler(text -> {
            received.add(new JsonObject(text));
            if (received.size() == frames.size()) {
              replies.tryComplete(received);
            }
          });
          ws.closeHandler(v -> replies.tryFail("closed after " + received.size() + " replies: " + received));
          frames.forEach(ws::writeTextMessage);
          return replies.future().eventually(() -> ws.close());
        })
        .eventually(client::close);
  }

  private static void assertRefused(HttpResponse<Buffer> r, String field, String what) {
    assertEquals(400, r.statusCode(), what + " → " + r.bodyAsString());
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertNotNull(error, r.bodyAsString());
    assertEquals(field, error.getString("field"), what + " → " + r.bodyAsString());
    assertNotNull(error.getString("message"), r.bodyAsString());
  }

  /** A copy of {@code body} with {@code field} ("a", "a[0]", "a[0].b") set to {@code value}. */
  private static JsonObject with(JsonObject body, String field, String value) {
    JsonObject copy = body.copy();
    if (field.startsWith("messages[0].")) {
      copy.getJsonArray("messages").getJsonObject(0).put(field.substring("messages[0].".length()), value);
    } else if (field.endsWith("[0]")) {
      copy.put(field.substring(0, field.length() - 3), new JsonArray().add(value));
    } else {
      copy.put(field, value);
    }
    return copy;
  }

  /** The JSON string escapes of every char outside printable ASCII, one UTF-16 unit at a time (so lone surrogates stay). */
  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return sb.toString();
  }

  private static String profiles(String user) throws Exception {
    HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/users/" + encode(user) + "/characters/c1/profiles"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsString();
  }

  private static void importMemory(String user, String text) throws Exception {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("memory_type", "event").put("content", text)
        .put("timestamp", Instant.now().getEpochSecond() - 30)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
