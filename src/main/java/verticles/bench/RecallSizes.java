package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import verticles.app.Engram;
import verticles.shared.Tenants;

/**
 * {@code bin/engram bench recall --sizes 100,1000,10000 [--history real|short]}: recall latency per user history
 * size. {@code --users-per-size} users of each size get their memories through the public API ({@code POST
 * /v1/sessions} of up to 500 messages, spread over the past year, each awaited): with {@code --history real} texts of
 * real length ({@link RealHistory}), with {@code short} the synthetic ones of the default run. Then, per size, {@code
 * --questions} questions never asked before go over ONE kept-alive connection, one at a time ({@code force: true},
 * {@code top_k} {@code --top-k}); reported are the client's p50/p95/p99, the server's {@code took_ms} and the
 * per-stage {@code timings} of the replies, and the reply size. Last, {@code --clients} connections saturate the node
 * for {@code --seconds}, against the query-embedding ceiling measured just before with the same kind of texts; a
 * degraded reply counts as an error.
 */
final class RecallSizes {
  private static final String CHARACTER = "c1";
  private static final List<String> STAGES = List.of("intent_ms", "embed_ms", "index_ms", "vector_ms", "mysql_ms",
      "entities_ms");

  private final Engram engram;
  private final RealHistory real;
  private final AtomicInteger asked = new AtomicInteger();
  /** With {@code --conversation N}: the questions asked last, sent as the conversation before the next one. */
  private final java.util.ArrayDeque<String> lastAsked = new java.util.ArrayDeque<>();
  private int conversationTurns;

  private RecallSizes(Engram engram, RealHistory real) {
    this.engram = engram;
    this.real = real;
  }

