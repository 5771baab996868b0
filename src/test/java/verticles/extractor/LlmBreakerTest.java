package verticles.extractor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Bus;
import verticles.shared.Breakers;

@ExtendWith(VertxExtension.class)
@DisplayName("The llm breaker, against the fake OpenAI server")
class LlmBreakerTest {
  private FakeOpenAiServer fake;

  @BeforeEach
  void startFake(Vertx vertx, VertxTestContext ctx) {
    FakeOpenAiServer.start(vertx).onComplete(ctx.succeeding(f -> {
      fake = f;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopFake(VertxTestContext ctx) {
    fake.close().onComplete(ctx.succeedingThenComplete());
  }

  /** Opens after 3 failures; tries again after {@code resetMs}. */
  private static CircuitBreaker breaker(Vertx vertx, long timeoutMs, long resetMs) {
    return Breakers.create(vertx, new JsonObject().put("breakers", new JsonObject().put("max_failures", 3)
        .put("reset_timeout_ms", resetMs)), "llm", timeoutMs);
  }

  private OpenAiExtractor extractor(Vertx vertx, CircuitBreaker breaker) {
    return new OpenAiExtractor(vertx, new JsonObject().put("base_url", fake.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "gpt-test").put("timeout_ms", 5_000)
        // a backoff well above the time the three parallel calls take to fail together, so no retry races them
        .put("max_retries", 3).put("backoff_ms", 400), breaker);
  }

  private static JsonObject task() {
    return new JsonObject().put("task_id", "t1").put("user_id", "u1").put("character_id", "c1").put("session_id", "s1")
        .put("messages", new JsonArray().add(new JsonObject().put("msg_id", "m1").put("role", "user")
            .put("content", "下周三是我的生日🎂").put("timestamp", 1_700_000_000L)));
  }

  private static Future<Throwable> failureOf(Future<?> f) {
    return f.transform(ar -> ar.failed() ? Future.succeededFuture(ar.cause())
        : Future.failedFuture(new AssertionError("expected a failure, got " + ar.result())));
  }

  /** Asks again every 50 ms until {@code done} holds; the test's own timeout bounds it. */
  private static <T> Future<T> until(Vertx vertx, Supplier<Future<T>> probe, Predicate<Future<T>> done) {
    return probe.get().transform(ar -> {
      Future<T> f = ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
      return done.test(f) ? f : vertx.timer(50).compose(x -> until(vertx, probe, done));
    });
  }

  @Test
  @DisplayName("500s open it; then calls fail at once with a 503-class failure without reaching the model; it closes"
      + " when the model recovers")
  void opensFailsFastCloses(Vertx vertx, VertxTestContext ctx) {
    CircuitBreaker breaker = breaker(vertx, 5_000, 500);
    OpenAiExtractor extractor = extractor(vertx, breaker);
    fake.otherwise(FakeOpenAiServer.serverError());
    int[] calls = new int[1];
    failureOf(extractor.extract(task()))
        .compose(err -> {
          ctx.verify(() -> {
            assertEquals(CircuitBreakerState.OPEN, breaker.state());
            // three 500s opened it; every retry after that was refused instead of sent
            assertEquals(3, fake.calls());
            assertTrue(Breakers.shortCircuited(err), err.toString());
            assertEquals(503, Bus.code(err));
          });
          calls[0] = fake.calls();
          return failureOf(extractor.extract(task()));
        })
        .compose(err -> {
          ctx.verify(() -> {
            assertTrue(Breakers.shortCircuited(err), err.toString());
            assertEquals(calls[0], fake.calls(), "an open breaker does not call the model");
          });
          fake.otherwise(fake.good());
          return until(vertx, () -> extractor.extract(task()), Future::succeeded);
        })
        .onComplete(ctx.succeeding(out -> ctx.verify(() -> {
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          assertEquals("用户说下周三是自己的生日🎂，想和朋友去吃火锅", out.getJsonObject("summary").getString("text"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("its timeout ends the request it gives up on (the connection closes), and its opening ends the retries")
  void timeoutEndsTheWork(Vertx vertx, VertxTestContext ctx) {
    CircuitBreaker breaker = breaker(vertx, 1_000, 60_000);
    OpenAiExtractor extractor = extractor(vertx, breaker);
    // one good extraction first, without the breaker: a cold JVM's first requests can take longer than the deadline
    extractor(vertx, null).extract(task())
        .compose(warm -> {
          // the model keeps the connection alive with a byte now and then: the client's idle timeout never fires
          fake.otherwise(fake.trickle());
          return failureOf(extractor.extract(task()));
        })
        .compose(err -> {
          ctx.verify(() -> {
            assertEquals(503, Bus.code(err), err.toString());
            assertEquals(CircuitBreakerState.OPEN, breaker.state());
            assertEquals(3 + 3, fake.calls(), "three timed-out attempts opened the breaker; no retry went out after");
          });
          return until(vertx, () -> Future.succeededFuture(fake.abandoned()), n -> n.result() == 3);
        })
        .onComplete(ctx.succeedingThenComplete());
  }
}
