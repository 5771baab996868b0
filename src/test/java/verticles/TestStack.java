package verticles;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import verticles.app.Config;
import verticles.app.Engram;
import verticles.gateway.ApiKeys;
import verticles.structured.Mysql;

/**
 * The real embedded stack (MariaDB, Kafka, Lucene, ONNX model, local object store), started once per test JVM and
 * shared by every integration test. Tests isolate themselves by using fresh user ids.
 */
public final class TestStack {
  private static Engram engram;
  private static WebClient client;
  private static Pool sql;

  private TestStack() {}

  /** The test keys: tenant {@code default} (memory and admin), another tenant, and a key without write scope. */
  public static final String API_KEY = "test-key-default";
  public static final String API_KEY_B = "test-key-tenant-b";
  public static final String API_KEY_READ_ONLY = "test-key-read-only";
  public static final String API_KEY_LIMITED = "test-key-limited";
  public static final String JWT_SECRET = "test-jwt-secret-for-the-websocket-only-0123456789";

  static JsonObject key(String name, String tenant, String key, String... scopes) {
    return new JsonObject().put("name", name).put("tenant", tenant).put("sha256", ApiKeys.sha256(key))
        .put("scopes", new JsonArray(java.util.List.of((Object[]) scopes)));
  }

  /** The id under which the stores keep a user of the test key's tenant. */
  public static String internal(String user) {
    return "default:" + user;
  }

  /** A client of the node that sends the test key with every request. */
  public static WebClient client(Vertx vertx, int port, String apiKey) {
    return WebClientSession.create(WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(port).setIdleTimeout(30).setIdleTimeoutUnit(TimeUnit.SECONDS)))
        .addHeader("Authorization", "Bearer " + apiKey);
  }

  /** Test settings: quick retries and sweeps so recovery paths finish in seconds. */
  public static JsonObject testConfig(Path data) {
    JsonObject cfg = Config.defaults();
    cfg.put("data_dir", data.toString());
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    cfg.getJsonObject("http").put("header_timeout_ms", 3000); // GatewayHardeningTest awaits the close of idle sockets
    cfg.getJsonObject("instances").put("gateway", 1).put("extractor", 2);
    cfg.getJsonObject("kafka").put("partitions", 4);
    cfg.getJsonObject("extractor").put("retry_backoff_ms", 200);
    cfg.getJsonObject("outbox").put("republish_interval_ms", 300).put("republish_after_ms", 1000);
    cfg.getJsonObject("sessions").put("message_threshold", 5).put("idle_timeout_s", 2).put("sweep_interval_s", 1);
    cfg.put("breakers", new JsonObject().put("max_failures", 3).put("reset_timeout_ms", 1000));
    cfg.getJsonObject("auth").put("keys", new JsonArray()
        .add(key("test", "default", API_KEY, "memory", "admin", "operator"))
        .add(key("tenant-b", "tenant-b", API_KEY_B, "memory"))
        .add(key("reader", "default", API_KEY_READ_ONLY, "read"))
        .add(key("limited", "default", API_KEY_LIMITED, "memory").put("rate_limit_per_s", 0.5).put("rate_limit_burst", 2)))
        .put("rate_limit_per_s", 100_000) // the suite's own traffic is never limited
        .put("jwt", new JsonObject().put("algorithm", "HS256").put("secret", JWT_SECRET).put("issuer", "")
            .put("tenant_claim", "tenant"));
    cfg.getJsonObject("metrics").put("backlog_interval_ms", 300);
    cfg.put("index_sync", new JsonObject().put("sweep_interval_ms", 300).put("grace_ms", 1000));
    // no periodic forgetting sweep on the shared stack (tests ask for sweeps of their own users); a short minimum age
    // lets a test's sweep, judged days ahead, reach memories made now; a small quota (2,400 bytes before old messages
    // are consolidated) that a test's user of a dozen messages passes; accesses flushed quickly
    cfg.getJsonObject("compression").put("enabled", false).put("min_age", "2d").put("user_quota_bytes", 3000)
        .put("access_flush_ms", 200);
    return cfg;
  }

  private static Path scratchRoot;

  /**
   * A fresh directory under this test JVM's one scratch root, which is deleted when the JVM exits (after the shared
   * node stops): an embedded stack leaves half a gigabyte behind otherwise, on every run.
   */
  public static synchronized Path scratch(String prefix) throws java.io.IOException {
    if (scratchRoot == null) {
      scratchRoot = Files.createTempDirectory("engram-tests-");
      Path root = scratchRoot;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        synchronized (TestStack.class) {
          if (engram != null) {
            engram.close();
          }
        }
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
          // best effort: a temp directory left behind is not a test failure
        }
      }, "engram-test-cleanup"));
    }
    return Files.createTempDirectory(scratchRoot, prefix);
  }

  public static synchronized Engram engram() {
    if (engram == null) {
      try {
        Path data = scratch("engram-test-");
        engram = Engram.start(testConfig(data));
      } catch (Exception e) {
        throw new IllegalStateException("embedded stack did not start", e);
      }
    }
    return engram;
  }

  public static Vertx vertx() {
    return engram().vertx();
  }

  public static synchronized WebClient http() {
    if (client == null) {
      client = client(vertx(), engram().port(), API_KEY);
    }
    return client;
  }

  /** Direct SQL, for assertions on what the service stored. */
  public static synchronized Pool sql() {
    if (sql == null) {
      sql = Mysql.pool(vertx(), engram().config().getJsonObject("mysql"));
    }
    return sql;
  }

  public static Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
    return http().post(path).sendJsonObject(body);
  }

  public static Future<HttpResponse<Buffer>> get(String path) {
    return http().get(path).send();
  }

  public static Future<HttpResponse<Buffer>> delete(String path) {
    return http().delete(path).send();
  }

  /** Polls {@code probe} every 100 ms until it yields a value {@code done} accepts, or fails after the timeout. */
  public static <T> Future<T> until(java.util.function.Supplier<Future<T>> probe, Predicate<T> done, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return poll(probe, done, deadline);
  }

  private static <T> Future<T> poll(java.util.function.Supplier<Future<T>> probe, Predicate<T> done, long deadline) {
    return probe.get().transform(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        return Future.succeededFuture(ar.result());
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("condition not met in time; last: "
            + (ar.succeeded() ? ar.result() : ar.cause())));
      }
      return vertx().timer(100).compose(x -> poll(probe, done, deadline));
    });
  }

  /** Waits until the task reaches {@code status} (completed / failed). */
  public static Future<JsonObject> awaitTask(String taskId, String status) {
    return until(() -> get("/v1/tasks/" + taskId).map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject() : null),
        t -> t != null && status.equals(t.getString("status")), 60_000);
  }
}
