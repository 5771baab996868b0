package verticles.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HttpRetry")
class HttpRetryTest {
  @Test
  @DisplayName("Retry-After is honoured for 429 and capped; other failures back off exponentially")
  void delays() {
    var tooMany = new HttpRetry.HttpStatusException("u", 429, 1_000, "slow down");
    assertEquals(1_000, HttpRetry.delayMs(tooMany, 0, 10));
    var tooManyForLong = new HttpRetry.HttpStatusException("u", 429, 3_600_000, "come back in an hour");
    assertEquals(HttpRetry.MAX_RETRY_AFTER_MS, HttpRetry.delayMs(tooManyForLong, 0, 10));
    var tooManyNoHeader = new HttpRetry.HttpStatusException("u", 429, -1, "slow down");
    var serverError = new HttpRetry.HttpStatusException("u", 503, -1, "down");
    for (int attempt = 0; attempt < 4; attempt++) {
      long base = 100L << attempt;
      for (var err : List.of(tooManyNoHeader, serverError)) {
        long delay = HttpRetry.delayMs(err, attempt, 100);
        assertTrue(delay >= base / 2 && delay <= base, attempt + ": " + delay);
      }
    }
    long capped = HttpRetry.delayMs(serverError, 40, 1_000);
    assertTrue(capped >= HttpRetry.MAX_BACKOFF_MS / 2 && capped <= HttpRetry.MAX_BACKOFF_MS, "capped: " + capped);
    assertEquals(2_000, HttpRetry.retryAfterMs("2"));
    assertEquals(1_500, HttpRetry.retryAfterMs(" 1.5 "));
    assertEquals(-1, HttpRetry.retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"));
    assertEquals(-1, HttpRetry.retryAfterMs(null));
  }

  @Test
  @DisplayName("which failures are retried")
  void retryable() {
    assertTrue(HttpRetry.isRetryable(new HttpRetry.HttpStatusException("u", 429, -1, "")));
    assertTrue(HttpRetry.isRetryable(new HttpRetry.HttpStatusException("u", 502, -1, "")));
    assertFalse(HttpRetry.isRetryable(new HttpRetry.HttpStatusException("u", 400, -1, "")));
    assertFalse(HttpRetry.isRetryable(new HttpRetry.HttpStatusException("u", 401, -1, "")));
    assertFalse(HttpRetry.isRetryable(new HttpRetry.HttpStatusException("u", 404, -1, "")));
    assertFalse(HttpRetry.isRetryable(new IllegalStateException("malformed response body")));
    assertTrue(HttpRetry.isRetryable(new java.net.ConnectException("refused")));
  }
}
