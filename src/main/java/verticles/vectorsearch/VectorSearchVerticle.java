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
import verticles.contracts.Deleted;
import verticles.contracts.Forget;
import verticles.contracts.Owner;
import verticles.contracts.VectorStore;
import verticles.shared.Breakers;
import verticles.shared.Vectors;
import verticles.shared.Meters;
import verticles.vectorsearch.embedding.Embedder;

/**
 * Owns the embedding model and the vector + keyword index: upsert, delete, search. Recall searches go through
 * two named circuit breakers: {@code embedding} (a failed or late query embedding falls back to keyword-only search,
 * flagged {@code degraded: ["embedding"]}) and {@code vector-index} (a failed or late index fails the search, and the
 * merger flags {@code "vector"}). Index writes (upserts, deletes) go through a third, {@code vector-index-write}.
 * Index work runs on worker pools of its own under its breaker's {@link Deadline} (when the breaker times out, an
 * engine that waits on the network stops too): searches and reads on {@code engram-index}, writes on
 * {@code engram-index-write}, so a burst of ingest, whose writes queue for the index's one writer, never holds the
 * threads a chat's search needs. Query embeddings go ahead of documents for the model ({@link Embedder#embedQuery}).
 *
 * <p>Every index call is counted under the seed's VikingDB family, whatever the engine:
 * {@code vikingdb_operations_total{operation,status}} and {@code vikingdb_latency_seconds{operation}}, operation
 * upsert / search / delete, status success / failure, timed on the index thread (engine time, not queueing).
 */
