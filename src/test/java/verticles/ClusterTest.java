package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Engram;
import verticles.extractor.FakeOpenAiServer;
import verticles.structured.Mysql;

/**
 * Engram as a cluster: nodes with different roles on one Hazelcast event bus over the shared MariaDB and Kafka,
 * after the pattern of Vert.x's FaultToleranceTest: nodes in child JVMs are destroyed while work flows. The tests
 * orchestrate processes, so they wait with blocking awaits on the test thread (never on an event loop).
 */
@DisplayName("Cluster")
class ClusterTest {
  private static final long RECALL_BUDGET_MS = 2000;

  @BeforeAll
  static void stack() {
    TestStack.engram(); // the shared embedded MariaDB and Kafka
  }

  @Test
  @DisplayName("a recall posted to the gateway node is answered by the recall and index node, and a session is extracted by the worker node")
  void rolesSpreadOverNodes() throws Exception {
    try (ClusterNodes cluster = new ClusterNodes()) {
      Engram b = cluster.start("recall,index");
      Engram c = cluster.start("worker");
      Engram a = cluster.start("gateway");
      assertEquals(Set.of("gateway"), a.roles().names());
      assertNull(a.index(), "the gateway node has no index of its own");
      assertNull(b.objectStore(), "the recall node runs no worker");
      assertNull(c.index(), "the worker node has no index of its own");
      WebClient http = client(a);
      String user = "cl-" + UUID.randomUUID();
      String task = postSession(http, user, "我的生日是3月15日，我养了一只柯基叫豆豆");
      awaitTask(http, task);
      JsonObject reply = recall(http, user, "豆豆是什么狗");
      assertEquals(new JsonArray(), reply.getJsonArray("degraded"), reply.encode());
      assertTrue(reply.getJsonArray("memories").encode().contains("豆豆"), reply.encode());

      // a second node on a local Lucene index would split the memories: it refuses to start
      JsonObject impatient = cluster.config("index", tmpDir()).getJsonObject("cluster").put("index_lock_wait_ms", 1500);
      IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> cluster.start("index", new JsonObject().put("cluster", impatient)));
      assertTrue(refused.getMessage().contains("engram.index.lucene"), refused.getMessage());
      assertEquals(new JsonArray(), recall(http, user, "豆豆是什么狗").getJsonArray("degraded"));
    }
  }

  private static Path tmpDir() throws java.io.IOException {
    return TestStack.scratch("engram-node-");
  }

  @Test
  @DisplayName("killing a worker node while tasks flow moves its partitions and the sweeps to the other worker: every task completes once")
  void workerKilled(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Vertx vertx = TestStack.vertx();
    FakeOpenAiServer llm = ClusterNodes.await(FakeOpenAiServer.start(vertx));
    try (ClusterNodes cluster = new ClusterNodes()) {
      llm.otherwise(llm.slow(300)); // a model that takes its time, so tasks are in flight when the worker dies
      cluster.with(new JsonObject().put("extractor", new JsonObject().put("type", "openai")
          .put("llm", new JsonObject().put("base_url", llm.baseUrl()).put("api_key", FakeOpenAiServer.API_KEY)
              .put("model", "gpt-test").put("timeout_ms", 10_000))));
      Engram a = cluster.start("gateway,recall,index");
      ClusterNodes.Child w1 = cluster.spawn("worker", tmp.resolve("w1"));
      ClusterNodes.Child w2 = cluster.spawn("worker", tmp.resolve("w2"));
      WebClient http = client(a);

      List<String> tasks = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        tasks.add(postSession(http, "cl-" + UUID.randomUUID(), "我的生日是3月15日，第" + i + "次聊天"));
      }
      Pool sql = Mysql.pool(a.vertx(), a.config().getJsonObject("mysql"));
      await(() -> completed(sql, tasks), n -> n >= 3, 60_000);
      long before = ClusterNodes.await(completed(sql, tasks));
      assertTrue(before < tasks.size(), "tasks are still flowing when the worker dies");

      await(() -> Future.succeededFuture(w1.log().contains(LEADS) || w2.log().contains(LEADS)), x -> x, 30_000);
      ClusterNodes.Child leader = w1.log().contains(LEADS) ? w1 : w2;
      ClusterNodes.Child survivor = leader == w1 ? w2 : w1;
      assertFalse(survivor.log().contains(LEADS), "only one outbox runs the sweeps");
      leader.kill();

      await(() -> completed(sql, tasks), n -> n == tasks.size(), 120_000);
      // exactly once by task_id: one summary per task, and every task completed
      Map<String, Long> summaries = new HashMap<>();
      for (Row r : ClusterNodes.await(sql.preparedQuery("SELECT task_id, COUNT(*) FROM conversation_summaries"
          + " WHERE task_id IN (" + "?,".repeat(tasks.size() - 1) + "?) GROUP BY task_id")
          .execute(Tuple.wrap(new ArrayList<Object>(tasks))))) {
        summaries.put(r.getString(0), r.getLong(1));
      }
      for (String t : tasks) {
        assertEquals(1L, summaries.getOrDefault(t, 0L), "summaries of task " + t);
      }
      survivor.awaitLog(LEADS, 60_000); // the sweeps moved with the lock of the dead member
      ClusterNodes.await(sql.close());
    } finally {
      ClusterNodes.await(llm.close());
    }
  }

  @Test
  @DisplayName("killing the index node degrades recall to the structured stores within its budget, and a new index node restores it")
  void indexKilled(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    try (ClusterNodes cluster = new ClusterNodes()) {
      Engram a = cluster.start("gateway,recall,worker");
      Path indexData = tmp.resolve("index-node");
      ClusterNodes.Child index = cluster.spawn("index", indexData);
      WebClient http = client(a);
      String user = "cl-" + UUID.randomUUID();
      awaitTask(http, postSession(http, user, "我的生日是3月15日，我养了一只柯基叫豆豆"));
      JsonObject healthy = recall(http, user, "豆豆是什么狗");
      assertEquals(new JsonArray(), healthy.getJsonArray("degraded"), healthy.encode());

      index.kill();
      JsonObject degraded = await(() -> timedRecall(http, user, "我的生日是哪天"),
          r -> r.getJsonArray("degraded").contains("vector"), 60_000);
      assertFalse(degraded.getJsonArray("memories").isEmpty(), "MySQL still answers: " + degraded.encode());

      cluster.spawn("index", indexData); // a node with the role returns, on the same index files
      await(() -> timedRecall(http, user, "豆豆是什么狗"), r -> r.getJsonArray("degraded").isEmpty(), 60_000);
      for (int i = 0; i < 10; i++) { // no request goes to the dead node's stale registrations
        JsonObject r = recall(http, user, "豆豆是什么狗");
        assertEquals(new JsonArray(), r.getJsonArray("degraded"), r.encode());
        assertTrue(r.getJsonArray("memories").encode().contains("豆豆"), r.encode());
      }
    }
  }

  private static final String LEADS = "now runs the cluster's republish and idle-session sweeps";

  // ---------------------------------------------------------------- helpers

  private static WebClient client(Engram node) {
    return TestStack.client(node.vertx(), node.port(), TestStack.API_KEY);
  }

  private static String postSession(WebClient http, String user, String text) throws Exception {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("messages", new JsonArray()
        .add(new JsonObject().put("msg_id", "m1").put("role", "user").put("content", text)
            .put("timestamp", Instant.now().getEpochSecond() - 60)));
    var r = ClusterNodes.await(http.post("/v1/sessions").sendJsonObject(body));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("task_id");
  }

  private static void awaitTask(WebClient http, String taskId) throws Exception {
    await(() -> http.get("/v1/tasks/" + taskId).send().map(r -> r.statusCode() == 200
        ? r.bodyAsJsonObject().getString("status") : "unknown"), "completed"::equals, 60_000);
  }

  private static JsonObject recall(WebClient http, String user, String message) throws Exception {
    return ClusterNodes.await(timedRecall(http, user, message));
  }

  /** A forced recall that must answer 200 within its budget (plus slack for a loaded machine), degraded or not. */
  private static Future<JsonObject> timedRecall(WebClient http, String user, String message) {
    long t0 = System.nanoTime();
    return http.post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", user).put("character_id", "c1")
            .put("message", message).put("force", true))
        .map(r -> {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          assertEquals(200, r.statusCode(), r.bodyAsString());
          assertTrue(ms < RECALL_BUDGET_MS + 3000, "recall waited " + ms + " ms");
          return r.bodyAsJsonObject();
        });
  }

  private static Future<Long> completed(Pool sql, List<String> tasks) {
    return sql.preparedQuery("SELECT COUNT(*) FROM memory_generation_tasks WHERE status = 'completed' AND task_id IN ("
            + "?,".repeat(tasks.size() - 1) + "?)")
        .execute(Tuple.wrap(new ArrayList<Object>(tasks)))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** Polls until {@code done} accepts a value (a failed probe counts as not yet), or fails after the timeout. */
  private static <T> T await(Supplier<Future<T>> probe, Predicate<T> done, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Object last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        T value = ClusterNodes.await(probe.get());
        if (done.test(value)) {
          return value;
        }
        last = value;
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof AssertionError broken) {
          throw broken; // a reply that broke its promise (late, or not 200) fails now, not after the timeout
        }
        last = e.getCause();
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("condition not met in time; last: " + last);
  }
}
