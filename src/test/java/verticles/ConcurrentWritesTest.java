package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Writes of one user side by side: InnoDB's lock conflicts are retried inside the write, never charged to "
    + "the task or the caller")
class ConcurrentWritesTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  private static double deadlockRetries() {
    Counter c = TestStack.engram().metrics().find("engram_mysql_lock_retries").tag("error", "deadlock").counter();
    return c == null ? 0 : c.count();
  }

  private static JsonObject buffered(String user, String session, int i, long ts) {
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", session)
        .put("messages", new JsonArray().add(EndToEndMemoryTest.msg("b" + i, i % 2 == 0 ? "user" : "assistant",
            "第" + i + "句：今天下班路上看到一只橘猫", ts + i)));
  }

  @Test
  @DisplayName("A hundred messages posted at once to one session are all accepted (202), and each ends up in exactly "
      + "one task")
  void bufferedBurst(VertxTestContext ctx) {
    String user = "u-buffer-burst-" + UUID.randomUUID();
    String session = "s-burst";
    long ts = Instant.now().getEpochSecond() - 600;
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      bodies.add(buffered(user, session, i, ts));
    }
    String internal = TestStack.internal(user);
    Burst.post("/v1/messages", bodies)
        .compose(answers -> {
          ctx.verify(() -> Burst.assertAll(202, answers));
          return TestStack.post("/v1/sessions/" + session + "/end", new JsonObject().put("user_id", user)
              .put("character_id", "c1"));
        })
        .compose(r -> TestStack.until(() -> Burst.tasks(internal), tasks -> tasks.stream()
            .mapToInt(t -> t.getJsonArray("messages").size()).sum() >= 100
            && tasks.stream().allMatch(t -> "completed".equals(t.getString("status"))), 90_000))
        .compose(tasks -> Burst.count("SELECT COUNT(*) FROM buffered_messages WHERE user_id = ?", internal)
            .map(left -> {
              ctx.verify(() -> assertEquals(0L, left, "nothing stays buffered"));
              return tasks;
            }))
        .onComplete(ctx.succeeding(tasks -> ctx.verify(() -> {
          List<String> ids = new ArrayList<>();
          tasks.forEach(t -> t.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("msg_id"))));
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            expected.add("b" + i);
          }
          Collections.sort(ids);
          Collections.sort(expected);
          assertEquals(expected, ids, "every message in one task, once");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Twenty sessions of one user and character posted at once all complete on their first attempt")
  void sessionsBurst(VertxTestContext ctx) {
    String user = "u-session-burst-" + UUID.randomUUID();
    List<JsonObject> bodies = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      bodies.add(ForgetTest.session(user, "c1", "s" + s, 8));
    }
    Burst.post("/v1/sessions", bodies)
        .compose(answers -> {
          ctx.verify(() -> Burst.assertAll(202, answers));
          return Burst.completed(TestStack.internal(user), 20);
        })
        .onComplete(ctx.succeeding(tasks -> ctx.verify(() -> {
          assertEquals(20, tasks.size());
          for (JsonObject t : tasks) {
            assertEquals(0, t.getInteger("retry_count"), "no attempt was spent: " + t.encode());
          }
          ctx.completeNow();
        })));
  }

  /** The session with its first message saying the user's name (a name the rules read, whatever the user id). */
  private static JsonObject named(JsonObject session, String name) {
    session.getJsonArray("messages").getJsonObject(0).put("content", "我叫" + name + "，今年二十岁");
    return session;
  }

  /**
   * A deadlock made on purpose: the test holds the user's profile rows (in a transaction that has written more, so
   * InnoDB picks the task's write as the victim), waits until the task's write waits for them, and then asks for
   * the task row, which the write holds.
   */
  @Test
  @DisplayName("A task's memory write chosen as a deadlock victim in its profile upsert runs again and completes "
      + "without spending a retry of the task")
  void profileUpsertDeadlock(VertxTestContext ctx) {
    String user = "u-deadlock-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    double before = deadlockRetries();
    SqlConnection[] conn = new SqlConnection[1];
    Transaction[] tx = new Transaction[1];
    String[] task = new String[1];
    ExportTest.ingest(named(ForgetTest.session(user, "c1", "s-first", 6), "林小晴"))
        .compose(x -> TestStack.sql().getConnection())
        .compose(c -> {
          conn[0] = c;
          return c.begin();
        })
        .compose(t -> {
          tx[0] = t;
          List<Tuple> ballast = new ArrayList<>();
          for (int i = 0; i < 300; i++) {
            ballast.add(Tuple.of("default:ballast-" + UUID.randomUUID(), "c1", "s", "{}"));
          }
          return conn[0].preparedQuery("INSERT INTO buffered_messages (user_id, character_id, session_id, message)"
              + " VALUES (?, ?, ?, ?)").executeBatch(ballast);
        })
        .compose(x -> conn[0].preparedQuery("SELECT id FROM user_profiles WHERE user_id = ? FOR UPDATE")
            .execute(Tuple.of(internal)))
        .compose(held -> {
          ctx.verify(() -> assertTrue(held.size() > 0, "the first session made profile rows"));
          // a new name: a restated one would change no profile row (a fact stated again adds no version), and the
          // write must upsert one to meet the rows held here
          return TestStack.post("/v1/sessions", named(ForgetTest.session(user, "c1", "s-second", 6), "林晓晴"));
        })
        .compose(r -> {
          task[0] = r.bodyAsJsonObject().getString("task_id");
          return TestStack.until(() -> Burst.count("SELECT COUNT(*) FROM information_schema.INNODB_TRX"
              + " WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE '%INTO user_profiles%'"), n -> n > 0, 60_000);
        })
        // the cycle: the write waits for the profile rows we hold, we wait for its task row
        .compose(x -> conn[0].preparedQuery("SELECT status FROM memory_generation_tasks WHERE task_id = ? FOR UPDATE")
            .execute(Tuple.of(task[0])))
        .eventually(() -> tx[0] == null ? Future.succeededFuture()
            : tx[0].rollback().eventually(() -> conn[0].close()))
        .compose(x -> TestStack.awaitTask(task[0], "completed"))
        .onComplete(ctx.succeeding(t -> ctx.verify(() -> {
          assertEquals(0, t.getInteger("retry_count"), t.encode());
          assertTrue(deadlockRetries() > before, "the deadlock was retried inside the write");
          ctx.completeNow();
        })));
  }
}
