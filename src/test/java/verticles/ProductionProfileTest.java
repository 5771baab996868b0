package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Engram;
import verticles.archiver.FakeS3Server;
import verticles.extractor.FakeOpenAiServer;

@DisplayName("The production profile runs on external stores only, each chosen by configuration")
class ProductionProfileTest {

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("External MySQL and Kafka, S3 archive, OpenAI-compatible LLM and embeddings: the loop closes and nothing embedded starts")
  void externalStores() throws Exception {
    Engram shared = TestStack.engram(); // provides the "external" MySQL and Kafka
    Vertx vertx = Vertx.vertx();
    FakeOpenAiServer llm = await(FakeOpenAiServer.start(vertx));
    llm.otherwise(llm.good());
    FakeS3Server s3 = await(FakeS3Server.start(vertx, "ai-companion-archive", "cn-beijing", "AKTEST", "secret-test"));
    Path data = TestStack.scratch("engram-prod-");
    JsonObject cfg = TestStack.testConfig(data);
    cfg.getJsonObject("mysql").mergeIn(shared.config().getJsonObject("mysql").copy().put("embedded", false));
    cfg.getJsonObject("kafka").put("embedded", false)
        .put("bootstrap_servers", shared.config().getJsonObject("kafka").getString("bootstrap_servers"))
        .put("topic", "prod_memory_generation_tasks").put("dlq_topic", "prod_memory_generation_tasks.dlq")
        .put("group_id", "prod-worker-group");
    cfg.put("object_store", s3.clientConfig().put("type", "s3"));
    cfg.put("embedding", new JsonObject().put("provider", "openai").put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "fake-embedding").put("dimension", 64));
    llm.dimension(64);
    cfg.getJsonObject("extractor").put("type", "openai").put("llm", new JsonObject().put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "fake-chat").put("timeout_ms", 5000));
    try (Engram prod = Engram.start(cfg)) {
      WebClient http = io.vertx.ext.web.client.WebClientSession.create(WebClient.create(vertx))
          .addHeader("Authorization", "Bearer " + TestStack.API_KEY);
      JsonObject session = new JsonObject().put("user_id", "u-prod").put("character_id", "c1").put("session_id", "s1")
          .put("messages", new JsonArray()
              .add(new JsonObject().put("msg_id", "m1").put("role", "user").put("content", "我的生日是3月15日")
                  .put("timestamp", 1_731_900_000L))
              .add(new JsonObject().put("msg_id", "m3").put("role", "user").put("content", "我最喜欢火锅")
                  .put("timestamp", 1_731_900_010L)));
      String taskId = await(http.post(prod.port(), "127.0.0.1", "/v1/sessions").sendJsonObject(session))
          .bodyAsJsonObject().getString("task_id");
      JsonObject status = new JsonObject();
      for (long deadline = System.currentTimeMillis() + 60_000; System.currentTimeMillis() < deadline
          && !"completed".equals(status.getString("status")); ) {
        await(vertx.timer(100));
        status = await(http.get(prod.port(), "127.0.0.1", "/v1/tasks/" + taskId).send()).bodyAsJsonObject();
      }
      assertEquals("completed", status.getString("status"), status.encode());
      JsonArray profiles = await(http.get(prod.port(), "127.0.0.1", "/v1/users/u-prod/characters/c1/profiles")
          .send()).bodyAsJsonObject().getJsonArray("profiles");
      assertEquals("火锅🍲", EndToEndMemoryTest.profileValue(profiles, "favorite_food"), "the LLM's extraction was stored");
      String key = "conversations/default:u-prod/c1/2024/11/18/s1.json"; // tenant-scoped user id
      for (long deadline = System.currentTimeMillis() + 30_000;
          !s3.storedKeys().contains(key) && System.currentTimeMillis() < deadline; ) {
        await(vertx.timer(100));
      }
      assertTrue(s3.storedKeys().contains(key), "archived to S3: " + s3.storedKeys());
      assertTrue(llm.calls() >= 4, "three extractions and at least one embedding call: " + llm.calls());
      assertFalse(Files.exists(data.resolve("mysql")), "no embedded MariaDB");
      assertFalse(Files.exists(data.resolve("kafka")), "no embedded Kafka");
    } finally {
      await(vertx.close());
    }
  }
}
