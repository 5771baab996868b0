package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every route states its scope, and a key gets exactly what its scopes grant: {@code memory} includes {@code read};
 * {@code admin} and {@code operator} include nothing else; a key with no scope reaches nothing. Keys of one scope
 * each live on a gateway of their own over the shared stack.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Scopes per route")
class ScopeTest {
  /** A key of tenant default per scope, and one with none. */
  private static final List<String> KEYS = List.of("read", "memory", "admin", "operator", "none");
  private static final String WS_LIMITED = "scope-test-ws-limited";
  private static SecondGateway gateway;
  private static final Map<String, WebClient> CLIENTS = new HashMap<>();

  private record Route(String family, HttpMethod method, String path, JsonObject body, String scope) {}

  private static List<Route> routes(String user) {
    JsonObject session = AuthTest.session(user);
    JsonObject owner = new JsonObject().put("user_id", user).put("character_id", "c1");
    String task = "t-" + UUID.randomUUID();
    return List.of(
        new Route("ingest", HttpMethod.POST, "/v1/sessions", session, "memory"),
        new Route("ingest", HttpMethod.POST, "/v1/messages", session.copy().put("session_id", "s1"), "memory"),
        new Route("ingest", HttpMethod.POST, "/v1/sessions/s1/end", owner, "memory"),
        new Route("memories", HttpMethod.POST, "/v1/memories", owner.copy().put("memory_type", "event")
            .put("content", "养了一只猫").put("timestamp", 1_700_000_000L), "memory"),
        new Route("recall", HttpMethod.POST, "/v1/recall", owner.copy().put("message", "我养了什么").put("force", true),
            "read"),
        new Route("recall", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/profiles", null, "read"),
        new Route("recall", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/events", null, "read"),
        new Route("recall", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/summaries", null, "read"),
        new Route("tasks", HttpMethod.GET, "/v1/tasks/" + task, null, "read"),
        new Route("tasks", HttpMethod.GET, "/v1/tasks?status=failed", null, "admin"),
        new Route("tasks", HttpMethod.POST, "/v1/tasks/" + task + "/retry", null, "admin"),
        new Route("admin", HttpMethod.POST, "/v1/users/" + user + "/export", new JsonObject().put("character_id", "c1"),
            "memory"),
        new Route("admin", HttpMethod.DELETE, "/v1/users/" + user + "/characters/c1", null, "memory"),
        new Route("admin", HttpMethod.DELETE, "/v1/users/" + user, null, "memory"),
        new Route("admin", HttpMethod.GET, "/v1/users/" + user + "/stats", null, "admin"),
        new Route("admin", HttpMethod.GET, "/v1/stats", null, "operator"),
        new Route("admin", HttpMethod.POST, "/v1/dlq/replay", null, "operator"),
        // a tenant's cleanup with admin, every tenant's with operator (a dry run: counts only)
        new Route("admin", HttpMethod.POST, "/v1/maintenance/cleanup", new JsonObject().put("dry_run", true),
            "admin|operator"),
        new Route("lifecycle", HttpMethod.GET, "/v1/memories?user_id=" + user, null, "read"),
        new Route("lifecycle", HttpMethod.GET, "/v1/memories/mem-" + user, null, "read"),
        new Route("lifecycle", HttpMethod.GET, "/v1/memories/mem-" + user + "/history", null, "read"),
        new Route("lifecycle", HttpMethod.GET, "/v1/memories/mem-" + user + "/compare?a=1&b=2", null, "read"),
        new Route("lifecycle", HttpMethod.PATCH, "/v1/memories/mem-" + user, new JsonObject().put("importance", 5)
            .put("reason", "scope test"), "memory"),
        new Route("lifecycle", HttpMethod.POST, "/v1/memories/mem-" + user + "/restore", new JsonObject()
            .put("version", 1).put("reason", "scope test"), "memory"),
        new Route("lifecycle", HttpMethod.DELETE, "/v1/memories/mem-" + user, null, "memory"),
        new Route("lifecycle", HttpMethod.DELETE, "/v1/memories/mem-" + user + "?hard=true", null, "memory"),
        new Route("transactions", HttpMethod.POST, "/v1/transactions", new JsonObject().put("timeout_seconds", 5),
            "memory"),
        new Route("transactions", HttpMethod.POST, "/v1/transactions/tx-" + user + "/operations", new JsonObject()
            .put("op", "delete").put("id", "mem-" + user), "memory"),
        new Route("transactions", HttpMethod.POST, "/v1/transactions/tx-" + user + "/commit", null, "memory"),
        new Route("transactions", HttpMethod.POST, "/v1/transactions/tx-" + user + "/rollback", null, "memory"),
        new Route("transactions", HttpMethod.GET, "/v1/transactions/tx-" + user, null, "read"),
        new Route("transactions", HttpMethod.POST, "/v1/memories/batch", new JsonObject().put("operations",
            new JsonArray().add(new JsonObject().put("op", "update").put("id", "mem-" + user).put("importance", 5))),
            "memory"),
        new Route("conflicts", HttpMethod.GET, "/v1/conflicts?user_id=" + user, null, "read"),
        new Route("conflicts", HttpMethod.GET, "/v1/conflicts/conf-" + user, null, "read"),
        new Route("conflicts", HttpMethod.POST, "/v1/conflicts/conf-" + user + "/resolve", new JsonObject()
            .put("keep", "a"), "memory"),
        // entities (an unknown entity: 404 for a key that may ask)
        new Route("entities", HttpMethod.POST, "/v1/projects/pj-" + user + "/entities", new JsonObject()
            .put("name", "沈砚").put("type", "character"), "memory"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/entities", null, "read"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/entities/ent-x", null, "read"),
        new Route("entities", HttpMethod.PATCH, "/v1/projects/pj-" + user + "/entities/ent-x/state", new JsonObject()
            .put("state", "受伤"), "memory"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/entities/ent-x/states", null, "read"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/entities/ent-x/relations?hops=2", null,
            "read"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/entities/ent-x/events", null, "read"),
        new Route("entities", HttpMethod.POST, "/v1/projects/pj-" + user + "/relations", new JsonObject()
            .put("source_id", "ent-x").put("target_id", "ent-y").put("type", "友"), "memory"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/relations?between=ent-x,ent-y", null,
            "read"),
        new Route("entities", HttpMethod.POST, "/v1/projects/pj-" + user + "/events", new JsonObject()
            .put("type", "battle").put("summary", "一战"), "memory"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/events?from=1&to=9", null, "read"),
        new Route("entities", HttpMethod.POST, "/v1/projects/pj-" + user + "/chapters/ch-1/writeback", new JsonObject()
            .put("content", "沈砚下山。"), "memory"),
        new Route("entities", HttpMethod.GET, "/v1/projects/pj-" + user + "/chapters/ch-1/writeback", null, "read"),
        new Route("entities", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/entities", null, "read"),
        new Route("entities", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/entities/ent-x", null, "read"),
        new Route("entities", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/entities/ent-x/states", null,
            "read"),
        new Route("entities", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/entities/ent-x/relations", null,
            "read"),
        new Route("entities", HttpMethod.GET, "/v1/users/" + user + "/characters/c1/entities/ent-x/events", null,
            "read"),
        new Route("context", HttpMethod.PUT, "/v1/sessions/s1/context", owner.copy().put("current_location", "家"),
            "memory"),
        new Route("context", HttpMethod.PATCH, "/v1/sessions/s1/context", owner.copy().put("turns", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "到家了"))), "memory"),
        new Route("context", HttpMethod.GET, "/v1/sessions/s1/context?user_id=" + user + "&character_id=c1", null,
            "read"),
        new Route("context", HttpMethod.GET, "/v1/sessions/s1/archive?user_id=" + user + "&character_id=c1", null,
            "read"));
  }

  /**
   * The documented rule, stated here on its own rather than taken from the code under test. {@code needed} may list
   * alternatives ("admin|operator"): any of them grants.
   */
  private static boolean grants(String held, String needed) {
    for (String one : needed.split("\\|")) {
      if (held.equals(one) || held.equals("memory") && one.equals("read")) {
        return true;
      }
    }
    return false;
  }

  private static String apiKey(String scope) {
    return "scope-test-" + scope;
  }

  @BeforeAll
  static void start(VertxTestContext ctx) {
    JsonArray keys = new JsonArray();
    for (String scope : KEYS) {
      keys.add(TestStack.key("only-" + scope, "default", apiKey(scope), scope.equals("none") ? new String[0]
          : new String[] {scope}));
    }
    keys.add(TestStack.key("ws-limited", "default", WS_LIMITED, "read").put("rate_limit_per_s", 0.01)
        .put("rate_limit_burst", 2));
    // a JWT user's own rate: its upgrade and one frame, then refused
    JsonObject jwt = new JsonObject().put("rate_limit_per_s", 0.01).put("rate_limit_burst", 2);
    SecondGateway.start(new JsonObject().put("keys", keys).put("jwt", jwt))
        .onComplete(ctx.succeeding(g -> {
          gateway = g;
          KEYS.forEach(scope -> CLIENTS.put(scope, g.client(apiKey(scope))));
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    CLIENTS.values().forEach(WebClient::close);
    gateway.close().onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingest", "memories", "recall", "tasks", "admin", "lifecycle", "transactions", "conflicts",
      "entities", "context"})
  @DisplayName("a key without the route's scope gets 403 with a JSON error naming it; a key with it passes")
  void family(String family, VertxTestContext ctx) {
    String user = "u-scope-" + family + "-" + UUID.randomUUID();
    List<Route> routes = routes(user).stream().filter(r -> r.family().equals(family)).toList();
    Future<Void> chain = Future.succeededFuture();
    for (Route route : routes) {
      for (String held : KEYS) {
        chain = chain.compose(v -> send(route, CLIENTS.get(held)).map(r -> {
          String what = route.method() + " " + route.path() + " with scope " + held + ": " + r.bodyAsString();
          if (grants(held, route.scope())) {
            assertTrue(r.statusCode() != 403 && r.statusCode() < 500, what);
          } else {
            assertEquals(403, r.statusCode(), what);
            JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
            assertEquals("forbidden", error.getString("code"), what);
            assertEquals("Authorization", error.getString("field"), what);
            for (String one : route.scope().split("\\|")) {
              assertTrue(error.getString("message").contains("'" + one + "'"), what);
            }
          }
          return null;
        }));
      }
    }
    chain.onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("the WebSocket needs read: a read or memory key recalls, an admin, operator or scopeless key gets 403 at the upgrade")
  void webSocket(VertxTestContext ctx) {
    JsonObject frame = new JsonObject().put("type", "recall").put("id", 1).put("user_id", "u-scope-ws")
        .put("character_id", "c1").put("message", "我养了什么").put("force", true);
    Future<Void> chain = Future.succeededFuture();
    for (String held : KEYS) {
      chain = chain.compose(v -> gateway.ws(apiKey(held), List.of(frame)).transform(ar -> {
        if (grants(held, "read")) {
          assertTrue(ar.succeeded(), held + ": " + ar.cause());
          assertEquals("recall.result", ar.result().get(0).getString("type"), held + ": " + ar.result());
        } else {
          assertTrue(ar.cause() instanceof UpgradeRejectedException, held + ": " + ar);
          UpgradeRejectedException refused = (UpgradeRejectedException) ar.cause();
          assertEquals(403, refused.getStatus(), held);
          JsonObject error = new JsonObject(refused.getBody()).getJsonObject("error");
          assertEquals("forbidden", error.getString("code"), held);
          assertTrue(error.getString("message").contains("'read'"), error.encode());
        }
        return Future.<Void>succeededFuture();
      }));
    }
    chain.onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("each WebSocket frame counts against the key's rate: past it, an error frame rate_limited, for a key and a JWT alike")
  void webSocketFramesAreLimited(VertxTestContext ctx) {
    JWTAuth issuer = JWTAuth.create(TestStack.vertx(), new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("HS256").setBuffer(TestStack.JWT_SECRET)));
    String user = "u-scope-ws-rate-" + UUID.randomUUID();
    String token = issuer.generateToken(new JsonObject().put("sub", user).put("tenant", "default"),
        new JWTOptions().setExpiresInSeconds(300));
    List<JsonObject> frames = List.of(
        new JsonObject().put("type", "recall").put("id", 1).put("user_id", user).put("character_id", "c1")
            .put("message", "我养了什么").put("force", true),
        new JsonObject().put("type", "recall").put("id", 2).put("user_id", user).put("character_id", "c1")
            .put("message", "我养了什么").put("force", true));
    // burst 2: the upgrade and the first frame pass, the second frame is refused
    gateway.ws(WS_LIMITED, frames)
        .map(replies -> {
          assertLimited(replies);
          return null;
        })
        .compose(v -> gateway.ws(token, frames))
        .map(replies -> {
          assertLimited(replies);
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void assertLimited(List<JsonObject> replies) {
    JsonObject first = replies.stream().filter(r -> Integer.valueOf(1).equals(r.getValue("id"))).findFirst()
        .orElseThrow();
    JsonObject second = replies.stream().filter(r -> Integer.valueOf(2).equals(r.getValue("id"))).findFirst()
        .orElseThrow();
    assertEquals("recall.result", first.getString("type"), first.encode());
    assertEquals("error", second.getString("type"), second.encode());
    assertEquals("rate_limited", second.getJsonObject("error").getString("code"), second.encode());
  }

  private static Future<HttpResponse<Buffer>> send(Route route, WebClient client) {
    var request = client.request(route.method(), route.path());
    return route.body() == null ? request.send() : request.sendJsonObject(route.body());
  }
}
