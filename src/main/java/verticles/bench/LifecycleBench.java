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
import java.util.concurrent.atomic.AtomicInteger;
import verticles.app.Engram;

/**
 * {@code bin/engram bench lifecycle}: what a correction costs. Imports {@code --memories} (400) memories, then, at
 * each of {@code --connections} (1,8) closed-loop clients, for {@code --seconds} (20) each: {@code PATCH} with
 * If-Match (a new version, re-embedded and re-indexed before the reply); a transaction of {@code --ops} (3) updates
 * (begin, stage each, commit; the commit timed on its own and the whole); and the same updates as one
 * {@code POST /v1/memories/batch}. Each client corrects memories of its own, so no write waits for another's lock.
 */
final class LifecycleBench {
  private LifecycleBench() {}

  /** One memory a client corrects: its id and the version its next If-Match names. */
  private static final class Owned {
    final String id;
    int version = 1;

    Owned(String id) {
      this.id = id;
    }
  }

  static void run(JsonObject cfg, Map<String, String> opts) throws Exception {
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "20"));
    int memories = Integer.parseInt(opts.getOrDefault("memories", "400"));
    int ops = Integer.parseInt(opts.getOrDefault("ops", "3"));
    List<Integer> levels = Arrays.stream(opts.getOrDefault("connections", "1,8").split(","))
        .map(String::strip).map(Integer::parseInt).toList();
    cfg.put("data_dir", Bench.scratch("engram-bench-lifecycle-").toString());
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    String key = Bench.ownKey(cfg);
    int maxClients = levels.stream().mapToInt(Integer::intValue).max().orElse(1);
    try (Engram engram = Engram.start(cfg)) {
      WebClient http = Bench.withKey(WebClient.create(engram.vertx(), new WebClientOptions()
          .setDefaultHost("127.0.0.1").setDefaultPort(engram.port()),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(maxClients + 2)), key);
      String run = Long.toString(System.currentTimeMillis(), 36);
      List<Owned> all = new ArrayList<>();
      List<String> texts = Bench.texts(memories, 41L);
      for (int i = 0; i < memories; i++) {
        JsonObject body = new JsonObject().put("user_id", "bench-" + run + "-" + (i % 20)).put("character_id", "c1")
            .put("memory_type", "event").put("content", texts.get(i))
            .put("timestamp", java.time.Instant.now().getEpochSecond() - 3600);
        all.add(new Owned(Future.await(http.post("/v1/memories").sendJsonObject(body)
            .expecting(Bench.replied(201, "POST /v1/memories"))).bodyAsJsonObject().getString("id")));
      }
      Bench.out(String.format("seed: %d imported memories of 20 users; updates of %d ops per transaction and batch",
          memories, ops));
      phase(http, all, 1, seconds / 3, (c, step) -> patch(http, c, step)); // JIT warm-up, not reported
      for (int clients : levels) {
        Bench.out(String.format("%d connection(s), %.0f s per phase:", clients, seconds));
        Bench.out("  PATCH            " + phase(http, all, clients, seconds, (c, step) -> patch(http, c, step))
            .report());
        Latencies commit = new Latencies();
        Latencies whole = phase(http, all, clients, seconds, (c, step) -> transaction(http, c, step, ops, commit));
        Bench.out("  commit           " + commit.report(seconds));
        Bench.out("  transaction      " + whole.report() + " (begin + " + ops + " staged + commit)");
        Bench.out("  batch            " + phase(http, all, clients, seconds, (c, step) -> batch(http, c, step, ops))
            .report());
      }
    }
  }

  interface Step {
    Future<?> run(List<Owned> mine, int step);
  }

  /** {@code clients} closed loops for {@code seconds}, each over its own share of the memories. */
  private static Latencies phase(WebClient http, List<Owned> all, int clients, double seconds, Step step) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    Latencies latencies = new Latencies();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      List<Owned> mine = new ArrayList<>();
      for (int i = c; i < all.size(); i += clients) {
        mine.add(all.get(i));
      }
      AtomicInteger n = new AtomicInteger();
      loops.add(Bench.loopUntil(end, () -> {
        long t = System.nanoTime();
        return step.run(mine, n.getAndIncrement()).onSuccess(x -> latencies.add(System.nanoTime() - t));
      }));
    }
    Future.await(Future.all(loops));
    latencies.seconds = seconds;
    return latencies;
  }

  private static Future<?> patch(WebClient http, List<Owned> mine, int step) {
    Owned m = mine.get(step % mine.size());
    return http.patch("/v1/memories/" + m.id).putHeader("If-Match", "\"" + m.version + "\"")
        .sendJsonObject(new JsonObject().put("importance", 1 + step % 10).put("content", "更正 " + step + "：" + m.id)
            .put("reason", "bench"))
        .expecting(Bench.replied(200, "PATCH /v1/memories/{id}"))
        .onSuccess(r -> m.version = r.bodyAsJsonObject().getInteger("version"));
  }

  private static List<Owned> picks(List<Owned> mine, int step, int ops) {
    List<Owned> out = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      out.add(mine.get((step * ops + i) % mine.size()));
    }
    return out;
  }

  private static JsonObject update(Owned m, int step) {
    return new JsonObject().put("op", "update").put("id", m.id).put("if_match", m.version)
        .put("content", "事务更正 " + step + "：" + m.id).put("reason", "bench");
  }

  /** Each op's reply carries the memory's new version (a deleted one: none). */
  private static void versions(List<Owned> picked, JsonArray results) {
    for (int i = 0; i < picked.size(); i++) {
      Integer v = results.getJsonObject(i).getInteger("version");
      if (v != null) {
        picked.get(i).version = v;
      }
    }
  }

  private static Future<?> transaction(WebClient http, List<Owned> mine, int step, int ops, Latencies commit) {
    List<Owned> picked = picks(mine, step, ops);
    return http.post("/v1/transactions").sendJsonObject(new JsonObject())
        .expecting(Bench.replied(201, "POST /v1/transactions"))
        .compose(r -> {
          String tx = r.bodyAsJsonObject().getString("tx_id");
          Future<?> staged = Future.succeededFuture();
          for (Owned m : picked) {
            staged = staged.compose(x -> http.post("/v1/transactions/" + tx + "/operations")
                .sendJsonObject(update(m, step)).expecting(Bench.replied(201, "POST /v1/transactions/{tx}/operations")));
          }
          return staged.compose(x -> {
            long t = System.nanoTime();
            return http.post("/v1/transactions/" + tx + "/commit").send()
                .expecting(Bench.replied(200, "POST /v1/transactions/{tx}/commit"))
                .onSuccess(c -> {
                  commit.add(System.nanoTime() - t);
                  versions(picked, c.bodyAsJsonObject().getJsonArray("results"));
                });
          });
        });
  }

  private static Future<?> batch(WebClient http, List<Owned> mine, int step, int ops) {
    List<Owned> picked = picks(mine, step, ops);
    JsonArray operations = new JsonArray();
    picked.forEach(m -> operations.add(update(m, step)));
    return http.post("/v1/memories/batch").sendJsonObject(new JsonObject().put("operations", operations))
        .expecting(Bench.replied(200, "POST /v1/memories/batch"))
        .onSuccess(r -> versions(picked, r.bodyAsJsonObject().getJsonArray("results")));
  }

  /** Latencies of one phase: p50, p99 and how many per second. */
  static final class Latencies {
    private final List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());
    double seconds;

    void add(long ns) {
      nanos.add(ns);
    }

    String report() {
      return report(seconds);
    }

    String report(double over) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      double p50 = sorted.length == 0 ? 0 : sorted[(int) (sorted.length * 0.50)] / 1e6;
      double p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6;
      return String.format("%6d calls, %7.1f/s, p50 %6.1f ms, p99 %6.1f ms", sorted.length, sorted.length / over, p50,
          p99);
    }
  }
}
