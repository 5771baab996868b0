package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every numeric field of every request, sent as what a hostile or careless client sends: past its range either way,
 * past 64 bits, a fraction, an integral float, an exponent, a string, null, 1e400. Each is a 400 naming the field
 * and its range, and nothing is stored.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Every numeric field is a JSON integer in its range, or a 400 naming the field and the range")
class NumericRangeTest {
  /** Raw JSON tokens no numeric field accepts, whatever its range. */
  static final List<String> NEVER = List.of("9223372036854775808", "18446744073709551616", "-9223372036854775809",
      "1.5", "5.0", "5e0", "\"5\"", "1e400", "-1e400", "null", "true", "[]", "-1");

  /** A body with the field at {@code path} set to the raw token: the number exactly as the client wrote it. */
  record Field(String endpoint, String path, long min, long max) {
    String body(String user, String token) {
      long now = Instant.now().getEpochSecond();
      JsonObject body = switch (endpoint) {
        case "/v1/memories" -> new JsonObject().put("user_id", user).put("character_id", "c1")
            .put("memory_type", "event").put("content", "我喜欢吃火锅").put("timestamp", now).put("importance", 5);
        case "/v1/recall" -> new JsonObject().put("user_id", user).put("character_id", "c1")
            .put("message", "你还记得我喜欢吃什么吗").put("force", true);
        default -> new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", "s1")
            .put("messages", new JsonArray().add(new JsonObject().put("msg_id", "m1").put("role", "user")
                .put("content", "我喜欢吃火锅").put("timestamp", now)));
      };
      if (path.startsWith("messages[0].")) {
        body.getJsonArray("messages").getJsonObject(0).put(path.substring("messages[0].".length()), "__N__");
      } else {
        body.put(path, "__N__");
      }
      return body.encode().replace("\"__N__\"", token);
    }
  }

  static final List<Field> FIELDS = List.of(
      new Field("/v1/memories", "timestamp", 1, 2_147_483_647L),
      new Field("/v1/memories", "importance", 1, 10),
      new Field("/v1/sessions", "messages[0].timestamp", 1, 2_147_483_647L),
      new Field("/v1/messages", "messages[0].timestamp", 1, 2_147_483_647L),
      new Field("/v1/recall", "top_k", 1, 100),
      new Field("/v1/recall", "max_tokens", 1, 32_000));

