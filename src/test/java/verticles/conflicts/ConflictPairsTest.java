package verticles.conflicts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Vectors;
import verticles.vectorsearch.embedding.OnnxEmbedder;

/**
 * The shipped rule judge against a labelled set of 265 statement pairs (Chinese and English; every type, and pairs
 * that only look alike: 我喜欢猫 / 我喜欢狗, 我肯定会去 / 我否定了这个方案), beside the seed's literal patterns.
 * Precision and recall per type; cosines come from the real embedding model, as on the write path.
 */
@DisplayName("Conflict detection on the labelled pairs")
class ConflictPairsTest {
  private static final Logger LOG = LoggerFactory.getLogger(ConflictPairsTest.class);
  /** Floors under what the judge measured (docs/benchmarks.md): a regression, not noise, breaks them. */
  private static final Map<String, double[]> FLOORS = Map.of(
      Verdict.DUPLICATE, new double[] {0.95, 0.85},
      Verdict.OUTDATED, new double[] {0.95, 0.6},
      Verdict.CONTRADICTION, new double[] {0.95, 0.9},
      Verdict.INCONSISTENT, new double[] {0.95, 0.9});

  record Pair(String a, String b, String label, String lang) {}

  private static List<Pair> pairs;
  private static double[] cosines;
  private static Vertx vertx;
  private static OnnxEmbedder embedder;

  @BeforeAll
  static void load() throws IOException {
    vertx = Vertx.vertx();
    embedder = new OnnxEmbedder(vertx, "bge-small-zh-v15-q");
    pairs = pairs("/conflicts/pairs.jsonl");
    cosines = cosines(pairs);
  }

