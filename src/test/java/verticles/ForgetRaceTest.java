package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Addresses;

@ExtendWith(VertxExtension.class)
@DisplayName("A forget leaves nothing in the index, whatever a task of the user was doing when it came")
class ForgetRaceTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /**
   * Around one task's index write: lets its first tombstone check (before the write) through but holds the answer
   * until released, so the write comes after a forget's index delete; and drops its second check (after the write),
   * as a MySQL too busy to answer in time would, so that check fails instead of saying "forgotten".
   */
  static final class LateWrite implements Handler<DeliveryContext<Object>> {
    final Promise<Void> checked = Promise.promise();
    final Promise<Void> dropped = Promise.promise();
    private final String taskId;
    private int checks;
    private String firstReplyAddress;
    private DeliveryContext<Object> heldAnswer;
    private boolean released;

    LateWrite(String taskId) {
      this.taskId = taskId;
    }

    @Override
    public synchronized void handle(DeliveryContext<Object> dc) {
      String address = dc.message().address();
      if (Addresses.FORGET_CHECK.equals(address) && dc.message().body() instanceof JsonObject b
          && taskId.equals(b.getString("task_id"))) {
        checks++;
        if (checks == 1) {
          firstReplyAddress = dc.message().replyAddress();
        } else if (checks == 2) {
          dropped.tryComplete();
          return; // never delivered: the write's own check times out
        }
      } else if (address.equals(firstReplyAddress) && !released) {
        heldAnswer = dc;
        checked.tryComplete();
        return;
      }
      dc.next();
    }

    synchronized void release() {
      released = true;
      if (heldAnswer != null) {
        heldAnswer.next();
      }
    }
  }

  @Test
  @DisplayName("A task whose index write lands after the forget's index delete, and whose check after the write cannot "
      + "be answered, leaves no index record behind")
  void writeAfterTheIndexDeleteIsUndone(VertxTestContext ctx) {
    String user = "u-forget-race-" + UUID.randomUUID();
    String internal = TestStack.internal(user);
    Vertx vertx = TestStack.vertx();
    JsonObject kafka = TestStack.engram().config().getJsonObject("kafka");
    LateWrite[] late = new LateWrite[1];
    // the task id is known only from the answer, and the extractor may start at once: hold the whole user's index
    // writes until the interceptor is in place
    ForgetTest.Hold upsert = new ForgetTest.Hold(Addresses.VECTOR_UPSERT, b -> b.getJsonArray("records") != null
        && !b.getJsonArray("records").isEmpty()
        && internal.equals(b.getJsonArray("records").getJsonObject(0).getString("user_id")));
    vertx.eventBus().addOutboundInterceptor(upsert);
    TestStack.post("/v1/sessions", ForgetTest.session(user, "c1", "s-late", 10))
        .compose(r -> {
          late[0] = new LateWrite(r.bodyAsJsonObject().getString("task_id"));
          vertx.eventBus().addOutboundInterceptor(late[0]);
          return upsert.held.future();
        })
        .compose(x -> {
          upsert.release();
          return late[0].checked.future();
        })
        .compose(x -> ForgetTest.forget("/v1/users/" + user))
        .compose(forgotten -> {
          late[0].release(); // the write goes on, after the forget's index delete
          return late[0].dropped.future();
        })
        .compose(x -> KafkaProbe.awaitSettled(vertx, kafka))
        .compose(x -> vertx.executeBlocking(() -> TestStack.engram().index().count(internal, null)))
        .eventually(() -> {
          vertx.eventBus().removeOutboundInterceptor(upsert);
          if (late[0] != null) {
            vertx.eventBus().removeOutboundInterceptor(late[0]);
          }
          return Future.succeededFuture();
        })
        .onComplete(ctx.succeeding(left -> ctx.verify(() -> {
          assertEquals(0L, left, "no index record of the forgotten user is left");
          ctx.completeNow();
        })));
  }
}
