package verticles.vectorsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.app.Config;
import verticles.bus.Addresses;
import verticles.vectorsearch.embedding.OnnxEmbedder;
import verticles.vectorsearch.vikingdb.VikingDbException;
import verticles.vectorsearch.vikingdb.VikingDbFake;
import verticles.vectorsearch.vikingdb.VikingDbMemoryIndex;

/**
 * The index breakers' timeouts end the work they abandon: VectorSearch on VikingDB (the fake), with a store that
 * hangs and would keep an index thread busy long after the caller was answered. The index call's own end is
 * awaited through the index it runs on, so nothing here depends on timing but the breaker's timeout itself.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("When an index breaker times out, the index thread stops working on VikingDB too")
class IndexBreakerDeadlineTest {
  private static final DeliveryOptions CALL = new DeliveryOptions().setSendTimeout(60_000);
  /** Both index breakers' timeout. */
  private static final long TIMEOUT_MS = 2000;
  /** VikingDB's backoff: its first retry would wait 2.5 to 5 s, past the breaker's timeout. */
  private static final long BACKOFF_MS = 5000;
  private static Vertx models;
  private static OnnxEmbedder embedder;
  private static JsonObject config;

  @BeforeAll
  static void loadModel() {
    models = Vertx.vertx();
    embedder = new OnnxEmbedder(models, "bge-small-zh-v15-q");
    config = Config.defaults();
    config.getJsonObject("index").put("type", "vikingdb").put("write_timeout_ms", TIMEOUT_MS);
    config.getJsonObject("recall").put("index_timeout_ms", TIMEOUT_MS).put("embedding_timeout_ms", 60_000);
  }

  @AfterAll
  static void closeModel() {
    models.close().await();
  }

  /**
   * Deploys VectorSearch on a VikingDB fake, and warms it up with one index call (a cold JVM on a busy machine can
   * take longer than a breaker's timeout for its first request); {@code calls} learns how each index call ended.
   */
  private static Future<VikingDbFake> deploy(Vertx vertx, JsonObject viking, Map<String, Promise<Throwable>> calls) {
    return VikingDbFake.start(vertx, "cn-beijing", "AKLTTESTKEY", "dGVzdC1zZWNyZXQta2V5", embedder.dimension())
        .compose(fake -> {
          MemoryIndex index = new Watched(new VikingDbMemoryIndex(embedder.dimension(),
              fake.clientConfig().mergeIn(viking)), calls);
          return vertx.deployVerticle(new VectorSearchVerticle(embedder, index), new DeploymentOptions()
                  .setConfig(config.copy()))
              .compose(id -> vertx.eventBus().request(Addresses.HEALTH_INDEX, new JsonObject(), CALL))
              .map(fake);
        });
  }

  @Test
  @DisplayName("a VikingDB delete that hangs ends at the write breaker's timeout, with no retry after it")
  void writeStopsAtTheBreakerTimeout(Vertx vertx, VertxTestContext ctx) {
    Map<String, Promise<Throwable>> calls = Map.of("delete", Promise.promise());
    // without the deadline: a 10-minute HTTP timeout, then up to a million retries
    deploy(vertx, new JsonObject().put("timeout_ms", 600_000).put("max_retries", 1_000_000)
        .put("backoff_ms", BACKOFF_MS), calls)
        .compose(fake -> {
          int before = fake.requests().size();
          fake.stall();
          return vertx.eventBus().<JsonObject>request(Addresses.VECTOR_DELETE, new JsonObject().put("user_id", "u1"),
                  CALL)
              .map(r -> (Throwable) null).recover(Future::succeededFuture)
              .compose(replyFailure -> calls.get("delete").future().map(indexFailure -> {
                ctx.verify(() -> {
                  assertTrue(replyFailure != null
                      && replyFailure.getMessage().toLowerCase(Locale.ROOT).contains("timeout"),
                      "the caller got the breaker's timeout: " + replyFailure);
                  assertInstanceOf(VikingDbException.class, indexFailure);
                  assertTrue(indexFailure.getMessage().contains("abandoned after 1 attempt: the caller's deadline"),
                      indexFailure.getMessage());
                  assertEquals("/api/index/search", fake.requests().get(before), "the owner's ids are listed first");
                  assertEquals(before + 1, fake.requests().size(), "one attempt, and no retry after the deadline");
                });
                return fake;
              }));
        })
        .compose(VikingDbFake::close)
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a search on a VikingDB that hangs ends at the search breaker's timeout, not after the HTTP timeout")
  void searchStopsAtTheBreakerTimeout(Vertx vertx, VertxTestContext ctx) {
    Map<String, Promise<Throwable>> calls = Map.of("search", Promise.promise());
    deploy(vertx, new JsonObject().put("timeout_ms", 600_000).put("backoff_ms", BACKOFF_MS), calls)
        .compose(fake -> {
          int before = fake.requests().size();
          fake.stall();
          return vertx.eventBus().<JsonObject>request(Addresses.VECTOR_SEARCH, new JsonObject()
                  .put("user_id", "u1").put("character_id", "c1").put("query", "我的生日是哪天"), CALL)
              .map(r -> (Throwable) null).recover(Future::succeededFuture)
              .compose(replyFailure -> calls.get("search").future().map(indexFailure -> {
                ctx.verify(() -> {
                  assertTrue(replyFailure != null
                      && replyFailure.getMessage().toLowerCase(Locale.ROOT).contains("timeout"),
                      "the caller got the breaker's timeout: " + replyFailure);
                  assertInstanceOf(VikingDbException.class, indexFailure);
                  assertTrue(indexFailure.getMessage().contains("abandoned after 1 attempt: the caller's deadline"),
                      indexFailure.getMessage());
                  assertEquals("/api/index/search", fake.requests().get(before));
                  assertEquals(before + 1, fake.requests().size(), "one attempt, and no retry after the deadline");
                });
                return fake;
              }));
        })
        .compose(VikingDbFake::close)
        .onComplete(ctx.succeedingThenComplete());
  }

  /** The real index, reporting how each watched call ended (null when it succeeded). */
  private record Watched(MemoryIndex index, Map<String, Promise<Throwable>> calls) implements MemoryIndex {
    private <T> T watch(String call, java.util.function.Supplier<T> work) {
      try {
        T result = work.get();
        report(call, null);
        return result;
      } catch (RuntimeException e) {
        report(call, e);
        throw e;
      }
    }

    private void report(String call, Throwable outcome) {
      Promise<Throwable> p = calls.get(call);
      if (p != null) {
        p.tryComplete(outcome);
      }
    }

    @Override
    public void replaceTask(String taskId, List<MemoryRecord> records) {
      watch("replaceTask", () -> {
        index.replaceTask(taskId, records);
        return null;
      });
    }

    @Override
    public void upsert(List<MemoryRecord> records) {
      watch("upsert", () -> {
        index.upsert(records);
        return null;
      });
    }

    @Override
    public List<Hit> search(Query query) {
      return watch("search", () -> index.search(query));
    }

    @Override
    public long delete(String userId, String characterId) {
      return watch("delete", () -> index.delete(userId, characterId));
    }

    @Override
    public long count(String userId, String characterId) {
      return index.count(userId, characterId);
    }

    @Override
    public void deleteIds(List<String> ids) {
      index.deleteIds(ids);
    }

    @Override
    public List<MemoryRecord> list(String userId, String characterId, int offset, int limit) {
      return index.list(userId, characterId, offset, limit);
    }

    @Override
    public Map<String, Long> countByType(String userId, String characterId) {
      return index.countByType(userId, characterId);
    }

    @Override
    public void close() {
      index.close();
    }
  }
}
