package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.embedded.Ports;

/**
 * The serving JVM (a real {@code Main serve} child process) is killed with SIGKILL after a correction's MySQL commit
 * and before its index write: a fault file makes that one memory's index sync wait forever, so the kill lands in
 * exactly that window. Started again on its data directory, the node serves the committed version from MySQL and from
 * the index alike, and the old content is nowhere.
 */
@DisplayName("A node killed between a correction's commit and its index write is consistent after restart")
class CommitCrashTest {

  private static final String OLD = "我每周六早上去西湖边跑步十公里";
  private static final String NEW = "我每周日早上去西溪湿地骑车二十公里";

  @Test
  @DisplayName("SIGKILL between the MySQL commit and the index update: after restart both stores hold the new version")
  void killedBetweenCommitAndIndex() throws Exception {
    Path data = TestStack.scratch("engram-commit-crash-");
    int port = Ports.free();
    Path config = data.resolve("engram.json");
    Files.writeString(config, TestStack.testConfig(data).encodePrettily());
    Path fault = data.resolve("hold-index-sync");
    List<String> jvm = List.of("-Dengram.fault.hold_before_index_sync=" + fault);
    Vertx vertx = Vertx.vertx();
    WebClient http = TestStack.client(vertx, port, TestStack.API_KEY);
    CrashRestartTest.Node node = new CrashRestartTest.Node(data, config, port, jvm);
    try {
      node.awaitReady(vertx, http);
      HttpResponse<Buffer> created = CrashRestartTest.await(http.post("/v1/memories").sendJsonObject(new JsonObject()
          .put("user_id", "u-crash").put("character_id", "c1").put("memory_type", "event").put("content", OLD)
          .put("timestamp", Instant.now().getEpochSecond() - 3600)));
      assertEquals(201, created.statusCode(), created.bodyAsString());
      String id = created.bodyAsJsonObject().getString("id");
      assertNotNull(find(recall(http, "我周末去哪里运动"), OLD), "indexed before the crash");

      // the next sync of this memory never runs: the correction commits, then the JVM dies
      Files.writeString(fault, id);
      http.patch("/v1/memories/" + id).putHeader("If-Match", "\"1\"")
          .sendJsonObject(new JsonObject().put("content", NEW).put("reason", "换了运动")); // never answered
      Path held = Path.of(fault + ".held");
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.exists(held)) {
        assertTrue(System.currentTimeMillis() < deadline, "the correction never reached its index sync:\n"
            + node.tail());
        Thread.sleep(20);
      }
      node.kill();
      Files.delete(fault);

      node = new CrashRestartTest.Node(data, config, port, jvm);
      node.awaitReady(vertx, http);
      JsonObject stored = CrashRestartTest.await(http.get("/v1/memories/" + id).send()).bodyAsJsonObject();
      assertEquals(2, stored.getInteger("version"), "MySQL committed the correction: " + stored.encode());
      assertEquals(NEW, stored.getString("content"));
      // the sweeper of the new node brings the index to the committed version
      deadline = System.currentTimeMillis() + 120_000;
      JsonArray hits = recall(http, "我周末去哪里运动");
      while (find(hits, NEW) == null) {
        assertTrue(System.currentTimeMillis() < deadline, "the index never got the committed version: "
            + hits.encode() + "\n" + node.tail());
        Thread.sleep(200);
        hits = recall(http, "我周末去哪里运动");
      }
      assertNull(find(hits, OLD), "the old version is out of the index: " + hits.encode());
      assertEquals(2, CrashRestartTest.await(http.get("/v1/memories/" + id + "/history").send()).bodyAsJsonObject()
          .getJsonArray("versions").size());
    } finally {
      node.stop();
      vertx.close();
    }
  }

  private static JsonArray recall(WebClient http, String message) throws Exception {
    HttpResponse<Buffer> r = CrashRestartTest.await(http.post("/v1/recall").sendJsonObject(new JsonObject()
        .put("user_id", "u-crash").put("character_id", "c1").put("message", message).put("force", true)
        .put("top_k", 20)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("memories");
  }

  private static JsonObject find(JsonArray memories, String content) {
    return EndToEndMemoryTest.find(memories, content);
  }
}
