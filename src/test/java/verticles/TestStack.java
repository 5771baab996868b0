package verticles;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import verticles.app.Config;
import verticles.app.Engram;
import verticles.stores.Mysql;

/**
 * The real embedded stack (MariaDB, Kafka, Lucene, ONNX model, local object store), started once per test JVM and
 * shared by every integration test. Tests isolate themselves by using fresh user ids.
 */
public final class TestStack {
  private static Engram engram;
  private static WebClient client;
  private static Pool sql;

  private TestStack() {}

  /** Test settings: quick retries and sweeps so recovery paths finish in seconds. */
  public static JsonObject testConfig(Path data) {
    JsonObject cfg = Config.defaults();
    cfg.put("data_dir", data.toString());
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    cfg.getJsonObject("instances").put("gateway", 1).put("extractor", 2);
    cfg.getJsonObject("kafka").put("partitions", 4);
    cfg.getJsonObject("extractor").put("retry_backoff_ms", 200);
    cfg.getJsonObject("outbox").put("republish_interval_ms", 300).put("republish_after_ms", 1000);
    cfg.getJsonObject("sessions").put("message_threshold", 5).put("idle_timeout_s", 2).put("sweep_interval_s", 1);
    cfg.put("breakers", new JsonObject().put("max_failures", 3).put("reset_timeout_ms", 1000));
    return cfg;
  }

  public static synchronized Engram engram() {
    if (engram == null) {
      try {
        Path data = Files.createTempDirectory("engram-test-");
        engram = Engram.start(testConfig(data));
        Runtime.getRuntime().addShutdownHook(new Thread(engram::close, "engram-test-stop"));
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
      client = WebClient.create(vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(engram().port()).setIdleTimeout(30).setIdleTimeoutUnit(TimeUnit.SECONDS));
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
