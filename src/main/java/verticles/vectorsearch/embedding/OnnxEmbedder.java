package verticles.vectorsearch.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Vectors;

/**
 * The local ONNX embedding model from Maven (bge-small zh, 512 dims, or en, 384 dims), run directly on ONNX Runtime
 * with batched, length-sorted inference: several texts per run cost far less than one run per text. CLS pooling and
 * L2 normalisation, as BGE expects. Runs on worker threads only.
 *
 * <p>Queries go ahead of documents: a runner takes waiting queries first, and documents may occupy at most all runners
 * but one ({@code engram.onnx.reserved_query_runners}, default 1 when there are two or more), so a chat's query never
 * waits behind a burst of ingest for the model. Ingest is throttled here rather than recall.
 */
public final class OnnxEmbedder implements Embedder {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedder.class);
  private static final Map<String, String> FILES = Map.of(
      "bge-small-zh-v15-q", "bge-small-zh-v1.5-q",
      "bge-small-en-v15-q", "bge-small-en-v1.5-q");
  private static final int MAX_TOKENS = 512;
  private static final int BATCH = 32;

  private static final int MAX_COALESCED = 256;
  /** A document run's size: small enough that a query waiting for a core (not a runner) does not wait long. */
  private static final int MAX_DOCUMENT_RUN = 64;

  private final Vertx vertx;
  private final ExecutorService runners;
  private final int threads;
  private final int documentRunners;
  private final Queue<Pending> queries = new ConcurrentLinkedQueue<>();
  private final Queue<Pending> documents = new ConcurrentLinkedQueue<>();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger onDocuments = new AtomicInteger();
  private volatile boolean closed;
  private final String model;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean wantsTypeIds;
  private final int dimension;

  public OnnxEmbedder(Vertx vertx, String model) {
    this.vertx = vertx;
    // As many inference threads as cores: more concurrent runs only thrash the caches.
    this.threads = Runtime.getRuntime().availableProcessors();
    int reserved = Integer.getInteger("engram.onnx.reserved_query_runners", threads > 1 ? 1 : 0);
    this.documentRunners = Math.max(1, threads - reserved);
    this.runners = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "onnx-embed");
      t.setDaemon(true);
      return t;
    });
    this.model = model;
    String base = FILES.get(model);
    if (base == null) {
      throw new IllegalArgumentException("unknown embedding model: " + model + " (known: " + FILES.keySet() + ")");
    }
    try (InputStream onnx = resource(base + ".onnx"); InputStream tok = resource(base + "-tokenizer.json")) {
      env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      // One thread per run: parallelism comes from concurrent callers (extractor instances, recalls), which on
      // 2 cores measured faster than runs that each spread over both cores.
      options.setIntraOpNumThreads(Integer.getInteger("engram.onnx.threads", 1));
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(onnx.readAllBytes(), options);
      tokenizer = HuggingFaceTokenizer.newInstance(tok, Map.of("truncation", "true",
          "maxLength", String.valueOf(MAX_TOKENS), "padding", "false"));
      wantsTypeIds = session.getInputNames().contains("token_type_ids");
      dimension = embedBlocking(List.of("dimension probe")).get(0).length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load ONNX model " + model, e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("model file " + name + " is not on the classpath");
    }
    return in;
  }

  /** Blocking embedding, for worker threads, benchmarks and tests. */
  public List<float[]> embedBlocking(List<String> texts) {
    float[][] out = new float[texts.size()][];
    Integer[] order = new Integer[texts.size()];
    Encoding[] encodings = new Encoding[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      encodings[i] = tokenizer.encode(t == null || t.isBlank() ? " " : t);
      order[i] = i;
    }
    // similar lengths together, so little padding is computed
    Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
    int from = 0;
    while (from < order.length) {
      // a batch is padded to its longest text: cut it where lengths grow by more than a third
      int shortest = encodings[order[from]].getIds().length;
      int to = from + 1;
      while (to < order.length && to - from < BATCH
          && encodings[order[to]].getIds().length <= shortest + Math.max(4, shortest / 3)) {
        to++;
      }
      float[][] vectors = run(Arrays.copyOfRange(order, from, to), encodings);
      for (int k = from; k < to; k++) {
        out[order[k]] = vectors[k - from];
      }
      from = to;
    }
    return Arrays.asList(out);
  }

  private float[][] run(Integer[] batch, Encoding[] encodings) {
    int n = batch.length;
    int len = 0;
    for (Integer i : batch) {
      len = Math.max(len, encodings[i].getIds().length);
    }
    long[] ids = new long[n * len];
    long[] mask = new long[n * len];
    long[] types = new long[n * len];
    for (int b = 0; b < n; b++) {
      Encoding e = encodings[batch[b]];
      System.arraycopy(e.getIds(), 0, ids, b * len, e.getIds().length);
      System.arraycopy(e.getAttentionMask(), 0, mask, b * len, e.getAttentionMask().length);
      System.arraycopy(e.getTypeIds(), 0, types, b * len, e.getTypeIds().length);
    }
    long[] shape = {n, len};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (wantsTypeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        float[][][] hidden = (float[][][]) result.get(0).getValue();
        float[][] out = new float[n][];
        for (int b = 0; b < n; b++) {
          out[b] = Vectors.unit(hidden[b][0]); // CLS token
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX inference failed", e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Requests waiting while the runners are busy are coalesced into one call, so concurrent small requests (a task's
   * 20 messages, a recall's one query) become full, length-sorted batches instead of many padded little runs.
   */
  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    return enqueue(documents, texts);
  }

  @Override
  public Future<float[]> embedQuery(String text) {
    return enqueue(queries, List.of(text)).map(v -> v.get(0));
  }

  private Future<List<float[]>> enqueue(Queue<Pending> queue, List<String> texts) {
    if (texts.isEmpty()) {
      return Future.succeededFuture(new ArrayList<>());
    }
    if (closed) {
      return Future.failedFuture(closedFailure());
    }
    Context ctx = vertx.getOrCreateContext();
    Promise<List<float[]>> promise = Promise.promise();
    queue.add(new Pending(texts, ctx, promise));
    if (tryAcquireRunner()) {
      try {
        runners.execute(this::drain);
      } catch (RejectedExecutionException e) { // closed meanwhile: close() fails what is still queued
        active.decrementAndGet();
        failQueued();
      }
    }
    return promise.future();
  }

  /** A refused call, as an executor says it: {@code Failures.unavailable}, so a 503 and never a 500. */
  private static RejectedExecutionException closedFailure() {
    return new RejectedExecutionException("the embedding model is closed (the node is stopping)");
  }

  private record Pending(List<String> texts, Context ctx, Promise<List<float[]>> promise) {}

  private boolean tryAcquireRunner() {
    return tryIncrement(active, threads);
  }

  private static boolean tryIncrement(AtomicInteger counter, int limit) {
    while (true) {
      int a = counter.get();
      if (a >= limit) {
        return false;
      }
      if (counter.compareAndSet(a, a + 1)) {
        return true;
      }
    }
  }

  /** Work this runner may take: any query, or documents while fewer than {@code documentRunners} embed them. */
  private boolean hasWork() {
    return !queries.isEmpty() || (!documents.isEmpty() && onDocuments.get() < documentRunners);
  }

  private void drain() {
    while (true) {
      List<Pending> batch = take(queries, MAX_COALESCED);
      boolean onDocs = batch.isEmpty() && tryIncrement(onDocuments, documentRunners);
      if (onDocs) {
        batch = take(documents, MAX_DOCUMENT_RUN);
      }
      if (batch.isEmpty()) {
        if (onDocs) {
          onDocuments.decrementAndGet();
        }
        active.decrementAndGet();
        // work may have arrived after the queues looked empty and found every runner busy
        if (!hasWork() || !tryAcquireRunner()) {
          return;
        }
        continue;
      }
      try {
        run(batch);
      } finally {
        if (onDocs) {
          onDocuments.decrementAndGet();
        }
      }
    }
  }

  /** The next waiting requests, up to {@code max} texts (at least one request); remove() hands each to one runner. */
  private static List<Pending> take(Queue<Pending> queue, int max) {
    List<Pending> batch = new ArrayList<>();
    int texts = 0;
    for (Pending p = queue.peek(); p != null && (batch.isEmpty() || texts + p.texts.size() <= max); p = queue.peek()) {
      if (queue.remove(p)) {
        batch.add(p);
        texts += p.texts.size();
      }
    }
    return batch;
  }

  private void run(List<Pending> batch) {
    List<String> texts = new ArrayList<>();
    batch.forEach(p -> texts.addAll(p.texts));
    try {
      List<float[]> vectors = embedBlocking(texts);
      int at = 0;
      for (Pending p : batch) {
        List<float[]> mine = new ArrayList<>(vectors.subList(at, at + p.texts.size()));
        at += p.texts.size();
        answer(p, v -> p.promise.complete(mine));
      }
    } catch (RuntimeException e) {
      batch.forEach(p -> answer(p, v -> p.promise.fail(e)));
    }
  }

  /** On the caller's context; a caller whose Vert.x has closed meanwhile is past caring, which is no error here. */
  private static void answer(Pending p, io.vertx.core.Handler<Void> action) {
    try {
      p.ctx.runOnContext(action);
    } catch (RejectedExecutionException e) {
      LOG.debug("An embedding finished after its caller's Vert.x closed");
    }
  }

  private void failQueued() {
    for (Queue<Pending> queue : List.of(queries, documents)) {
      for (Pending p = queue.poll(); p != null; p = queue.poll()) {
        Pending failed = p;
        answer(failed, v -> failed.promise.fail(closedFailure()));
      }
    }
  }

  /**
   * Takes no more texts, lets the running batches finish (up to {@code waitMs}), then stops the inference threads
   * and fails whatever is still queued. Call after the callers stopped: a clean stop leaves nothing cut off.
   */
  public void close(long waitMs) {
    closed = true;
    runners.shutdown();
    try {
      if (!runners.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
        LOG.warn("Embedding batches still running after {} ms; stopping them", waitMs);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runners.shutdownNow();
    failQueued();
  }

  /** Stops the inference threads, after the running batches (up to 10 s). */
  public void close() {
    close(10_000);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String name() {
    return model;
  }
}
