package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.vectorsearch.VectorSearchVerticle;

/**
 * The seed's degradation matrix on the real stack: each store is stopped, made to hang or overloaded, and recall
 * still answers within its total budget with what the healthy stores found.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Recall degrades instead of failing when a store is down, hung or overloaded")
class RecallDegradationTest {
  /** recall.total_timeout_ms plus slack for a loaded test machine; the budget itself is enforced by timers. */
  static final long BUDGET_MS = 2000 + 1000;
  static String user;

  @BeforeAll
  static void memories() throws Exception {
    TestStack.engram();
    user = "u-degrade-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 3600;
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "c1").put("messages", new JsonArray()
        .add(new JsonObject().put("msg_id", "d1").put("role", "user").put("content", "我叫周晴，我的生日是8月8日")
            .put("timestamp", ts))
        .add(new JsonObject().put("msg_id", "d2").put("role", "user").put("content", "我养了一只柯基叫豆豆")
            .put("timestamp", ts + 10)));
    String taskId = TestStack.post("/v1/sessions", session).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS).bodyAsJsonObject().getString("task_id");
    TestStack.awaitTask(taskId, "completed").toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static Future<JsonObject> recall(String message) {
    return TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("message", message).put("force", true)).map(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return r.bodyAsJsonObject();
        });
  }

  static Future<Double> breakerState(String name) {
    return TestStack.get("/metrics").map(r -> {
      for (String line : r.bodyAsString().split("\n")) {
        if (line.startsWith("engram_circuit_breaker_state{") && line.contains("name=\"" + name + "\"")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return -1.0;
    });
  }

  @Test
  @DisplayName("MySQL stopped: vector results only, flagged mysql; its breaker opens, then closes when MySQL returns")
  void mysqlDown(VertxTestContext ctx) {
    TestStack.vertx().executeBlocking(() -> {
          TestStack.engram().mariaDb().stop();
          return null;
        })
        .compose(x -> recall("豆豆是什么狗"))
        .compose(r -> {
          ctx.verify(() -> {
            assertTrue(r.getJsonArray("degraded").contains("mysql"), r.encode());
            assertFalse(r.getJsonArray("degraded").contains("vector"), r.encode());
            assertTrue(r.getJsonArray("profiles").isEmpty());
            assertTrue(EndToEndMemoryTest.find(r.getJsonArray("memories"), "柯基") != null, r.encode());
            assertTrue(r.getLong("took_ms") <= BUDGET_MS, "took " + r.getLong("took_ms"));
          });
          // enough failures to open the breaker
          return recall("豆豆").compose(y -> recall("豆豆")).compose(y -> recall("豆豆"));
        })
        .compose(x -> TestStack.until(() -> breakerState("mysql"), s -> s == 2.0, 10_000))
        .compose(x -> TestStack.vertx().executeBlocking(() -> {
          TestStack.engram().mariaDb().start();
          return null;
        }))
        .compose(x -> TestStack.until(() -> recall("我的生日是哪天"),
            r -> r.getJsonArray("degraded").isEmpty() && !r.getJsonArray("profiles").isEmpty(), 30_000))
        .compose(x -> TestStack.until(() -> breakerState("mysql"), s -> s == 0.0, 10_000))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Index hung: structured results only, flagged vector, within the budget; recovers when the index does")
  void indexHangs(VertxTestContext ctx) {
    // Occupy every thread of the index's worker pool, as a stuck disk or a runaway query would.
    WorkerExecutor indexPool = TestStack.vertx().createSharedWorkerExecutor(VectorSearchVerticle.INDEX_POOL, 8);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 8; i++) {
      indexPool.executeBlocking(() -> release.await(60, TimeUnit.SECONDS), false);
    }
    recall("我的生日是哪天")
        .compose(r -> {
          ctx.verify(() -> {
            assertTrue(r.getJsonArray("degraded").contains("vector"), r.encode());
            assertEquals("08-08", EndToEndMemoryTest.profileValue(r.getJsonArray("profiles"), "birthday"), r.encode());
            assertTrue(r.getJsonArray("memories").stream().map(JsonObject.class::cast)
                .anyMatch(m -> "summary".equals(m.getString("memory_type"))),
                "MySQL's session summary stands in for the index: " + r.encode());
            assertTrue(r.getLong("took_ms") <= BUDGET_MS, "took " + r.getLong("took_ms"));
          });
          release.countDown();
          return TestStack.until(() -> recall("豆豆"), x -> !x.getJsonArray("degraded").contains("vector")
              && EndToEndMemoryTest.find(x.getJsonArray("memories"), "柯基") != null, 30_000);
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Embedding model overloaded: keyword search still finds memories, flagged embedding, within the budget")
  void embeddingOverloaded(VertxTestContext ctx) {
    // Thousands of other chats' queries keep every inference thread busy for seconds; this one waits its turn.
    // (Documents would not do: queries go ahead of them.)
    List<Future<float[]>> flood = new ArrayList<>();
    for (int i = 0; i < 1500 * Runtime.getRuntime().availableProcessors(); i++) {
      flood.add(TestStack.engram().embedder().embedQuery("占满模型的句子 " + i + " filler text to keep the model busy"));
    }
    recall("柯基 豆豆")
        .compose(r -> {
          ctx.verify(() -> {
            assertTrue(r.getJsonArray("degraded").contains("embedding"), r.encode());
            assertTrue(EndToEndMemoryTest.find(r.getJsonArray("memories"), "豆豆") != null, "BM25 still finds it: " + r.encode());
            assertTrue(r.getLong("took_ms") <= BUDGET_MS, "took " + r.getLong("took_ms"));
          });
          return Future.join(new ArrayList<>(flood));
        })
        .compose(x -> TestStack.until(() -> recall("豆豆是谁"), r -> r.getJsonArray("degraded").isEmpty(), 30_000))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Every long-term store down, a session given: 200 with the session's context, within the budget")
  void everythingDownButTheSession(VertxTestContext ctx) {
    String session = "s-degrade-" + UUID.randomUUID();
    JsonObject context = new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("active_entities", new JsonArray().add("豆豆")).put("current_location", "宠物医院")
        .put("turns", new JsonArray().add(new JsonObject().put("role", "user").put("content", "豆豆在打点滴")));
    WorkerExecutor indexPool = TestStack.vertx().createSharedWorkerExecutor(VectorSearchVerticle.INDEX_POOL, 8);
    CountDownLatch release = new CountDownLatch(1);
    TestStack.http().put("/v1/sessions/" + session + "/context").sendJsonObject(context)
        .compose(put -> {
          ctx.verify(() -> assertEquals(200, put.statusCode(), put.bodyAsString()));
          for (int i = 0; i < 8; i++) {
            indexPool.executeBlocking(() -> release.await(60, TimeUnit.SECONDS), false);
          }
          return TestStack.vertx().executeBlocking(() -> {
            TestStack.engram().mariaDb().stop();
            return null;
          });
        })
        .compose(x -> TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "c1")
            .put("message", "豆豆现在怎么样了").put("force", true).put("session_id", session)))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject reply = r.bodyAsJsonObject();
            assertTrue(reply.getJsonArray("degraded").contains("vector"), reply.encode());
            assertTrue(reply.getJsonArray("degraded").contains("mysql"), reply.encode());
            assertFalse(reply.getJsonArray("degraded").contains("session"), reply.encode());
            assertTrue(reply.getJsonArray("memories").isEmpty(), reply.encode());
            JsonObject s = reply.getJsonObject("session");
            assertEquals("豆豆在打点滴", s.getJsonArray("turns").getJsonObject(0).getString("content"), reply.encode());
            assertEquals("宠物医院", s.getString("current_location"));
            assertTrue(reply.getLong("took_ms") <= BUDGET_MS, "took " + reply.getLong("took_ms"));
          });
          release.countDown();
          return TestStack.vertx().executeBlocking(() -> {
            TestStack.engram().mariaDb().start();
            return null;
          });
        })
        .compose(x -> TestStack.until(() -> recall("豆豆"), r -> r.getJsonArray("degraded").isEmpty(), 30_000))
        .onComplete(ar -> release.countDown()) // the index's threads back whatever happened
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("Everything down at once: an empty answer, fast, never an error")
  void everythingDown(VertxTestContext ctx) {
    WorkerExecutor indexPool = TestStack.vertx().createSharedWorkerExecutor(VectorSearchVerticle.INDEX_POOL, 8);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 8; i++) {
      indexPool.executeBlocking(() -> release.await(60, TimeUnit.SECONDS), false);
    }
    TestStack.vertx().executeBlocking(() -> {
          TestStack.engram().mariaDb().stop();
          return null;
        })
        .compose(x -> recall("你还记得我吗"))
        .compose(r -> {
          ctx.verify(() -> {
            assertTrue(r.getJsonArray("degraded").contains("vector"), r.encode());
            assertTrue(r.getJsonArray("degraded").contains("mysql"), r.encode());
            assertTrue(r.getJsonArray("memories").isEmpty());
            assertTrue(r.getLong("took_ms") <= BUDGET_MS, "took " + r.getLong("took_ms"));
          });
          release.countDown();
          return TestStack.vertx().executeBlocking(() -> {
            TestStack.engram().mariaDb().start();
            return null;
          });
        })
        .compose(x -> TestStack.until(() -> recall("豆豆"), r -> r.getJsonArray("degraded").isEmpty(), 30_000))
        .onComplete(ctx.succeedingThenComplete());
  }
}
