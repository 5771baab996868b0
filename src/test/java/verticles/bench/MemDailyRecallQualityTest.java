package verticles.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.TestStack;
import verticles.bench.MemDaily.Question;
import verticles.bench.MemDaily.Trajectory;

/**
 * The Chinese quality test's MemDaily part ({@code ChineseRecallQualityTest} has the hand-written companion chats):
 * a fixed subset of MemDaily ({@code src/test/resources/quality/memdaily-subset.json}: the first 4 trajectories of
 * each question type's events and roles files, 48 questions) goes in and is recalled exactly as
 * {@code bin/engram bench memdaily} does it, plain and with 20 noise messages per user, and scored the same way
 * (recall@k: the share of the evidence messages among the first k cited). The floors sit a few points under what was
 * measured, so a regression fails the suite.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Recall on MemDaily's Chinese trajectories finds the evidence messages, also among other topics' messages")
class MemDailyRecallQualityTest {
  private static final Logger LOG = LoggerFactory.getLogger(MemDailyRecallQualityTest.class);
  private static final int NOISE = 20;
  private static final int[] KS = {1, 3, 5, 10};

  // Floors at k = 1, 3, 5, 10, against what was measured on 2026-12-07 (commented: R@1 / R@3 / R@5 / R@10): overall
  // 8 points under, per question type 25 under (a type has 8 questions, one of them up to 12.5 points), each rounded
  // down to a multiple of 5. The keyword statistics are the whole index's, so what other tests stored before moves
  // these figures: in full-suite runs a type moved by up to 19 points (noise, post-processing R@3: 50.0 and 31.3)
  // and the overall by up to 3.
  private static final Map<String, double[]> PLAIN_FLOORS = Map.of(
      "overall", new double[] {25, 60, 80, 90}, // 35.4 / 72.4 / 88.5 / 100.0
      "01 simple", new double[] {25, 75, 75, 75}, // 50.0 / 100.0 / 100.0 / 100.0
      "02 conditional", new double[] {10, 30, 50, 75}, // 37.5 / 56.3 / 75.0 / 100.0
      "03 comparative", new double[] {25, 75, 75, 75}, // 50.0 / 100.0 / 100.0 / 100.0
      "04 aggregative", new double[] {0, 30, 65, 75}, // 25.0 / 59.4 / 93.8 / 100.0
      "05 post-processing", new double[] {0, 35, 60, 75}, // 12.5 / 62.5 / 87.5 / 100.0
      "06 noisy", new double[] {10, 30, 50, 75}); // 37.5 / 56.3 / 75.0 / 100.0
  private static final Map<String, double[]> NOISE_FLOORS = Map.of(
      "overall", new double[] {30, 55, 60, 85}, // 40.6 / 67.2 / 72.4 / 93.8
      "01 simple", new double[] {60, 75, 75, 75}, // 87.5 / 100.0 / 100.0 / 100.0
      "02 conditional", new double[] {15, 35, 40, 75}, // 43.8 / 62.5 / 68.8 / 100.0
      "03 comparative", new double[] {15, 75, 75, 75}, // 43.8 / 100.0 / 100.0 / 100.0
      "04 aggregative", new double[] {0, 20, 30, 65}, // 18.8 / 46.9 / 59.4 / 93.8
      "05 post-processing", new double[] {0, 25, 30, 65}, // 25.0 / 50.0 / 56.3 / 93.8
      "06 noisy", new double[] {0, 15, 25, 50}); // 25.0 / 43.8 / 50.0 / 75.0

  // The same questions asked in a conversation (bench memdaily --conversation), overall floors 8 points under what
  // was measured on 2026-12-08, rounded down to a multiple of 5: "followup", the question was the user's previous
  // turn and the message is a vague follow-up; "distract", the turns before the question are of another topic (here
  // drawn from the same small pool as the noise, so the user holds them or their neighbours as memories).
  private static final Map<String, double[]> CONVERSATION_FLOORS = Map.of(
      "followup plain", new double[] {25, 60, 75, 90}, // 34.4 / 69.3 / 87.5 / 100.0
      "followup noise", new double[] {20, 50, 65, 80}, // 29.2 / 62.0 / 74.0 / 88.5
      "distract noise", new double[] {15, 40, 50, 65}); // 26.0 / 49.0 / 61.5 / 76.6

  private static final List<Trajectory> TRAJECTORIES = new ArrayList<>();
  private static final List<Trajectory> POOL = new ArrayList<>();
  // fresh users per run (ids stay within the API's 64 characters)
  private static final String PLAIN = "p" + UUID.randomUUID().toString().substring(0, 8);
  private static final String NOISY = "n" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void ingest() throws Exception {
    TestStack.engram();
    JsonObject data;
    try (InputStream in = MemDailyRecallQualityTest.class.getResourceAsStream("/quality/memdaily-subset.json")) {
      data = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    JsonObject files = data.getJsonObject("files");
    files.fieldNames().stream().sorted().forEach(f -> POOL.addAll(MemDaily.parse(f, files.getJsonArray(f))));
    TRAJECTORIES.addAll(MemDailyBench.select(POOL, List.of(), 0));
    long now = Instant.now().getEpochSecond();
    long started = System.nanoTime();
    // one session after another: concurrent ones would share embedding batches and move near-tied scores
    Future<Void> chain = Future.succeededFuture();
    for (Trajectory t : TRAJECTORIES) {
      chain = chain.compose(x -> ingest(MemDailyBench.session(t, t.messages(), PLAIN, now)))
          .compose(x -> ingest(MemDailyBench.session(t, MemDaily.withNoise(t, POOL, NOISE, MemDailyBench.DEFAULT_SEED),
              NOISY, now)));
    }
    chain.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    LOG.info("MemDaily subset: {} trajectories ingested plain and with {} noise messages in {} ms",
        TRAJECTORIES.size(), NOISE, (System.nanoTime() - started) / 1_000_000);
  }

  private static Future<Void> ingest(JsonObject session) {
    return TestStack.post("/v1/sessions", session).compose(r -> {
      assertEquals(202, r.statusCode(), r.bodyAsString());
      return TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed");
    }).mapEmpty();
  }

  @Test
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  @DisplayName("Recall@1, 3, 5 and 10 stay above the measured floors, overall and per question type, plain and among"
      + " noise")
  void recallQuality(VertxTestContext ctx) {
    LocomoBench.Result plain = result();
    LocomoBench.Result noisy = result();
    Future<Void> chain = Future.succeededFuture();
    for (Trajectory t : TRAJECTORIES) {
      for (Question q : t.questions()) {
        chain = chain.compose(x -> ask(plain, t, q, PLAIN)).compose(x -> ask(noisy, t, q, NOISY));
      }
    }
    chain.onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      JsonObject plainRecall = plain.report("messages", 0, 12).getJsonObject("recall");
      JsonObject noisyRecall = noisy.report("messages", 0, 12).getJsonObject("recall");
      LOG.info("MemDaily subset, plain: {}", plainRecall.encode());
      LOG.info("MemDaily subset, {} noise messages per user: {}", NOISE, noisyRecall.encode());
      List<Executable> checks = new ArrayList<>();
      floors(checks, "plain", plainRecall, PLAIN_FLOORS);
      floors(checks, "noise", noisyRecall, NOISE_FLOORS);
      assertAll(checks);
      ctx.completeNow();
    })));
  }

  @Test
  @Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
  @DisplayName("Asked in a conversation, a vague follow-up finds what the turns before it asked, and turns of another"
      + " topic do not cost a clear question its answer")
  void recallInConversation(VertxTestContext ctx) {
    Map<String, LocomoBench.Result> results = Map.of("followup plain", result(), "followup noise", result(),
        "distract noise", result());
    Future<Void> chain = Future.succeededFuture();
    for (Trajectory t : TRAJECTORIES) {
      for (Question q : t.questions()) {
        MemDaily.Asked followup = MemDaily.ask(t, q, POOL, "followup", MemDailyBench.DEFAULT_SEED);
        MemDaily.Asked distract = MemDaily.ask(t, q, POOL, "distract", MemDailyBench.DEFAULT_SEED);
        chain = chain.compose(x -> ask(results.get("followup plain"), t, q, PLAIN, followup))
            .compose(x -> ask(results.get("followup noise"), t, q, NOISY, followup))
            .compose(x -> ask(results.get("distract noise"), t, q, NOISY, distract));
      }
    }
    chain.onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      List<Executable> checks = new ArrayList<>();
      CONVERSATION_FLOORS.forEach((variant, floor) -> {
        JsonObject recall = results.get(variant).report("messages", 0, 12).getJsonObject("recall");
        LOG.info("MemDaily subset in conversation, {}: {}", variant, recall.getJsonObject("overall").encode());
        floors(checks, variant, recall, Map.of("overall", floor));
      });
      assertAll(checks);
      ctx.completeNow();
    })));
  }

  private static LocomoBench.Result result() {
    List<String> groups = new ArrayList<>(List.of("overall"));
    TRAJECTORIES.stream().map(Trajectory::typeName).distinct().sorted().forEach(groups::add);
    return new LocomoBench.Result(KS, groups);
  }

  /** As the bench asks: messages only, top_k 10, force. */
  private static Future<Void> ask(LocomoBench.Result result, Trajectory t, Question q, String run) {
    return ask(result, t, q, run, new MemDaily.Asked(q.text(), null));
  }

  private static Future<Void> ask(LocomoBench.Result result, Trajectory t, Question q, String run,
      MemDaily.Asked asked) {
    JsonObject body = new JsonObject().put("user_id", MemDailyBench.userId(t, run))
        .put("character_id", MemDailyBench.CHARACTER).put("message", asked.message()).put("force", true)
        .put("top_k", KS[KS.length - 1]).put("max_tokens", 32_000).put("types", new JsonArray().add("message"));
    if (asked.recentContext() != null) {
      body.put("recent_context", asked.recentContext());
    }
    return TestStack.post("/v1/recall", body).map(r -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonObject reply = r.bodyAsJsonObject();
      assertTrue(reply.getJsonArray("degraded").isEmpty(), q.text() + " → degraded " + reply.getJsonArray("degraded"));
      MemDailyBench.score(result, t, q, LocomoBench.retrievedTurns(reply));
      return null;
    });
  }

  private static void floors(List<Executable> checks, String variant, JsonObject recall, Map<String, double[]> floors) {
    floors.forEach((group, floor) -> {
      for (int i = 0; i < KS.length; i++) {
        double measured = recall.getJsonObject(group).getDouble("R@" + KS[i]);
        double min = floor[i];
        int k = KS[i];
        checks.add(() -> assertTrue(measured >= min,
            String.format("%s %s recall@%d %.1f fell below its floor %.1f", variant, group, k, measured, min)));
      }
    });
  }
}
