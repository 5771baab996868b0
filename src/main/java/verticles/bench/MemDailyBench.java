package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import verticles.bench.MemDaily.Message;
import verticles.bench.MemDaily.Question;
import verticles.bench.MemDaily.Trajectory;

/**
 * {@code bin/engram bench memdaily}: evidence recall on MemDaily's Chinese trajectories, through the public HTTP API
 * only and with no LLM in the loop, scored as {@link LocomoBench} scores LoCoMo.
 *
 * <p>Each trajectory is one user: its messages (with {@code --noise N}, also N messages of other topics' trajectories
 * interleaved by time) are posted as one session and awaited; the recall API takes no time, so the trajectory is
 * moved in time as a whole until its question falls on the run's start, and the question is then recalled with
 * {@code force: true}. Recall@k is the share of the question's evidence messages among the first k distinct messages
 * cited by the recalled memories ({@link LocomoBench.Result#recallAt}).
 */
final class MemDailyBench {
  static final String CHARACTER = "memdaily";
  static final long DEFAULT_SEED = 16;

  private MemDailyBench() {}

  static void run(JsonObject cfg, Map<String, String> opts) throws Exception {
    Path data = Path.of(opts.getOrDefault("dataset", "../shared/data/memdaily"));
    String mode = opts.getOrDefault("mode", "messages");
    if (!List.of("messages", "extracted").contains(mode)) {
      throw new IllegalArgumentException("--mode must be messages or extracted");
    }
    int[] ks = Arrays.stream(opts.getOrDefault("k", "1,3,5,10").split(",")).mapToInt(s -> Integer.parseInt(s.trim()))
        .sorted().toArray();
    int limit = Integer.parseInt(opts.getOrDefault("limit", "0"));
    int noise = Integer.parseInt(opts.getOrDefault("noise", "0"));
    String conversation = opts.getOrDefault("conversation", "none");
    long seed = Long.parseLong(opts.getOrDefault("seed", Long.toString(DEFAULT_SEED)));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "8"));
    List<String> types = opts.containsKey("types") ? Arrays.stream(opts.get("types").split(",")).map(String::trim)
        .toList() : List.of();
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException("no MemDaily data in " + data.toAbsolutePath());
    }
    List<Trajectory> pool = MemDaily.read(data);
    List<Trajectory> chosen = select(pool, types, limit);
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no MemDaily trajectory in " + data.toAbsolutePath() + " for --types " + types);
    }
    String run = opts.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
    long now = Instant.now().getEpochSecond();
    Map<Trajectory, List<Message>> held = new HashMap<>();
    for (Trajectory t : chosen) {
      held.put(t, MemDaily.withNoise(t, pool, noise, seed));
    }
    try (BenchTarget target = BenchTarget.open(cfg, opts, "engram-bench-memdaily-")) {
      long t0 = System.nanoTime();
      if (!opts.containsKey("skip-ingest")) {
        ingest(target, chosen, held, run, now, concurrency);
      }
      double ingestSeconds = (System.nanoTime() - t0) / 1e9;
      Bench.out(String.format("ingest (run %s): %d trajectories, %d messages (%d noise each), %s in %.1f s", run,
          chosen.size(), held.values().stream().mapToInt(List::size).sum(), noise, mode, ingestSeconds));
      List<String> groups = new ArrayList<>(List.of("overall"));
      chosen.stream().map(Trajectory::typeName).distinct().sorted().forEach(groups::add);
      LocomoBench.Result result = new LocomoBench.Result(ks, groups);
      for (Trajectory t : chosen) {
        for (Question q : t.questions()) {
          long started = System.nanoTime();
          MemDaily.Asked asked = MemDaily.ask(t, q, pool, conversation, seed);
          JsonObject reply = recall(target.http, userId(t, run), asked, ks[ks.length - 1], mode);
          result.latenciesMs.add((System.nanoTime() - started) / 1e6);
          if (!reply.getJsonArray("degraded", new JsonArray()).isEmpty()) {
            result.degraded++;
          }
          List<String> retrieved = LocomoBench.retrievedTurns(reply);
          score(result, t, q, retrieved);
        }
      }
      JsonObject report = result.report(mode, ingestSeconds, (int) chosen.stream().map(Trajectory::file).distinct()
          .count());
      report.put("files", report.remove("conversations")).put("trajectories", chosen.size()).put("noise", noise)
          .put("conversation", conversation).put("seed", seed).put("limit", limit).put("types", new JsonArray(types));
      LocomoBench.print(report, ks);
      Path out = Path.of(opts.getOrDefault("out", "target/memdaily-" + mode + (noise > 0 ? "-noise" + noise : "")
          + (conversation.equals("none") ? "" : "-" + conversation) + ".json"));
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report.encodePrettily(), StandardCharsets.UTF_8);
      Bench.out("written: " + out);
    }
  }

  /** The trajectories of the asked types ("01".."06"; none: all), the first {@code limit} of each file (0: all). */
  static List<Trajectory> select(List<Trajectory> pool, List<String> types, int limit) {
    Map<String, Integer> perFile = new HashMap<>();
    List<Trajectory> out = new ArrayList<>();
    for (Trajectory t : pool) {
      if ((types.isEmpty() || types.contains(t.type())) && !t.questions().isEmpty()
          && (limit <= 0 || perFile.merge(t.file(), 1, Integer::sum) <= limit)) {
        out.add(t);
      }
    }
    return out;
  }

  /** One question's recall@k into "overall" and its type, with each evidence message's rank in the report. */
  static void score(LocomoBench.Result result, Trajectory t, Question q, List<String> retrieved) {
    JsonObject ranks = new JsonObject();
    q.evidence().forEach(e -> ranks.put(e, retrieved.contains(e) ? retrieved.indexOf(e) + 1 : null));
    result.questions.add(new JsonObject().put("file", t.file()).put("tid", t.tid()).put("type", t.typeName())
        .put("question", q.text()).put("evidence_ranks", ranks));
    result.add(List.of("overall", t.typeName()), q.evidence(), retrieved);
  }

  static String userId(Trajectory t, String run) {
    return "md-" + t.file() + "-" + t.tid() + "-" + run;
  }

  /**
   * The session a trajectory's user holds: its messages as the user's turns, moved in time so that its first question
   * is asked at {@code now}.
   */
  static JsonObject session(Trajectory t, List<Message> held, String run, long now) {
    long shift = now - (t.questions().isEmpty() ? held.get(held.size() - 1).timestamp()
        : t.questions().get(0).timestamp());
    JsonArray messages = new JsonArray();
    for (Message m : held) {
      messages.add(new JsonObject().put("msg_id", m.id()).put("role", "user").put("content", m.text())
          .put("timestamp", m.timestamp() + shift));
    }
    return new JsonObject().put("user_id", userId(t, run)).put("character_id", CHARACTER).put("session_id", "s0")
        .put("messages", messages);
  }

  private static void ingest(BenchTarget target, List<Trajectory> chosen, Map<Trajectory, List<Message>> held,
      String run, long now, int concurrency) throws Exception {
    for (int i = 0; i < chosen.size(); i += concurrency) {
      List<Future<String>> tasks = new ArrayList<>();
      for (Trajectory t : chosen.subList(i, Math.min(chosen.size(), i + concurrency))) {
        tasks.add(BenchTarget.postSession(target.vertx, target.http, session(t, held.get(t), run, now), 0)
            .map(r -> r.bodyAsJsonObject().getString("task_id")));
      }
      for (String taskId : Future.await(Future.all(tasks)).<String>list()) {
        BenchTarget.awaitCompleted(target.http, taskId);
      }
    }
  }

  private static JsonObject recall(WebClient http, String user, MemDaily.Asked asked, int topK, String mode)
      throws Exception {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", CHARACTER)
        .put("message", asked.message()).put("force", true).put("top_k", topK).put("max_tokens", 32_000);
    if (asked.recentContext() != null) {
      body.put("recent_context", asked.recentContext());
    }
    if (mode.equals("messages")) {
      body.put("types", new JsonArray().add("message"));
    }
    return Future.await(http.post("/v1/recall").sendJsonObject(body).expecting(Bench.replied(200, "POST /v1/recall")))
        .bodyAsJsonObject();
  }
}
