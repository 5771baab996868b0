package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.MemoryRecord;

/** A user with many thousands of index records, seeded straight into the real index as the recall bench does. */
@DisplayName("A large export is streamed within the admin budget and leaves exactly one file per finished export")
class LargeExportTest {
  private static final int RECORDS = 12_000;
  private static String user;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(180, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void seed() throws Exception {
    TestStack.engram();
    user = "u-big-export-" + UUID.randomUUID();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      texts.add("第" + i + "次聊天：我们聊了工作、旅行和家里的猫，" + "她说最近在学做菜，周末想去杭州看看西湖。".repeat(8));
    }
    List<float[]> vectors = await(TestStack.engram().embedder().embed(texts));
    long now = Instant.now().getEpochSecond();
    List<MemoryRecord> batch = new ArrayList<>();
    for (int m = 0; m < RECORDS; m++) {
      batch.add(new MemoryRecord(TestStack.internal(user) + ":" + m, null, TestStack.internal(user), "c1", "message",
          texts.get(m % texts.size()) + " #" + m, now - m, 5, "s" + (m / 20), List.of("m" + m), new JsonObject(),
          vectors.get(m % vectors.size())));
    }
    TestStack.engram().index().upsert(batch);
  }

  @Test
  @DisplayName("Every one of 12,000 records is exported in a chunked reply that equals its file; a client that"
      + " leaves mid-export leaves no file behind")
  void streamedAndSingleFile() throws Exception {
    HttpResponse<Buffer> r = await(TestStack.http().post("/v1/users/" + user + "/export").send());
    assertEquals(200, r.statusCode(), r.bodyAsString().substring(0, Math.min(500, r.bodyAsString().length())));
    assertEquals("chunked", r.getHeader("transfer-encoding"), "streamed, never held whole");
    JsonObject export = r.bodyAsJsonObject();
    JsonArray memories = export.getJsonArray("memories");
    assertEquals(RECORDS, memories.size());
    assertEquals(user, memories.getJsonObject(RECORDS - 1).getString("user_id"), "ids in the client's terms");
    String path = export.getString("path");
    JsonObject file = new JsonObject(await(TestStack.engram().objectStore().get(path)).toString(StandardCharsets.UTF_8));
    export.remove("path");
    assertEquals(export, file, "the file holds what the reply returned");

    abandon(); // reads the first bytes, then hangs up
    Path temp = Path.of(TestStack.engram().config().getString("data_dir"), "tmp", "exports");
    await(TestStack.until(() -> TestStack.vertx().executeBlocking(() -> pending(temp)), n -> n == 0, 120_000));
    List<String> files = await(TestStack.engram().objectStore().list("exports/" + TestStack.internal(user) + "/"));
    assertEquals(List.of(path), files, "the abandoned export was dropped, not stored");
  }

  /** Starts an export over a raw connection and closes it once the streamed reply has begun. */
  private static void abandon() throws Exception {
    try (Socket s = new Socket("127.0.0.1", TestStack.engram().port())) {
      s.setSoTimeout(120_000);
      s.getOutputStream().write(("POST /v1/users/" + user + "/export HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + TestStack.API_KEY + "\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(400), StandardCharsets.UTF_8);
      assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("\"path\""), head);
    }
  }

  /** Export files still being written (or dropped) by the Archiver. */
  private static long pending(Path temp) throws Exception {
    if (!Files.isDirectory(temp)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(temp)) {
      return files.count();
    }
  }
}