  static Stream<Arguments> badNumbers() {
    List<Arguments> out = new ArrayList<>();
    for (Field f : FIELDS) {
      List<String> tokens = new ArrayList<>(NEVER);
      tokens.add(String.valueOf(f.min() - 1));
      tokens.add(String.valueOf(f.max() + 1));
      for (String token : tokens) {
        out.add(Arguments.of(f.endpoint() + " " + f.path() + " = " + token, f, token));
      }
    }
    return out.stream();
  }

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static Future<HttpResponse<Buffer>> postRaw(String path, String body) {
    return TestStack.http().post(path).putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body));
  }

  static void assertRefused(HttpResponse<Buffer> r, String field, String range) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertEquals(field, error.getString("field"), error.encode());
    assertTrue(error.getString("message").contains(range), error.encode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badNumbers")
  @DisplayName("A number out of range or of the wrong kind is refused with 400 naming the field and its range")
  void badNumber(String name, Field f, String token, VertxTestContext ctx) {
    String user = "u-numbers-" + UUID.randomUUID();
    postRaw(f.endpoint(), f.body(user, token)).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertRefused(r, f.path(), "from " + f.min() + " to " + f.max());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("Nothing of a refused request is stored: no index record, no task, no buffered message")
  void nothingStored(VertxTestContext ctx) {
    String user = "u-numbers-kept-out-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (Field f : FIELDS) {
      if (!f.endpoint().equals("/v1/recall")) {
        for (String token : NEVER) {
          posts.add(postRaw(f.endpoint(), f.body(user, token)));
        }
      }
    }
    Future.all(posts)
        .compose(x -> {
          ctx.verify(() -> posts.forEach(p -> assertEquals(400, p.result().statusCode(), p.result().bodyAsString())));
          return Future.all(
              TestStack.vertx().executeBlocking(() -> TestStack.engram().index().count(internal, null)),
              count("memory_generation_tasks", internal),
              count("buffered_messages", internal));
        })
        .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
          assertEquals(0L, ((Number) counts.resultAt(0)).longValue(), "index records");
          assertEquals(0L, ((Number) counts.resultAt(1)).longValue(), "tasks");
          assertEquals(0L, ((Number) counts.resultAt(2)).longValue(), "buffered messages");
          ctx.completeNow();
        })));
  }

  static Future<Long> count(String table, String internalUser) {
    return TestStack.sql().preparedQuery("SELECT COUNT(*) FROM " + table + " WHERE user_id = ?")
        .execute(Tuple.of(internalUser)).map(rs -> rs.iterator().next().getLong(0));
  }

  @Test
  @DisplayName("A number no double holds is refused wherever it is, metadata included")
  void infiniteMetadata(VertxTestContext ctx) {
    String body = new Field("/v1/memories", "importance", 1, 10).body("u-numbers-meta-" + UUID.randomUUID(), "5")
        .replace("\"importance\":5", "\"importance\":5,\"metadata\":{\"weight\":1e400}");
    postRaw("/v1/memories", body).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals("metadata.weight", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("The bounds themselves are accepted, and a session timed 1970-01-01T00:00:01Z is remembered")
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  void boundsAccepted(VertxTestContext ctx) {
    String user = "u-numbers-bounds-" + UUID.randomUUID();
    Field importance = new Field("/v1/memories", "importance", 1, 10);
    Field timestamp = new Field("/v1/memories", "timestamp", 1, 2_147_483_647L);
    Field topK = new Field("/v1/recall", "top_k", 1, 100);
    Field maxTokens = new Field("/v1/recall", "max_tokens", 1, 32_000);
    Field sessionTime = new Field("/v1/sessions", "messages[0].timestamp", 1, 2_147_483_647L);
    List<Future<HttpResponse<Buffer>>> created = List.of(postRaw("/v1/memories", importance.body(user, "1")),
        postRaw("/v1/memories", importance.body(user, "10")), postRaw("/v1/memories", timestamp.body(user, "1")));
    List<Future<HttpResponse<Buffer>>> recalled = List.of(postRaw("/v1/recall", topK.body(user, "1")),
        postRaw("/v1/recall", topK.body(user, "100")), postRaw("/v1/recall", maxTokens.body(user, "1")),
        postRaw("/v1/recall", maxTokens.body(user, "32000")));
    Future.all(new ArrayList<>(Stream.concat(created.stream(), recalled.stream()).toList()))
        .compose(x -> {
          ctx.verify(() -> {
            created.forEach(f -> assertEquals(201, f.result().statusCode(), f.result().bodyAsString()));
            recalled.forEach(f -> assertEquals(200, f.result().statusCode(), f.result().bodyAsString()));
          });
          return postRaw("/v1/sessions", sessionTime.body(user, "1"));
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(202, r.statusCode(), r.bodyAsString()));
          return TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed");
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Query limits and offsets are ASCII digits in range, given once")
  void queryParameters(VertxTestContext ctx) {
    String list = "/v1/users/u-numbers-q/characters/c1/profiles?";
    Map<String, String> bad = new HashMap<>();
    for (String v : List.of("0", "501", "-1", "+5", "1.5", "1e2", "abc", "", "%EF%BC%95", "9223372036854775808")) {
      bad.put(list + "limit=" + v, "limit");
      bad.put("/v1/tasks?limit=" + v, "limit");
    }
    for (String v : List.of("-1", "+1", "1000001", "1.0")) {
      bad.put(list + "offset=" + v, "offset");
    }
    bad.put(list + "limit=5&limit=600", "limit");
    List<String> urls = new ArrayList<>(bad.keySet());
    List<Future<HttpResponse<Buffer>>> replies = urls.stream().map(TestStack::get).toList();
    Future.all(new ArrayList<>(replies))
        .compose(x -> {
          ctx.verify(() -> {
            for (int i = 0; i < urls.size(); i++) {
              HttpResponse<Buffer> r = replies.get(i).result();
              assertEquals(400, r.statusCode(), urls.get(i) + " → " + r.bodyAsString());
              assertEquals(bad.get(urls.get(i)), r.bodyAsJsonObject().getJsonObject("error").getString("field"),
                  urls.get(i));
            }
          });
          return Future.all(TestStack.get(list + "limit=500&offset=1000000"), TestStack.get("/v1/tasks?limit=1"));
        })
        .onComplete(ctx.succeeding(ok -> ctx.verify(() -> {
          assertEquals(200, ok.<HttpResponse<Buffer>>resultAt(0).statusCode());
          assertEquals(200, ok.<HttpResponse<Buffer>>resultAt(1).statusCode());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A field the schema does not declare is ignored whatever it holds, never a 500")
  void undeclaredFields(VertxTestContext ctx) {
    String body = new JsonObject().put("user_id", "u-numbers-extra").put("character_id", "c1").put("message", "你好")
        .put("timestamp", "yesterday").put("messages", new JsonArray().add(new JsonObject())).put("metadata", 3)
        .encode();
    postRaw("/v1/recall", body).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("WebSocket recall frames get the same checks: an error frame naming top_k or max_tokens and the range")
  void webSocketFrames(VertxTestContext ctx) {
    List<String> tokens = List.of("0", "101", "9223372036854775808", "1.5", "\"5\"", "1e400");
    Map<String, String[]> frames = new HashMap<>(); // frame id → field, range
    List<String> texts = new ArrayList<>();
    for (String token : tokens) {
      for (String[] field : List.of(new String[] {"top_k", "from 1 to 100"},
          new String[] {"max_tokens", "from 1 to 32000"})) {
        if (field[0].equals("max_tokens") && token.equals("101")) {
          continue; // in range for max_tokens
        }
        String id = "f-" + texts.size();
        frames.put(id, field);
        texts.add("{\"type\":\"recall\",\"id\":\"" + id + "\",\"user_id\":\"u-numbers-ws\",\"character_id\":\"c1\","
            + "\"message\":\"你好\",\"" + field[0] + "\":" + token + "}");
      }
    }
    WebSocketClient client = TestStack.vertx().createWebSocketClient();
    List<JsonObject> replies = new ArrayList<>();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(TestStack.engram().port())
            .setURI("/v1/ws").addHeader("Authorization", "Bearer " + TestStack.API_KEY))
        .onComplete(ctx.succeeding(ws -> {
          ws.textMessageHandler(text -> {
            replies.add(new JsonObject(text));
            if (replies.size() == texts.size()) {
              ctx.verify(() -> {
                for (JsonObject reply : replies) {
                  String[] expected = frames.get(reply.getString("id"));
                  assertEquals("error", reply.getString("type"), reply.encode());
                  assertEquals(expected[0], reply.getJsonObject("error").getString("field"), reply.encode());
                  assertTrue(reply.getJsonObject("error").getString("message").contains(expected[1]), reply.encode());
                }
              });
              ws.close().onComplete(x -> ctx.completeNow());
            }
          });
          texts.forEach(ws::writeTextMessage);
        }));
  }
}
