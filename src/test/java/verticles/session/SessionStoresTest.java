package verticles.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import verticles.TestStack;
import verticles.bus.Addresses;
import verticles.shared.Breakers;

/**
 * Both session stores, each behind a node of its own (gateway, recall and session memory, no long-term store):
 * every operation over HTTP, concurrent appends, the TTL, recall's session block, and Redis going away. The Redis
 * store runs against a real {@code redis-server} on a free port; those runs are skipped, saying so, without one.
 */
@DisplayName("Session memory on the embedded store and on Redis")
class SessionStoresTest {
  private static final int MAX_TURNS = 100;
  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  /** A node on the store, with the TTL given; for redis, on a redis-server of its own. */
  private SessionNode node(String store, long ttlSeconds) throws Exception {
    JsonObject cfg = new JsonObject().put("store", store).put("ttl_seconds", ttlSeconds).put("max_turns", MAX_TURNS);
    if (store.equals("redis")) {
      Assumptions.assumeTrue(RedisServer.binary() != null,
          "redis-server is not installed (apt-get install redis-server): the Redis store's tests are skipped");
      RedisServer redis = RedisServer.start();
      started.add(redis);
      cfg.put("redis", new JsonObject().put("url", redis.url()));
    }
    SessionNode node = SessionNode.start(cfg);
    started.add(node);
    return node;
  }

  private static String path(String session) {
    return "/v1/sessions/" + session + "/context";
  }

  private static JsonObject owner(String user) {
    return new JsonObject().put("user_id", user).put("character_id", "c1");
  }

