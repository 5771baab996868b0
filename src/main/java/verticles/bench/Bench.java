package verticles.bench;
import io.vertx.core.Expectation;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.app.Engram;
import verticles.app.Main;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Empty;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;
import verticles.shared.Tenants;
import verticles.vectorsearch.embedding.Embedder;
import verticles.vectorsearch.embedding.OnnxEmbedder;

/**
 * {@code bin/engram bench embed|ingest}. Results go to standard output as plain lines, e.g. {@code embeddings/s: 560}.
 * Every HTTP reply a benchmark gets is checked ({@link #replied}): the first unexpected one stops the run with exit
 * code 1, its status and its body, rather than measuring, or waiting for, work the service refused.
 */
public final class Bench {
  private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

  private Bench() {}

  public static void run(Deque<String> args) throws Exception {
    String what = args.isEmpty() ? "" : args.pop();
    if (what.equals("locomo") || what.equals("memdaily")) {
      // for this benchmark --data names the dataset, not the service's data directory
      args = new java.util.ArrayDeque<>(args.stream().map(a -> a.equals("--data") ? "--dataset" : a).toList());
    }
    Map<String, String> opts = new HashMap<>();
    JsonObject cfg = Main.config(args, opts);
    try {
      switch (what) {
        case "embed" -> embed(cfg, opts);
        case "ingest" -> ingest(cfg, opts);
        case "recall" -> RecallBench.run(cfg, opts);
        case "locomo" -> LocomoBench.run(cfg, opts);
        case "memdaily" -> MemDailyBench.run(cfg, opts);
        case "mixed" -> MixedBench.run(cfg, opts);
        case "lifecycle" -> LifecycleBench.run(cfg, opts);
        default -> throw new IllegalArgumentException("usage: engram bench embed|ingest|recall|mixed|lifecycle|locomo|memdaily"
            + " [--seconds N]"
            + " [--sessions N] [--nodes N --llm-ms 200 --in-flight K] [--users N] [--memories N] [--sizes 100,1000,10000 --history real|short --users-per-size N --questions N --top-k N] [--ingest-clients N] [--data DIR --mode messages|extracted|observations --k 5,10 --compress --age-days 90]"
            + " [--types 01,02 --limit N --noise N]");
      }
    } catch (IllegalStateException | IllegalArgumentException e) {
      // a benchmark's own checks (a reply, a deadline, an option): the message says what went wrong
      LOG.error("bench {} failed: {}", what, e.getMessage());
      System.exit(1); // each benchmark has closed its stack by now: exit whatever threads a failed run left behind
    } catch (Exception e) {
      LOG.error("bench {} failed", what, e);
      System.exit(1);
    }
    System.exit(0);
  }

  /**
   * The check on a reply, for the web client's {@code expecting}: any status but {@code status} fails the future with
   * the call, the status and the body.
   */
  static Expectation<HttpResponse<Buffer>> replied(int status, String call) {
    return new Expectation<>() {
      @Override
      public boolean test(HttpResponse<Buffer> reply) {
        return reply.statusCode() == status;
      }

      @Override
      public Throwable describe(HttpResponse<Buffer> reply) {
        return new IllegalStateException(call + " answered HTTP " + reply.statusCode() + " (expected " + status + "): "
            + reply.bodyAsString());
      }
    };
  }

