package verticles.vectorsearch.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.extractor.FakeOpenAiServer;
import verticles.shared.HttpRetry;

@ExtendWith(VertxExtension.class)
@DisplayName("OpenAiEmbedder")
class OpenAiEmbedderTest {
  private static final int DIM = 8;

  private FakeOpenAiServer fake;

  @BeforeEach
  void startFake(Vertx vertx, VertxTestContext ctx) {
    FakeOpenAiServer.start(vertx).onComplete(ctx.succeeding(f -> {
      fake = f.dimension(DIM);
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopFake(VertxTestContext ctx) {
    fake.close().onComplete(ctx.succeedingThenComplete());
  }

  /** A generous timeout; the hang test lowers it once the client is warm. */
  private JsonObject config() {
    return new JsonObject()
        .put("base_url", fake.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY)
        .put("model", "text-embedding-test")
        .put("dimension", DIM)
        .put("timeout_ms", 5_000)
        .put("max_retries", 3)
        .put("backoff_ms", 10);
  }

  private static void assertVectors(List<String> texts, List<float[]> vectors) {
    assertEquals(texts.size(), vectors.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i).isBlank() ? " " : texts.get(i);
      assertArrayEquals(FakeOpenAiServer.vector(text, DIM), vectors.get(i), "vector " + i);
    }
  }

  @Test
  @DisplayName("vectors come back in input order even when the server lists them out of order")
  void orderedByIndex(Vertx vertx, VertxTestContext ctx) {
    List<String> texts = List.of("first", "second", "third");
    OpenAiEmbedder embedder = new OpenAiEmbedder(vertx, config());
    embedder.embed(texts).onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
      assertVectors(texts, vectors);
      assertEquals(1, fake.calls());
      FakeOpenAiServer.Call call = fake.recorded().get(0);
      assertEquals("/v1/embeddings", call.path());
      assertEquals("Bearer " + FakeOpenAiServer.API_KEY, call.authorization());
      assertEquals(new JsonObject().put("model", "text-embedding-test").put("input", new JsonArray(texts)), call.body());
      assertEquals(DIM, embedder.dimension());
      assertEquals("openai:text-embedding-test", embedder.name());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("inputs larger than batch_size are split into several requests, results still in order")
  void batches(Vertx vertx, VertxTestContext ctx) {
    List<String> texts = List.of("a", "b", "c", "d", "e");
    new OpenAiEmbedder(vertx, config().put("batch_size", 2)).embed(texts)
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          assertVectors(texts, vectors);
          assertEquals(3, fake.calls());
          assertEquals(List.of(2, 2, 1),
              fake.recorded().stream().map(c -> c.body().getJsonArray("input").size()).toList());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Chinese, emoji and blank texts round-trip")
  void chineseAndEmoji(Vertx vertx, VertxTestContext ctx) {
    List<String> texts = List.of("我最喜欢吃火锅🍲", "生日快乐🎂🎉", "");
    new OpenAiEmbedder(vertx, config()).embed(texts).onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
      assertVectors(texts, vectors);
      assertEquals(new JsonArray().add("我最喜欢吃火锅🍲").add("生日快乐🎂🎉").add(" "),
          fake.recorded().get(0).body().getJsonArray("input"));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("an empty input needs no request")
  void emptyInput(Vertx vertx, VertxTestContext ctx) {
    new OpenAiEmbedder(vertx, config()).embed(List.of()).onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
      assertTrue(vectors.isEmpty());
      assertEquals(0, fake.calls());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("vectors of the wrong dimension are rejected, not retried")
  void wrongDimension(Vertx vertx, VertxTestContext ctx) {
    fake.dimension(DIM + 1);
    new OpenAiEmbedder(vertx, config()).embed(List.of("x")).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertInstanceOf(IllegalStateException.class, err);
      assertTrue(err.getMessage().contains("dimension"), err.getMessage());
      assertEquals(1, fake.calls());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("a 500 is retried once and the retry's vectors are used")
  void serverErrorThenSuccess(Vertx vertx, VertxTestContext ctx) {
    fake.then(FakeOpenAiServer.serverError());
    new OpenAiEmbedder(vertx, config()).embed(List.of("x")).onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
      assertVectors(List.of("x"), vectors);
      assertEquals(2, fake.calls());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("a 429 with Retry-After is waited out and retried once")
  void rateLimitedThenSuccess(Vertx vertx, VertxTestContext ctx) {
    fake.then(FakeOpenAiServer.rateLimited(1));
    new OpenAiEmbedder(vertx, config()).embed(List.of("x")).onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
      assertVectors(List.of("x"), vectors);
      assertEquals(2, fake.calls());
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("500 forever fails after 1 + max_retries requests")
  void serverErrorForever(Vertx vertx, VertxTestContext ctx) {
    fake.otherwise(FakeOpenAiServer.serverError());
    new OpenAiEmbedder(vertx, config().put("max_retries", 2)).embed(List.of("x"))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertEquals(500, assertInstanceOf(HttpRetry.HttpStatusException.class, err).status());
          assertEquals(3, fake.calls());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a wrong API key gets a 401 that is not retried")
  void wrongKey(Vertx vertx, VertxTestContext ctx) {
    new OpenAiEmbedder(vertx, config().put("api_key", "sk-wrong")).embed(List.of("x"))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertEquals(401, assertInstanceOf(HttpRetry.HttpStatusException.class, err).status());
          assertEquals(1, fake.calls());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a request hanging past the timeout is retried")
  void hangThenSuccess(Vertx vertx, VertxTestContext ctx) {
    // Warm up first: a cold JVM's first request can outlast 300 ms and add an unscripted retry.
    OpenAiEmbedder embedder = new OpenAiEmbedder(vertx, config().put("timeout_ms", 300));
    embedder.embed(List.of("warm"))
        .compose(warm -> {
          fake.then(FakeOpenAiServer.hang());
          return embedder.embed(List.of("x"));
        })
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          assertVectors(List.of("x"), vectors);
          assertEquals(1 + 2, fake.calls());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a request the fake server finds incomplete gets a 400 that is not retried")
  void badRequest(Vertx vertx, VertxTestContext ctx) {
    HttpRetry http = new HttpRetry(vertx, config());
    http.postJson(fake.baseUrl() + "/embeddings", new JsonObject().put("model", "m"))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          HttpRetry.HttpStatusException status = assertInstanceOf(HttpRetry.HttpStatusException.class, err);
          assertEquals(400, status.status());
          assertTrue(err.getMessage().contains("input"), err.getMessage());
          assertEquals(1, fake.calls());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("nothing listening is a connection error and is retried")
  void connectionRefused(Vertx vertx, VertxTestContext ctx) {
    // Borrow a free port from a throwaway server, then close it: nothing listens there any more.
    vertx.createHttpServer().requestHandler(req -> req.response().end()).listen(0, "127.0.0.1")
        .compose(server -> {
          String deadUrl = "http://127.0.0.1:" + server.actualPort() + "/v1";
          return server.close().map(deadUrl);
        })
        .compose(deadUrl ->
            new OpenAiEmbedder(vertx, config().put("base_url", deadUrl).put("max_retries", 2)).embed(List.of("x")))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertFalse(err instanceof HttpRetry.HttpStatusException, err.toString());
          assertTrue(HttpRetry.isRetryable(err), err.toString());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("missing base_url, model or dimension is refused at construction")
  void config(Vertx vertx) {
    assertThrows(IllegalArgumentException.class, () -> new OpenAiEmbedder(vertx, config().put("dimension", 0)));
    assertThrows(IllegalArgumentException.class, () -> new OpenAiEmbedder(vertx, config().put("model", " ")));
    assertThrows(IllegalArgumentException.class, () -> new OpenAiEmbedder(vertx, config().put("base_url", "")));
  }
}