  private static JsonObject turn(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  private static HttpResponse<Buffer> get(WebClient c, String user, String session) {
    return Future.await(c.get(path(session) + "?user_id=" + user + "&character_id=c1").send());
  }

  private static HttpResponse<Buffer> put(WebClient c, String session, JsonObject body) {
    return Future.await(c.put(path(session)).sendJsonObject(body));
  }

  private static HttpResponse<Buffer> patch(WebClient c, String session, JsonObject body) {
    return Future.await(c.patch(path(session)).sendJsonObject(body));
  }

  private static List<String> contents(JsonObject context) {
    return context.getJsonArray("turns").stream().map(t -> ((JsonObject) t).getString("content")).toList();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"embedded", "redis"})
  @DisplayName("PUT sets, GET reads byte-exact, PATCH merges and appends, PUT replaces; unknown sessions are 404")
  void everyOperation(String store) throws Exception {
    SessionNode node = node(store, 3600);
    String user = "u-ctx-" + UUID.randomUUID();
    String session = "s-" + UUID.randomUUID();
    String text = "我今天去了西湖边的咖啡馆 ☕😀，有点累了 \uD83D\uDC36 \"quoted\" \\ back";

    HttpResponse<Buffer> missing = get(node.client, user, session);
    assertEquals(404, missing.statusCode(), missing.bodyAsString());
    assertEquals("session_id", missing.bodyAsJsonObject().getJsonObject("error").getString("field"));
    assertEquals(404, patch(node.client, session, owner(user).put("emotional_tone", "calm")).statusCode());

    HttpResponse<Buffer> set = put(node.client, session, owner(user).put("turns", new JsonArray()
            .add(turn("user", text).put("name", "小林").put("at", 1_700_000_000L)))
        .put("active_entities", new JsonArray().add("豆豆").add("林小晴")).put("current_location", "杭州·西湖")
        .put("emotional_tone", "疲惫😮‍💨"));
    assertEquals(200, set.statusCode(), set.bodyAsString());
    JsonObject got = get(node.client, user, session).bodyAsJsonObject();
    assertEquals(user, got.getString("user_id"), "the client's own user id, not the tenant's internal one");
    assertEquals(session, got.getString("session_id"));
    assertEquals(new JsonObject().put("role", "user").put("content", text).put("name", "小林").put("at", 1_700_000_000L),
        got.getJsonArray("turns").getJsonObject(0));
    assertEquals(new JsonArray().add("豆豆").add("林小晴"), got.getJsonArray("active_entities"));
    assertEquals("杭州·西湖", got.getString("current_location"));
    assertEquals("疲惫😮‍💨", got.getString("emotional_tone"));
    assertEquals(1, got.getLong("turns_total"));
    assertTrue(got.getLong("updated_at") > 1_700_000_000L, got.encode());
    assertTrue(get(node.client, user, session).bodyAsString().contains(text.replace("\\", "\\\\")
        .replace("\"", "\\\"")), "the UTF-8 bytes come back as they were sent");

    // merge: the location changes, the tone is cleared, the entities stay, the turns are appended
    HttpResponse<Buffer> merged = patch(node.client, session, owner(user).put("current_location", "家里")
        .putNull("emotional_tone").put("turns", new JsonArray().add(turn("assistant", "辛苦了，早点休息"))));
    assertEquals(200, merged.statusCode(), merged.bodyAsString());
    got = get(node.client, user, session).bodyAsJsonObject();
    assertEquals(List.of(text, "辛苦了，早点休息"), contents(got));
    assertEquals("家里", got.getString("current_location"));
    assertNull(got.getString("emotional_tone"), got.encode());
    assertEquals(new JsonArray().add("豆豆").add("林小晴"), got.getJsonArray("active_entities"));
    assertEquals(merged.bodyAsJsonObject(), got, "an update answers the context after it");

    // only the last max_turns are kept; every turn is counted
    JsonArray many = new JsonArray();
    for (int i = 0; i < MAX_TURNS + 5; i++) {
      many.add(turn("user", "第" + i + "句"));
    }
    patch(node.client, session, owner(user).put("turns", new JsonArray(many.getList().subList(0, 60))));
    got = patch(node.client, session, owner(user).put("turns", new JsonArray(many.getList().subList(60, MAX_TURNS + 5))))
        .bodyAsJsonObject();
    assertEquals(MAX_TURNS, got.getJsonArray("turns").size());
    assertEquals("第5句", contents(got).get(0));
    assertEquals("第" + (MAX_TURNS + 4) + "句", contents(got).get(MAX_TURNS - 1));
    assertEquals(2 + MAX_TURNS + 5, got.getLong("turns_total"));

    // replace: nothing of before is left
    got = put(node.client, session, owner(user).put("emotional_tone", "开心")).bodyAsJsonObject();
    assertEquals(new JsonArray(), got.getJsonArray("turns"));
    assertEquals(new JsonArray(), got.getJsonArray("active_entities"));
    assertNull(got.getString("current_location"));
    assertEquals("开心", got.getString("emotional_tone"));
    assertEquals(0, got.getLong("turns_total"));
    // another character's session of the same id is another session
    assertEquals(404, Future.await(node.client.get(path(session) + "?user_id=" + user + "&character_id=c2").send())
        .statusCode());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"embedded", "redis"})
  @DisplayName("concurrent PATCH appends from many clients lose no turn, and each PATCH's turns stay together")
  void concurrentAppends(String store) throws Exception {
    SessionNode node = node(store, 3600);
    String user = "u-ctx-race-" + UUID.randomUUID();
    String session = "s-race";
    assertEquals(200, put(node.client, session, owner(user)).statusCode());
    int clients = MAX_TURNS / 2;
    List<WebClient> all = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      WebClient c = TestStack.client(node.vertx, node.config.getJsonObject("http").getInteger("port"),
          TestStack.API_KEY);
      all.add(c);
      sent.add(c.patch(path(session)).sendJsonObject(owner(user).put("current_location", "room " + i)
          .put("turns", new JsonArray().add(turn("user", "q" + i)).add(turn("assistant", "a" + i)))));
    }
    Future.await(Future.all(new ArrayList<>(sent)));
    all.forEach(WebClient::close);
    for (Future<HttpResponse<Buffer>> f : sent) {
      assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
    }
    JsonObject got = get(node.client, user, session).bodyAsJsonObject();
    List<String> turns = contents(got);
    assertEquals(2 * clients, turns.size(), got.encode());
    assertEquals(2 * clients, got.getLong("turns_total"));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < turns.size(); i += 2) {
      String n = turns.get(i).substring(1);
      assertEquals("q" + n, turns.get(i), got.encode());
      assertEquals("a" + n, turns.get(i + 1), "a PATCH's turns are appended together: " + got.encode());
      assertTrue(seen.add(n), "each PATCH once: " + got.encode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"embedded", "redis"})
  @DisplayName("a session expires after its TTL: then GET and PATCH are 404, and a PUT starts it again")
  void expires(String store) throws Exception {
    SessionNode node = node(store, 1);
    String user = "u-ctx-ttl-" + UUID.randomUUID();
    assertEquals(200, put(node.client, "s-ttl", owner(user).put("turns", new JsonArray().add(turn("user", "在吗"))))
        .statusCode());
    Supplier<Future<Integer>> status = () -> node.client.get(path("s-ttl") + "?user_id=" + user + "&character_id=c1")
        .send().map(HttpResponse::statusCode);
    Future.await(poll(node, status, 404, 15_000));
    assertEquals(404, patch(node.client, "s-ttl", owner(user).put("turns", new JsonArray().add(turn("user", "人呢"))))
        .statusCode());
    assertEquals(200, put(node.client, "s-ttl", owner(user)).statusCode());
    assertEquals(List.of(), contents(get(node.client, user, "s-ttl").bodyAsJsonObject()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"embedded", "redis"})
  @DisplayName("with every long-term store away, recall answers 200 with the session's context beside no memories")
  void recallWithoutLongTermStores(String store) throws Exception {
    SessionNode node = node(store, 3600);
    String user = "u-ctx-recall-" + UUID.randomUUID();
    put(node.client, "s-r", owner(user).put("turns", new JsonArray().add(turn("user", "我的狗豆豆生病了")))
        .put("active_entities", new JsonArray().add("豆豆")).put("emotional_tone", "担心"));
    JsonObject asked = owner(user).put("message", "你还记得我的狗吗").put("force", true);
    HttpResponse<Buffer> r = Future.await(node.client.post("/v1/recall").sendJsonObject(asked.copy()
        .put("session_id", "s-r")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject reply = r.bodyAsJsonObject();
    assertTrue(reply.getJsonArray("degraded").contains("vector"), reply.encode());
    assertTrue(reply.getJsonArray("degraded").contains("mysql"), reply.encode());
    assertFalse(reply.getJsonArray("degraded").contains("session"), reply.encode());
    assertEquals(new JsonArray(), reply.getJsonArray("memories"));
    JsonObject session = reply.getJsonObject("session");
    assertEquals(List.of("我的狗豆豆生病了"), contents(session), reply.encode());
    assertEquals("担心", session.getString("emotional_tone"));
    assertEquals(user, session.getString("user_id"));

    JsonObject without = Future.await(node.client.post("/v1/recall").sendJsonObject(asked)).bodyAsJsonObject();
    assertFalse(without.containsKey("session"), without.encode());
    JsonObject unknown = Future.await(node.client.post("/v1/recall").sendJsonObject(asked.copy()
        .put("session_id", "s-none"))).bodyAsJsonObject();
    assertFalse(unknown.containsKey("session"), unknown.encode());
    assertFalse(unknown.getJsonArray("degraded").contains("session"), "no context is no failure: " + unknown.encode());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"embedded", "redis"})
  @DisplayName("forgetting a user's character, then the user, deletes exactly their session contexts")
  void forget(String store) throws Exception {
    SessionNode node = node(store, 3600);
    String user = "u-ctx-forget-[*?]" + UUID.randomUUID(); // glob characters are matched literally
    String other = user + "x";
    for (String u : List.of(user, other)) {
      for (String character : List.of("c1", "c2")) {
        for (String session : List.of("s1", "s2")) {
          assertEquals(200, put(node.client, session, new JsonObject().put("user_id", u).put("character_id", character))
              .statusCode());
        }
      }
    }
    JsonObject owner = new JsonObject().put("user_id", TestStack.internal(user));
    assertEquals(2L, forget(node, owner.copy().put("character_id", "c1")));
    assertEquals(404, Future.await(node.client.get(path("s1") + "?user_id=" + encode(user) + "&character_id=c1")
        .send()).statusCode());
    assertEquals(200, Future.await(node.client.get(path("s2") + "?user_id=" + encode(user) + "&character_id=c2")
        .send()).statusCode());
    assertEquals(2L, forget(node, owner));
    assertEquals(0L, forget(node, owner), "a second forget finds nothing");
    for (String character : List.of("c1", "c2")) {
      assertEquals(404, Future.await(node.client.get(path("s2") + "?user_id=" + encode(user) + "&character_id="
          + character).send()).statusCode());
      assertEquals(200, Future.await(node.client.get(path("s2") + "?user_id=" + encode(other) + "&character_id="
          + character).send()).statusCode(), "another user whose id starts alike keeps everything");
    }
  }

  static long forget(SessionNode node, JsonObject owner) {
    return Future.await(node.vertx.eventBus().<JsonObject>request(Addresses.SESSION_CONTEXT_FORGET, owner))
        .body().getLong("deleted");
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  @DisplayName("Redis away: the context routes answer 503, recall answers 200 without the session (flagged), the"
      + " redis breaker opens; all recover when Redis returns")
  void redisAway() throws Exception {
    SessionNode node = node("redis", 3600);
    RedisServer redis = (RedisServer) started.get(0);
    String user = "u-ctx-away-" + UUID.randomUUID();
    assertEquals(200, put(node.client, "s-a", owner(user)).statusCode());
    redis.close();
    started.remove(redis);

    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = i == 0 ? get(node.client, user, "s-a") : i == 1 ? put(node.client, "s-a", owner(user))
          : patch(node.client, "s-a", owner(user));
      assertEquals(503, r.statusCode(), r.bodyAsString());
      assertEquals("unavailable", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
    }
    HttpResponse<Buffer> recalled = Future.await(node.client.post("/v1/recall").sendJsonObject(owner(user)
        .put("message", "你好").put("force", true).put("session_id", "s-a")));
    assertEquals(200, recalled.statusCode(), recalled.bodyAsString());
    assertTrue(recalled.bodyAsJsonObject().getJsonArray("degraded").contains("session"), recalled.bodyAsString());
    assertFalse(recalled.bodyAsJsonObject().containsKey("session"), recalled.bodyAsString());
    assertEquals(CircuitBreakerState.OPEN, Breakers.create(node.vertx, node.config, "redis", 500).state());
    HttpResponse<Buffer> open = get(node.client, user, "s-a");
    assertEquals(503, open.statusCode(), "an open breaker is 503, never 500: " + open.bodyAsString());

    started.add(RedisServer.start(redis.port())); // back, empty: the session is gone, the store answers again
    Supplier<Future<Integer>> status = () -> node.client.put(path("s-a")).sendJsonObject(owner(user))
        .map(HttpResponse::statusCode);
    Future.await(poll(node, status, 200, 20_000));
    assertEquals(CircuitBreakerState.CLOSED, Breakers.create(node.vertx, node.config, "redis", 500).state());
  }

  /** Asks {@code probe} every 100 ms until it answers {@code wanted}. */
  private static Future<Integer> poll(SessionNode node, Supplier<Future<Integer>> probe, int wanted, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return probe.get().transform(ar -> {
      if (ar.succeeded() && ar.result() == wanted) {
        return Future.succeededFuture(wanted);
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("not " + wanted + " in time: " + ar));
      }
      return node.vertx.timer(100).compose(x -> poll(node, probe, wanted, deadline - System.currentTimeMillis()));
    });
  }
}
