package verticles.vectorsearch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.shared.Breakers;
import verticles.shared.Meters;
import verticles.shared.Vectors;
import verticles.vectorsearch.embedding.Embedder;

/**
 * Owns the embedding model and the vector + keyword index: upsert, delete, search. Recall searches go through
 * two named circuit breakers: {@code embedding} (a failed or late query embedding falls back to keyword-only search,
 * flagged {@code degraded: ["embedding"]}) and {@code vector-index} (a failed or late index fails the search, and the
 * merger flags {@code "vector"}). Index work runs on its own worker pool, {@code engram-index}.
 *
 * <p>Every index call is counted under the seed's VikingDB family, whatever the engine:
 * {@code vikingdb_operations_total{operation,status}} and {@code vikingdb_latency_seconds{operation}}, operation
 * upsert / search / delete, status success / failure, timed on the index thread (engine time, not queueing).
 */
public final class VectorSearchVerticle extends VerticleBase {
  public static final String INDEX_POOL = "engram-index";
  private static final DeliveryOptions CHECK = new DeliveryOptions().setSendTimeout(5000);

  private final Embedder embedder;
  private final MemoryIndex index;
  private CircuitBreaker embeddingBreaker;
  private CircuitBreaker indexBreaker;
  private QueryEmbeddingCache cache;
  private WorkerExecutor indexPool;
  private double duplicateCosine;
  private MeterRegistry registry;

  public VectorSearchVerticle(Embedder embedder, MemoryIndex index) {
    this.embedder = embedder;
    this.index = index;
  }

