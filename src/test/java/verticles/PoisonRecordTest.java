package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.vectorsearch.MemoryRecord;

/**
 * One bad stored record never breaks recall for its owner, and a task whose messages carry a bad time leaves nothing
 * behind. The bad records are written straight into the real stores, as an older version or a damaged row left them.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A poison record or task never breaks its owner's recall and leaves no index records without MySQL rows")
class PoisonRecordTest {
  private static final String SKIPPED = "engram_recall_skipped_records_total";

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  private static Future<JsonObject> recall(String user, String message, String... types) {
    return TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("message", message).put("force", true).put("top_k", 10).put("types", new JsonArray(List.of(types))))
        .map(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return r.bodyAsJsonObject();
        });
  }

  /**
   * The first recall whose answer is whole (nothing in {@code degraded}): on a cold stack the very first index search
   * may outlive its budget, which says nothing about the records. A poison record that breaks recall never gets here.
   */
  private static Future<JsonObject> wholeRecall(String user, String message, String... types) {
    return TestStack.until(() -> recall(user, message, types), r -> r.getJsonArray("degraded").isEmpty(), 20_000);
  }

  private static Future<Double> skipped(String source) {
    return MetricsTest.scrape().map(s -> s.sum(SKIPPED, Map.of("source", source)));
  }

  private static boolean anyContent(JsonArray memories, String text) {
    return memories.stream().map(JsonObject.class::cast).anyMatch(m -> m.getString("content").contains(text));
  }

  @Test
  @DisplayName("An index record with timestamp -9223372036854775808 is skipped and counted; recall answers the rest, not degraded")
  void poisonIndexRecord(VertxTestContext ctx) {
    String user = "u-poison-index-" + UUID.randomUUID();
    String poisonText = "我最喜欢吃火锅，每个周末都去吃";
    String poisonId = "poison-" + UUID.randomUUID();
    long day = Instant.now().getEpochSecond() - 86_400;
    double[] before = new double[1];
    skipped("index")
        .compose(n -> {
          before[0] = n;
          return Future.all(
              TestStack.post("/v1/memories", ImportMemoryTest.memory(user, "我喜欢吃火锅，尤其是麻辣锅底")
                  .put("timestamp", day)),
              TestStack.post("/v1/memories", ImportMemoryTest.memory(user, "我养了一只猫叫咪咪").put("timestamp", day)));
        })
        .compose(posted -> {
          ctx.verify(() -> posted.<HttpResponse<Buffer>>list()
              .forEach(r -> assertEquals(201, r.statusCode(), r.bodyAsString())));
          // what POST /v1/memories stored for "timestamp": 9223372036854775808 before numbers were range-checked
          return TestStack.engram().embedder().embed(List.of(poisonText));
        })
        .compose(vectors -> TestStack.vertx().executeBlocking(() -> {
          TestStack.engram().index().upsert(List.of(new MemoryRecord(poisonId, null, TestStack.internal(user), "c1",
              "event", poisonText, Long.MIN_VALUE, 9, null, List.of(), new JsonObject(), vectors.get(0))));
          return null;
        }))
        .compose(x -> wholeRecall(user, "我喜欢吃什么？", "event"))
        .compose(reply -> {
          ctx.verify(() -> {
            assertEquals(new JsonArray(), reply.getJsonArray("degraded"), reply.encodePrettily());
            JsonArray memories = reply.getJsonArray("memories");
            assertTrue(anyContent(memories, "麻辣锅底"), memories.encodePrettily());
            assertFalse(memories.stream().map(JsonObject.class::cast).anyMatch(m -> poisonId.equals(m.getString("id"))),
                "the poison record is not recalled");
            assertTrue(reply.getString("context").contains("麻辣锅底"), reply.getString("context"));
          });
          return skipped("index");
        })
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertTrue(after >= before[0] + 1, "the skip is counted: " + before[0] + " → " + after);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("An event row whose source_msg_ids is no array is skipped and counted; the profile and other events are recalled")
  void poisonMysqlRow(VertxTestContext ctx) {
    String user = "u-poison-mysql-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
    double[] before = new double[1];
    String event = "INSERT INTO user_events (user_id, character_id, event_type, event_title, event_summary,"
        + " event_date, importance, source_msg_ids) VALUES (?, 'c1', 'birthday', ?, ?, ?, 8, ?)";
    skipped("mysql")
        .compose(n -> {
          before[0] = n;
          return TestStack.sql().preparedQuery("INSERT INTO user_profiles (user_id, character_id, profile_type,"
                  + " profile_key, profile_value, confidence, source_msg_id, extracted_at)"
                  + " VALUES (?, 'c1', 'basic_info', 'name', '林小雨', 1.0, 'm1', UTC_TIMESTAMP())")
              .execute(Tuple.of(internal));
        })
        .compose(x -> TestStack.sql().preparedQuery(event).execute(Tuple.of(internal, "妈妈的生日", "妈妈过生日",
            today.plusDays(1), "[\"m2\"]")))
        .compose(x -> TestStack.sql().preparedQuery(event).execute(Tuple.of(internal, "坏记录", "来源不是数组",
            today, "{\"not\": \"an array\"}")))
        .compose(x -> wholeRecall(user, "你还记得我的生日吗？还有我们上次聊的火锅店"))
        .compose(reply -> {
          ctx.verify(() -> {
            assertEquals(new JsonArray(), reply.getJsonArray("degraded"), reply.encodePrettily());
            assertEquals("林小雨", reply.getJsonArray("profiles").getJsonObject(0).getString("profile_value"));
            JsonArray memories = reply.getJsonArray("memories");
            assertTrue(anyContent(memories, "妈妈的生日"), memories.encodePrettily());
            assertFalse(anyContent(memories, "坏记录"), memories.encodePrettily());
          });
          return skipped("mysql");
        })
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertTrue(after >= before[0] + 1, "the skip is counted: " + before[0] + " → " + after);
          ctx.completeNow();
        })));
  }

  /** A task row as the outbox finds it, its messages as raw JSON: what a caller that skipped validation left. */
  private static Future<String> task(String internalUser, String messagesJson) {
    String taskId = UUID.randomUUID().toString();
    return TestStack.sql().preparedQuery("INSERT INTO memory_generation_tasks (task_id, user_id, character_id,"
            + " task_type, source_data, status, max_retries, session_id, trigger_type)"
            + " VALUES (?, ?, 'c1', 'full', ?, 'pending', 3, ?, 'session_end')")
        .execute(Tuple.of(taskId, internalUser, messagesJson, "s-" + taskId))
        .map(taskId);
  }

  private static Future<Long> indexCount(String internalUser) {
    return TestStack.vertx().executeBlocking(() -> TestStack.engram().index().count(internalUser, null));
  }

  @Test
  @DisplayName("A task whose message carries timestamp 9223372036854775808 fails at once, naming it, and writes no index record")
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  void poisonTask(VertxTestContext ctx) {
    String user = "u-poison-task-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    long now = Instant.now().getEpochSecond();
    String messages = "[{\"msg_id\":\"m1\",\"role\":\"user\",\"content\":\"我叫小明\",\"timestamp\":9223372036854775808},"
        + "{\"msg_id\":\"m2\",\"role\":\"user\",\"content\":\"我喜欢吃火锅\",\"timestamp\":" + now + "},"
        + "{\"msg_id\":\"m3\",\"role\":\"assistant\",\"content\":\"火锅很好吃！\",\"timestamp\":" + (now + 5) + "}]";
    task(internal, messages)
        .compose(id -> TestStack.awaitTask(id, "failed"))
        .compose(t -> indexCount(internal).map(n -> {
          ctx.verify(() -> {
            assertNotNull(t.getString("error_message"));
            assertTrue(t.getString("error_message").contains("messages[0].timestamp"), t.encode());
            assertEquals(1, t.getInteger("retry_count"), "failed at its first attempt: it cannot get better");
            assertEquals(0L, n, "nothing indexed");
          });
          return n;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("A task that fails for good after its index write (a MySQL write that always fails) leaves no index record")
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  void taskFailingAfterTheIndexWrite(VertxTestContext ctx) {
    String user = "u-poison-late-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    long now = Instant.now().getEpochSecond();
    // a msg_id longer than the MySQL column: the profile fact it is the source of can never be stored
    String messages = "[{\"msg_id\":\"" + "p".repeat(80) + "\",\"role\":\"user\",\"content\":\"我叫毒药\",\"timestamp\":"
        + now + "},{\"msg_id\":\"m2\",\"role\":\"user\",\"content\":\"我喜欢吃草莓\",\"timestamp\":" + (now + 5) + "}]";
    task(internal, messages)
        .compose(id -> TestStack.awaitTask(id, "failed"))
        .compose(t -> TestStack.until(() -> indexCount(internal), n -> n == 0, 10_000).map(n -> t))
        .onComplete(ctx.succeeding(t -> ctx.verify(() -> {
          assertEquals(3, t.getInteger("retry_count"), "retried, then failed for good");
          ctx.completeNow();
        })));
  }
}
