package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
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
import verticles.bus.Addresses;

@ExtendWith(VertxExtension.class)
@DisplayName("A session's archive keeps the messages of every task of the session, however they finish")
class ArchiveConcurrencyTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /**
   * Holds the archive writes of one user until {@code n} of them have come, then lets them all go at once: the tasks
   * of a session finishing together, which on one partition they seldom do by themselves.
   */
  static final class Together implements Handler<DeliveryContext<Object>> {
    private final String user;
    private final int n;
    private final List<DeliveryContext<Object>> held = new ArrayList<>();

    Together(String user, int n) {
      this.user = user;
      this.n = n;
    }

    @Override
    public void handle(DeliveryContext<Object> dc) {
      List<DeliveryContext<Object>> go = List.of();
      synchronized (this) {
        if (Addresses.ARCHIVE_WRITE.equals(dc.message().address()) && dc.message().body() instanceof JsonObject b
            && b.getJsonObject("task") != null && user.equals(b.getJsonObject("task").getString("user_id"))) {
          held.add(dc);
          if (held.size() == n) {
            go = List.copyOf(held);
          }
        } else {
          go = List.of(dc);
        }
      }
      go.forEach(DeliveryContext::next);
    }
  }

  @Test
  @DisplayName("Twelve tasks of one session finishing together leave all their 72 messages and 12 task ids in the "
      + "session's one archive")
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
    Together together = new Together(internal, 12);
    TestStack.vertx().eventBus().addOutboundInterceptor(together);
    Burst.post("/v1/sessions", bodies)
        .compose(answers -> {
          ctx.verify(() -> Burst.assertAll(202, answers));
          return Burst.completed(internal, 12);
        })
        // every task's archive write has finished once its summary names the archive
        .compose(tasks -> TestStack.until(() -> Burst.count("SELECT COUNT(*) FROM conversation_summaries"
            + " WHERE user_id = ? AND archive_path IS NOT NULL", internal), n -> n == 12, 60_000))
        .eventually(() -> {
          TestStack.vertx().eventBus().removeOutboundInterceptor(together);
          return Future.succeededFuture();
        })
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
