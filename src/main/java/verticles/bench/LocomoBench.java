package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import verticles.app.Engram;
import verticles.bench.LocomoConversation.Question;
import verticles.bench.LocomoConversation.Turn;

/**
 * {@code bin/engram bench locomo}: turn-level evidence recall on LoCoMo conversations, through the public HTTP API only
 * and with no LLM in the loop (the LoCoMo paper's retrieval measure).
 *
 * <p>Each conversation is ingested as sessions (or, in {@code observations} mode, its gold observations as memories);
 * each question of categories 1–4 is recalled with {@code force: true}; the {@code provenance.msg_ids} of the returned
 * memories, flattened in rank order and de-duplicated, are the retrieved turns, and recall@k is the share of the
 * question's evidence turns among the first k.
 */
final class LocomoBench {
  static final String CHARACTER = "locomo";
  static final Map<Integer, String> CATEGORIES = Map.of(1, "multi-hop", 2, "temporal", 3, "open-domain",
      4, "single-hop");

  private LocomoBench() {}

  static void run(JsonObject cfg, Map<String, String> opts) throws Exception {
    Path data = Path.of(opts.getOrDefault("dataset", "../shared/data/locomo"));
    String mode = opts.getOrDefault("mode", "messages");
    if (!List.of("messages", "extracted", "observations").contains(mode)) {
      throw new IllegalArgumentException("--mode must be messages, extracted or observations");
    }
    int[] ks = Arrays.stream(opts.getOrDefault("k", "5,10,25,50").split(",")).mapToInt(s -> Integer.parseInt(s.trim()))
        .sorted().toArray();
    List<Path> files;
    try (Stream<Path> list = Files.list(data)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no LoCoMo conversations (*.json) in " + data.toAbsolutePath());
    }
    BenchTarget target = BenchTarget.open(cfg, opts, "engram-bench-locomo-");
    Engram engram = target.engram;
    Vertx vertx = target.vertx;
    try {
      WebClient http = target.http;
      // a fresh run id keeps several runs against one running service apart; --run and --skip-ingest re-ask the
      // questions of an earlier run against a running service (ranking experiments without a minute of ingest)
      String run = opts.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
      boolean ingest = !opts.containsKey("skip-ingest");
      List<LocomoConversation> conversations = new ArrayList<>();
      for (Path f : files) {
        conversations.add(LocomoConversation.read(f, run));
      }
      long t0 = System.nanoTime();
      for (LocomoConversation c : ingest ? conversations : List.<LocomoConversation>of()) {
        if (mode.equals("observations")) {
          importObservations(http, c);
        } else {
          ingestSessions(vertx, http, c);
        }
      }
      double ingestSeconds = (System.nanoTime() - t0) / 1e9;
      Bench.out(String.format("ingest (run %s): %d conversations, %d turns, %s in %.1f s", run, conversations.size(),
          conversations.stream().mapToInt(c -> c.turns.size()).sum(), mode, ingestSeconds));
      boolean compress = opts.containsKey("compress");
      if (compress && engram == null) {
        throw new IllegalArgumentException("--compress runs the forgetting sweep in the bench's own node: not with"
            + " --url");
      }
      JsonObject report = ask(http, conversations, ks, mode).report(mode, ingestSeconds, files.size());
      print(report, ks);
      if (compress) {
        long ageDays = Long.parseLong(opts.getOrDefault("age-days", "90"));
        JsonObject before = LocomoAging.storage(vertx, conversations);
        JsonObject sweep = LocomoAging.sweep(vertx, conversations, ageDays);
        JsonObject after = LocomoAging.storage(vertx, conversations);
        Bench.out(String.format("sweep at +%d days in %.1f s: %d compressed, %d messages consolidated into %d digests;"
            + " active storage %d -> %d bytes (%d -> %d memories), versions kept %d -> %d bytes", ageDays,
            sweep.getDouble("seconds"), sweep.getLong("compressed"), sweep.getLong("consolidated"),
            sweep.getLong("digests"), before.getLong("bytes"), after.getLong("bytes"), before.getLong("memories"),
            after.getLong("memories"), before.getLong("version_bytes"), after.getLong("version_bytes")));
        JsonObject again = ask(http, conversations, ks, mode).report(mode, ingestSeconds, files.size());
        Bench.out("after the sweep:");
        print(again, ks);
        report.put("compression", new JsonObject().put("sweep", sweep).put("storage_before", before)
            .put("storage_after", after).put("recall_after", again.getJsonObject("recall"))
            .put("latency_after_ms", again.getJsonObject("latency_ms")));
      }
      Path out = Path.of(opts.getOrDefault("out", "target/locomo-" + mode + ".json"));
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report.encodePrettily(), StandardCharsets.UTF_8);
      Bench.out("written: " + out);
    } finally {
      target.close();
    }
  }

  /** Every question of every conversation, recalled and scored. */
  private static Result ask(WebClient http, List<LocomoConversation> conversations, int[] ks, String mode)
      throws Exception {
    Result result = new Result(ks);
    for (LocomoConversation c : conversations) {
      for (Question q : c.questions) {
        long t = System.nanoTime();
        JsonObject reply = recall(http, c, q, ks[ks.length - 1], mode);
        result.latenciesMs.add((System.nanoTime() - t) / 1e6);
        if (!reply.getJsonArray("degraded", new JsonArray()).isEmpty()) {
          result.degraded++;
        }
        result.add(c, q, retrievedTurns(reply));
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- ingest and recall over HTTP

  private static void ingestSessions(Vertx vertx, WebClient http, LocomoConversation c) throws Exception {
    List<Future<String>> tasks = new ArrayList<>();
    for (Map.Entry<Integer, List<Turn>> session : c.sessions.entrySet()) {
      JsonArray messages = new JsonArray();
      for (Turn t : session.getValue()) {
        messages.add(new JsonObject().put("msg_id", t.diaId()).put("name", t.speaker())
            .put("role", t.speaker().equals(c.speakerA) ? "user" : "assistant")
            .put("content", t.text()).put("timestamp", t.timestamp()));
      }
      JsonObject body = new JsonObject().put("user_id", c.userId).put("character_id", CHARACTER)
          .put("session_id", "s" + session.getKey()).put("messages", messages);
      tasks.add(BenchTarget.postSession(vertx, http, body, 0).map(r -> r.bodyAsJsonObject().getString("task_id")));
    }
    for (String taskId : Future.await(Future.all(tasks)).<String>list()) {
      BenchTarget.awaitCompleted(http, taskId);
    }
  }

  /** The gold {@code session_N_observation} facts as memories, each citing its turns. */
  private static void importObservations(WebClient http, LocomoConversation c) throws Exception {
    List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (Map.Entry<Integer, List<Turn>> session : c.sessions.entrySet()) {
      JsonObject observations = c.json.getJsonObject("session_" + session.getKey() + "_observation");
      if (observations == null) {
        continue;
      }
      // a session without turns has no time of its own: its observations get the session's start
      long when = session.getValue().isEmpty()
          ? LocomoConversation.sessionTime(c.json.getString("session_" + session.getKey() + "_date_time"))
          : session.getValue().get(0).timestamp();
      for (String speaker : observations.fieldNames()) {
        for (Object o : observations.getJsonArray(speaker)) {
          JsonArray fact = (JsonArray) o;
          JsonArray sources = new JsonArray();
          LocomoConversation.normalise(String.valueOf(fact.getValue(1))).stream().filter(c.turns::containsKey).forEach(sources::add);
          posts.add(http.post("/v1/memories").sendJsonObject(new JsonObject().put("user_id", c.userId)
                  .put("character_id", CHARACTER).put("memory_type", "event").put("content", fact.getString(0))
                  .put("timestamp", when).put("session_id", "s" + session.getKey()).put("source_msg_ids", sources))
              .expecting(Bench.replied(201, "POST /v1/memories")));
        }
      }
      if (posts.size() > 64) {
        Future.await(Future.all(posts));
        posts.clear();
      }
    }
    Future.await(Future.all(posts));
  }

  private static JsonObject recall(WebClient http, LocomoConversation c, Question q, int topK, String mode)
      throws Exception {
    JsonObject body = new JsonObject().put("user_id", c.userId).put("character_id", CHARACTER)
        .put("message", q.question()).put("force", true).put("top_k", topK).put("max_tokens", 32_000);
    if (mode.equals("messages")) {
      body.put("types", new JsonArray().add("message"));
    }
    return Future.await(http.post("/v1/recall").sendJsonObject(body).expecting(Bench.replied(200, "POST /v1/recall")))
        .bodyAsJsonObject();
  }

  /** The cited turns of the memories, in rank order, each once. */
  static List<String> retrievedTurns(JsonObject reply) {
    Set<String> turns = new LinkedHashSet<>();
    for (Object o : reply.getJsonArray("memories", new JsonArray())) {
      JsonObject provenance = ((JsonObject) o).getJsonObject("provenance", new JsonObject());
      for (Object id : provenance.getJsonArray("msg_ids", new JsonArray())) {
        turns.add(String.valueOf(id));
      }
    }
    return new ArrayList<>(turns);
  }

  // ---------------------------------------------------------------- scoring

  /** Recall@k sums overall and per category (or MemDaily's question type), and recall latencies. */
  static final class Result {
    final int[] ks;
    /** The report's rows, in order: "overall" and the categories. */
    final List<String> groups;
    final Map<String, double[]> sums = new LinkedHashMap<>();
    final Map<String, Integer> counts = new LinkedHashMap<>();
    final List<Double> latenciesMs = new ArrayList<>();
    /** Per question: where each evidence turn was retrieved (1-based rank, or null), for error analysis. */
    final JsonArray questions = new JsonArray();
    int degraded;

    Result(int[] ks) {
      this(ks, List.of("overall", "multi-hop", "temporal", "open-domain", "single-hop"));
    }

    Result(int[] ks, List<String> groups) {
      this.ks = ks;
      this.groups = groups;
    }

    void add(LocomoConversation c, Question q, List<String> retrieved) {
      JsonObject ranks = new JsonObject();
      q.evidence().forEach(e -> ranks.put(e, retrieved.contains(e) ? retrieved.indexOf(e) + 1 : null));
      questions.add(new JsonObject().put("user_id", c.userId).put("category", CATEGORIES.get(q.category()))
          .put("question", q.question()).put("evidence_ranks", ranks));
      add(q, retrieved);
    }

    void add(Question q, List<String> retrieved) {
      add(List.of("overall", CATEGORIES.get(q.category())), q.evidence(), retrieved);
    }

    /** One question's recall@k added to each of {@code into}. */
    void add(List<String> into, Set<String> evidence, List<String> retrieved) {
      for (String group : into) {
        double[] s = sums.computeIfAbsent(group, g -> new double[ks.length]);
        for (int i = 0; i < ks.length; i++) {
          s[i] += recallAt(evidence, retrieved, ks[i]);
        }
        counts.merge(group, 1, Integer::sum);
      }
    }

    static double recallAt(Set<String> evidence, List<String> retrieved, int k) {
      long hit = retrieved.subList(0, Math.min(k, retrieved.size())).stream().filter(evidence::contains).count();
      return (double) hit / evidence.size();
    }

    JsonObject report(String mode, double ingestSeconds, int conversations) {
      JsonObject recall = new JsonObject();
      for (String group : groups) {
        double[] s = sums.get(group);
        if (s == null) {
          continue;
        }
        JsonObject row = new JsonObject().put("questions", counts.get(group));
        for (int i = 0; i < ks.length; i++) {
          row.put("R@" + ks[i], Math.round(1000 * s[i] / counts.get(group)) / 10.0);
        }
        recall.put(group, row);
      }
      double[] sorted = latenciesMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new JsonObject().put("mode", mode).put("conversations", conversations)
          .put("ingest_seconds", Math.round(ingestSeconds * 10) / 10.0)
          .put("recall", recall)
          .put("latency_ms", new JsonObject().put("p50", pct(sorted, 0.50)).put("p95", pct(sorted, 0.95))
              .put("p99", pct(sorted, 0.99)))
          .put("degraded_replies", degraded)
          .put("questions", questions);
    }

    private static double pct(double[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      return Math.round(10 * sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)]) / 10.0;
    }
  }

  static void print(JsonObject report, int[] ks) {
    JsonObject recall = report.getJsonObject("recall");
    int width = Math.max(12, recall.fieldNames().stream().mapToInt(String::length).max().orElse(0));
    StringBuilder header = new StringBuilder(String.format("%-" + width + "s %9s", "category", "questions"));
    for (int k : ks) {
      header.append(String.format(" %6s", "R@" + k));
    }
    Bench.out(header.toString());
    for (String group : recall.fieldNames()) {
      JsonObject row = recall.getJsonObject(group);
      StringBuilder line = new StringBuilder(String.format("%-" + width + "s %9d", group,
          row.getInteger("questions")));
      for (int k : ks) {
        line.append(String.format(" %6.1f", row.getDouble("R@" + k)));
      }
      Bench.out(line.toString());
    }
    JsonObject lat = report.getJsonObject("latency_ms");
    Bench.out(String.format("recall latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; degraded replies %d; ingest %.1f s",
        lat.getDouble("p50"), lat.getDouble("p95"), lat.getDouble("p99"), report.getInteger("degraded_replies"),
        report.getDouble("ingest_seconds")));
  }
}
