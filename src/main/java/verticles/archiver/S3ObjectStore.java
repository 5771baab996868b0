package verticles.archiver;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Breakers;
import verticles.shared.HttpExchange;
import verticles.shared.SigV4;

/**
 * Objects in an S3-compatible bucket (AWS S3, MinIO, Volcengine TOS) over the Vert.x WebClient, signed with SigV4.
 *
 * <p>Config: {@code endpoint} (http://127.0.0.1:9000, https://tos-s3-cn-beijing.volces.com), {@code region},
 * {@code bucket}, {@code access_key}, {@code secret_key}, {@code path_style} (default true; TOS only accepts
 * false, i.e. virtual-hosted {@code bucket.endpoint}), {@code timeout_ms} (10000), {@code max_retries} (3),
 * {@code retry_base_ms} (200; backoff doubles per retry, with jitter).
 *
 * <p>5xx, 429, SlowDown, RequestTimeout and connection errors are retried, re-signed each time; other 4xx fail at
 * once with the S3 error code in the message.
 *
 * <p>With a circuit breaker (the node's {@code object-storage} breaker), each attempt runs through it: those failures
 * worth a retry count against it (a missing key or a refused signature do not), its timeout ({@code timeout_ms}, a
 * deadline for the whole exchange) resets the attempt's request, and once it is open the retries stop at once with
 * its {@code OpenCircuitException}, a 503 on the bus.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
  private static final int DELETE_CONCURRENCY = 5;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final CircuitBreaker breaker;
  private final SigV4 signer;
  private final String bucket;
  private final boolean pathStyle;
  private final boolean ssl;
  private final String connectHost;
  private final int port;
  private final String hostHeader;
  private final String endpoint;
  private final long timeoutMs;
  private final int maxRetries;
  private final long retryBaseMs;

  public S3ObjectStore(Vertx vertx, JsonObject config) {
    this(vertx, config, null);
  }

  /** @param breaker guards each request; null for none */
  public S3ObjectStore(Vertx vertx, JsonObject config, CircuitBreaker breaker) {
    this.vertx = vertx;
    this.breaker = breaker == null ? null
        : Breakers.counting(breaker, e -> !(e instanceof S3Exception s3) || s3.retryable());
    this.endpoint = required(config, "endpoint");
    this.bucket = required(config, "bucket");
    String region = config.getString("region", "us-east-1");
    this.pathStyle = config.getBoolean("path_style", true);
    this.timeoutMs = config.getLong("timeout_ms", 10_000L);
    this.maxRetries = Math.max(0, config.getInteger("max_retries", 3));
    this.retryBaseMs = config.getLong("retry_base_ms", 200L);
    this.signer = new SigV4(required(config, "access_key"), required(config, "secret_key"), region, "s3");

    URI uri = URI.create(endpoint);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("S3 endpoint must be http(s)://host[:port]: " + endpoint);
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new IllegalArgumentException("S3 endpoint must not have a path: " + endpoint);
    }
    this.ssl = scheme.equals("https");
    int defaultPort = ssl ? 443 : 80;
    this.port = uri.getPort() < 0 ? defaultPort : uri.getPort();
    this.connectHost = pathStyle ? uri.getHost() : bucket + "." + uri.getHost();
    // the Host header is signed, so it is set explicitly rather than left to the client
    this.hostHeader = port == defaultPort ? connectHost : connectHost + ":" + port;
    if (pathStyle && uri.getHost().matches(".*\\.(volces|bytepluses|ibytepluses)\\.com$")) {
      log.warn("S3 endpoint {} looks like Volcengine TOS, which rejects path-style requests: set path_style=false",
          endpoint);
    }

    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
  }

  @Override
  public Future<Void> put(String key, Buffer data, String contentType) {
    return checked(() -> ObjectStore.checkKey(key))
        .compose(k -> execute(new Call(HttpMethod.PUT, k, Map.of(), data,
            contentType == null ? "application/octet-stream" : contentType)))
        .mapEmpty();
  }

  /**
   * Read once and sent as one PUT: the exporter holds no more than a page, this holds the file while it uploads (a
   * multipart upload would stream it; exports are tens of megabytes at most).
   */
  @Override
  public Future<Void> putFile(String key, java.nio.file.Path file, String contentType) {
    return vertx.fileSystem().readFile(file.toString()).compose(data -> put(key, data, contentType));
  }

  @Override
  public Future<Buffer> get(String key) {
    return checked(() -> ObjectStore.checkKey(key))
        .compose(k -> execute(new Call(HttpMethod.GET, k, Map.of(), null, null)))
        .map(resp -> resp.body() == null ? Buffer.buffer() : resp.body())
        .recover(err -> Future.failedFuture(isMissingKey(err) ? new NotFound(key) : err));
  }

  @Override
  public Future<Boolean> exists(String key) {
    return checked(() -> ObjectStore.checkKey(key))
        .compose(k -> execute(new Call(HttpMethod.HEAD, k, Map.of(), null, null)))
        .map(resp -> true)
        .recover(err -> isMissingKey(err) ? Future.succeededFuture(false) : Future.failedFuture(err));
  }

  @Override
  public Future<List<String>> list(String prefix) {
    return entries(prefix).map(entries -> entries.stream().map(Entry::key).collect(Collectors.toList()));
  }

  @Override
  public Future<List<Entry>> entries(String prefix) {
    return checked(() -> ObjectStore.checkPrefix(prefix))
        .compose(p -> listPage(p, null, new ArrayList<>()))
        .map(entries -> {
          // S3 sorts by UTF-8 bytes; use the same String order as the local store
          entries.sort(Comparator.comparing(Entry::key));
          return entries;
        });
  }

  @Override
  public Future<Integer> deletePrefix(String prefix) {
    return checked(() -> {
      if (ObjectStore.checkPrefix(prefix).isEmpty()) {
        throw new IllegalArgumentException("deletePrefix needs a non-empty prefix");
      }
      return prefix;
    })
        .compose(this::list)
        .compose(keys -> deleteFrom(keys, 0).map(v -> {
          log.debug("Deleted {} objects under '{}' in {}", keys.size(), prefix, describe());
          return keys.size();
        }));
  }

  @Override
  public String describe() {
    return "s3:" + endpoint + "/" + bucket + (pathStyle ? " (path-style)" : " (virtual-hosted)");
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }

  /** An S3 error response, or a request that never got one (status 0). */
  public static final class S3Exception extends RuntimeException {
    private final int status;
    private final String code;

    S3Exception(int status, String code, String message, Throwable cause) {
      super(message, cause);
      this.status = status;
      this.code = code;
    }

    /** HTTP status, 0 when there was no response (connection refused, timeout). */
    public int status() {
      return status;
    }

    /** The S3 error code (NoSuchKey, SignatureDoesNotMatch, SlowDown, ...), null when the body had none. */
    public String code() {
      return code;
    }

    boolean retryable() {
      return status == 0 || status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code);
    }
  }

  private record Call(HttpMethod method, String key, Map<String, String> query, Buffer body, String contentType) {
    String describe() {
      return method + " " + (key == null ? "?" + query : key);
    }
  }

  // ---- ListObjectsV2 and DELETE ----

  private Future<List<Entry>> listPage(String prefix, String token, List<Entry> acc) {
    Map<String, String> query = new TreeMap<>();
    query.put("list-type", "2");
    if (!prefix.isEmpty()) {
      query.put("prefix", prefix);
    }
    if (token != null) {
      query.put("continuation-token", token);
    }
    return execute(new Call(HttpMethod.GET, null, query, null, null)).compose(resp -> {
      S3Xml.Page page = S3Xml.listPage(resp.body());
      acc.addAll(page.entries());
      if (!page.truncated()) {
        return Future.succeededFuture(acc);
      }
      if (page.next() == null || page.next().isEmpty()) {
        return Future.failedFuture(new S3Exception(200, null, "S3 list is truncated but has no continuation token", null));
      }
      return listPage(prefix, page.next(), acc);
    });
  }

  /** Deletes keys[from..] a few at a time: one request per key, bounded so a big user does not flood the pool. */
  private Future<Void> deleteFrom(List<String> keys, int from) {
    if (from >= keys.size()) {
      return Future.succeededFuture();
    }
    List<Future<?>> batch = new ArrayList<>();
    int to = Math.min(keys.size(), from + DELETE_CONCURRENCY);
    for (String key : keys.subList(from, to)) {
      batch.add(execute(new Call(HttpMethod.DELETE, key, Map.of(), null, null)));
    }
    return Future.all(batch).compose(done -> deleteFrom(keys, to));
  }

  // ---- signing, sending, retrying ----

  private Future<HttpExchange.Reply> execute(Call call) {
    return attempt(call, 0);
  }

  private Future<HttpExchange.Reply> attempt(Call call, int retry) {
    return Breakers.execute(breaker, abandoned -> once(call, abandoned))
        .recover(failure -> {
          Throwable err = failure instanceof io.vertx.circuitbreaker.TimeoutException
              ? new S3Exception(0, null, "S3 " + call.describe() + " got no answer before the breaker's deadline",
                  failure) // retried like any request that got no answer
              : failure;
          if (!(err instanceof S3Exception e) || !e.retryable()) {
            return Future.failedFuture(err); // an open breaker's refusal ends the retries here
          }
          if (retry >= maxRetries) {
            return Future.failedFuture(new S3Exception(e.status(), e.code(),
                e.getMessage() + " (gave up after " + (retry + 1) + " attempts)", e.getCause()));
          }
          long delay = backoffMs(retry);
          log.warn("{} (retry {}/{} in {} ms)", err.getMessage(), retry + 1, maxRetries, delay);
          return vertx.timer(delay).compose(v -> attempt(call, retry + 1));
        });
  }

  /** One exchange: a 2xx answer, or an S3Exception (status 0 when no answer came). */
  private Future<HttpExchange.Reply> once(Call call, Future<Void> abandoned) {
    return sendOnce(call, abandoned)
        .recover(err -> Future.failedFuture(new S3Exception(0, null,
            "S3 " + call.describe() + " got no response: " + err, err)))
        .compose(resp -> resp.status() / 100 == 2
            ? Future.succeededFuture(resp)
            : Future.failedFuture(errorOf(call, resp)));
  }

  private Future<HttpExchange.Reply> sendOnce(Call call, Future<Void> abandoned) {
    String path = pathStyle ? "/" + bucket : "";
    path += call.key() == null ? (pathStyle ? "" : "/") : "/" + SigV4.encodePath(call.key());
    String query = SigV4.canonicalQuery(call.query());
    Buffer body = call.body() == null ? Buffer.buffer() : call.body();
    String payloadHash = SigV4.sha256Hex(body.getBytes());
    String amzDate = SigV4.AMZ_DATE.format(Instant.now());

    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("host", hostHeader);
    headers.put("x-amz-content-sha256", payloadHash);
    headers.put("x-amz-date", amzDate);
    if (call.contentType() != null) {
      headers.put("content-type", call.contentType());
    }
    String authorization = signer.authorization(call.method().name(), path, query, headers, payloadHash, amzDate);

    // the URI is sent exactly as signed: no query params added through the client, which would re-encode them
    RequestOptions request = new RequestOptions().setMethod(call.method()).setHost(connectHost).setPort(port)
        .setURI(query.isEmpty() ? path : path + "?" + query).setSsl(ssl).setTimeout(timeoutMs)
        .setFollowRedirects(false);
    headers.forEach(request::putHeader);
    request.putHeader("authorization", authorization);
    return HttpExchange.send(client, request, call.body(), abandoned);
  }

  private S3Exception errorOf(Call call, HttpExchange.Reply resp) {
    S3Xml.ErrorBody error = S3Xml.error(resp.body());
    StringBuilder text = new StringBuilder("S3 ").append(call.describe()).append(" failed: HTTP ")
        .append(resp.status());
    if (error.code() != null) {
      text.append(' ').append(error.code());
    }
    if (error.message() != null) {
      text.append(": ").append(error.message());
    }
    return new S3Exception(resp.status(), error.code(), text.toString(), null);
  }

  private long backoffMs(int retry) {
    long ceiling = Math.min(MAX_BACKOFF_MS, retryBaseMs << Math.min(retry, 20));
    // "equal jitter": at least half the step, so clients that failed together do not retry together
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  /** 404 with NoSuchKey, or a bodiless 404 (HEAD). Not NoSuchBucket: that is a configuration error. */
  private static boolean isMissingKey(Throwable err) {
    return err instanceof S3Exception e && e.status() == 404 && (e.code() == null || "NoSuchKey".equals(e.code()));
  }

  // ---- helpers ----

  private static <T> Future<T> checked(java.util.function.Supplier<T> validation) {
    try {
      return Future.succeededFuture(validation.get());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  private static String required(JsonObject config, String name) {
    String value = config.getString(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("S3 object store config needs '" + name + "'");
    }
    return value;
  }
}
