package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Addresses;
import verticles.bus.Failures;

@ExtendWith(VertxExtension.class)
@DisplayName("A store's breaker and bad input")
class BreakerBadInputTest {

  private static JsonObject upsert(String user, String character, String content) {
    JsonObject record = new JsonObject().put("id", "bad-input-" + UUID.randomUUID()).put("user_id", user)
        .put("character_id", character).put("memory_type", "message").put("content", content)
        .put("timestamp", 1_700_000_000L).put("importance", 5);
    return new JsonObject().put("records", new JsonArray().add(record));
  }

  @Test
  @DisplayName("a record the index refuses, sent again and again, leaves the index's write breaker closed for others")
  void poisonRecordDoesNotOpenTheBreaker(VertxTestContext ctx) {
    String user = "default:u-poison-" + UUID.randomUUID();
    List<Future<Integer>> refused = new ArrayList<>();
    for (int i = 0; i < 12; i++) { // more than breakers.max_failures (5)
      refused.add(TestStack.vertx().eventBus().request(Addresses.VECTOR_UPSERT, upsert(user, null, "坏记录 " + i))
          .map(m -> 0).recover(e -> Future.succeededFuture(((ReplyException) e).failureCode())));
    }
    Future.all(refused)
        .compose(x -> {
          ctx.verify(() -> refused.forEach(f -> assertEquals(Failures.BAD_REQUEST, f.result(), "refused as bad input")));
          return RecallDegradationTest.breakerState("vector-index-write");
        })
        .compose(state -> {
          ctx.verify(() -> assertEquals(0.0, state, "vector-index-write stays closed"));
          return TestStack.vertx().eventBus().<JsonObject>request(Addresses.VECTOR_UPSERT, upsert(user, "c1", "好记录"));
        })
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals(1, reply.body().getInteger("upserted"), "a good write still goes through");
          ctx.completeNow();
        })));
  }
}
