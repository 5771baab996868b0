package verticles.extractor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for an OpenAI-compatible API: {@code POST /v1/chat/completions} and {@code POST /v1/embeddings}.
 *
 * <p>It checks the bearer key (401 with OpenAI's error body) and the request shape (400), records every request,
 * and answers each call with the next scripted {@link Behaviour}, or the fallback once the script is used up.
 */
public final class FakeOpenAiServer {
  public static final String API_KEY = "sk-test-key";

  /**
   * One answer satisfying all three extraction prompts at once, so the parallel calls can arrive in any order.
   * Contains Chinese and emoji on purpose.
   */
  public static final String GOOD_ANSWER = new JsonObject()
      .put("summary", "用户说下周三是自己的生日🎂，想和朋友去吃火锅")
      .put("topics", new JsonArray().add("生日").add("火锅🍲"))
      .put("emotion", "positive")
      .put("profiles", new JsonArray()
          .add(new JsonObject().put("type", "basic_info").put("key", "birthday").put("value", "03-15")
              .put("confidence", 0.9).put("source_msg_id", "m1"))
          .add(new JsonObject().put("type", "preference").put("key", "favorite_food").put("value", "火锅🍲")
              .put("confidence", 0.8).put("source_msg_id", "m3")))
      .put("events", new JsonArray()
          .add(new JsonObject().put("type", "birthday").put("title", "用户生日🎂").put("summary", "用户说自己的生日是3月15日")
              .put("date", "03-15").put("emotion", "excited").put("importance", 8)
              .put("source_msg_ids", new JsonArray().add("m1"))))
      .encodePrettily();

  /** How to answer one call. */
  @FunctionalInterface
  public interface Behaviour {
    void respond(HttpServerRequest request, JsonObject body);
  }

  /** A recorded call. */
  public record Call(String path, String authorization, JsonObject body) {
    /** The content of the first message with this role, or null. */
    public String message(String role) {
      JsonArray messages = body.getJsonArray("messages", new JsonArray());
      for (int i = 0; i < messages.size(); i++) {
        if (role.equals(messages.getJsonObject(i).getString("role"))) {
          return messages.getJsonObject(i).getString("content");
        }
      }
      return null;
    }
  }

  private final Queue<Behaviour> script = new ConcurrentLinkedQueue<>();
  private volatile Behaviour fallback = good();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicInteger abandoned = new AtomicInteger();
  private volatile int dimension = 8;
  private HttpServer server;

  public static Future<FakeOpenAiServer> start(Vertx vertx) {
    FakeOpenAiServer fake = new FakeOpenAiServer();
    return vertx.createHttpServer()
        .requestHandler(fake::handle)
        .listen(0, "127.0.0.1")
        .map(s -> {
          fake.server = s;
          return fake;
        });
  }

  public Future<Void> close() {
    return server.close();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  /** Answer the next calls with these behaviours, in order. */
  public FakeOpenAiServer then(Behaviour... behaviours) {
    script.addAll(List.of(behaviours));
    return this;
  }

  /** Answer every call after the script with this. */
  public FakeOpenAiServer otherwise(Behaviour behaviour) {
    this.fallback = behaviour;
    return this;
  }

  /** Size of the vectors {@link #good()} returns from the embeddings endpoint. */
  public FakeOpenAiServer dimension(int dimension) {
    this.dimension = dimension;
    return this;
  }

  public int calls() {
    return count.get();
  }

  public List<Call> recorded() {
    return List.copyOf(calls);
  }

  // ---- behaviours ----

  /** Chat: {@link #GOOD_ANSWER}. Embeddings: {@link #vector} per input, listed in reverse to test index ordering. */
  public Behaviour good() {
    return (request, body) -> {
      if (request.path().endsWith("/embeddings")) {
        JsonArray input = body.getJsonArray("input");
        JsonArray data = new JsonArray();
        for (int i = input.size() - 1; i >= 0; i--) {
          data.add(new JsonObject().put("object", "embedding").put("index", i)
              .put("embedding", toJson(vector(input.getString(i), dimension))));
        }
        json(request.response(), 200, new JsonObject().put("object", "list").put("data", data)
            .put("model", body.getString("model")).put("usage", new JsonObject().put("prompt_tokens", 1)));
      } else {
        reply(GOOD_ANSWER).respond(request, body);
      }
    };
  }

  /** A chat completion whose assistant content is exactly {@code content}. */
  public static Behaviour reply(String content) {
    return (request, body) -> json(request.response(), 200, new JsonObject()
        .put("id", "chatcmpl-fake")
        .put("object", "chat.completion")
        .put("created", 1_700_000_000L)
        .put("model", body.getString("model"))
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", content))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 10).put("completion_tokens", 10).put("total_tokens", 20)));
  }

  public static Behaviour rateLimited(int retryAfterSeconds) {
    return (request, body) -> {
      request.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
      error(request.response(), 429, "Rate limit reached for requests", "requests", "rate_limit_exceeded");
    };
  }

  public static Behaviour serverError() {
    return (request, body) -> error(request.response(), 500, "The server had an error while processing your request.",
        "server_error", null);
  }

  /** Answers as {@link #good()} does, but only after {@code ms}: a model that takes its time. */
  public Behaviour slow(long ms) {
    Behaviour good = good();
    return (request, body) -> io.vertx.core.Vertx.currentContext().owner().setTimer(ms,
        id -> good.respond(request, body));
  }

  /** Never answers: the client's timeout has to fire. */
  public static Behaviour hang() {
    return (request, body) -> { };
  }

  /**
   * Starts a 200 answer and sends a space every 50 ms, never finishing: a server that is alive but never done. An idle
   * timeout never fires on it; only a deadline ends it. Each connection so ended is counted in {@link #abandoned}.
   */
  public Behaviour trickle() {
    return (request, body) -> {
      Vertx vertx = Vertx.currentContext().owner();
      HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "application/json");
      long timer = vertx.setPeriodic(50, id -> response.write(" "));
      request.connection().closeHandler(v -> {
        vertx.cancelTimer(timer);
        abandoned.incrementAndGet();
      });
    };
  }

  /** Connections of {@link #trickle} calls that the client closed. */
  public int abandoned() {
    return abandoned.get();
  }

  public static Behaviour unauthorized() {
    return (request, body) -> invalidKey(request.response());
  }

  // ---- protocol ----

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      count.incrementAndGet();
      JsonObject body;
      try {
        body = buffer.toJsonObject();
      } catch (DecodeException | ClassCastException e) {
        error(request.response(), 400, "We could not parse the JSON body of your request.", "invalid_request_error",
            null);
        return;
      }
      calls.add(new Call(request.path(), request.getHeader("Authorization"), body));
      boolean chat = request.path().equals("/v1/chat/completions");
      boolean embeddings = request.path().equals("/v1/embeddings");
      if (!"POST".equals(request.method().name()) || !(chat || embeddings)) {
        error(request.response(), 404, "Unknown request URL: " + request.path(), "invalid_request_error",
            "unknown_url");
        return;
      }
      if (!("Bearer " + API_KEY).equals(request.getHeader("Authorization"))) {
        invalidKey(request.response());
        return;
      }
      String missing = body.getString("model") == null ? "model"
          : chat && !(body.getValue("messages") instanceof JsonArray) ? "messages"
          : embeddings && body.getValue("input") == null ? "input" : null;
      if (missing != null) {
        error(request.response(), 400, "you must provide a " + missing + " parameter", "invalid_request_error", null);
        return;
      }
      Behaviour next = script.poll();
      (next != null ? next : fallback).respond(request, body);
    });
  }

  /** Deterministic fake embedding of a text. */
  public static float[] vector(String text, int dimension) {
    float[] v = new float[dimension];
    int h = text.hashCode();
    for (int i = 0; i < dimension; i++) {
      v[i] = ((h >>> (i % 32)) & 0xff) / 255f + i;
    }
    return v;
  }

  private static JsonArray toJson(float[] v) {
    JsonArray a = new JsonArray();
    for (float f : v) {
      a.add(f);
    }
    return a;
  }

  private static void invalidKey(HttpServerResponse response) {
    error(response, 401, "Incorrect API key provided: sk-****. You can find your API key at "
        + "https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key");
  }

  private static void error(HttpServerResponse response, int status, String message, String type, String code) {
    json(response, status, new JsonObject().put("error", new JsonObject()
        .put("message", message).put("type", type).putNull("param").put("code", code)));
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
