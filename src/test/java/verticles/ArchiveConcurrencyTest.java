package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A session's archive keeps the messages of every task of the session, however they finish")
class ArchiveConcurrencyTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  @Test
  @DisplayName("Twelve tasks of one session posted at once, finishing together, leave all their 72 messages and 12 "
      + "task ids in the session's one archive")
  void tasksOfOneSessionFinishingTogether(VertxTestContext ctx) {
    String user = "u-archive-race-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    long ts = Instant.now().getEpochSecond() - 3600;
    List<JsonObject> bodies = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      JsonArray messages = new JsonArray();
      for (int i = 0; i < 6; i++) {
        String id = String.format("p%02d-m%d", k, i);
        expected.add(id);
        messages.add(EndToEndMemoryTest.msg(id, i % 2 == 0 ? "user" : "assistant",
            "第" + k + "段第" + i + "句：周末想去西湖边散步", ts + k * 10 + i));
      }
      bodies.add(new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", "s-shared")
          .put("messages", messages));
    }
    Burst.post("/v1/sessions", bodies)
        .compose(answers -> {
          ctx.verify(() -> Burst.assertAll(202, answers));
          return Burst.completed(internal, 12);
        })
        // every task's archive write has finished once its summary names the archive
        .compose(tasks -> TestStack.until(() -> Burst.count("SELECT COUNT(*) FROM conversation_summaries"
            + " WHERE user_id = ? AND archive_path IS NOT NULL", internal), n -> n == 12, 60_000))
        .compose(x -> ExportTest.archives(user))
        .compose(keys -> {
          ctx.verify(() -> assertEquals(1, keys.size(), keys.toString()));
          return TestStack.engram().objectStore().get(keys.get(0));
        })
        .onComplete(ctx.succeeding(bytes -> ctx.verify(() -> {
          JsonObject archive = new JsonObject(bytes);
          List<String> ids = new ArrayList<>();
          archive.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("msg_id")));
          assertEquals(expected, ids, "every message of every task, once, in time order");
          assertEquals(12, archive.getJsonArray("task_ids").size(), archive.getJsonArray("task_ids").encode());
          ctx.completeNow();
        })));
  }
}
