package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.Map;
import verticles.app.Engram;

/**
 * The service a quality benchmark talks to over HTTP: a fresh embedded node of its own, or with {@code --url} a
 * running one (whose key comes from {@code --api-key} or {@code ENGRAM_API_KEY}); and the session calls both
 * benchmarks make.
 */
final class BenchTarget implements AutoCloseable {
  /** The bench's own node, or null against {@code --url}. */
  final Engram engram;
  final Vertx vertx;
  final WebClient http;

  private BenchTarget(Engram engram, Vertx vertx, WebClient http) {
    this.engram = engram;
    this.vertx = vertx;
    this.http = http;
  }

  static BenchTarget open(JsonObject cfg, Map<String, String> opts, String scratchPrefix) throws Exception {
    String url = opts.get("url");
    Engram engram = null;
    Vertx vertx;
    URI base;
    String key;
    if (url == null) {
      key = Bench.ownKey(cfg);
      cfg.put("data_dir", Bench.scratch(scratchPrefix).toString());
      cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
      engram = Engram.start(cfg);
      vertx = engram.vertx();
      base = URI.create("http://127.0.0.1:" + engram.port());
    } else {
      key = opts.getOrDefault("api-key", System.getenv().getOrDefault("ENGRAM_API_KEY", ""));
      if (key.isBlank()) {
        throw new IllegalArgumentException("--url needs the service's API key: --api-key KEY or ENGRAM_API_KEY");
      }
      vertx = Vertx.vertx();
      base = URI.create(url);
    }
    WebClient http = Bench.withKey(WebClient.create(vertx, new WebClientOptions().setDefaultHost(base.getHost())
        .setDefaultPort(base.getPort())), key);
    return new BenchTarget(engram, vertx, http);
  }

  /**
   * A session post; a 503 (a store away for a moment: all of a conversation's sessions are posted at once, and on a
   * busy machine a deadlock among them can outlast the write's own retries) is posted again after a pause, a few
   * times, as a client would; a session post is idempotent by its msg ids.
   */
  static Future<HttpResponse<Buffer>> postSession(Vertx vertx, WebClient http, JsonObject body, int tries) {
    return http.post("/v1/sessions").sendJsonObject(body).compose(r -> {
      if (r.statusCode() != 503 || tries >= 5) {
        return Future.succeededFuture(r);
      }
      Bench.out("POST /v1/sessions answered 503, posted again: " + r.bodyAsString());
      return vertx.timer(500L << tries).compose(x -> postSession(vertx, http, body, tries + 1));
    }).expecting(Bench.replied(202, "POST /v1/sessions"));
  }

  static void awaitCompleted(WebClient http, String taskId) throws Exception {
    long deadline = System.nanoTime() + 10L * 60 * 1_000_000_000L;
    while (true) {
      JsonObject task = Future.await(http.get("/v1/tasks/" + taskId).send()
          .expecting(Bench.replied(200, "GET /v1/tasks/" + taskId))).bodyAsJsonObject();
      String status = task.getString("status");
      if (status.equals("completed")) {
        return;
      }
      if (status.equals("failed") || System.nanoTime() > deadline) {
        throw new IllegalStateException("task " + taskId + " ended " + status + ": " + task.encode());
      }
      Thread.sleep(50); // a CLI polling a public endpoint; nothing to subscribe to over HTTP
    }
  }

  @Override
  public void close() {
    if (engram != null) {
      engram.close();
    } else {
      Future.await(vertx.close());
    }
  }
}
