package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Engram;
import verticles.changes.ChangeEvents;
import verticles.changes.ChangeRelayVerticle;

/**
 * Change events on the real embedded stack: every create, update, delete, restore and erasure of a memory, through
 * the HTTP API and through a session's extraction, reaches Kafka topic {@code memory_changes} once, in order, with
 * the right fields; a forget publishes its one event; a relay stopped and started again publishes what waited.
 * (Webhooks: {@link WebhookTest}.)
 */
@DisplayName("Change events reach Kafka topic memory_changes once each, in order per memory")
class ChangeEventsTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonObject kafka() {
    return TestStack.engram().config().getJsonObject("kafka");
  }

  static String topic() {
    return ChangeEvents.topic(TestStack.engram().config());
  }

  /** The end of every partition of the change topic now: read from here to see what comes next. */
  static Map<Integer, Long> ends() {
    return Future.await(KafkaProbe.ends(TestStack.vertx(), kafka(), topic()));
  }

  /** Waits until the outbox holds no row of the user: everything it will publish for them is on Kafka. */
  static void awaitRelayed(String user) {
    Future.await(TestStack.until(() -> TestStack.sql().preparedQuery("SELECT COUNT(*) FROM memory_change_outbox"
        + " WHERE user_id = ?").execute(Tuple.of(TestStack.internal(user))).map(rs -> rs.iterator().next().getLong(0)),
        n -> n == 0, 30_000));
  }

  /** The user's events on the topic since {@code from}, in each partition's order. */
  static List<JsonObject> events(Map<Integer, Long> from, String user) {
    List<JsonObject> out = new ArrayList<>();
    for (String v : Future.await(KafkaProbe.valuesSince(TestStack.vertx(), kafka(), topic(), from))) {
      JsonObject e = new JsonObject(v);
      if (user.equals(e.getString("user_id")) && "default".equals(e.getString("tenant"))) {
        out.add(e);
      }
    }
    return out;
  }

  static List<JsonObject> of(List<JsonObject> events, String memoryId) {
    return events.stream().filter(e -> memoryId.equals(e.getString("memory_id"))).toList();
  }

  static HttpResponse<Buffer> ok(HttpResponse<Buffer> r) {
    assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.bodyAsString());
    return r;
  }

  @Test
  @DisplayName("create, update, soft delete, restore and hard delete through the API each appear once, in order, with every field")
  void lifecycle() {
    Map<Integer, Long> from = ends();
    String user = "u-chg-life-" + UUID.randomUUID();
    long before = System.currentTimeMillis();
    String id = MemoryLifecycleTest.imported(user, "我在杭州的西湖边住了三年");
    ok(MemoryLifecycleTest.patch(id, 1, new JsonObject().put("content", "我在杭州的西湖边住了五年")
        .put("reason", "记错了")));
    ok(Future.await(TestStack.delete(MemoryLifecycleTest.path(id))));
    ok(Future.await(TestStack.post(MemoryLifecycleTest.path(id) + "/restore", new JsonObject().put("version", 2)
        .put("reason", "还是要记住"))));
    ok(Future.await(TestStack.delete(MemoryLifecycleTest.path(id) + "?hard=true")));
    awaitRelayed(user);

    List<JsonObject> events = of(events(from, user), id);
    assertEquals(List.of("create", "update", "delete", "restore", "delete"),
        events.stream().map(e -> e.getString("event")).toList(), events.toString());
    assertEquals(List.of(1, 2, 3, 4, 4), events.stream().map(e -> e.getInteger("version")).toList(),
        "the version each wrote; the erasure names the last one");
    assertEquals(List.of(false, false, false, false, true), events.stream().map(e -> e.getBoolean("hard")).toList());
    Set<Long> ids = new HashSet<>();
    long last = 0;
    for (JsonObject e : events) {
      assertTrue(ids.add(e.getLong("event_id")), "each event once: " + events);
      assertTrue(e.getLong("event_id") > last, "event ids grow: " + events);
      last = e.getLong("event_id");
      assertEquals(user, e.getString("user_id"), "the client's own user id");
      assertEquals("default", e.getString("tenant"));
      assertEquals("c1", e.getString("character_id"));
      assertEquals("event", e.getString("memory_type"));
      assertEquals("test", e.getString("actor"), "the API key's name");
      assertTrue(e.getLong("at") >= before - 1000 && e.getLong("at") <= System.currentTimeMillis() + 1000,
          "at is epoch milliseconds: " + e);
      assertEquals(Set.of("event_id", "event", "memory_id", "version", "tenant", "user_id", "character_id",
          "memory_type", "hard", "at", "actor"), e.fieldNames());
    }
  }

  @Test
  @DisplayName("a session's extraction publishes one create event for every memory it wrote")
  void extraction() {
    Map<Integer, Long> from = ends();
    String user = "u-chg-extract-" + UUID.randomUUID();
    HttpResponse<Buffer> r = ok(Future.await(TestStack.post("/v1/sessions", GenerationPipelineTest.session(user,
        "我叫周小舟，我住在成都，我喜欢吃火锅", "x1"))));
    Future.await(TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"));
    awaitRelayed(user);

    Set<String> stored = new HashSet<>();
    for (Row row : Future.await(TestStack.sql().preparedQuery("SELECT memory_id FROM memories WHERE user_id = ?")
        .execute(Tuple.of(TestStack.internal(user))))) {
      stored.add(row.getString(0));
    }
    assertTrue(stored.size() >= 3, "a summary, a message and profile facts at least: " + stored);
    List<JsonObject> events = events(from, user);
    assertEquals(stored.size(), events.size(), "one event per memory: " + events);
    for (JsonObject e : events) {
      assertEquals("create", e.getString("event"));
      assertEquals("extractor", e.getString("actor"));
      assertEquals(1, e.getInteger("version"));
    }
    assertEquals(stored, new HashSet<>(events.stream().map(e -> e.getString("memory_id")).toList()));
    assertTrue(events.stream().anyMatch(e -> "profile".equals(e.getString("memory_type"))), events.toString());
    assertTrue(events.stream().anyMatch(e -> "summary".equals(e.getString("memory_type"))), events.toString());
  }

  @Test
  @DisplayName("forgetting a user publishes one forget event for the owner, naming no memory")
  void forget() {
    String user = "u-chg-forget-" + UUID.randomUUID();
    MemoryLifecycleTest.imported(user, "我养了一只叫年糕的猫");
    awaitRelayed(user);
    Map<Integer, Long> from = ends();
    ok(Future.await(TestStack.delete("/v1/users/" + user)));
    awaitRelayed(user);
    List<JsonObject> events = events(from, user);
    assertEquals(1, events.size(), events.toString());
    JsonObject forget = events.get(0);
    assertEquals("forget", forget.getString("event"));
    assertNull(forget.getString("memory_id"));
    assertNull(forget.getValue("version"));
    assertNull(forget.getString("memory_type"));
    assertNull(forget.getString("character_id"), "every character of the user");
    assertTrue(forget.getBoolean("hard"));
    assertEquals("system", forget.getString("actor"));
  }

  @Test
  @DisplayName("a relay stopped while memories change publishes, once started again, everything that waited, once and in order; one of two relays leads")
  void relayRestart() {
    Engram engram = TestStack.engram();
    Map<Integer, Long> from = ends();
    String user = "u-chg-relay-" + UUID.randomUUID();
    double publishedBefore = published("update");
    Future.await(engram.vertx().undeploy(engram.changeRelayDeployment()));
    String id;
    try {
      id = MemoryLifecycleTest.imported(user, "我每周三晚上去游泳");
      ok(MemoryLifecycleTest.patch(id, 1, new JsonObject().put("content", "我每周四晚上去游泳").put("reason", "改了")));
      ok(MemoryLifecycleTest.patch(id, 2, new JsonObject().put("importance", 8).put("reason", "重要")));
      long waiting = Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM memory_change_outbox"
          + " WHERE memory_id = ?").execute(Tuple.of(id))).iterator().next().getLong(0);
      assertEquals(3, waiting, "without a relay the events wait in the outbox");
    } finally {
      // two instances this time: one lock, so one of them relays
      Future.await(engram.vertx().deployVerticle(ChangeRelayVerticle::new,
          new DeploymentOptions().setConfig(engram.config()).setInstances(2)));
    }
    awaitRelayed(user);
    List<JsonObject> events = of(events(from, user), id);
    assertEquals(List.of("create", "update", "update"), events.stream().map(e -> e.getString("event")).toList());
    assertEquals(List.of(1, 2, 3), events.stream().map(e -> e.getInteger("version")).toList());
    assertTrue(published("update") >= publishedBefore + 2, "counted in engram_change_events_published_total");
    // the new relay reports the outbox's depth: empty once it has drained
    Future.await(TestStack.until(() -> Future.succeededFuture(gauge("engram_change_outbox_depth")),
        d -> d == 0.0, 30_000));
    assertEquals(1.0, gauge("engram_change_relay_leader"), "one relay holds the lock");
  }

  static double published(String event) {
    var c = TestStack.engram().metrics().find("engram_change_events_published").tag("event", event).counter();
    return c == null ? 0 : c.count();
  }

  static double gauge(String name) {
    var g = TestStack.engram().metrics().find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }
}
