package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Addresses;
import verticles.outbox.KafkaSetup;

@ExtendWith(VertxExtension.class)
@DisplayName("The generation pipeline loses nothing, duplicates nothing and is not blocked by poison")
class GenerationPipelineTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonObject session(String user, String text, String msgId) {
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("messages", new JsonArray()
        .add(new JsonObject().put("msg_id", msgId).put("role", "user").put("content", text)
            .put("timestamp", Instant.now().getEpochSecond() - 60)));
  }

  static Future<Long> count(String sql, String user) {
    // the stores keep the tenant-scoped id
    return TestStack.sql().preparedQuery(sql).execute(Tuple.of(TestStack.internal(user)))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  static Future<List<Long>> footprint(String user) {
    Future<Long> events = count("SELECT COUNT(*) FROM user_events WHERE user_id = ?", user);
    Future<Long> summaries = count("SELECT COUNT(*) FROM conversation_summaries WHERE user_id = ?", user);
    Future<Long> profiles = count("SELECT COUNT(*) FROM user_profiles WHERE user_id = ?", user);
    Future<Long> vectors = TestStack.vertx().executeBlocking(() -> TestStack.engram().index().count(TestStack.internal(user), null));
    return Future.all(events, summaries, profiles, vectors)
        .map(x -> List.of(events.result(), summaries.result(), profiles.result(), vectors.result()));
  }

  @Test
  @DisplayName("Sessions posted while Kafka is down stay pending and all complete after it returns")
  void kafkaOutage(VertxTestContext ctx) throws Exception {
    String user = "u-kafka-" + UUID.randomUUID();
    TestStack.vertx().executeBlocking(() -> {
          TestStack.engram().kafka().stop();
          return null;
        })
        .compose(x -> {
          List<Future<String>> posted = new ArrayList<>();
          for (int i = 0; i < 5; i++) {
            posted.add(TestStack.post("/v1/sessions", session(user, "我叫小明，第" + i + "次聊天", "k" + i))
                .map(r -> {
                  ctx.verify(() -> assertEquals(202, r.statusCode(), r.bodyAsString()));
                  return r.bodyAsJsonObject().getString("task_id");
                }));
          }
          return Future.all(posted).map(f -> posted.stream().map(Future::result).toList());
        })
        .compose(ids -> TestStack.get("/v1/tasks/" + ids.get(0)).map(r -> {
          ctx.verify(() -> assertEquals("pending", r.bodyAsJsonObject().getString("status")));
          return ids;
        }))
        .compose(ids -> TestStack.vertx().executeBlocking(() -> {
          TestStack.engram().kafka().start();
          return ids;
        }))
        .compose(ids -> Future.all(ids.stream().map(id -> TestStack.awaitTask(id, "completed")).toList()))
        .compose(x -> footprint(user))
        .onComplete(ctx.succeeding(f -> ctx.verify(() -> {
          assertEquals(5L, f.get(1), "one summary per task");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A task replayed twice after its writes leaves no duplicate rows or vectors, and keeps its birthday's row")
  void replayIsIdempotent(VertxTestContext ctx) {
    String user = "u-replay-" + UUID.randomUUID();
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(10_000);
    String[] taskId = new String[1];
    List<Long> before = new ArrayList<>();
    // the birthday is a recurring event, one memory (event:{sha1}) whichever task states it: the replay finds it
    // stated already and must keep the row the first run wrote
    TestStack.post("/v1/sessions", session(user, "我叫阿杰，我的生日是十二月一号，我下周五要去北京出差，我喜欢吃烤鸭", "r1"))
        .compose(r -> {
          taskId[0] = r.bodyAsJsonObject().getString("task_id");
          return TestStack.awaitTask(taskId[0], "completed");
        })
        .compose(t -> footprint(user))
        .compose(f -> {
          before.addAll(f);
          // as if a worker died after writing but before the task was marked completed
          return TestStack.sql().preparedQuery("UPDATE memory_generation_tasks SET status = 'pending' WHERE task_id = ?")
              .execute(Tuple.of(taskId[0]));
        })
        .compose(x -> TestStack.sql().preparedQuery("SELECT source_data, session_id FROM memory_generation_tasks"
            + " WHERE task_id = ?").execute(Tuple.of(taskId[0])))
        .compose(rs -> {
          JsonObject task = new JsonObject().put("task_id", taskId[0]).put("user_id", TestStack.internal(user)).put("character_id", "c1")
              .put("session_id", rs.iterator().next().getString("session_id"))
              .put("messages", new JsonArray(rs.iterator().next().getValue("source_data").toString()));
          return TestStack.vertx().eventBus().request(Addresses.OUTBOX_PUBLISH, task, opts)
              .compose(x -> TestStack.vertx().eventBus().request(Addresses.OUTBOX_PUBLISH, task, opts));
        })
        .compose(x -> TestStack.awaitTask(taskId[0], "completed"))
        // a completed task published once more is skipped
        .compose(x -> footprint(user))
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertTrue(before.get(3) > 0 && before.get(1) == 1, "the first run wrote: " + before);
          assertEquals(2L, before.get(0), "the birthday and the trip: " + before);
          assertEquals(before, after, "rows and vectors (events, summaries, profiles, vectors) unchanged");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A poison task ends failed and in the DLQ, while tasks behind it on the same partition complete")
  void poisonTask(VertxTestContext ctx) {
    String user = "u-poison-" + UUID.randomUUID();
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(10_000);
    // A msg_id longer than the schema allows can only come from a co-located caller that skipped validation;
    // every attempt to store its profile fact fails.
    // straight onto the bus, so under the id the gateway would give the test tenant's user
    JsonObject poison = session(TestStack.internal(user), "我叫毒药", "p".repeat(80)).put("trigger", "session_end");
    String dlqTopic = TestStack.engram().config().getJsonObject("kafka").getString("dlq_topic");
    Map<String, String> cc = KafkaSetup.consumer(TestStack.engram().config().getJsonObject("kafka"));
    cc.put("group.id", "dlq-reader-" + UUID.randomUUID());
    KafkaConsumer<String, String> dlq = KafkaConsumer.create(TestStack.vertx(), cc);
    JsonObject[] seen = new JsonObject[1];
    String[] poisonId = new String[1];
    dlq.handler(rec -> {
      if (rec.value().contains(user)) {
        seen[0] = new JsonObject(rec.value());
      }
    });
    dlq.subscribe(dlqTopic)
        .compose(x -> TestStack.vertx().eventBus().<JsonObject>request(Addresses.TASK_CREATE, poison, opts))
        .compose(m -> {
          poisonId[0] = m.body().getString("task_id");
          return TestStack.vertx().eventBus().request(Addresses.OUTBOX_PUBLISH, m.body(), opts);
        })
        // same user and character → same key → same partition
        .compose(x -> TestStack.post("/v1/sessions", session(user, "我喜欢吃草莓", "ok1")))
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .compose(x -> TestStack.awaitTask(poisonId[0], "failed"))
        .compose(t -> TestStack.until(() -> Future.succeededFuture(seen[0]), s -> s != null, 30_000).map(s -> t))
        .onComplete(ctx.succeeding(t -> ctx.verify(() -> {
          assertEquals(poisonId[0], seen[0].getString("task_id"));
          assertEquals(3, t.getInteger("retry_count"));
          assertNotNull(t.getString("error_message"));
          dlq.close();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A malformed record on the task topic goes to the DLQ and does not stop the consumer")
  void malformedRecord(VertxTestContext ctx) {
    String user = "u-malformed-" + UUID.randomUUID();
    JsonObject kafka = TestStack.engram().config().getJsonObject("kafka");
    KafkaProducer<String, String> producer = KafkaProducer.create(TestStack.vertx(), KafkaSetup.producer(kafka));
    producer.send(KafkaProducerRecord.create(kafka.getString("topic"), user + ":c1", "{not json at all"))
        .compose(x -> TestStack.post("/v1/sessions", session(user, "我养了一只猫", "mm1")))
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .eventually(producer::close)
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Buffered messages become a task at the threshold, on session end, and after idling")
  void messageBuffer(VertxTestContext ctx) {
    String user = "u-buffer-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 100;
    java.util.function.BiFunction<String, Integer, JsonObject> batch = (session, n) -> {
      JsonArray msgs = new JsonArray();
      for (int i = 0; i < n; i++) {
        // ids unique per post: a second post of the same ids would be a retry, and buffered once
        msgs.add(new JsonObject().put("msg_id", session + "-" + n + "-" + i)
            .put("role", i % 2 == 0 ? "user" : "assistant").put("content", "第" + i + "句话")
            .put("timestamp", ts + i));
      }
      return new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", session)
          .put("messages", msgs);
    };
    // threshold is 5 in tests
    TestStack.post("/v1/messages", batch.apply("s-threshold", 3))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(202, r.statusCode());
            assertEquals(3, r.bodyAsJsonObject().getInteger("buffered"));
            assertNull(r.bodyAsJsonObject().getString("task_id"));
          });
          return TestStack.post("/v1/messages", batch.apply("s-threshold", 2));
        })
        .compose(r -> {
          String task = r.bodyAsJsonObject().getString("task_id");
          ctx.verify(() -> assertNotNull(task, r.bodyAsString()));
          return TestStack.awaitTask(task, "completed");
        })
        .compose(x -> TestStack.post("/v1/messages", batch.apply("s-end", 2)))
        .compose(x -> TestStack.post("/v1/sessions/s-end/end", new JsonObject().put("user_id", user)
            .put("character_id", "c1")))
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .compose(x -> TestStack.post("/v1/messages", batch.apply("s-idle", 1)))
        // idle timeout is 2 s in tests: the sweeper cuts it without any further call
        .compose(x -> TestStack.until(() -> count("SELECT COUNT(*) FROM memory_generation_tasks WHERE user_id = ?"
            + " AND session_id = 's-idle' AND status = 'completed'", user), n -> n == 1, 30_000))
        .compose(x -> count("SELECT COUNT(*) FROM buffered_messages WHERE user_id = ?", user))
        .onComplete(ctx.succeeding(left -> ctx.verify(() -> {
          assertEquals(0L, left, "nothing stays buffered");
          ctx.completeNow();
        })));
  }
}
