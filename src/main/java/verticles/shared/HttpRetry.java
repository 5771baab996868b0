package verticles.shared;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON POSTs to an OpenAI-compatible endpoint with retries, shared by {@code OpenAiExtractor} and
 * {@link OpenAiEmbedder}.
 *
 * <p>Retried: 5xx, 429 (honouring {@code Retry-After} seconds, capped), timeouts and connection errors, with
 * exponential backoff plus jitter. Not retried: other 4xx (a wrong key or a bad request will not heal by itself) and
 * a 2xx whose body is not JSON. Delays use {@code vertx.timer}, never a sleeping thread.
 *
 * <p>Config keys: {@code api_key}, {@code timeout_ms} (30000), {@code max_retries} (3), {@code backoff_ms} (500).
 *
 * <p>With a circuit breaker, each attempt runs through it: the breaker counts the failures worth a retry, its timeout
 * resets the attempt's request, and once it is open the retries stop at once with its {@code OpenCircuitException}
 * (a 503 on the bus): a service that is away is not asked again by every caller in turn.
 */
public final class HttpRetry {
  private static final Logger log = LoggerFactory.getLogger(HttpRetry.class);

  /** A server asking us to wait longer than this is treated as if it asked for this long. */
  static final long MAX_RETRY_AFTER_MS = 30_000;
  static final long MAX_BACKOFF_MS = 30_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final CircuitBreaker breaker;
  private final String apiKey;
  private final long timeoutMs;
  private final int maxRetries;
  private final long backoffMs;

  public HttpRetry(Vertx vertx, JsonObject config) {
    this(vertx, config, null);
  }

  /** @param breaker guards each attempt; null for none */
  public HttpRetry(Vertx vertx, JsonObject config, CircuitBreaker breaker) {
    this.vertx = vertx;
    this.breaker = breaker == null ? null : Breakers.counting(breaker, HttpRetry::isRetryable);
    this.apiKey = config.getString("api_key", "");
    this.timeoutMs = config.getLong("timeout_ms", 30_000L);
    this.maxRetries = config.getInteger("max_retries", 3);
    this.backoffMs = config.getLong("backoff_ms", 500L);
    if (timeoutMs <= 0 || maxRetries < 0 || backoffMs < 0) {
      throw new IllegalArgumentException("timeout_ms must be > 0, max_retries and backoff_ms >= 0");
    }
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(timeoutMs, Integer.MAX_VALUE)));
  }

  /** POST {@code body}, retrying as described above; succeeds with the response's JSON object. */
  public Future<JsonObject> postJson(String url, JsonObject body) {
    return attempt("POST " + url, () -> postOnce(url, body), 0);
  }

  public int maxRetries() {
    return maxRetries;
  }

  public void close() {
    client.close();
  }

  private Future<JsonObject> postOnce(String url, JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setTimeout(timeoutMs)
        .putHeader("User-Agent", "engram").putHeader("Content-Type", "application/json");
    if (!apiKey.isBlank()) {
      options.putHeader("Authorization", "Bearer " + apiKey);
    }
    return Breakers.execute(breaker, abandoned -> HttpExchange.send(client, options, body.toBuffer(), abandoned)
        .compose(response -> {
          if (response.status() / 100 != 2) {
            return Future.failedFuture(new HttpStatusException(url, response.status(),
                retryAfterMs(response.header("Retry-After")), errorMessage(response)));
          }
          try {
            JsonObject json = response.body().length() == 0 ? null : response.body().toJsonObject();
            if (json == null) {
              return Future.failedFuture(new IllegalStateException("empty response body from " + url));
            }
            return Future.succeededFuture(json);
          } catch (DecodeException | ClassCastException e) {
            return Future.failedFuture(new IllegalStateException("malformed response body from " + url, e));
          }
        }));
  }

  private <T> Future<T> attempt(String what, Supplier<Future<T>> call, int attempt) {
    Future<T> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(err -> {
      if (!isRetryable(err)) {
        return Future.failedFuture(err);
      }
      if (attempt >= maxRetries) {
        log.warn("{} failed after {} attempts: {}", what, attempt + 1, err.toString());
        return Future.failedFuture(err);
      }
      long delay = delayMs(err, attempt, backoffMs);
      log.info("{} failed (attempt {} of {}): {}; retrying in {} ms", what, attempt + 1, maxRetries + 1, err.toString(),
          delay);
      return vertx.timer(delay).compose(v -> attempt(what, call, attempt + 1));
    });
  }

  /**
   * 429 and 5xx are worth another try; so is anything below HTTP (timeouts, refused or reset connections). A call an
   * open breaker refused is not: the breaker says when to try again.
   */
  public static boolean isRetryable(Throwable err) {
    if (err instanceof HttpStatusException status) {
      return status.retryable();
    }
    if (Breakers.shortCircuited(err)) {
      return false;
    }
    // Our own "the answer is unusable" failures: asking again will not change them.
    return !(err instanceof IllegalStateException || err instanceof IllegalArgumentException);
  }

  /** Delay before retry number {@code attempt + 1}: the server's Retry-After if it gave one, else backoff. */
  static long delayMs(Throwable err, int attempt, long backoffMs) {
    if (err instanceof HttpStatusException status && status.status() == 429 && status.retryAfterMs() >= 0) {
      return Math.max(1, Math.min(status.retryAfterMs(), MAX_RETRY_AFTER_MS));
    }
    long base = Math.min(backoffMs << Math.min(attempt, 20), MAX_BACKOFF_MS);
    // Jitter in [base/2, base] so clients that failed together do not retry together.
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    return Math.max(1, jittered);
  }

  /** Retry-After in seconds (the form OpenAI sends); -1 when absent or not a number (e.g. an HTTP date). */
  static long retryAfterMs(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    try {
      double seconds = Double.parseDouble(header.trim());
      return seconds < 0 ? -1 : (long) Math.ceil(seconds * 1000);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** OpenAI puts the reason in {"error":{"message":...}}; fall back to a short slice of the raw body. */
  private static String errorMessage(HttpExchange.Reply response) {
    String raw = response.body().toString();
    if (raw.isBlank()) {
      return response.statusMessage();
    }
    try {
      JsonObject error = new JsonObject(raw).getJsonObject("error");
      if (error != null && error.getString("message") != null) {
        return error.getString("message");
      }
    } catch (DecodeException | ClassCastException ignored) {
      // not the OpenAI error shape; use the raw text below
    }
    return raw.length() > 200 ? raw.substring(0, 200) + "..." : raw;
  }

  /** A non-2xx answer. */
  public static final class HttpStatusException extends RuntimeException {
    private final int status;
    private final long retryAfterMs;

    public HttpStatusException(String url, int status, long retryAfterMs, String message) {
      super("HTTP " + status + " from " + url + ": " + message);
      this.status = status;
      this.retryAfterMs = retryAfterMs;
    }

    public int status() {
      return status;
    }

    /** From the Retry-After header, -1 if none. */
    public long retryAfterMs() {
      return retryAfterMs;
    }

    public boolean retryable() {
      return status == 429 || status >= 500;
    }
  }
}