  @Override
  public Future<?> start() {
    JsonObject recall = config().getJsonObject("recall");
    // the vector budget (vector_timeout_ms) is split between the query embedding and the index search
    embeddingBreaker = Breakers.create(vertx, config(), "embedding", recall.getLong("embedding_timeout_ms", 700L));
    indexBreaker = Breakers.create(vertx, config(), "vector-index", recall.getLong("index_timeout_ms", 600L));
    duplicateCosine = recall.getDouble("duplicate_cosine", 0.93);
    cache = new QueryEmbeddingCache(recall.getInteger("query_cache_size", 10_000));
    indexPool = vertx.createSharedWorkerExecutor(INDEX_POOL, config().getJsonObject("index").getInteger("threads", 8));
    registry = Meters.registry(config());
    for (String operation : List.of("upsert", "search", "delete")) { // zeros from the start, not missing series
      operations(operation, "success");
      operations(operation, "failure");
      latency(operation);
    }
    String engine = config().getJsonObject("index").getString("type", "lucene");
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.VECTOR_UPSERT, this::upsert),
        Bus.consume(vertx, Addresses.VECTOR_SEARCH, this::search),
        Bus.consume(vertx, Addresses.VECTOR_DELETE, this::delete),
        Bus.consume(vertx, Addresses.VECTOR_LIST, this::list),
        Bus.consume(vertx, Addresses.VECTOR_COUNTS, this::counts),
        // a query text is something a user typed: a forget drops every cached one (they are not kept per user)
        vertx.eventBus().<JsonObject>consumer(Addresses.VECTOR_CACHE_CLEAR, m -> cache.clear()).completion(),
        // readiness: a count for an owner nobody has is one cheap index read (a remote call on VikingDB)
        Bus.consume(vertx, Addresses.HEALTH_INDEX, b -> indexPool.executeBlocking(() -> new JsonObject()
            .put("engine", engine).put("probe_count", index.count("~health", null)), false)),
        Bus.consume(vertx, Addresses.HEALTH_EMBEDDING, b -> embedder.embed(List.of("health")).map(v -> new JsonObject()
            .put("model", embedder.name()).put("dimension", v.get(0).length)))));
  }

  private Counter operations(String operation, String status) {
    return Counter.builder("vikingdb_operations").description("Vector index operations (any engine)")
        .tag("operation", operation).tag("status", status).register(registry);
  }

  private Timer latency(String operation) {
    return Meters.timer("vikingdb_latency", 0.05, 0.1, 0.25, 0.5, 1, 2)
        .description("Vector index operation latency (any engine)").tag("operation", operation).register(registry);
  }

  /** Runs one index call on this (index pool) thread, counted and timed under {@code operation}. */
  private <T> T measured(String operation, Callable<T> call) throws Exception {
    long t0 = System.nanoTime();
    boolean ok = false;
    try {
      T result = call.call();
      ok = true;
      return result;
    } finally {
      latency(operation).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      operations(operation, ok ? "success" : "failure").increment();
    }
  }

  /**
   * {task_id?, created_at? (epoch ms), records:[MemoryRecord json]}: embeds the contents, then replaces the task's
   * records. Records of a forgotten owner created before the forget are refused (410); the owner is checked again
   * after the write, and if a forget came in between, what was written is deleted, so nothing outlives the forget.
   */
  private Future<JsonObject> upsert(JsonObject body) {
    JsonArray json = body.getJsonArray("records", new JsonArray());
    List<MemoryRecord> records = new ArrayList<>(json.size());
    List<String> texts = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      MemoryRecord r = MemoryRecord.fromJson(json.getJsonObject(i));
      records.add(r);
      texts.add(r.indexText());
    }
    String taskId = body.getString("task_id");
    return refuseForgotten(body, records)
        .compose(x -> embedder.embed(texts))
        .compose(vectors -> indexPool.executeBlocking(() -> {
          List<MemoryRecord> withVectors = new ArrayList<>(records.size());
          for (int i = 0; i < records.size(); i++) {
            withVectors.add(records.get(i).withVector(vectors.get(i)));
          }
          measured("upsert", () -> {
            if (taskId != null) {
              index.replaceTask(taskId, withVectors);
            } else {
              index.upsert(withVectors);
            }
            return null;
          });
          return new JsonObject().put("upserted", withVectors.size());
        }, false))
        .compose(done -> refuseForgotten(body, records).map(done).recover(e -> Bus.code(e) != Failures.GONE
            ? Future.failedFuture(e)
            : indexPool.executeBlocking(() -> {
              index.deleteIds(records.stream().map(MemoryRecord::id).toList());
              return null;
            }, false).compose(x -> Future.failedFuture(e))));
  }

  /** Fails with 410 when any owner among the records was forgotten after this write's task (or request) began. */
  private Future<Void> refuseForgotten(JsonObject body, List<MemoryRecord> records) {
    Set<List<String>> owners = new LinkedHashSet<>();
    records.forEach(r -> owners.add(Arrays.asList(r.userId(), r.characterId())));
    List<Future<Boolean>> checks = new ArrayList<>();
    for (List<String> owner : owners) {
      checks.add(vertx.eventBus().<JsonObject>request(Addresses.FORGET_CHECK, new JsonObject()
              .put("task_id", body.getString("task_id")).put("created_at", body.getLong("created_at"))
              .put("user_id", owner.get(0)).put("character_id", owner.get(1)), CHECK)
          .map(m -> m.body().getBoolean("forgotten", false)));
    }
    return Future.all(checks).compose(x -> checks.stream().anyMatch(Future::result)
        ? Future.failedFuture(Failures.of(Failures.GONE, "the owner of these memories was forgotten"))
        : Future.succeededFuture());
  }

  /** {user_id, character_id?, offset?, limit?} → {records}: one page of an owner's records, oldest first. */
  private Future<JsonObject> list(JsonObject body) {
    int offset = body.getInteger("offset", 0);
    int limit = Math.min(body.getInteger("limit", 500), 5000);
    return indexPool.executeBlocking(() -> {
      JsonArray out = new JsonArray();
      index.list(body.getString("user_id"), body.getString("character_id"), offset, limit)
          .forEach(r -> out.add(r.toJson()));
      return new JsonObject().put("records", out);
    }, false);
  }

  /** {user_id?, character_id?} → {by_type, total}: an owner's records by memory type, or the whole index's. */
  private Future<JsonObject> counts(JsonObject body) {
    return indexPool.executeBlocking(() -> {
      JsonObject byType = new JsonObject();
      long total = 0;
      for (Map.Entry<String, Long> e : index.countByType(body.getString("user_id"), body.getString("character_id"))
          .entrySet()) {
        byType.put(e.getKey(), e.getValue());
        total += e.getValue();
      }
      return new JsonObject().put("by_type", byType).put("total", total);
    }, false);
  }

  /** {user_id, character_id, query, types?, top_k?}: hybrid search inside one user + character. */
  private Future<JsonObject> search(JsonObject body) {
    String query = body.getString("query", "");
    List<String> types = body.getJsonArray("types", new JsonArray()).stream().map(String::valueOf).toList();
    int topK = body.getInteger("top_k", 10);
    JsonArray degraded = new JsonArray();
    long t0 = System.nanoTime();
    long[] embedded = new long[1];
    return queryVector(query)
        .onComplete(x -> embedded[0] = System.nanoTime())
        .recover(e -> {
          degraded.add("embedding"); // keyword search still works without the model
          return Future.succeededFuture(null);
        })
        .compose(v -> indexBreaker.<List<MemoryIndex.Hit>>execute(() -> indexPool.executeBlocking(() ->
            withoutNearDuplicates(measured("search", () -> index.search(new MemoryIndex.Query(
                body.getString("user_id"), body.getString("character_id"), types, v, query, topK)))), false)))
        .map(found -> {
          JsonArray hits = new JsonArray();
          for (MemoryIndex.Hit h : found) {
            hits.add(h.record().toJson()
                .put("score", h.score())
                .put("dense_score", h.denseScore())
                .put("keyword_score", h.keywordScore()));
          }
          return new JsonObject().put("hits", hits).put("degraded", degraded)
              .put("embed_ms", (embedded[0] - t0) / 1e6).put("index_ms", (System.nanoTime() - embedded[0]) / 1e6);
        });
  }

  /**
   * Near-duplicates go here, on the index pool where the vectors are, so replies stay small. Hit vectors are unit
   * length (MemoryIndex contract), so the dot product is the cosine.
   */
  private List<MemoryIndex.Hit> withoutNearDuplicates(List<MemoryIndex.Hit> found) {
    List<MemoryIndex.Hit> out = new ArrayList<>(found.size());
    for (MemoryIndex.Hit h : found) {
      float[] v = h.record().vector();
      // Two messages are two turns, never one memory twice: their vectors also carry the neighbouring turns they
      // share, so the vector test would merge a question with its answer.
      boolean message = "message".equals(h.record().memoryType());
      if (v != null && out.stream().anyMatch(k -> k.record().vector() != null
          && !(message && "message".equals(k.record().memoryType()))
          && Vectors.dot(k.record().vector(), v) >= duplicateCosine)) {
        continue;
      }
      out.add(h);
    }
    return out;
  }

  private Future<float[]> queryVector(String query) {
    if (query.isBlank()) {
      return Future.succeededFuture(null);
    }
    float[] cached = cache.get(query);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return embeddingBreaker.<List<float[]>>execute(() -> embedder.embed(List.of(query))).map(v -> {
      cache.put(query, v.get(0));
      return v.get(0);
    });
  }

  private Future<JsonObject> delete(JsonObject body) {
    return indexPool.executeBlocking(() -> new JsonObject()
        .put("deleted", measured("delete", () -> index.delete(body.getString("user_id"),
            body.getString("character_id")))), false);
  }
}
