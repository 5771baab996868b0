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
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Engram;
import verticles.extractor.FakeOpenAiServer;

/**
 * {@code conflict_detection.auto_resolve: true} on a node of its own (over the shared stack's MySQL and Kafka), with
 * an LLM configured: the LLM judges (a local server speaking the OpenAI protocol), the configured strategy
 * (timestamp_first) resolves at once, and when the LLM fails the rules judge instead. The shared stack runs the
 * default (auto_resolve off: ConflictApiTest's conflicts wait for review).
 */
@DisplayName("With auto_resolve on, the strategy applies at once; an LLM judges when configured")
class ConflictAutoResolveTest {
  private static Vertx vertx;
  private static FakeOpenAiServer llm;
  private static Engram node;
  private static WebClient http;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void start() throws Exception {
    Engram shared = TestStack.engram(); // its MySQL and Kafka serve as external stores
    vertx = Vertx.vertx();
    llm = await(FakeOpenAiServer.start(vertx));
    Path data = TestStack.scratch("engram-conflicts-auto-");
    JsonObject cfg = TestStack.testConfig(data);
    cfg.getJsonObject("mysql").mergeIn(shared.config().getJsonObject("mysql").copy().put("embedded", false));
    cfg.getJsonObject("kafka").put("embedded", false)
        .put("bootstrap_servers", shared.config().getJsonObject("kafka").getString("bootstrap_servers"))
        .put("topic", "conflicts_memory_generation_tasks").put("dlq_topic", "conflicts_memory_generation_tasks.dlq")
        .put("group_id", "conflicts-worker-group");
    cfg.getJsonObject("extractor").put("llm", new JsonObject().put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "judge").put("timeout_ms", 5000).put("max_retries", 0));
    cfg.put("conflict_detection", new JsonObject().put("auto_resolve", true).put("strategy", "timestamp_first")
        .put("time_window_days", 30));
    node = Engram.start(cfg);
    http = io.vertx.ext.web.client.WebClientSession.create(WebClient.create(vertx))
        .addHeader("Authorization", "Bearer " + TestStack.API_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    await(vertx.close());
  }

  private static JsonObject imported(String user, String content, long at) throws Exception {
    HttpResponse<Buffer> r = await(http.post(node.port(), "127.0.0.1", "/v1/memories").sendJsonObject(new JsonObject()
        .put("user_id", user).put("character_id", "c1").put("memory_type", "event").put("content", content)
        .put("timestamp", at)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject memory(String id) throws Exception {
    return await(http.get(node.port(), "127.0.0.1", MemoryLifecycleTest.path(id)).send()).bodyAsJsonObject();
  }

  @Test
  @DisplayName("the LLM's contradiction is resolved at once by timestamp_first: the older memory soft-deleted, the report resolved")
  void llmJudgesAndStrategyApplies() throws Exception {
    String user = "u-conf-auto-" + UUID.randomUUID();
    long t = Instant.now().getEpochSecond() - 3600;
    llm.then(FakeOpenAiServer.reply(new JsonObject().put("judgements", new JsonArray().add(new JsonObject()
        .put("i", 0).put("type", "contradiction").put("severity", 0.9).put("evidence", "游泳: 喜欢 / 讨厌")
        .put("suggested_resolution", "keep the newer"))).encode()));
    JsonObject a = imported(user, "我喜欢游泳", t);
    int before = llm.calls();
    JsonObject b = imported(user, "我其实很讨厌游泳", t + 60);
    assertEquals(before + 1, llm.calls(), "the LLM judged the pair");
    assertTrue(llm.recorded().get(llm.recorded().size() - 1).message("user").contains("我其实很讨厌游泳"));
    JsonArray found = b.getJsonArray("conflicts");
    assertEquals(1, found.size(), b.encode());
    assertTrue(found.getJsonObject(0).getBoolean("resolved"), b.encode());
    assertEquals("deleted", memory(a.getString("id")).getString("status"), "timestamp_first: the newer wins");
    assertEquals("active", memory(b.getString("id")).getString("status"));
    JsonObject report = await(http.get(node.port(), "127.0.0.1", "/v1/conflicts/"
        + found.getJsonObject(0).getString("conflict_id")).send()).bodyAsJsonObject();
    assertEquals("llm", report.getString("detector"));
    assertEquals("kept_b", report.getString("resolution"));
    assertEquals("system", report.getString("resolved_by"));
  }

  @Test
  @DisplayName("when the LLM fails, the rules judge and the strategy still applies")
  void rulesWhenTheLlmFails() throws Exception {
    String user = "u-conf-auto-rules-" + UUID.randomUUID();
    long t = Instant.now().getEpochSecond() - 3600;
    llm.then(FakeOpenAiServer.serverError());
    JsonObject a = imported(user, "我会滑雪", t);
    JsonObject b = imported(user, "我不会滑雪", t + 60);
    JsonArray found = b.getJsonArray("conflicts");
    assertEquals(1, found.size(), b.encode());
    assertEquals("contradiction", found.getJsonObject(0).getString("type"));
    assertTrue(found.getJsonObject(0).getBoolean("resolved"));
    assertEquals("deleted", memory(a.getString("id")).getString("status"));
  }
}
