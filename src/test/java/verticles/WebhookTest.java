package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.changes.ChangeEvents;
import verticles.changes.Webhook;
import verticles.changes.WebhookVerticle;
import verticles.outbox.KafkaSetup;

/**
 * Webhooks on the real stack: a real HTTP server in the test is the client's endpoint; a {@link WebhookVerticle}
 * configured with it reads the real topic {@code memory_changes} in its own consumer group, which the test starts at
 * the topic's end (so it sees only what the test does).
 */
@DisplayName("Webhooks receive change events signed, in order, and a webhook that keeps failing gets dead letters")
class WebhookTest {

  /** One POST the receiver got. */
  record Received(JsonObject event, String body, String eventHeader, String id, String timestamp, String signature,
      long atNanos, int answered) {}

  /** A local webhook endpoint: records every POST and answers what {@code fails} says (500) or 200. */
  static final class Receiver {
    final List<Received> got = new CopyOnWriteArrayList<>();
    final HttpServer server;

    Receiver(Predicate<JsonObject> fails) {
      server = TestStack.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
        JsonObject event = body.toJsonObject();
        int status = fails.test(event) ? 500 : 200;
        got.add(new Received(event, body.toString(StandardCharsets.UTF_8), req.getHeader("X-Engram-Event"),
            req.getHeader("X-Engram-Event-Id"), req.getHeader("X-Engram-Timestamp"),
            req.getHeader("X-Engram-Signature"), System.nanoTime(), status));
        req.response().setStatusCode(status).end();
      }));
      Future.await(server.listen(0, "127.0.0.1"));
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort() + "/hooks/engram";
    }

    List<Received> of(String memoryId) {
      return got.stream().filter(r -> memoryId.equals(r.event().getString("memory_id"))).toList();
    }
  }

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /** Deploys a webhook verticle for these webhooks, each group first committed at the topic's end. */
  static String deploy(JsonObject... hooks) {
    JsonObject cfg = TestStack.engram().config().copy();
    cfg.getJsonObject(ChangeEvents.SECTION).put("webhooks", new JsonArray(List.of((Object[]) hooks)));
    for (JsonObject hook : hooks) {
      startAtEnd(cfg.getJsonObject(ChangeEvents.SECTION).getString("webhook_group") + "." + hook.getString("name"));
    }
    return Future.await(TestStack.vertx().deployVerticle(WebhookVerticle::new, new DeploymentOptions().setConfig(cfg)));
  }

  /** Commits the group's offsets at the end of every partition of the change topic. */
  static void startAtEnd(String group) {
    JsonObject kafka = TestStack.engram().config().getJsonObject("kafka");
    String topic = ChangeEvents.topic(TestStack.engram().config());
    Future.await(TestStack.vertx().executeBlocking(() -> {
      Map<String, Object> props = new HashMap<>(KafkaSetup.consumer(kafka));
      props.put("group.id", group);
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
        List<TopicPartition> parts = new ArrayList<>();
        consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> at = new HashMap<>();
        parts.forEach(p -> at.put(p, new org.apache.kafka.clients.consumer.OffsetAndMetadata(consumer.position(p))));
        consumer.commitSync(at);
      }
      return null;
    }));
  }

  static JsonObject hook(String name, String url, String secret) {
    return new JsonObject().put("name", name).put("url", url).put("secret", secret);
  }

  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a webhook receives each change of a memory once, in order, with a valid HMAC-SHA256 signature")
  void signed() {
    Receiver receiver = new Receiver(e -> false);
    Receiver deletes = new Receiver(e -> false);
    String secret = "whsec-" + UUID.randomUUID();
    String name = "mirror-" + UUID.randomUUID().toString().substring(0, 8);
    String deployment = deploy(hook(name, receiver.url(), secret),
        hook(name + "-deletes", deletes.url(), secret).put("events", new JsonArray().add("delete")));
    try {
      String user = "u-hook-" + UUID.randomUUID();
      String id = MemoryLifecycleTest.imported(user, "我女儿今年上小学一年级");
      ChangeEventsTest.ok(MemoryLifecycleTest.patch(id, 1, new JsonObject().put("content", "我女儿今年上小学二年级")
          .put("reason", "升级了")));
      ChangeEventsTest.ok(Future.await(TestStack.delete(MemoryLifecycleTest.path(id))));
      Future.await(TestStack.until(() -> Future.succeededFuture(receiver.of(id).size() + deletes.of(id).size()),
          n -> n >= 4, 30_000));

      List<Received> got = receiver.of(id);
      assertEquals(List.of("create", "update", "delete"), got.stream().map(Received::eventHeader).toList(),
          got.toString());
      assertTrue(got.get(0).event().getLong("event_id") < got.get(1).event().getLong("event_id")
          && got.get(1).event().getLong("event_id") < got.get(2).event().getLong("event_id"));
      assertEquals(List.of("delete"), deletes.of(id).stream().map(Received::eventHeader).toList(),
          "a webhook with events [delete] gets only the delete");
      List<Received> both = new ArrayList<>(got);
      both.addAll(deletes.of(id));
      for (Received r : both) {
        String expected = Webhook.signature(secret, Long.parseLong(r.timestamp()), r.body());
        assertTrue(r.signature().startsWith("sha256=") && constantTimeEquals(expected, r.signature()),
            "signature of " + r);
        assertFalse(constantTimeEquals(Webhook.signature("another secret", Long.parseLong(r.timestamp()), r.body()),
            r.signature()), "another secret signs otherwise");
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(r.timestamp())) < 600,
            "a current timestamp");
        assertEquals(r.event().getString("event"), r.eventHeader());
        assertEquals(String.valueOf(r.event().getLong("event_id")), r.id());
        assertEquals(user, r.event().getString("user_id"));
        assertEquals("default", r.event().getString("tenant"));
        assertEquals(id, r.event().getString("memory_id"));
      }
    } finally {
      Future.await(TestStack.vertx().undeploy(deployment));
      Future.await(receiver.server.close());
      Future.await(deletes.server.close());
    }
  }

  @Test
  @DisplayName("a webhook answering 500 is retried with growing waits, then dead-lettered (row and metric), and later events still flow")
  void deadLetter() {
    String user = "u-hook-dlq-" + UUID.randomUUID();
    // the endpoint refuses the creation of this user's memories, and takes everything else
    Receiver receiver = new Receiver(e -> user.equals(e.getString("user_id")) && "create".equals(e.getString("event")));
    String name = "flaky-" + UUID.randomUUID().toString().substring(0, 8);
    String deployment = deploy(hook(name, receiver.url(), "s3cret").put("max_attempts", 3).put("backoff_ms", 200));
    try {
      double before = counted(name, "dead_letter");
      String id = MemoryLifecycleTest.imported(user, "我对花生过敏");
      ChangeEventsTest.ok(MemoryLifecycleTest.patch(id, 1, new JsonObject().put("content", "我对花生和芒果过敏")
          .put("reason", "补充")));
      Future.await(TestStack.until(() -> Future.succeededFuture(receiver.of(id)),
          got -> got.stream().anyMatch(r -> "update".equals(r.eventHeader()) && r.answered() == 200), 60_000));

      List<Received> got = receiver.of(id);
      List<Received> creates = got.stream().filter(r -> "create".equals(r.eventHeader())).toList();
      assertEquals(3, creates.size(), "max_attempts tries: " + got);
      assertTrue(creates.stream().allMatch(r -> r.answered() == 500));
      long firstWait = creates.get(1).atNanos() - creates.get(0).atNanos();
      long secondWait = creates.get(2).atNanos() - creates.get(1).atNanos();
      assertTrue(firstWait >= 200_000_000L, "backoff_ms before the second try: " + firstWait);
      assertTrue(secondWait >= 400_000_000L, "doubled before the third: " + secondWait);
      assertEquals("update", got.get(got.size() - 1).eventHeader(), "the next event comes after the dead letter");
      assertEquals(1, got.stream().filter(r -> "update".equals(r.eventHeader())).count());

      RowSet<Row> rows = Future.await(TestStack.sql().preparedQuery("SELECT event_id, memory_id, user_id, body,"
          + " attempts, last_status, last_error FROM webhook_dead_letters WHERE webhook = ?").execute(Tuple.of(name)));
      assertEquals(1, rows.size());
      Row row = rows.iterator().next();
      assertEquals(creates.get(0).event().getLong("event_id"), row.getLong("event_id"));
      assertEquals(id, row.getString("memory_id"));
      assertEquals(TestStack.internal(user), row.getString("user_id"));
      assertEquals(creates.get(0).body(), row.getString("body"));
      assertEquals(3, row.getInteger("attempts"));
      assertEquals(500, row.getInteger("last_status"));
      assertEquals("HTTP 500", row.getString("last_error"));
      assertEquals(before + 1, counted(name, "dead_letter"), "engram_webhook_deliveries_total{outcome=dead_letter}");
      assertEquals(2.0, counted(name, "retry"));
      assertTrue(counted(name, "delivered") >= 1);

      // forgetting the user takes their dead letters too
      ChangeEventsTest.ok(Future.await(TestStack.delete("/v1/users/" + user)));
      assertEquals(0, Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM webhook_dead_letters"
          + " WHERE webhook = ?").execute(Tuple.of(name))).iterator().next().getLong(0));
    } finally {
      Future.await(TestStack.vertx().undeploy(deployment));
      Future.await(receiver.server.close());
    }
  }

  static double counted(String webhook, String outcome) {
    var c = TestStack.engram().metrics().find("engram_webhook_deliveries").tag("webhook", webhook)
        .tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }
}