public final class VectorSearchVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VectorSearchVerticle.class);
  public static final String INDEX_POOL = "engram-index";
  public static final String WRITE_POOL = "engram-index-write";
  private static final DeliveryOptions CHECK = new DeliveryOptions().setSendTimeout(5000);

  private final Embedder embedder;
  private final MemoryIndex index;
  private CircuitBreaker embeddingBreaker;
  private CircuitBreaker indexBreaker;
  private CircuitBreaker writeBreaker;
  private long indexTimeoutMs;
  private long writeTimeoutMs;
  private QueryEmbeddingCache cache;
  private WorkerExecutor indexPool;
  private WorkerExecutor writePool;
  private double duplicateCosine;
  private String contextFusion;
  private double contextQueryWeight;
  private boolean contextJoined;
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
    indexTimeoutMs = recall.getLong("index_timeout_ms", 600L);
    indexBreaker = Breakers.create(vertx, config(), "vector-index", indexTimeoutMs);
    writeTimeoutMs = config().getJsonObject("index").getLong("write_timeout_ms", 15_000L);
    writeBreaker = Breakers.create(vertx, config(), "vector-index-write", writeTimeoutMs);
    duplicateCosine = recall.getDouble("duplicate_cosine", 0.93);
    contextFusion = recall.getString("context_fusion", "max");
    contextQueryWeight = recall.getDouble("context_query_weight", 1.0);
    contextJoined = recall.getString("context_embedding", "joined").equals("joined");
    cache = new QueryEmbeddingCache(recall.getInteger("query_cache_size", 10_000));
    indexPool = vertx.createSharedWorkerExecutor(INDEX_POOL, config().getJsonObject("index").getInteger("threads", 8));
    writePool = vertx.createSharedWorkerExecutor(WRITE_POOL,
        config().getJsonObject("index").getInteger("write_threads", 2));
    registry = Meters.registry(config());
    for (String operation : List.of("upsert", "search", "delete")) { // zeros from the start, not missing series
      operations(operation, "success");
      operations(operation, "failure");
      latency(operation);
    }
    String engine = config().getJsonObject("index").getString("type", "lucene");
    return warmUp().compose(x -> Future.all(List.of(
        Bus.consume(vertx, Addresses.VECTOR_UPSERT, VectorStore.Upsert::fromJson, this::upsert),
        Bus.consume(vertx, Addresses.VECTOR_SEARCH, VectorStore.Search::fromJson, this::search),
        Bus.consume(vertx, Addresses.VECTOR_NEIGHBOURS, VectorStore.Neighbours::fromJson, this::neighbours),
        Bus.consume(vertx, Addresses.VECTOR_DELETE, Owner::fromJson, this::delete),
        Bus.consume(vertx, Addresses.VECTOR_DELETE_IDS, VectorStore.Ids::fromJson, this::deleteIds),
        Bus.consume(vertx, Addresses.VECTOR_LIST, VectorStore.ListPage::fromJson, this::list),
        Bus.consume(vertx, Addresses.VECTOR_COUNTS, Owner::fromJson, this::counts),
        // a query text is something a user typed: a forget drops every cached one (they are not kept per user)
        vertx.eventBus().<JsonObject>consumer(Addresses.VECTOR_CACHE_CLEAR, m -> cache.clear()).completion(),
        // readiness: a count for an owner nobody has is one cheap index read (a remote call on VikingDB)
        Bus.consume(vertx, Addresses.HEALTH_INDEX, b -> indexPool.executeBlocking(() -> new JsonObject()
            .put("engine", engine).put("probe_count", index.count("~health", null)), false)),
        Bus.consume(vertx, Addresses.HEALTH_EMBEDDING, b -> embedder.embedQuery("health").map(v -> new JsonObject()
            .put("model", embedder.name()).put("dimension", v.length))))));
  }

  /**
   * One query embedded and one search of an owner nobody has, before the consumers register: the first chat after a
   * start would otherwise pay for loading the analyzers' dictionaries and compiling the search path, past the
   * recall budget. A failure here is only logged: the stores may come later.
   */
  private Future<Void> warmUp() {
    return embedder.embedQuery("你还记得我上次说的那只小猫吗 do you remember my cat")
        .compose(v -> indexPool.executeBlocking(() -> {
          index.warmUp(v);
          return null;
        }, false))
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("Index warm-up failed: {}", e.toString());
          return Future.succeededFuture();
        });
  }

  private Counter operations(String operation, String status) {
    return Counter.builder("vikingdb_operations").description("Vector index operations (any engine)")
        .tag("operation", operation).tag("status", status).register(registry);
  }

  private Timer latency(String operation) {
    return Meters.timer("vikingdb_latency", 0.05, 0.1, 0.25, 0.5, 1, 2)
        .description("Vector index operation latency (any engine)").tag("operation", operation).register(registry);
  }

  /**
   * Runs one index call on {@code pool} through {@code breaker}, counted and timed under {@code operation}. The
   * call's {@link Deadline} starts with the breaker's timer, so time spent queued for a thread counts against it.
   */
  private <T> Future<T> guarded(WorkerExecutor pool, CircuitBreaker breaker, long timeoutMs, String operation,
      Callable<T> call) {
    return guarded(pool, breaker, timeoutMs, operation, new ArrayList<>(1), call);
  }

  /**
   * {@link #guarded}, adding to {@code started} the call's own future once the breaker lets it run: the breaker may
   * give up on the call (its timeout) before the call itself ends.
   */
  private <T> Future<T> guarded(WorkerExecutor pool, CircuitBreaker breaker, long timeoutMs, String operation,
      List<Future<T>> started, Callable<T> call) {
    return breaker.execute(() -> {
      Deadline deadline = Deadline.in(timeoutMs);
      Future<T> running = pool.executeBlocking(() -> deadline.run(() -> measured(operation, call)), false);
      started.add(running);
      return running;
    });
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
   * Embeds the records' texts, then writes them (with a task id, replacing the task's records). Records of a
   * forgotten owner created before the forget are refused (410). The owner is checked again after the write: a
   * forget's index delete may have run between the first check and the write, and only this check can tell. So a
   * write is kept only when that check says "not forgotten"; when it says forgotten (410), or cannot answer (MySQL
   * late or away: the error, and the task tries again), or the caller stopped waiting for a write that then went
   * through (a timeout), what was written is deleted. Nothing written outlives a forget unseen.
   */
  private Future<VectorStore.Upserted> upsert(VectorStore.Upsert body) {
    List<MemoryRecord> records = body.records();
    List<String> texts = records.stream().map(MemoryRecord::indexText).toList();
    String taskId = body.taskId();
    return refuseForgotten(body, records)
        .compose(x -> embedder.embed(texts))
        .compose(vectors -> {
          List<MemoryRecord> withVectors = new ArrayList<>(records.size());
          for (int i = 0; i < records.size(); i++) {
            withVectors.add(records.get(i).withVector(vectors.get(i)));
          }
          // the write itself, whatever the breaker says of it
          List<Future<VectorStore.Upserted>> written = new ArrayList<>(1);
          return guarded(writePool, writeBreaker, writeTimeoutMs, "upsert", written, () -> {
            if (taskId != null) {
              index.replaceTask(taskId, withVectors);
            } else {
              index.upsert(withVectors);
            }
            return new VectorStore.Upserted(withVectors.size());
          })
              .compose(done -> refuseForgotten(body, records).map(done))
              .recover(e -> written.isEmpty() ? Future.failedFuture(e) // the breaker refused: nothing was written
                  : written.get(0).transform(w -> w.succeeded() ? undo(records) : Future.succeededFuture())
                      .transform(x -> Future.failedFuture(e)));
        });
  }

  /** Deletes the records a write wrote; not through the breaker: an undo is worth a try even when it is open. */
  private Future<Void> undo(List<MemoryRecord> records) {
    return writePool.executeBlocking(() -> {
      index.deleteIds(records.stream().map(MemoryRecord::id).toList());
      return null;
    }, false);
  }

  /** Fails with 410 when any owner among the records was forgotten after this write's task (or request) began. */
  private Future<Void> refuseForgotten(VectorStore.Upsert body, List<MemoryRecord> records) {
    Set<List<String>> owners = new LinkedHashSet<>();
    records.forEach(r -> owners.add(Arrays.asList(r.userId(), r.characterId())));
    List<Future<Boolean>> checks = new ArrayList<>();
    for (List<String> owner : owners) {
      checks.add(Bus.request(vertx, Addresses.FORGET_CHECK, new Forget.Check(body.taskId(), owner.get(0), owner.get(1),
          body.createdAtMs()), CHECK, Forget.Checked::fromJson).map(Forget.Checked::forgotten));
    }
    return Future.all(checks).compose(x -> checks.stream().anyMatch(Future::result)
        ? Future.failedFuture(Failures.of(Failures.GONE, "the owner of these memories was forgotten"))
        : Future.succeededFuture());
  }

  /** One page of an owner's records, oldest first. */
  private Future<VectorStore.Records> list(VectorStore.ListPage page) {
    return indexPool.executeBlocking(() -> new VectorStore.Records(
        index.list(page.userId(), page.characterId(), page.offset(), page.limit())), false);
  }

  /** An owner's records by memory type, or the whole index's. */
  private Future<VectorStore.Counts> counts(Owner owner) {
    return indexPool.executeBlocking(() -> {
      Map<String, Long> byType = index.countByType(owner.userId(), owner.characterId());
      return new VectorStore.Counts(byType, byType.values().stream().mapToLong(Long::longValue).sum());
    }, false);
  }

  /** Hybrid search inside one user + character. */
  private Future<VectorStore.Hits> search(VectorStore.Search body) {
    String query = body.query();
    List<String> degraded = new ArrayList<>();
    long t0 = System.nanoTime();
    long[] embedded = new long[1];
    return queryVector(query, body.context())
        .onComplete(x -> embedded[0] = System.nanoTime())
        .recover(e -> {
          degraded.add("embedding"); // keyword search still works without the model
          return Future.succeededFuture(new ConversationSearch.DenseQuery(null, null));
        })
        .compose(v -> indexSearch(body, v).compose(found -> {
          Embedder other = v.message() == null ? null : embedder.otherModel(query);
          if (other == null || found.stream().anyMatch(h -> h.denseScore() != 0)) {
            return Future.succeededFuture(found);
          }
          // none of the owner's records is of the query's model (a Chinese user's question without a Han
          // character, "[ERRORQ]" or "iPhone?"): the other model's vector, rather than keywords alone; an owner
          // without any record (a new user) is not worth the second embedding
          Future<Boolean> any = !found.isEmpty() ? Future.succeededFuture(true)
              : indexPool.executeBlocking(() -> index.count(body.userId(), body.characterId()) > 0, false);
          return any.compose(has -> !has ? Future.succeededFuture(found)
              : queryVector(other, query).compose(v2 -> indexSearch(body,
                  new ConversationSearch.DenseQuery(v2, v.conversation()))))
              .recover(e -> Future.succeededFuture(found));
        }))
        .map(found -> {
          JsonArray hits = new JsonArray();
          for (MemoryIndex.Hit h : found) {
            hits.add(h.record().toJson()
                .put("score", h.score())
                .put("dense_score", h.denseScore())
                .put("keyword_score", h.keywordScore()));
          }
          return new VectorStore.Hits(hits, degraded, (embedded[0] - t0) / 1e6,
              (System.nanoTime() - embedded[0]) / 1e6);
        });
  }

  /**
   * Each text's nearest records by the embedding alone: one batch embedded as documents (never ahead of a recall's
   * query), then one index call through the {@code vector-index} breaker for all of them.
   */
  private Future<VectorStore.Neighbourhoods> neighbours(VectorStore.Neighbours body) {
    if (body.texts().isEmpty()) {
      return Future.succeededFuture(new VectorStore.Neighbourhoods(List.of()));
    }
    return embedder.embed(body.texts()).compose(vectors -> guarded(indexPool, indexBreaker, indexTimeoutMs, "search",
        () -> {
          List<JsonArray> out = new ArrayList<>();
          for (float[] v : vectors) {
            JsonArray hits = new JsonArray();
            for (MemoryIndex.Hit h : index.search(new MemoryIndex.Query(body.userId(), body.characterId(), body.types(),
                v, "", body.topK()))) {
              hits.add(h.record().toJson().put("dense_score", h.denseScore()));
            }
            out.add(hits);
          }
          return new VectorStore.Neighbourhoods(out);
        }));
  }

  /**
   * One hybrid search (with the conversation, two: {@link ConversationSearch}); near-duplicates go on the index pool,
   * where the vectors are, so replies stay small.
   */
  private Future<List<MemoryIndex.Hit>> indexSearch(VectorStore.Search body, ConversationSearch.DenseQuery v) {
    return guarded(indexPool, indexBreaker, indexTimeoutMs, "search", () -> HybridScorer.withoutNearDuplicates(
        ConversationSearch.search(index, new MemoryIndex.Query(body.userId(), body.characterId(), body.types(),
            v.message(), body.query(), body.topK()), v, body.context(), contextFusion, contextQueryWeight),
        duplicateCosine));
  }

  /**
   * The dense queries: the message's vector, and with a conversation the conversation's: the turns, oldest first, and
   * the message as one text ({@code recall.context_embedding} joined), or the unit sum of the message's vector and
   * each turn's by its weight ({@code weighted}: each turn through the query cache, so in a chat only the newest turns
   * are embedded; a turn of the other language's model is left out). A conversation that fails to embed is left out.
   */
  private Future<ConversationSearch.DenseQuery> queryVector(String query, List<VectorStore.Cue> context) {
    if (context.isEmpty()) {
      return queryVector(embedder, query).map(q -> new ConversationSearch.DenseQuery(q, null));
    }
    if (contextJoined) { // as a dense retriever reads a dialogue
      StringBuilder joined = new StringBuilder();
      for (int i = context.size() - 1; i >= 0; i--) {
        joined.append(context.get(i).text()).append('\n');
      }
      Future<float[]> whole = queryVector(embedder, joined.append(query).toString())
          .recover(e -> Future.succeededFuture(null));
      return queryVector(embedder, query).compose(q -> whole.map(c -> new ConversationSearch.DenseQuery(q, c)));
    }
    List<Future<float[]>> turns = context.stream().map(c -> queryVector(embedder, c.text())
        .recover(e -> Future.succeededFuture(null))).toList();
    return queryVector(embedder, query).compose(q -> Future.all(turns).map(all -> {
      if (q == null) {
        return new ConversationSearch.DenseQuery(null, null);
      }
      float[] sum = Vectors.unit(q);
      for (int i = 0; i < context.size(); i++) {
        float[] turn = all.resultAt(i);
        if (turn != null && turn.length == sum.length) {
          Vectors.addScaled(sum, Vectors.unit(turn), context.get(i).weight());
        }
      }
      return new ConversationSearch.DenseQuery(q, Vectors.unit(sum));
    }));
  }

  private Future<float[]> queryVector(Embedder embedder, String query) {
    if (query.isBlank()) {
      return Future.succeededFuture(null);
    }
    String model = embedder.modelFor(query);
    float[] cached = cache.get(model, query);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return embeddingBreaker.<float[]>execute(() -> embedder.embedQuery(query)).map(v -> {
      cache.put(model, query, v);
      return v;
    });
  }

  /** Records by id: a memory deleted or erased through the API. */
  private Future<Deleted> deleteIds(VectorStore.Ids ids) {
    return guarded(writePool, writeBreaker, writeTimeoutMs, "delete", () -> {
      index.deleteIds(ids.ids());
      return new Deleted(ids.ids().size());
    });
  }

  private Future<Deleted> delete(Owner owner) {
    return guarded(writePool, writeBreaker, writeTimeoutMs, "delete",
        () -> new Deleted(index.delete(owner.userId(), owner.characterId())));
  }
}
