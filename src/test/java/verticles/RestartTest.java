package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Engram;

@DisplayName("Restarting the service keeps every memory")
class RestartTest {

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("After a stop and a start on the same data directory, tasks, profiles, vectors and archives are all there")
  void restartKeepsMemories() throws Exception {
    Path data = TestStack.scratch("engram-restart-");
    JsonObject cfg = TestStack.testConfig(data);
    long ts = Instant.now().getEpochSecond() - 300;
    JsonObject session = new JsonObject().put("user_id", "u-restart").put("character_id", "c1")
        .put("messages", new JsonArray().add(new JsonObject().put("msg_id", "rs1").put("role", "user")
            .put("content", "我的生日是十二月一号").put("timestamp", ts)));
    String taskId;
    JsonObject before;
    Vertx client = Vertx.vertx();
    try {
      try (Engram first = Engram.start(cfg)) {
        WebClient http = io.vertx.ext.web.client.WebClientSession.create(WebClient.create(client))
            .addHeader("Authorization", "Bearer " + TestStack.API_KEY);
        int port = first.port();
        taskId = await(http.post(port, "127.0.0.1", "/v1/sessions").sendJsonObject(session))
            .bodyAsJsonObject().getString("task_id");
        long deadline = System.currentTimeMillis() + 60_000;
        JsonObject status;
        do {
          await(client.timer(100));
          status = await(http.get(port, "127.0.0.1", "/v1/tasks/" + taskId).send()).bodyAsJsonObject();
        } while (!"completed".equals(status.getString("status")) && System.currentTimeMillis() < deadline);
        assertEquals("completed", status.getString("status"));
        before = recall(http, port);
        assertNotNull(EndToEndMemoryTest.find(before.getJsonArray("memories"), "12-01", "十二月一号"), before.encode());
      }
      try (Engram second = Engram.start(cfg)) {
        WebClient http = io.vertx.ext.web.client.WebClientSession.create(WebClient.create(client))
            .addHeader("Authorization", "Bearer " + TestStack.API_KEY);
        int port = second.port();
        JsonObject status = await(http.get(port, "127.0.0.1", "/v1/tasks/" + taskId).send()).bodyAsJsonObject();
        assertEquals("completed", status.getString("status"));
        JsonObject after = recall(http, port);
        assertEquals(ids(before), ids(after), "the same memories come back");
        assertTrue(EndToEndMemoryTest.profileValue(after.getJsonArray("profiles"), "birthday").contains("12-01"));
        JsonObject summaries = await(http.get(port, "127.0.0.1", "/v1/users/u-restart/characters/c1/summaries").send())
            .bodyAsJsonObject();
        assertEquals(1, summaries.getJsonArray("summaries").size());
      }
    } finally {
      await(client.close());
    }
  }

  private static JsonObject recall(WebClient http, int port) throws Exception {
    return await(http.post(port, "127.0.0.1", "/v1/recall").sendJsonObject(new JsonObject().put("user_id", "u-restart")
        .put("character_id", "c1").put("message", "你还记得我的生日吗").put("force", true))).bodyAsJsonObject();
  }

  private static JsonArray ids(JsonObject recall) {
    JsonArray ids = new JsonArray();
    recall.getJsonArray("memories").forEach(m -> ids.add(((JsonObject) m).getString("id")));
    return ids;
  }
}
