package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.gateway.IngestGate;

/** A full generation backlog turns new sessions away with 429 and Retry-After; recall is never turned away. */
@ExtendWith(VertxExtension.class)
class IngestGateTest {
  private static final int BOUND = 50;

  @Test
  @DisplayName("While the backlog is at its bound a session is refused 429 with Retry-After and nothing is stored; "
      + "recall still answers; once the backlog drains the same session is accepted")
  void backlogBound(VertxTestContext ctx) {
    IngestGate gate = new IngestGate(BOUND);
    long timer = gate.start(TestStack.vertx(), 50);
    String owner = "gate-owner-" + UUID.randomUUID();
    String user = "gate-user-" + UUID.randomUUID();
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("messages", new JsonArray().add(new JsonObject().put("msg_id", "m1").put("role", "user")
            .put("content", "我下周要去杭州出差").put("timestamp", 1_700_000_000L)));
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < BOUND; i++) { // tasks some worker has claimed and not finished: the backlog
      rows.add(Tuple.of(UUID.randomUUID().toString(), TestStack.internal(owner), "c1", "[]", 3, "s" + i, "api"));
    }
    SecondGateway[] gateway = new SecondGateway[1];
    WebClient[] http = new WebClient[1];
    TestStack.sql().preparedQuery("INSERT INTO memory_generation_tasks (task_id, user_id, character_id, task_type,"
            + " source_data, status, max_retries, session_id, trigger_type) VALUES (?, ?, ?, 'full', ?, 'processing',"
            + " ?, ?, ?)").executeBatch(rows)
        .compose(x -> TestStack.until(() -> Future.succeededFuture(gate.backlog()), b -> b >= BOUND, 10_000))
        .compose(x -> SecondGateway.start(new JsonObject(), gate))
        .compose(g -> {
          gateway[0] = g;
          http[0] = g.client(TestStack.API_KEY);
          return http[0].post("/v1/sessions").sendJsonObject(session);
        })
        .compose(refused -> {
          ctx.verify(() -> {
            assertEquals(429, refused.statusCode(), refused.bodyAsString());
            assertEquals("2", refused.getHeader("Retry-After"));
            assertEquals("ingest_backlog", refused.bodyAsJsonObject().getJsonObject("error").getString("code"),
                refused.bodyAsString());
          });
          return TestStack.sql().preparedQuery("SELECT COUNT(*) FROM memory_generation_tasks WHERE user_id = ?")
              .execute(Tuple.of(TestStack.internal(user)));
        })
        .compose(count -> {
          ctx.verify(() -> assertEquals(0L, count.iterator().next().getLong(0), "a refused session stores nothing"));
          return http[0].post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", user)
              .put("character_id", "c1").put("message", "你还记得我要去哪出差吗").put("force", true));
        })
        .compose(recall -> {
          ctx.verify(() -> assertEquals(200, recall.statusCode(), recall.bodyAsString()));
          return TestStack.sql().preparedQuery("DELETE FROM memory_generation_tasks WHERE user_id = ?")
              .execute(Tuple.of(TestStack.internal(owner)));
        })
        .compose(x -> TestStack.until(() -> http[0].post("/v1/sessions").sendJsonObject(session),
            r -> r.statusCode() == 202, 10_000))
        .eventually(() -> {
          TestStack.vertx().cancelTimer(timer);
          return gateway[0] == null ? Future.succeededFuture() : gateway[0].close();
        })
        .onComplete(ctx.succeedingThenComplete());
  }
}
