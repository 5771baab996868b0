package verticles.vectorsearch.vikingdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.vectorsearch.Deadline;
import verticles.vectorsearch.MemoryIndex.Query;

@ExtendWith(VertxExtension.class)
@DisplayName("VikingDB calls end at their caller's deadline")
class VikingDbDeadlineTest {
  private static final int DIM = 8;
  private VikingDbFake fake;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    VikingDbFake.start(vertx, "cn-beijing", "AKLTTESTKEY", "dGVzdC1zZWNyZXQta2V5", DIM)
        .onComplete(ctx.succeeding(f -> {
          fake = f;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    fake.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("nothing is sent once the deadline has passed")
  void passedDeadlineSendsNothing() {
    VikingDbMemoryIndex index = new VikingDbMemoryIndex(DIM, fake.clientConfig());
    VikingDbException e = assertThrows(VikingDbException.class,
        () -> Deadline.in(0).run(() -> index.count("u1", null)));
    assertTrue(e.getMessage().contains("the caller's deadline had passed"), e.getMessage());
    assertEquals(List.of(), fake.requests());
  }

  @Test
  @DisplayName("persistent throttling is not retried past the deadline, though many retries remain")
  void throttlingStopsAtTheDeadline() {
    fake.failAlways(VikingDbFake.Failure.THROTTLE);
    // the first backoff (500-1000 ms) would outlast the deadline: the loop gives up instead of sleeping
    VikingDbMemoryIndex index = new VikingDbMemoryIndex(DIM, fake.clientConfig()
        .put("max_retries", 1_000_000).put("backoff_ms", 1000));
    VikingDbException e = assertThrows(VikingDbException.class,
        () -> Deadline.in(300).run(() -> index.delete("u1", null)));
    assertTrue(e.getMessage().contains("abandoned after 1 attempt: the caller's deadline passed"), e.getMessage());
    assertEquals(1000029, e.code(), "the last attempt's failure is kept");
    assertEquals(List.of(VikingDbMemoryIndex.SEARCH_PATH), fake.requests(), "one attempt, no retry");
  }

  @Test
  @DisplayName("a VikingDB that hangs is given up at the deadline, not after timeout_ms and the retries")
  void hangingServerEndsAtTheDeadline() {
    fake.stall();
    VikingDbMemoryIndex index = new VikingDbMemoryIndex(DIM, fake.clientConfig().put("timeout_ms", 600_000)
        .put("backoff_ms", 1000));
    VikingDbException e = assertThrows(VikingDbException.class, () -> Deadline.in(300).run(
        () -> index.search(new Query("u1", "c1", List.of(), new float[] {1, 0, 0, 0, 0, 0, 0, 0}, "", 5))));
    assertTrue(e.getMessage().contains("abandoned after 1 attempt: the caller's deadline passed"), e.getMessage());
    assertEquals(0, e.status(), "no answer came");
    assertEquals(List.of(VikingDbMemoryIndex.SEARCH_PATH), fake.requests());
  }

  @Test
  @DisplayName("without a deadline, the retries still end after max_retries + 1 attempts")
  void noDeadlineKeepsTheRetryLimit() {
    fake.failAlways(VikingDbFake.Failure.INTERNAL);
    VikingDbMemoryIndex index = new VikingDbMemoryIndex(DIM, fake.clientConfig().put("max_retries", 2));
    VikingDbException e = assertThrows(VikingDbException.class, () -> index.count("u1", null));
    assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
    assertEquals(3, fake.requests().size());
  }
}
