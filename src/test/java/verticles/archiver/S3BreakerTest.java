package verticles.archiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Bus;
import verticles.shared.Breakers;

@ExtendWith(VertxExtension.class)
@DisplayName("The object-storage breaker, against the fake S3")
class S3BreakerTest {
  private FakeS3Server fake;

  @BeforeEach
  void startFake(Vertx vertx, VertxTestContext ctx) {
    FakeS3Server.start(vertx, "engram-test", "cn-beijing", "AKIDTESTKEY", "test/secret+key=")
        .onComplete(ctx.succeeding(f -> {
          fake = f;
          ctx.completeNow();
        }));
  }

  /** Opens after 3 counted failures, tries again after 500 ms. */
  private static CircuitBreaker breaker(Vertx vertx, long timeoutMs) {
    return Breakers.create(vertx, new JsonObject().put("breakers", new JsonObject().put("max_failures", 3)
        .put("reset_timeout_ms", 500)), "object-storage", timeoutMs);
  }

  private S3ObjectStore store(Vertx vertx, CircuitBreaker breaker) {
    return new S3ObjectStore(vertx, fake.clientConfig().put("retry_base_ms", 10).put("max_retries", 3), breaker);
  }

  private long puts() {
    return fake.requests().stream().filter(r -> r.startsWith("PUT ")).count();
  }

  /** Tries again every 50 ms until it succeeds; the test's own timeout bounds it. */
  private static <T> Future<T> untilSucceeded(Vertx vertx, Supplier<Future<T>> call) {
    return call.get().recover(e -> vertx.timer(50).compose(x -> untilSucceeded(vertx, call)));
  }

  @Test
  @DisplayName("500s open it; then calls fail at once with a 503-class failure without reaching the store; it closes"
      + " when the store recovers")
  void opensFailsFastCloses(Vertx vertx, VertxTestContext ctx) {
    CircuitBreaker breaker = breaker(vertx, 10_000);
    S3ObjectStore store = store(vertx, breaker);
    fake.failNext(3, 500);
    AbstractObjectStoreTest.failureOf(store.put("users/1/a", Buffer.buffer("x"), "text/plain"))
        .compose(err -> {
          ctx.verify(() -> {
            assertEquals(CircuitBreakerState.OPEN, breaker.state());
            assertEquals(3, puts(), "three 500s opened it; the fourth attempt was refused, not sent");
            assertTrue(Breakers.shortCircuited(err), err.toString());
            assertEquals(503, Bus.code(err));
          });
          return AbstractObjectStoreTest.failureOf(store.get("users/1/a"));
        })
        .compose(err -> {
          ctx.verify(() -> {
            assertTrue(Breakers.shortCircuited(err), err.toString());
            assertEquals(3, fake.requests().size(), "an open breaker does not call the store");
          });
          // the scripted failures are spent: the store answers again
          return untilSucceeded(vertx, () -> store.put("users/1/a", Buffer.buffer("x"), "text/plain"));
        })
        .compose(x -> store.get("users/1/a"))
        .onComplete(ctx.succeeding(buf -> ctx.verify(() -> {
          assertEquals("x", buf.toString());
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a store that refuses connections opens it; a missing key never counts against it")
  void downThenUp(Vertx vertx, VertxTestContext ctx) {
    CircuitBreaker breaker = breaker(vertx, 10_000);
    S3ObjectStore store = store(vertx, breaker);
    Future<Void> missing = Future.succeededFuture();
    for (int i = 0; i < 5; i++) {
      missing = missing.compose(x -> AbstractObjectStoreTest.failureOf(store.get("users/1/none")).mapEmpty());
    }
    missing
        .compose(x -> {
          ctx.verify(() -> assertEquals(CircuitBreakerState.CLOSED, breaker.state(), "404s are answers, not failures"));
          return fake.goDown();
        })
        .compose(x -> AbstractObjectStoreTest.failureOf(store.exists("users/1/a")))
        .compose(err -> {
          ctx.verify(() -> {
            assertEquals(CircuitBreakerState.OPEN, breaker.state());
            assertEquals(503, Bus.code(err), err.toString());
          });
          return fake.goUp(vertx);
        })
        .compose(x -> untilSucceeded(vertx, () -> store.exists("users/1/a")))
        .onComplete(ctx.succeeding(exists -> ctx.verify(() -> {
          assertEquals(false, exists);
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("its timeout ends the request it gives up on (the connection closes), and the retry lands")
  void timeoutEndsTheWork(Vertx vertx, VertxTestContext ctx) {
    CircuitBreaker breaker = breaker(vertx, 1_000);
    S3ObjectStore store = store(vertx, breaker); // the client's own timeout (10 s) would fire much later
    // one good request first, without the breaker: a cold JVM's first request can take longer than the deadline
    store(vertx, null).put("warm/up", Buffer.buffer("x"), "text/plain")
        .compose(x -> {
          fake.failNext(1, 0); // no answer at all
          return store.put("users/1/a", Buffer.buffer("x"), "text/plain");
        })
        .compose(x -> untilSucceeded(vertx, () -> fake.abandoned() == 1 ? Future.succeededFuture()
            : Future.failedFuture("the abandoned request's connection is still open")))
        .onComplete(ctx.succeeding(x -> ctx.verify(() -> {
          assertEquals(3, puts(), "the warm-up, the abandoned attempt and its retry");
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          assertTrue(fake.storedKeys().contains("users/1/a"));
          ctx.completeNow();
        })));
  }
}