  /** Sentences a companion chat might contain, all different. */
  static List<String> texts(int n, long seed) {
    String[] who = {"我", "我妈妈", "我同事", "我男朋友", "我室友", "我妹妹", "I", "my sister", "my boss"};
    String[] what = {"今天加班到很晚", "周末想去爬山", "最近在学吉他", "下周三要面试", "养了一只小猫", "喜欢吃火锅",
        "心情不太好", "升职了很开心", "went hiking last weekend", "is learning to cook pasta", "feels stressed about exams"};
    String[] tail = {"，你觉得呢？", "，好累啊", "，真开心", "。", "!", "?", "，想听听你的建议"};
    Random r = new Random(seed);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(who[r.nextInt(who.length)] + what[r.nextInt(what.length)] + " #" + i + tail[r.nextInt(tail.length)]);
    }
    return out;
  }

  /** Raw model throughput: batches of 32 for the given seconds after a warm-up. */
  static double embedThroughput(Embedder embedder, double seconds) throws Exception {
    int callers = Integer.getInteger("engram.bench.callers", 8);
    Future.await(embedder.embed(texts(64, 1)));
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    int done = 0;
    int batch = 0;
    while (System.nanoTime() < end) {
      // enough batches in flight to keep every inference thread busy
      List<Future<List<float[]>>> inFlight = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        inFlight.add(embedder.embed(texts(32, 100 + batch++)));
        done += 32;
      }
      Future.await(Future.all(inFlight));
    }
    return done / ((System.nanoTime() - t0) / 1e9);
  }

  private static void embed(JsonObject cfg, Map<String, String> opts) throws Exception {
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "15"));
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      String configured = cfg.getJsonObject("embedding").getString("model");
      // "auto" runs two models, one per language; the raw rate is one model's, the Chinese
      String model = "auto".equals(configured) ? "bge-small-zh-v15-q" : configured;
      OnnxEmbedder embedder = new OnnxEmbedder(vertx, model);
      double rate = embedThroughput(embedder, seconds);
      out("model: " + model + " (" + embedder.dimension() + " dims), cores: "
          + Runtime.getRuntime().availableProcessors());
      out(String.format("embeddings/s: %.0f", rate));
    } finally {
      Future.await(vertx.close());
    }
  }

  /**
   * 20-message sessions through HTTP and the whole pipeline, on a fresh embedded stack: the rule extractor on one
   * node, or with {@code --nodes N} a cluster of N nodes in this JVM (the first with every role and the embedded
   * stores, the others workers) whose extractor calls a stand-in LLM answering in {@code --llm-ms} (200).
   */
  private static void ingest(JsonObject cfg, Map<String, String> opts) throws Exception {
    int sessions = Integer.parseInt(opts.getOrDefault("sessions", "200"));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "16"));
    int nodes = Integer.parseInt(opts.getOrDefault("nodes", "0"));
    long llmMs = Long.parseLong(opts.getOrDefault("llm-ms", "200"));
    if (!opts.containsKey("keep-data")) {
      cfg.put("data_dir", scratch("engram-bench-").toString());
    }
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    io.vertx.core.Vertx llmVertx = nodes > 0 ? io.vertx.core.Vertx.vertx() : null;
    BenchLlm llm = nodes > 0 ? Future.await(BenchLlm.start(llmVertx, llmMs)) : null;
    List<Engram> workers = new ArrayList<>();
    if (nodes > 0) {
      cfg.getJsonObject("extractor").put("type", "openai").put("llm", new JsonObject().put("base_url", llm.baseUrl())
          .put("api_key", BenchLlm.API_KEY).put("model", "bench").put("timeout_ms", 30_000));
      // The LLM path is measured, not the embedding model: with every message embedded, two cores embedding
      // text would bound both runs alike.
      cfg.getJsonObject("extractor").put("index_messages", false);
      if (opts.containsKey("in-flight")) {
        cfg.getJsonObject("extractor").put("max_in_flight", Integer.parseInt(opts.get("in-flight")));
      }
      int port = verticles.embedded.Ports.free();
      cfg.getJsonObject("cluster").put("enabled", true).put("roles", "all").put("host", "127.0.0.1")
          .put("name", "engram-bench-" + port).put("port", port)
          .put("members", "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2)
              + ",127.0.0.1:" + (port + 3))
          .put("hazelcast_properties", new JsonObject().put("hazelcast.local.localAddress", "127.0.0.1"));
    }
    String key = ownKey(cfg);
    long t0 = System.nanoTime();
    Engram engram = Engram.start(cfg);
    try {
      for (int n = 1; n < nodes; n++) {
        JsonObject worker = cfg.copy().put("data_dir", scratch("engram-bench-worker-").toString());
        worker.getJsonObject("cluster").put("roles", "worker");
        worker.getJsonObject("mysql").mergeIn(engram.config().getJsonObject("mysql")).put("embedded", false);
        worker.getJsonObject("kafka").mergeIn(engram.config().getJsonObject("kafka")).put("embedded", false);
        workers.add(Engram.start(worker));
      }
      double startup = (System.nanoTime() - t0) / 1e9;
      double raw = nodes > 0 ? 0 : embedThroughput(engram.embedder(), 10);
      WebClient http = withKey(WebClient.create(engram.vertx(), new io.vertx.ext.web.client.WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(engram.port())), key);
      java.util.concurrent.atomic.AtomicLong throttled = new java.util.concurrent.atomic.AtomicLong();
      String run = Long.toString(System.currentTimeMillis(), 36);
      long start = System.nanoTime();
      // post with bounded concurrency
      for (int i = 0; i < sessions; i += concurrency) {
        List<Future<?>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(sessions, i + concurrency); j++) {
          batch.add(postPolitely(engram.vertx(), http, "/v1/sessions", session(run, j), 202, throttled));
        }
        Future.await(Future.all(batch));
      }
      // wait until every task completed
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      Tasks.Counts counts;
      while (true) {
        counts = Future.await(Bus.request(engram.vertx(), Addresses.TASK_COUNTS, Empty.INSTANCE,
            new DeliveryOptions(), Tasks.Counts::fromJson));
        long done = counts.byStatus().get(TaskStatus.COMPLETED) + counts.byStatus().get(TaskStatus.FAILED);
        if (done >= sessions) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(done + " of " + sessions + " accepted sessions settled within 30 minutes: "
              + counts.toJson().encode());
        }
        Future.await(engram.vertx().timer(50));
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long records = 0;
      for (int j = 0; j < sessions; j++) {
        records += engram.index().count(Tenants.inward(TENANT, "bench-" + run + "-" + j), "c1");
      }
      if (counts.byStatus().get(TaskStatus.COMPLETED) > 0 && records == 0) {
        throw new IllegalStateException("the completed sessions left no record in the index under their users' ids");
      }
      double textsPerSec = records / elapsed;
      out(String.format("startup_s: %.1f", startup));
      out(String.format("sessions: %d x 20 messages, elapsed_s: %.1f, completed %d, failed %d", sessions, elapsed,
          counts.byStatus().get(TaskStatus.COMPLETED), counts.byStatus().get(TaskStatus.FAILED)));
      out(String.format("sessions/s: %.1f", sessions / elapsed));
      out(String.format("answered 429 and posted again after Retry-After: %d", throttled.get()));
      if (nodes > 0) {
        JsonObject ex = cfg.getJsonObject("extractor");
        int instances = cfg.getJsonObject("instances").getInteger("extractor", 2);
        out(String.format("nodes: %d (1 all roles + %d worker), extractor instances: %d, max_in_flight per instance: %d",
            nodes, nodes - 1, nodes * instances, ex.getInteger("max_in_flight", 32)));
        out(String.format("llm: %d ms per call, 3 calls per session (summary, profiles, events, in parallel), %d calls;"
            + " one task at a time would give %.1f sessions/s", llmMs, llm.calls(), 1000.0 / llmMs));
        out(String.format("embedded_texts: %d (messages not indexed in this mode)", records));
      } else {
        out(String.format("embeddings/s: %.0f (raw model, same run)", raw));
        out(String.format("embedded_texts: %d, embedded texts/s: %.0f (%.0f%% of raw)", records, textsPerSec,
            100 * textsPerSec / raw));
      }
    } finally {
      workers.forEach(Engram::close); // before the first node, which holds the embedded stores
      engram.close();
      if (llmVertx != null) {
        Future.await(llmVertx.close());
      }
    }
  }

  private static JsonObject session(String run, int j) {
    List<String> lines = texts(20, 10_000L * j + 7);
    long ts = Instant.now().getEpochSecond() - 3600;
    JsonArray msgs = new JsonArray();
    for (int i = 0; i < lines.size(); i++) {
      msgs.add(new JsonObject().put("msg_id", "m" + i).put("role", i % 2 == 0 ? "user" : "assistant")
          .put("content", lines.get(i)).put("timestamp", ts + i * 10L));
    }
    return new JsonObject().put("user_id", "bench-" + run + "-" + j).put("character_id", "c1").put("messages", msgs);
  }

  /** A temporary data directory, deleted when the JVM exits: a full recall run leaves gigabytes behind otherwise. */
  static java.nio.file.Path scratch(String prefix) throws java.io.IOException {
    java.nio.file.Path dir = Files.createTempDirectory(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (java.io.IOException e) {
        LOG.warn("could not delete {}: {}", dir, e.toString());
      }
    }));
    return dir;
  }

  /** The tenant of a benchmark's own key (the development key's): the stores keep its users as {@code default:id}. */
  static final String TENANT = "default";

  /** A benchmark's own service gets a fresh development key, which {@link #withKey} then sends. */
  static String ownKey(JsonObject cfg) {
    String key = verticles.gateway.ApiKeys.generate();
    cfg.getJsonObject("auth").put("keys", new JsonArray()).put("dev_key", key);
    return key;
  }

  /**
   * A closed loop: runs {@code step} again each time it completes, until {@code end} (nanoTime); fails with the first
   * failed step. Not a chain of composed futures: thousands of iterations nested by compose overflow the stack when
   * the last one completes, which broke a whole bench JVM's logging and hung it.
   */
  static Future<Void> loopUntil(long end, java.util.function.Supplier<Future<?>> step) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (System.nanoTime() > end) {
        done.tryComplete();
        return;
      }
      step.get().onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
        } else {
          next[0].run();
        }
      });
    };
    next[0].run();
    return done.future();
  }

  /**
   * POSTs {@code body} and expects {@code status}; a 429 (a rate limit, or the ingest backlog full) waits its
   * {@code Retry-After} and posts again, as a well-behaved client does, counted in {@code throttled}.
   */
  static Future<HttpResponse<Buffer>> postPolitely(io.vertx.core.Vertx vertx, WebClient http, String path,
      JsonObject body, int status, java.util.concurrent.atomic.AtomicLong throttled) {
    return http.post(path).sendJsonObject(body).compose(res -> {
      if (res.statusCode() != 429) {
        return Future.succeededFuture(res);
      }
      throttled.incrementAndGet();
      String after = res.getHeader("Retry-After");
      return vertx.timer(after == null ? 1 : Long.parseLong(after), TimeUnit.SECONDS)
          .compose(x -> postPolitely(vertx, http, path, body, status, throttled));
    }).expecting(replied(status, "POST " + path));
  }

  static WebClient withKey(WebClient client, String key) {
    return io.vertx.ext.web.client.WebClientSession.create(client).addHeader("Authorization", "Bearer " + key);
  }

  @SuppressWarnings("java:S106") // a benchmark's results are its standard output
  static void out(String line) {
    System.out.println(line);
    LOG.debug(line);
  }

}
