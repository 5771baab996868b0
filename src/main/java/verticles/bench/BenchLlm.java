package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in LLM for benchmarks: an OpenAI-compatible {@code POST /v1/chat/completions} that answers every prompt
 * with the same extraction after a fixed delay, so a benchmark measures Engram's pipeline around a model of known
 * latency rather than a model. Not for tests of the client (those use the fake with the protocol's errors).
 */
final class BenchLlm {
  static final String API_KEY = "bench";
  private static final String ANSWER = new JsonObject()
      .put("summary", "用户聊了最近的工作和周末计划")
      .put("topics", new JsonArray().add("工作").add("周末"))
      .put("emotion", "neutral")
      .put("profiles", new JsonArray().add(new JsonObject().put("type", "preference").put("key", "hobby")
          .put("value", "爬山").put("confidence", 0.8).put("source_msg_id", "m0")))
      .put("events", new JsonArray().add(new JsonObject().put("type", "plan").put("title", "周末爬山")
          .put("summary", "用户计划周末去爬山").put("date", "").put("emotion", "positive").put("importance", 5)
          .put("source_msg_ids", new JsonArray().add("m0"))))
      .encode();

  private final HttpServer server;
  private final AtomicLong calls = new AtomicLong();

  private BenchLlm(HttpServer server) {
    this.server = server;
  }

  static Future<BenchLlm> start(Vertx vertx, long delayMs) {
    BenchLlm[] self = new BenchLlm[1];
    return vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(body -> {
          self[0].calls.incrementAndGet();
          if (!req.path().endsWith("/chat/completions")) {
            req.response().setStatusCode(404).end(new JsonObject().put("error", new JsonObject()
                .put("message", "Unknown request URL: " + req.path()).put("type", "invalid_request_error")).encode());
            return;
          }
          vertx.setTimer(delayMs, id -> req.response().putHeader("content-type", "application/json")
              .end(new JsonObject().put("id", "chatcmpl-bench").put("object", "chat.completion")
                  .put("model", "bench").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                      .put("message", new JsonObject().put("role", "assistant").put("content", ANSWER))
                      .put("finish_reason", "stop"))).encode()));
        }))
        .listen(0, "127.0.0.1")
        .map(s -> self[0] = new BenchLlm(s));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  long calls() {
    return calls.get();
  }
}