  static void run(JsonObject cfg, Map<String, String> opts) throws Exception {
    int[] sizes = Arrays.stream(opts.get("sizes").split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    String history = opts.getOrDefault("history", "real");
    if (!List.of("real", "short").contains(history)) {
      throw new IllegalArgumentException("--history must be real or short");
    }
    int perSize = Integer.parseInt(opts.getOrDefault("users-per-size", "2"));
    int questions = Integer.parseInt(opts.getOrDefault("questions", "500"));
    int topK = Integer.parseInt(opts.getOrDefault("top-k", "10"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "15"));
    int clients = Integer.parseInt(opts.getOrDefault("clients", "64"));
    RealHistory real = history.equals("real") ? RealHistory.read(
        Path.of(opts.getOrDefault("memdaily", "../shared/data/memdaily")),
        Path.of(opts.getOrDefault("locomo", "../shared/data/locomo"))) : null;
    cfg.put("data_dir", Bench.scratch("engram-bench-recall-").toString());
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    String key = Bench.ownKey(cfg);
    try (Engram engram = Engram.start(cfg)) {
      RecallSizes bench = new RecallSizes(engram, real);
      WebClient one = client(engram, key, 1);
      WebClient writers = client(engram, key, 8);
      Map<Integer, List<String>> users = new LinkedHashMap<>();
      long t0 = System.nanoTime();
      List<Future<Integer>> ingests = new ArrayList<>();
      for (int s = 0; s < sizes.length; s++) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < perSize; k++) {
          String user = "bench-s" + sizes[s] + "-u" + k;
          ingests.add(bench.ingest(writers, user, bench.history(s * 100 + k, sizes[s]), 0));
          ids.add(user);
        }
        users.put(sizes[s], ids);
      }
      int posted = Future.await(Future.all(ingests)).<Integer>list().stream().mapToInt(Integer::intValue).sum();
      Bench.out(String.format("ingest: %d messages (%s history, %d users per size) through POST /v1/sessions in %.1f s",
          posted, history, perSize, (System.nanoTime() - t0) / 1e9));
      for (var e : users.entrySet()) {
        long held = engram.index().count(Tenants.inward(Bench.TENANT, e.getValue().get(0)), CHARACTER);
        Bench.out(String.format("  size %d: the index holds %d records for %s", e.getKey(), held, e.getValue().get(0)));
      }
      List<String> everyone = users.values().stream().flatMap(List::stream).toList();
      bench.sequential(one, everyone, Math.max(100, questions / 2), topK, opts.containsKey("show-reply")); // JIT warm-up over every user, not reported
      Map<Integer, Stats> bySize = new LinkedHashMap<>();
      for (var e : users.entrySet()) {
        Stats stats = bench.sequential(one, e.getValue(), questions, topK, false);
        bySize.put(e.getKey(), stats);
        Bench.out(String.format("size %d, one connection, %d uncached questions: %s", e.getKey(), questions, stats));
      }
      int turns = Integer.parseInt(opts.getOrDefault("conversation", "0"));
      if (turns > 0) { // the same size again, each question after the last `turns` questions as its conversation
        bench.conversationTurns = turns;
        Stats talk = bench.sequential(one, users.get(sizes[0]), questions, topK, false);
        bench.conversationTurns = 0;
        Bench.out(String.format("size %d, one connection, %d uncached questions, each with the %d before it as"
            + " recent_context: %s", sizes[0], questions, turns, talk));
      }
      Stats first = bySize.get(sizes[0]);
      Stats last = bySize.get(sizes[sizes.length - 1]);
      Bench.out(String.format("size %d vs %d: p50 %.2f×, p99 %.2f× (aim ≤ 1.5×)", sizes[sizes.length - 1], sizes[0],
          last.client[0] / first.client[0], last.client[2] / first.client[2]));
      double ceiling = bench.ceiling(seconds / 2);
      WebClient many = client(engram, key, clients);
      double[] high = bench.saturated(many, everyone, clients, seconds, topK);
      Bench.out(String.format("saturated (%d clients): %.0f recalls/s, p50 %.1f ms, p99 %.1f ms, errors %d",
          clients, high[0], high[1], high[2], (long) high[3]));
      Bench.out(String.format("query embedding ceiling (same run, same kind of texts): %.0f texts/s; recall throughput"
          + " = %.0f%% of it (aim ≥ 80%%)", ceiling, 100 * high[0] / ceiling));
    }
  }

  private static WebClient client(Engram engram, String key, int connections) {
    return Bench.withKey(WebClient.create(engram.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(engram.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections)), key);
  }

  private List<String> history(int u, int n) {
    return real != null ? real.history(u, n) : Bench.texts(n, 5000L + u);
  }

  private String nextQuestion() {
    int i = asked.getAndIncrement();
    return real != null ? real.question(i) : RecallBench.query(77_000L + i, i);
  }

  /**
   * The user's history as sessions of up to 500 messages, one message every year/n seconds up to now; each session
   * awaited before the next (a user's sessions arrive one after another), users side by side.
   */
  private Future<Integer> ingest(WebClient http, String user, List<String> texts, int from) {
    if (from >= texts.size()) {
      return Future.succeededFuture(texts.size());
    }
    long now = Instant.now().getEpochSecond() - 60;
    long step = Math.max(1, 365L * 86400 / texts.size());
    JsonArray messages = new JsonArray();
    for (int i = from; i < Math.min(texts.size(), from + 500); i++) {
      messages.add(new JsonObject().put("msg_id", "m" + i).put("role", "user").put("content", texts.get(i))
          .put("timestamp", now - (texts.size() - i) * step));
    }
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", CHARACTER)
        .put("session_id", "s" + from / 500).put("messages", messages);
    return BenchTarget.postSession(engram.vertx(), http, session, 0)
        .compose(r -> completed(http, r.bodyAsJsonObject().getString("task_id")))
        .compose(x -> ingest(http, user, texts, from + 500));
  }

  private Future<Void> completed(WebClient http, String task) {
    return http.get("/v1/tasks/" + task).send().expecting(Bench.replied(200, "GET /v1/tasks/" + task)).compose(r -> {
      String status = r.bodyAsJsonObject().getString("status");
      if (status.equals("completed")) {
        return Future.succeededFuture();
      }
      if (status.equals("failed")) {
        return Future.failedFuture(new IllegalStateException("task " + task + " failed: " + r.bodyAsString()));
      }
      return engram.vertx().timer(100).compose(x -> completed(http, task));
    });
  }

  /** {@code n} questions, one at a time over {@code http}'s one connection, round-robin over {@code users}. */
  private Stats sequential(WebClient http, List<String> users, int n, int topK, boolean show) throws Exception {
    Stats stats = new Stats();
    for (int i = 0; i < n; i++) {
      JsonObject body = body(users.get(i % users.size()), topK);
      long t = System.nanoTime();
      var reply = Future.await(http.post("/v1/recall").sendJsonObject(body)
          .expecting(Bench.replied(200, "POST /v1/recall")));
      stats.add(body, reply.bodyAsJsonObject(), System.nanoTime() - t, reply.body().length());
      if (i == 0 && show) {
        Bench.out("  a reply: " + reply.bodyAsString());
      }
    }
    stats.done();
    return stats;
  }

  private JsonObject body(String user, int topK) {
    String question = nextQuestion();
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", CHARACTER).put("message", question)
        .put("force", true).put("top_k", topK);
    if (conversationTurns > 0) {
      if (!lastAsked.isEmpty()) {
        JsonArray turns = new JsonArray();
        lastAsked.forEach(t -> turns.add(new JsonObject().put("role", "user").put("content", t)));
        body.put("recent_context", turns);
      }
      lastAsked.addLast(question);
      while (lastAsked.size() > conversationTurns) {
        lastAsked.removeFirst();
      }
    }
    return body;
  }

  /** Single questions from 64 concurrent callers straight into the model, as recalls embed them: texts/s. */
  private double ceiling(double seconds) throws Exception {
    AtomicInteger n = new AtomicInteger();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < 64; c++) {
      loops.add(Bench.loopUntil(end, () -> engram.embedder().embedQuery(nextQuestion())
          .onSuccess(x -> n.incrementAndGet())));
    }
    Future.await(Future.all(loops));
    return n.get() / ((System.nanoTime() - t0) / 1e9);
  }

  /** Closed loops of {@code clients}: recalls/s, p50, p99 (ms), errors (degraded replies). */
  private double[] saturated(WebClient http, List<String> users, int clients, double seconds, int topK)
      throws Exception {
    List<Long> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong errors = new AtomicLong();
    AtomicInteger turn = new AtomicInteger();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      loops.add(Bench.loopUntil(end, () -> {
        JsonObject body = body(users.get(turn.getAndIncrement() % users.size()), topK);
        long t = System.nanoTime();
        return http.post("/v1/recall").sendJsonObject(body).expecting(Bench.replied(200, "POST /v1/recall"))
            .onSuccess(r -> {
              JsonArray degraded = r.bodyAsJsonObject().getJsonArray("degraded");
              if (!degraded.isEmpty()) {
                if (errors.incrementAndGet() <= 3) {
                  Bench.out("  error sample: degraded " + degraded);
                }
              } else {
                samples.add(System.nanoTime() - t);
              }
            });
      }));
    }
    Future.await(Future.all(loops));
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    return new double[] {sorted.length / elapsed, Stats.pct(sorted, 0.5) / 1e6, Stats.pct(sorted, 0.99) / 1e6,
        errors.get()};
  }

  /** One size's replies: client latency, took_ms, stage timings, reply bytes. */
  private static final class Stats {
    private final List<Long> clientNs = new ArrayList<>();
    private final List<Long> took = new ArrayList<>();
    private final List<Long> bytes = new ArrayList<>();
    private final Map<String, List<Double>> stages = new LinkedHashMap<>();
    private int degraded;
    private int empty;
    double[] client;

    void add(JsonObject body, JsonObject reply, long ns, int size) {
      if (!reply.getJsonArray("degraded", new JsonArray()).isEmpty()) {
        degraded++;
        return;
      }
      if (reply.getJsonArray("memories", new JsonArray()).isEmpty()) {
        // every user has memories: an empty answer means the run measures something else than recall
        throw new IllegalStateException("POST /v1/recall for " + body.getString("user_id")
            + ", who has memories, found none: " + reply.encode());
      }
      clientNs.add(ns);
      took.add(reply.getLong("took_ms", 0L));
      bytes.add((long) size);
      reply.getJsonObject("timings", new JsonObject()).forEach(e -> stages.computeIfAbsent(e.getKey(),
          k -> new ArrayList<>()).add(((Number) e.getValue()).doubleValue()));
    }

    void done() {
      long[] sorted = clientNs.stream().mapToLong(Long::longValue).sorted().toArray();
      client = new double[] {pct(sorted, 0.5) / 1e6, pct(sorted, 0.95) / 1e6, pct(sorted, 0.99) / 1e6};
    }

    @Override
    public String toString() {
      long[] t = took.stream().mapToLong(Long::longValue).sorted().toArray();
      StringBuilder s = new StringBuilder(String.format("client p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; server took_ms"
          + " p50 %d, p95 %d, p99 %d; stage p50 (ms):", client[0], client[1], client[2], pct(t, 0.5), pct(t, 0.95),
          pct(t, 0.99)));
      for (String stage : STAGES) {
        List<Double> v = stages.getOrDefault(stage, List.of());
        if (!v.isEmpty()) {
          double[] d = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
          s.append(String.format(" %s %.2f", stage.replace("_ms", ""), d[d.length / 2]));
        }
      }
      long[] b = bytes.stream().mapToLong(Long::longValue).sorted().toArray();
      return s.append(String.format("; reply p50 %d bytes; degraded %d", pct(b, 0.5), degraded)).toString();
    }

    static long pct(long[] sorted, double p) {
      return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
  }
}
