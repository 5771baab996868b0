package verticles.vectorsearch.vikingdb;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.SigV4;
import verticles.vectorsearch.Deadline;

/**
 * Signed, blocking JSON POSTs to VikingDB's data plane, retried while they may heal by themselves.
 *
 * <p>A reply is good when HTTP is 200 and the body's {@code code} is 0. Throttling (1000029, HTTP 429), internal
 * errors (1000028), 5xx and requests that got no answer are retried with exponential backoff and jitter, at most
 * {@code max_retries} times; anything else fails at once with a {@link VikingDbException} naming the code.
 *
 * <p>Every call honours the caller's {@link Deadline}: nothing is sent once it has passed, each request waits at most
 * until it, and no backoff sleeps past it. So when the circuit breaker around an index call times out, the index
 * thread stops too, instead of retrying for a caller that is gone.
 *
 * <p>Requests are signed with Volcengine's HMAC-SHA256 signature ({@link SigV4.Flavor#VOLCENGINE}), service
 * {@code air}, headers Content-Type, Host, X-Content-Sha256 and X-Date signed.
 */
final class VikingDbClient {
  private static final Logger log = LoggerFactory.getLogger(VikingDbClient.class);
  static final String SERVICE = "air";
  static final long MAX_BACKOFF_MS = 5_000;
  static final long CODE_INTERNAL = 1000028;
  static final long CODE_THROTTLED = 1000029;

  private final URI base;
  private final String hostHeader;
  private final long timeoutMs;
  private final int maxRetries;
  private final long backoffMs;
  private final SigV4 signer;
  private final HttpClient http;

  /** @param config {@code index.vikingdb}: host, scheme, region, keys, timeout_ms, max_retries, backoff_ms */
  VikingDbClient(JsonObject config) {
    String scheme = config.getString("scheme", "https").toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("index.vikingdb.scheme must be http or https: " + scheme);
    }
    URI uri = URI.create(scheme + "://" + VikingDbMemoryIndex.required(config, "host"));
    if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
      throw new IllegalArgumentException("index.vikingdb.host must be host[:port]: " + config.getString("host"));
    }
    int defaultPort = scheme.equals("https") ? 443 : 80;
    boolean explicitPort = uri.getPort() >= 0 && uri.getPort() != defaultPort;
    // Host is signed, so it must be exactly what the HTTP client sends: the port only when it is not the default.
    this.hostHeader = explicitPort ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    this.base = URI.create(scheme + "://" + hostHeader);
    this.timeoutMs = config.getLong("timeout_ms", 2_000L);
    this.maxRetries = config.getInteger("max_retries", 3);
    this.backoffMs = config.getLong("backoff_ms", 100L);
    if (timeoutMs <= 0 || maxRetries < 0 || backoffMs < 0) {
      throw new IllegalArgumentException("index.vikingdb: timeout_ms must be > 0, max_retries and backoff_ms >= 0");
    }
    this.signer = new SigV4(VikingDbMemoryIndex.required(config, "access_key"),
        VikingDbMemoryIndex.required(config, "secret_key"), config.getString("region", "cn-beijing"), SERVICE,
        SigV4.Flavor.VOLCENGINE);
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofMillis(timeoutMs))
        .build();
  }

  URI base() {
    return base;
  }

  /** POSTs a signed request; retries what may heal by itself, within the deadline. Returns a code-0 reply. */
  JsonObject call(String path, JsonObject body) {
    byte[] payload = body.encode().getBytes(StandardCharsets.UTF_8);
    Deadline deadline = Deadline.current();
    for (int attempt = 0; ; attempt++) {
      long left = deadline.remainingMs();
      if (left == 0) {
        throw new VikingDbException(path, 0, 0, "not sent: the caller's deadline had passed", null, false, null);
      }
      try {
        return send(path, payload, Math.min(timeoutMs, left));
      } catch (VikingDbException e) {
        if (!e.retryable()) {
          throw e;
        }
        if (attempt >= maxRetries) {
          throw e.gaveUp(attempt + 1);
        }
        long delay = delayMs(attempt);
        if (delay >= deadline.remainingMs()) {
          throw e.abandoned(attempt + 1);
        }
        log.warn("{} (attempt {} of {}, retrying in {} ms)", e.getMessage(), attempt + 1, maxRetries + 1, delay);
        try {
          Thread.sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new VikingDbException(path, 0, 0, "interrupted while waiting to retry", null, false, ie);
        }
      }
    }
  }

  private JsonObject send(String path, byte[] payload, long waitMs) {
    String xDate = SigV4.AMZ_DATE.format(Instant.now());
    String payloadHash = SigV4.sha256Hex(payload);
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("Content-Type", "application/json");
    signed.put("Host", hostHeader);
    signed.put("X-Content-Sha256", payloadHash);
    signed.put("X-Date", xDate);
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofMillis(waitMs))
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
        .header("Accept", "application/json")
        .header("Authorization", signer.authorization("POST", path, "", signed, payloadHash, xDate));
    // Host is set by the client itself (a restricted header), to the same value as signed
    signed.forEach((name, value) -> {
      if (!name.equals("Host")) {
        request.header(name, value);
      }
    });

    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new VikingDbException(path, 0, 0, "no response: " + e, null, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VikingDbException(path, 0, 0, "interrupted", null, false, e);
    }

    JsonObject reply = null;
    try {
      String text = response.body();
      reply = text == null || text.isBlank() ? null : new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      // not JSON (a proxy's error page, say): judged by the HTTP status below
    }
    int status = response.statusCode();
    long code = reply != null && reply.getValue("code") instanceof Number n ? n.longValue() : -1;
    if (status == 200 && code == 0) {
      return reply;
    }
    String message = reply == null ? abbreviate(response.body())
        : reply.getString("message", reply.getString("msg", ""));
    String requestId = reply == null ? null : reply.getString("request_id");
    boolean retryable = status >= 500 || status == 429 || code == CODE_THROTTLED || code == CODE_INTERNAL;
    throw new VikingDbException(path, status, code, message, requestId, retryable, null);
  }

  /** Exponential backoff with "equal jitter": at least half the step, so clients that failed together spread out. */
  private long delayMs(int attempt) {
    long ceiling = Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(attempt, 20));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
