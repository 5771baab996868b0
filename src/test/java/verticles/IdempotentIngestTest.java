package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Posting a session or buffered messages again (a client's retry) adds nothing; new messages add only "
    + "themselves")
class IdempotentIngestTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  private static List<JsonObject> copies(JsonObject body, int n) {
    return Collections.nCopies(n, body);
  }

  private static Future<Map<String, Long>> indexCounts(String user) {
    return TestStack.vertx().executeBlocking(() -> TestStack.engram().index().countByType(TestStack.internal(user),
        null));
  }

  private static JsonArray msgIds(JsonObject task) {
    JsonArray ids = new JsonArray();
    task.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("msg_id")));
    return ids;
  }

  @Test
  @DisplayName("The same session posted once and then ten times at once makes one task, one summary and one set of "
      + "index records, and every answer names that task")
  void sameSessionElevenTimes(VertxTestContext ctx) {
    String user = "u-retry-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    JsonObject session = ForgetTest.session(user, "c1", "s-retry", 8);
    String[] first = new String[1];
    Map<String, Long>[] once = new Map[1];
    ExportTest.ingest(session)
        .compose(task -> {
          first[0] = task;
          return indexCounts(user);
        })
        .compose(counts -> {
          once[0] = counts;
          return Burst.post("/v1/sessions", copies(session, 10));
        })
        .compose(answers -> {
          ctx.verify(() -> {
            Burst.assertAll(202, answers);
            for (var r : answers) {
              assertEquals(first[0], r.bodyAsJsonObject().getString("task_id"), r.bodyAsString());
              assertEquals(8, r.bodyAsJsonObject().getInteger("duplicates"), r.bodyAsString());
            }
          });
          return KafkaProbe.awaitSettled(TestStack.vertx(), TestStack.engram().config().getJsonObject("kafka"));
        })
        .compose(x -> Burst.tasks(internal))
        .compose(tasks -> {
          ctx.verify(() -> assertEquals(1, tasks.size(), "one task"));
          return Burst.count("SELECT COUNT(*) FROM conversation_summaries WHERE user_id = ?", internal);
        })
        .compose(summaries -> {
          ctx.verify(() -> assertEquals(1L, summaries, "one summary"));
          return indexCounts(user);
        })
        .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
          assertEquals(once[0], counts, "the index holds what the first post made, once");
          assertEquals(8L, counts.get("message"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Ten identical posts of a new session at once make one task")
  void tenAtOnce(VertxTestContext ctx) {
    String user = "u-retry-burst-" + UUID.randomUUID();
    Burst.post("/v1/sessions", copies(ForgetTest.session(user, "c1", "s-burst", 6), 10))
        .compose(answers -> {
          ctx.verify(() -> {
            Burst.assertAll(202, answers);
            long distinct = answers.stream().map(r -> r.bodyAsJsonObject().getString("task_id")).distinct().count();
            assertEquals(1, distinct, "every answer names the one task");
            assertEquals(9, answers.stream().filter(r -> r.bodyAsJsonObject().getInteger("duplicates") == 6).count(),
                "nine posts found every message known");
          });
          return Burst.completed(TestStack.internal(user), 1);
        })
        .onComplete(ctx.succeeding(tasks -> ctx.verify(() -> {
          assertEquals(1, tasks.size());
          assertEquals(6, tasks.get(0).getJsonArray("messages").size());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A known session posted with two new messages makes a task of only those two, and its archive holds "
      + "each message once")
  void newMessagesOnly(VertxTestContext ctx) {
    String user = "u-retry-more-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    JsonObject longer = ForgetTest.session(user, "c1", "s-more", 6);
    JsonObject shorter = longer.copy();
    JsonArray firstFour = new JsonArray();
    for (int i = 0; i < 4; i++) {
      firstFour.add(longer.getJsonArray("messages").getJsonObject(i));
    }
    shorter.put("messages", firstFour);
    String[] tasks = new String[2];
    ExportTest.ingest(shorter)
        .compose(t -> {
          tasks[0] = t;
          return TestStack.post("/v1/sessions", longer);
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(202, r.statusCode(), r.bodyAsString());
            assertEquals(4, r.bodyAsJsonObject().getInteger("duplicates"), r.bodyAsString());
          });
          tasks[1] = r.bodyAsJsonObject().getString("task_id");
          return TestStack.until(() -> TestStack.sql().preparedQuery("SELECT COUNT(*) FROM conversation_summaries"
                  + " WHERE task_id = ? AND archive_path IS NOT NULL").execute(io.vertx.sqlclient.Tuple.of(tasks[1]))
              .map(rs -> rs.iterator().next().getLong(0)), n -> n == 1, 60_000);
        })
        .compose(x -> Burst.tasks(internal))
        .compose(rows -> {
          ctx.verify(() -> {
            assertNotEquals(tasks[0], tasks[1]);
            assertEquals(2, rows.size());
            assertEquals(new JsonArray().add("s-more-m4").add("s-more-m5"), msgIds(rows.get(1)), "only the new two");
          });
          return ExportTest.archives(user);
        })
        .compose(keys -> {
          ctx.verify(() -> assertEquals(1, keys.size(), keys.toString()));
          return TestStack.engram().objectStore().get(keys.get(0));
        })
        .onComplete(ctx.succeeding(bytes -> ctx.verify(() -> {
          JsonObject archive = new JsonObject(bytes);
          List<String> ids = new ArrayList<>();
          archive.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("msg_id")));
          assertEquals(List.of("s-more-m0", "s-more-m1", "s-more-m2", "s-more-m3", "s-more-m4", "s-more-m5"), ids);
          assertEquals(new JsonArray().add(tasks[0]).add(tasks[1]), archive.getJsonArray("task_ids"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Buffered messages sent again, also ten times at once, are buffered once")
  void bufferedOnce(VertxTestContext ctx) {
    String user = "u-retry-buffer-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    // two messages: below the tests' threshold of five, so they stay buffered
    JsonObject body = ExportTest.session(user, "c1", "s-buf", "今天好累", "早点休息吧");
    TestStack.post("/v1/messages", body)
        .compose(r -> {
          ctx.verify(() -> assertEquals(2, r.bodyAsJsonObject().getInteger("buffered"), r.bodyAsString()));
          return Burst.post("/v1/messages", copies(body, 10));
        })
        .compose(answers -> {
          ctx.verify(() -> {
            Burst.assertAll(202, answers);
            for (var r : answers) {
              assertEquals(2, r.bodyAsJsonObject().getInteger("duplicates"), r.bodyAsString());
            }
          });
          return TestStack.post("/v1/sessions/s-buf/end", new JsonObject().put("user_id", user)
              .put("character_id", "c1"));
        })
        .compose(r -> Burst.completed(internal, 1))
        .onComplete(ctx.succeeding(tasks -> ctx.verify(() -> {
          assertEquals(1, tasks.size(), "the idle sweep or the end cut one task");
          assertEquals(new JsonArray().add("s-buf-m0").add("s-buf-m1"), msgIds(tasks.get(0)));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Two messages with the same msg_id in one request are refused with 400 naming the second one's field")
  void duplicateInOneRequest(VertxTestContext ctx) {
    String user = "u-dup-" + UUID.randomUUID();
    JsonObject body = ExportTest.session(user, "c1", "s-dup", "一", "二", "三", "四");
    body.getJsonArray("messages").getJsonObject(3).put("msg_id", "s-dup-m1");
    Burst.post("/v1/sessions", List.of(body))
        .compose(s -> Burst.post("/v1/messages", List.of(body)).map(m -> List.of(s.get(0), m.get(0))))
        .compose(answers -> {
          ctx.verify(() -> {
            for (var r : answers) {
              assertEquals(400, r.statusCode(), r.bodyAsString());
              JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
              assertEquals("messages[3].msg_id", error.getString("field"), r.bodyAsString());
              assertTrue(error.getString("message").contains("messages[1].msg_id"), r.bodyAsString());
            }
          });
          return Burst.tasks(TestStack.internal(user));
        })
        .onComplete(ctx.succeeding(tasks -> ctx.verify(() -> {
          assertEquals(0, tasks.size(), "nothing was accepted");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Forgetting a user deletes their accepted message ids: the same session sent after the forget is new")
  void forgetDeletesAcceptedIds(VertxTestContext ctx) {
    String user = "u-retry-forget-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    JsonObject session = ForgetTest.session(user, "c1", "s-again", 4);
    String[] first = new String[1];
    ExportTest.ingest(session)
        .compose(t -> {
          first[0] = t;
          return ForgetTest.forget("/v1/users/" + user);
        })
        .compose(x -> Burst.count("SELECT COUNT(*) FROM accepted_messages WHERE user_id = ?", internal))
        .compose(left -> {
          ctx.verify(() -> assertEquals(0L, left, "no accepted id is left"));
          return TestStack.post("/v1/sessions", session);
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(202, r.statusCode(), r.bodyAsString());
          assertNotEquals(first[0], r.bodyAsJsonObject().getString("task_id"));
          assertEquals(0, r.bodyAsJsonObject().getInteger("duplicates"));
          ctx.completeNow();
        })));
  }
}