  static List<Pair> pairs(String resource) throws IOException {
    List<Pair> out = new ArrayList<>();
    try (InputStream in = ConflictPairsTest.class.getResourceAsStream(resource)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          JsonObject j = new JsonObject(line);
          out.add(new Pair(j.getString("a"), j.getString("b"), j.getString("label"), j.getString("lang")));
        }
      }
    }
    return out;
  }

  /** Each pair's cosine under the service's default model, as the write path's neighbour search gives it. */
  static double[] cosines(List<Pair> pairs) {
    List<String> texts = new ArrayList<>();
    pairs.forEach(p -> {
      texts.add(p.a());
      texts.add(p.b());
    });
    List<float[]> vectors = embedder.embedBlocking(texts);
    double[] out = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      out[i] = Vectors.cosine(vectors.get(2 * i), vectors.get(2 * i + 1));
    }
    return out;
  }

  @AfterAll
  static void close() {
    embedder.close();
    vertx.close();
  }

  @Test
  @DisplayName("the set has at least 250 pairs, in both languages, of every type and of none")
  void theSet() {
    assertTrue(pairs.size() >= 250, "pairs: " + pairs.size());
    for (String label : List.of("none", "duplicate", "outdated", "contradiction", "inconsistent")) {
      for (String lang : List.of("zh", "en")) {
        assertTrue(pairs.stream().filter(p -> p.label().equals(label) && p.lang().equals(lang)).count() >= 15,
            label + " " + lang);
      }
    }
  }

  @Test
  @DisplayName("the shipped judge reaches its floors per type and beats the seed's patterns on every type")
  void precisionAndRecall() {
    RuleJudge judge = new RuleJudge(ConflictSettings.DEFAULT_DUPLICATE_COSINE);
    List<String> shipped = predict(pairs, i -> judge.judge(Statement.of(pairs.get(i).a(), null),
        Statement.of(pairs.get(i).b(), null), cosines[i]).type());
    List<String> seed = predict(pairs, i -> SeedPatterns.classify(pairs.get(i).a(), pairs.get(i).b()));
    Map<String, double[]> ours = table(pairs, shipped);
    Map<String, double[]> theirs = table(pairs, seed);
    LOG.info("Conflict detection on {} labelled pairs (precision / recall / F1 per type):\n{}{}", pairs.size(),
        render(ours, theirs), falseAlarms(pairs, shipped, seed));
    for (int i = 0; i < pairs.size(); i++) {
      if (!shipped.get(i).equals(pairs.get(i).label())) {
        LOG.debug("miss: {} | {} -> {} (gold {}, cosine {})", pairs.get(i).a(), pairs.get(i).b(), shipped.get(i),
            pairs.get(i).label(), String.format("%.2f", cosines[i]));
      }
    }
    for (String type : Verdict.TYPES) {
      double[] m = ours.get(type);
      double[] floor = FLOORS.get(type);
      assertTrue(m[0] >= floor[0] && m[1] >= floor[1], type + " precision/recall " + m[0] + "/" + m[1]
          + " below the floors " + floor[0] + "/" + floor[1]);
      assertTrue(m[2] > theirs.get(type)[2], type + ": F1 " + m[2] + " does not beat the seed's " + theirs.get(type)[2]);
    }
  }

  @Test
  @DisplayName("on 62 pairs written after the judge was tuned, it still beats the seed's patterns on every type")
  void heldOut() throws IOException {
    List<Pair> held = pairs("/conflicts/pairs-heldout.jsonl");
    double[] cos = cosines(held);
    RuleJudge judge = new RuleJudge(ConflictSettings.DEFAULT_DUPLICATE_COSINE);
    List<String> shipped = predict(held, i -> judge.judge(Statement.of(held.get(i).a(), null),
        Statement.of(held.get(i).b(), null), cos[i]).type());
    Map<String, double[]> ours = table(held, shipped);
    List<String> seed = predict(held, i -> SeedPatterns.classify(held.get(i).a(), held.get(i).b()));
    Map<String, double[]> theirs = table(held, seed);
    LOG.info("Held-out pairs ({}):\n{}{}", held.size(), render(ours, theirs), falseAlarms(held, shipped, seed));
    for (int i = 0; i < held.size(); i++) {
      if (!shipped.get(i).equals(held.get(i).label())) {
        LOG.info("held-out miss: {} | {} -> {} (gold {}, cosine {})", held.get(i).a(), held.get(i).b(),
            shipped.get(i), held.get(i).label(), String.format("%.2f", cos[i]));
      }
    }
    for (String type : Verdict.TYPES) {
      assertTrue(ours.get(type)[2] > theirs.get(type)[2], type + " on the held-out pairs");
    }
  }

  private static List<String> predict(List<Pair> pairs, Function<Integer, String> classify) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      out.add(classify.apply(i));
    }
    return out;
  }

  /** Per type: precision, recall, F1. */
  private static Map<String, double[]> table(List<Pair> pairs, List<String> predicted) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String type : Verdict.TYPES) {
      int tp = 0;
      int fp = 0;
      int fn = 0;
      for (int i = 0; i < pairs.size(); i++) {
        boolean gold = pairs.get(i).label().equals(type);
        boolean said = predicted.get(i).equals(type);
        tp += gold && said ? 1 : 0;
        fp += !gold && said ? 1 : 0;
        fn += gold && !said ? 1 : 0;
      }
      double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
      double r = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
      out.put(type, new double[] {p, r, p + r == 0 ? 0 : 2 * p * r / (p + r)});
    }
    return out;
  }

  /** How many pairs labelled none (unrelated, or only looking alike) each flags as some conflict. */
  private static String falseAlarms(List<Pair> pairs, List<String> shipped, List<String> seed) {
    int none = 0;
    int ours = 0;
    int theirs = 0;
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i).label().equals(Verdict.NONE)) {
        none++;
        ours += shipped.get(i).equals(Verdict.NONE) ? 0 : 1;
        theirs += seed.get(i).equals(Verdict.NONE) ? 0 : 1;
      }
    }
    return String.format("pairs labelled none flagged as a conflict: shipped %d of %d, seed patterns %d of %d%n", ours,
        none, theirs, none);
  }

  private static String render(Map<String, double[]> ours, Map<String, double[]> theirs) {
    StringBuilder b = new StringBuilder("| type | shipped P | R | F1 | seed patterns P | R | F1 |\n");
    for (String type : Verdict.TYPES) {
      double[] o = ours.get(type);
      double[] t = theirs.get(type);
      b.append(String.format("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", type, o[0], o[1], o[2], t[0], t[1],
          t[2]));
    }
    return b.toString();
  }
}
