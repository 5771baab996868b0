package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.app.Engram;
import verticles.archiver.FakeS3Server;
import verticles.extractor.FakeOpenAiServer;

/**
 * A node whose archive is on (fake) S3 and whose extractor is a (fake) OpenAI-compatible model, each behind its named
 * breaker: an open breaker is a 503 with a JSON body, never a 500, and what waits on it completes once it closes.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Open circuit breakers on the object store and the LLM")
class OpenBreakerTest {
  static Vertx fakes;
  static FakeOpenAiServer llm;
  static FakeS3Server s3;
  static Engram node;
  static WebClient http;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void start() throws Exception {
    Engram shared = TestStack.engram(); // its MySQL and Kafka serve as the external ones
    fakes = Vertx.vertx();
    llm = await(FakeOpenAiServer.start(fakes));
    s3 = await(FakeS3Server.start(fakes, "ai-companion-archive", "cn-beijing", "AKTEST", "secret-test"));
    JsonObject cfg = TestStack.testConfig(TestStack.scratch("engram-breakers-"));
    cfg.getJsonObject("mysql").mergeIn(shared.config().getJsonObject("mysql").copy().put("embedded", false));
    cfg.getJsonObject("kafka").put("embedded", false)
        .put("bootstrap_servers", shared.config().getJsonObject("kafka").getString("bootstrap_servers"))
        .put("topic", "breaker_memory_generation_tasks").put("dlq_topic", "breaker_memory_generation_tasks.dlq")
        .put("group_id", "breaker-worker-group");
    cfg.put("object_store", s3.clientConfig().put("type", "s3").put("retry_base_ms", 20));
    cfg.put("archive", new JsonObject().put("backoff_ms", 200));
    cfg.put("embedding", new JsonObject().put("provider", "openai").put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "fake-embedding").put("dimension", 64));
    llm.dimension(64);
    cfg.getJsonObject("extractor").put("type", "openai").put("llm", new JsonObject().put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "fake-chat").put("timeout_ms", 5000));
    node = Engram.start(cfg);
    http = TestStack.client(node.vertx(), node.port(), TestStack.API_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    await(fakes.close());
  }

  static Future<Double> breakerState(String name) {
    return http.get("/metrics").send().map(r -> {
      for (String line : r.bodyAsString().split("\n")) {
        if (line.startsWith("engram_circuit_breaker_state{") && line.contains("name=\"" + name + "\"")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return -1.0;
    });
  }

  static Future<JsonObject> task(String taskId) {
    return http.get("/v1/tasks/" + taskId).send().map(HttpResponse::bodyAsJsonObject);
  }

  static Future<String> post(String user, String session) {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", session)
        .put("messages", new JsonArray()
            .add(new JsonObject().put("msg_id", "m1").put("role", "user").put("content", "我的生日是3月15日")
                .put("timestamp", 1_731_900_000L)));
    return http.post("/v1/sessions").sendJsonObject(body).map(r -> {
      assertEquals(202, r.statusCode(), r.bodyAsString());
      return r.bodyAsJsonObject().getString("task_id");
    });
  }

  static void assertUnavailable(HttpResponse<Buffer> r) {
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("content-type").startsWith("application/json"), r.getHeader("content-type"));
    assertEquals("unavailable", r.bodyAsJsonObject().getJsonObject("error").getString("code"), r.bodyAsString());
  }

  @Test
  @DisplayName("Object store down: stats answer 503 with a JSON body while the breaker is open, memories are still"
      + " made, and the archive is written once the store returns and the breaker closes")
  void objectStoreDown(VertxTestContext ctx) {
    String user = "u-s3-" + UUID.randomUUID();
    String key = "conversations/default:" + user + "/c1/2024/11/18/s1.json";
    String[] taskId = new String[1];
    s3.goDown()
        .compose(x -> http.get("/v1/users/" + user + "/stats").send())
        .compose(r -> {
          ctx.verify(() -> assertUnavailable(r)); // the failures that opened the breaker
          return http.get("/v1/users/" + user + "/stats").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertUnavailable(r)); // refused by the open breaker
          return breakerState("object-storage");
        })
        .compose(state -> {
          ctx.verify(() -> assertEquals(2.0, state, "open"));
          return post(user, "s1");
        })
        .compose(id -> {
          taskId[0] = id;
          return TestStack.until(() -> task(id), t -> "completed".equals(t.getString("status")), 60_000);
        })
        .compose(t -> {
          ctx.verify(() -> assertTrue(!s3.storedKeys().contains(key), "not archived while the store is down"));
          return s3.goUp(fakes);
        })
        .compose(x -> TestStack.until(() -> http.get("/v1/users/" + user + "/stats").send(),
            r -> r.statusCode() == 200, 30_000))
        .compose(x -> TestStack.until(() -> breakerState("object-storage"), s -> s == 0.0, 30_000))
        .compose(x -> TestStack.until(() -> Future.succeededFuture(s3.storedKeys()), keys -> keys.contains(key),
            60_000))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("LLM failing: its breaker opens, the task waits without spending its retries, and completes when the"
      + " model returns")
  void llmDown(VertxTestContext ctx) {
    FakeOpenAiServer.Behaviour good = llm.good();
    FakeOpenAiServer.Behaviour error = FakeOpenAiServer.serverError();
    // chat completions fail; embeddings (the index's) still answer
    llm.otherwise((request, body) -> (request.path().endsWith("/embeddings") ? good : error).respond(request, body));
    String user = "u-llm-" + UUID.randomUUID();
    int[] callsAtOpen = new int[1];
    String[] taskId = new String[1];
    post(user, "s1")
        .compose(id -> {
          taskId[0] = id;
          return TestStack.until(() -> breakerState("llm"), s -> s == 2.0, 30_000);
        })
        .compose(x -> {
          callsAtOpen[0] = llm.calls();
          // two more half-open trials that fail: by then the task's three retries would long be spent and
          // dead-lettered if a refused call counted as an attempt
          return TestStack.until(() -> Future.succeededFuture(llm.calls()), n -> n >= callsAtOpen[0] + 2, 60_000);
        })
        .compose(x -> task(taskId[0]))
        .compose(t -> {
          ctx.verify(() -> assertTrue(!"failed".equals(t.getString("status")), t.encode()));
          llm.otherwise(good);
          return TestStack.until(() -> task(taskId[0]), s -> "completed".equals(s.getString("status")), 60_000);
        })
        .compose(t -> {
          // 0 by design; 1 if a slow machine let a half-open trial's own retry meet the breaker closed again
          ctx.verify(() -> assertTrue(t.getInteger("retry_count") <= 1, t.encode()));
          return TestStack.until(() -> breakerState("llm"), s -> s == 0.0, 30_000);
        })
        .onComplete(ctx.succeedingThenComplete());
  }
}
