package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import verticles.app.Engram;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Empty;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;

/**
 * {@code bin/engram bench mixed}: what a chat feels while the node ingests at full speed. One connection recalls
 * (forced, so every recall embeds and searches) first on a quiet node, then while {@code --ingest-clients} (20)
 * clients post 20-message sessions as fast as they are accepted, every message embedded and indexed by the rule
 * extractor. Reports recall p50 / p99 and the share of degraded answers (by reason) in both phases, and how many
 * sessions the node took in meanwhile.
 */
final class MixedBench {
  private MixedBench() {}

  static void run(JsonObject cfg, Map<String, String> opts) throws Exception {
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "30"));
    int ingestClients = Integer.parseInt(opts.getOrDefault("ingest-clients", "20"));
    int users = Integer.parseInt(opts.getOrDefault("users", "20"));
    cfg.put("data_dir", Bench.scratch("engram-bench-mixed-").toString());
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    String key = Bench.ownKey(cfg);
    try (Engram engram = Engram.start(cfg)) {
      WebClient http = Bench.withKey(WebClient.create(engram.vertx(), new WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(engram.port()),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(ingestClients + 2)), key);
      String run = Long.toString(System.currentTimeMillis(), 36);
      // the recall users' memories, through the whole pipeline
      AtomicLong posted = new AtomicLong();
      for (int u = 0; u < users; u++) {
        Future.await(post(engram.vertx(), http, run, "recall-" + u, u, posted, new AtomicLong()));
      }
      awaitSettled(engram, posted.get(), TimeUnit.MINUTES.toNanos(5));
      Bench.out(String.format("seed: %d users with one 20-message session each", users));

      Stats warm = recalls(http, run, users, seconds / 3, null, 1); // JIT warm-up, not reported
      Stats quiet = recalls(http, run, users, seconds, null, 2);
      Bench.out("quiet node:      " + quiet.report());

      AtomicLong ingestPosts = new AtomicLong();
      AtomicLong throttled = new AtomicLong();
      long ingestEnd = System.nanoTime() + (long) (seconds * 1e9);
      List<Future<Void>> ingest = new ArrayList<>();
      long before = settled(engram);
      for (int c = 0; c < ingestClients; c++) {
        int client = c;
        AtomicLong n = new AtomicLong();
        ingest.add(Bench.loopUntil(ingestEnd, () -> post(engram.vertx(), http, run, "ingest-" + client, n.getAndIncrement(),
            ingestPosts, throttled)));
      }
      Stats busy = recalls(http, run, users, seconds, ingestEnd, 3);
      Future.await(Future.all(ingest));
      long settledDuring = settled(engram) - before;
      Bench.out("during ingest:   " + busy.report());
      Bench.out(String.format("ingest: %d clients posted %d sessions (%.1f/s accepted, %d answered 429 and retried"
          + " after Retry-After), %d tasks settled meanwhile (%.1f/s)", ingestClients, ingestPosts.get(),
          ingestPosts.get() / seconds, throttled.get(), settledDuring, settledDuring / seconds));
      Bench.out(String.format("recall p50 %+.0f%%, p99 %+.0f%% under ingest; warm-up %s", 100 * (busy.p50 - quiet.p50)
          / quiet.p50, 100 * (busy.p99 - quiet.p99) / quiet.p99, warm.count + " recalls"));
    }
  }

  /** One 20-message session of {@code user}, counted in {@code posted} once accepted (after any 429s). */
  private static Future<?> post(io.vertx.core.Vertx vertx, WebClient http, String run, String user, long n,
      AtomicLong posted, AtomicLong throttled) {
    List<String> lines = Bench.texts(20, 7_919L * n + user.hashCode());
    long ts = java.time.Instant.now().getEpochSecond() - 3600;
    JsonArray msgs = new JsonArray();
    for (int i = 0; i < lines.size(); i++) {
      msgs.add(new JsonObject().put("msg_id", "m" + n + "-" + i).put("role", i % 2 == 0 ? "user" : "assistant")
          .put("content", lines.get(i)).put("timestamp", ts + i * 10L));
    }
    JsonObject body = new JsonObject().put("user_id", "bench-" + run + "-" + user).put("character_id", "c1")
        .put("session_id", "s" + n).put("messages", msgs);
    return Bench.postPolitely(vertx, http, "/v1/sessions", body, 202, throttled).onSuccess(r -> posted.incrementAndGet());
  }

  private static long settled(Engram engram) {
    Tasks.Counts counts = Future.await(Bus.request(engram.vertx(), Addresses.TASK_COUNTS, Empty.INSTANCE,
        new io.vertx.core.eventbus.DeliveryOptions(), Tasks.Counts::fromJson));
    return counts.byStatus().get(TaskStatus.COMPLETED) + counts.byStatus().get(TaskStatus.FAILED);
  }

  private static void awaitSettled(Engram engram, long tasks, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (settled(engram) < tasks) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the seed's " + tasks + " sessions did not settle in time");
      }
      Future.await(engram.vertx().timer(100));
    }
  }

  /** One connection recalling in a closed loop for {@code seconds}. */
  private static Stats recalls(WebClient http, String run, int users, double seconds, Long endNanos, long seed) {
    long end = endNanos != null ? endNanos : System.nanoTime() + (long) (seconds * 1e9);
    Stats stats = new Stats();
    Random r = new Random(seed);
    Future.await(Bench.loopUntil(end, () -> {
      JsonObject body = new JsonObject().put("user_id", "bench-" + run + "-recall-" + r.nextInt(users))
          .put("character_id", "c1").put("message", RecallBench.query(r.nextLong(), stats.count)).put("force", true)
          .put("top_k", 5);
      long t = System.nanoTime();
      return http.post("/v1/recall").sendJsonObject(body).expecting(Bench.replied(200, "POST /v1/recall"))
          .onSuccess(res -> stats.add(System.nanoTime() - t, res.bodyAsJsonObject().getJsonArray("degraded")));
    }));
    return stats;
  }

  /** Latencies and degraded answers of one phase. */
  private static final class Stats {
    private final List<Long> nanos = new ArrayList<>();
    private final Map<String, Integer> degradedBy = new TreeMap<>();
    private int count;
    private int degraded;
    private double p50;
    private double p99;

    void add(long ns, JsonArray reasons) {
      nanos.add(ns);
      count++;
      if (!reasons.isEmpty()) {
        degraded++;
        reasons.forEach(x -> degradedBy.merge(String.valueOf(x), 1, Integer::sum));
      }
    }

    /** The phase's line; sets p50 and p99. */
    String report() {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      p50 = sorted.length == 0 ? 0 : sorted[(int) (sorted.length * 0.50)] / 1e6;
      p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6;
      return String.format("%d recalls, p50 %.1f ms, p99 %.1f ms, degraded %d (%.1f%%) %s", count, p50, p99,
          degraded, count == 0 ? 0 : 100.0 * degraded / count, degradedBy);
    }
  }
}
