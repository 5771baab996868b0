package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import verticles.app.Engram;
import verticles.shared.Tenants;
import verticles.structured.Mysql;
import verticles.vectorsearch.MemoryRecord;

/**
 * {@code bin/engram bench recall}: HTTP recall over many users × memories, with queries that are all different and
 * all ask for memory (forced), so neither the intent gate nor the query cache flatters it.
 *
 * <p>Seeding writes straight into the index and MySQL (the ingest path has its own benchmark): a pool of distinct
 * memory sentences is embedded once by the real model, and each user gets {@code --memories} of them. With
 * {@code --sizes}, {@link RecallSizes} runs instead: real-length histories per user size, through the public API.
 */
final class RecallBench {
  private static final Map<String, List<Double>> SERVER_TIMINGS = new java.util.HashMap<>();
  private RecallBench() {}

  static void run(JsonObject cfg, Map<String, String> opts) throws Exception {
    if (opts.containsKey("sizes")) {
      RecallSizes.run(cfg, opts);
      return;
    }
    int users = Integer.parseInt(opts.getOrDefault("users", "10000"));
    int perUser = Integer.parseInt(opts.getOrDefault("memories", "100"));
    int firstPhase = Math.min(users, Integer.parseInt(opts.getOrDefault("first-users", "1000")));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "20"));
    int clients = Integer.parseInt(opts.getOrDefault("clients", "64"));
    cfg.put("data_dir", Bench.scratch("engram-bench-recall-").toString());
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    String key = Bench.ownKey(cfg);
    try (Engram engram = Engram.start(cfg)) {
      WebClient http = Bench.withKey(WebClient.create(engram.vertx(), new WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(engram.port()),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(clients)), key);
      List<String> pool = Bench.texts(Math.min(20_000, perUser * 100), 42);
      long t0 = System.nanoTime();
      List<float[]> vectors = Future.await(engram.embedder().embed(pool));
      Bench.out(String.format("seed: embedded a pool of %d memory texts in %.1f s", pool.size(),
          (System.nanoTime() - t0) / 1e9));

      seed(engram, pool, vectors, 0, firstPhase, perUser);
      Bench.out(String.format("users: %d x %d memories", firstPhase, perUser));
      latency(engram, http, firstPhase, seconds, 8, 500_000); // JIT warm-up, not reported
      serverTimings();
      double[] small = latency(engram, http, firstPhase, seconds / 2, 1, 1_000_000);
      Bench.out(String.format("low load (1 client): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d recalls)",
          small[0], small[1], small[2], (long) small[4]));
      Bench.out("  " + serverTimings());

      if (users > firstPhase) {
        seed(engram, pool, vectors, firstPhase, users, perUser);
      }
      Bench.out(String.format("users: %d x %d memories", users, perUser));
      double raw = rawQueryEmbedding(engram, seconds / 2);
      double[] low = latency(engram, http, users, seconds, 1, 2_000_000);
      Bench.out(String.format("low load (1 client): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d recalls)",
          low[0], low[1], low[2], (long) low[4]));
      Bench.out("  " + serverTimings());
      double[] high = latency(engram, http, users, seconds, clients, 3_000_000);
      Bench.out(String.format("saturated (%d clients): %.0f recalls/s, p50 %.1f ms, p99 %.1f ms, errors %d",
          clients, high[3], high[0], high[2], (long) high[5]));
      Bench.out("  " + serverTimings());
      Bench.out(String.format("query embedding ceiling (same run): %.0f texts/s; recall throughput = %.0f%% of it",
          raw, 100 * high[3] / raw));
      Bench.out(String.format("p99 at %d users vs %d users: %.1f ms vs %.1f ms (%+.0f%%)", firstPhase, users,
          small[2], low[2], 100 * (low[2] - small[2]) / small[2]));
    }
  }

  /** Memories of users [from, to): index records (batched) and three profile rows each. */
  private static void seed(Engram engram, List<String> pool, List<float[]> vectors, int from, int to, int perUser)
      throws Exception {
    long t0 = System.nanoTime();
    long now = Instant.now().getEpochSecond();
    Random random = new Random(from);
    List<MemoryRecord> batch = new ArrayList<>();
    String[] types = {"message", "message", "message", "summary", "event", "profile"};
    Pool sql = Mysql.pool(engram.vertx(), engram.config().getJsonObject("mysql"));
    for (int u = from; u < to; u++) {
      String user = user(u);
      for (int m = 0; m < perUser; m++) {
        int p = random.nextInt(pool.size());
        batch.add(new MemoryRecord(user + ":" + m, null, user, "c1", types[m % types.length], pool.get(p),
            now - random.nextInt(90 * 86400), 1 + random.nextInt(10), "s" + (m / 20), List.of("m" + m),
            new JsonObject(), vectors.get(p)));
      }
      if (batch.size() >= 20_000) {
        engram.index().upsert(batch);
        Future.await(insertMemories(sql, batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      engram.index().upsert(batch);
      Future.await(insertMemories(sql, batch));
    }
    List<Tuple> rows = new ArrayList<>();
    for (int u = from; u < to; u++) {
      rows.add(Tuple.of(user(u), "c1", "name", "用户" + u));
      rows.add(Tuple.of(user(u), "c1", "birthday", String.format("%02d-%02d", 1 + u % 12, 1 + u % 28)));
      rows.add(Tuple.of(user(u), "c1", "location", "上海"));
      if (rows.size() >= 3000) {
        Future.await(insertProfiles(sql, rows));
        rows = new ArrayList<>();
      }
    }
    if (!rows.isEmpty()) {
      Future.await(insertProfiles(sql, rows));
    }
    Future.await(sql.close());
    Bench.out(String.format("seed: users %d..%d indexed in %.1f s", from, to - 1, (System.nanoTime() - t0) / 1e9));
  }

  /** User {@code u} as the stores keep it: seeding writes past the gateway, which scopes ids to the key's tenant. */
  private static String user(int u) {
    return Tenants.inward(Bench.TENANT, "bench-u" + u);
  }

  /** Each index record's memory row, as every memory has one since issue 13 (recall's accesses count against it). */
  private static Future<?> insertMemories(Pool sql, List<MemoryRecord> records) {
    Future<?> done = Future.succeededFuture();
    for (int from = 0; from < records.size(); from += 2000) {
      List<Tuple> rows = new ArrayList<>();
      for (MemoryRecord r : records.subList(from, Math.min(records.size(), from + 2000))) {
        rows.add(Tuple.of(r.id(), r.userId(), r.characterId(), r.memoryType(), r.content(), r.importance(),
            r.sessionId(), java.time.LocalDateTime.ofEpochSecond(r.timestamp(), 0, java.time.ZoneOffset.UTC)));
      }
      done = done.compose(x -> sql.preparedQuery("INSERT INTO memories (memory_id, user_id, character_id,"
          + " memory_type, category, content, importance, confidence, metadata, source, session_id, source_msg_ids,"
          + " status, version, created_at, updated_at, valid_from) VALUES (?, ?, ?, ?, 'general', ?, ?, 1.00, '{}',"
          + " 'import', ?, '[]', 'active', 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), ?)").executeBatch(rows));
    }
    return done;
  }

  private static Future<?> insertProfiles(Pool sql, List<Tuple> rows) {
    return sql.preparedQuery("INSERT INTO user_profiles (user_id, character_id, profile_type, profile_key,"
        + " profile_value, extracted_at) VALUES (?, ?, 'basic_info', ?, ?, UTC_TIMESTAMP())").executeBatch(rows);
  }

  /** Single-text embeddings from many concurrent callers, as recalls make them: the model's ceiling for queries. */
  private static double rawQueryEmbedding(Engram engram, double seconds) throws Exception {
    AtomicInteger n = new AtomicInteger();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < 64; c++) {
      int client = c;
      loops.add(embedLoop(engram, client, n, end));
    }
    Future.await(Future.all(loops));
    return n.get() / ((System.nanoTime() - t0) / 1e9);
  }

  private static Future<Void> embedLoop(Engram engram, int client, AtomicInteger n, long end) {
    return Bench.loopUntil(end, () -> {
      int i = n.getAndIncrement();
      return engram.embedder().embed(List.of(query(client * 1_000_003L + i, i)));
    });
  }

  static String query(long seed, int i) {
    String[] asks = {"你还记得我说过的%s吗", "上次我们聊的%s是什么来着", "do you remember what I said about %s",
        "what did I tell you about %s", "我之前提过的%s你记得吗"};
    String[] topics = {"火锅", "我妹妹", "面试", "爬山", "小猫", "my job", "the concert", "吉他", "my birthday", "北京"};
    Random r = new Random(seed);
    return String.format(asks[r.nextInt(asks.length)], topics[r.nextInt(topics.length)]) + " #" + i;
  }

  /**
   * Runs {@code clients} closed loops for {@code seconds}; returns p50, p95, p99 (ms), recalls/s, count, errors
   * (degraded answers).
   */
  private static double[] latency(Engram engram, WebClient http, int users, double seconds, int clients, long seedBase)
      throws Exception {
    List<Long> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong errors = new AtomicLong();
    AtomicInteger counter = new AtomicInteger();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Random r = new Random(seedBase + c);
      loops.add(Bench.loopUntil(end, () -> recallOnce(http, users, r, counter, samples, errors)));
    }
    Future.await(Future.all(loops));
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new double[] {pct(sorted, 0.50), pct(sorted, 0.95), pct(sorted, 0.99), sorted.length / elapsed,
        sorted.length, errors.get()};
  }

  private static Future<Void> recallOnce(WebClient http, int users, Random r, AtomicInteger counter, List<Long> samples,
      AtomicLong errors) {
    int i = counter.getAndIncrement();
    JsonObject body = new JsonObject().put("user_id", "bench-u" + r.nextInt(users)).put("character_id", "c1")
        .put("message", query(r.nextLong(), i)).put("force", true).put("top_k", 5);
    long t = System.nanoTime();
    // a failed request or another status than 200 fails the run; a degraded answer is counted as an error
    return http.post("/v1/recall").sendJsonObject(body).expecting(Bench.replied(200, "POST /v1/recall")).compose(res -> {
      JsonArray degraded = res.bodyAsJsonObject().getJsonArray("degraded");
      if (degraded.isEmpty() && res.bodyAsJsonObject().getJsonArray("memories").isEmpty()) {
        // every user has memories: an empty answer means the run measures something else than recall
        return Future.failedFuture(new IllegalStateException("POST /v1/recall for " + body.getString("user_id")
            + ", who has memories, found none: " + res.bodyAsString()));
      }
      if (!degraded.isEmpty()) {
        if (errors.incrementAndGet() <= 3) {
          Bench.out("  error sample: degraded " + degraded);
        }
      } else {
        samples.add(System.nanoTime() - t);
        JsonObject timings = res.bodyAsJsonObject().getJsonObject("timings", new JsonObject());
        synchronized (SERVER_TIMINGS) {
          timings.forEach(e -> SERVER_TIMINGS.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(((Number) e.getValue()).doubleValue()));
        }
      }
      return Future.succeededFuture();
    });
  }

  /** Server-side {@code timings} of the replies since the last call, as "name p50" pairs: where a recall's time goes. */
  private static String serverTimings() {
    StringBuilder out = new StringBuilder();
    synchronized (SERVER_TIMINGS) {
      for (String key : List.of("intent_ms", "embed_ms", "index_ms", "vector_ms", "mysql_ms")) {
        List<Double> v = SERVER_TIMINGS.getOrDefault(key, List.of());
        if (!v.isEmpty()) {
          double[] sorted = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
          out.append(String.format(" %s %.1f", key.replace("_ms", ""), sorted[sorted.length / 2]));
        }
      }
      SERVER_TIMINGS.clear();
    }
    return "server-side p50 (ms):" + out;
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }
}
