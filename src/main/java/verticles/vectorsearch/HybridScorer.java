package verticles.vectorsearch;

import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import verticles.shared.SkippedRecords;
import verticles.shared.Vectors;
import verticles.vectorsearch.Candidates.Scored;
import verticles.vectorsearch.MemoryIndex.Hit;

/**
 * The retrieval policy, the same whatever the engine: the engines supply {@link Candidates} with raw signals, and
 * this ranks them. Config is the {@code index} section.
 *
 * <p>Fusion {@code weighted} (default): dense_weight * dense + keyword_weight * keyword, the two weights normalised to
 * sum 1 over the paths that ran (0.5 / 0.3 → 0.625 / 0.375; the temporal weight is applied later by the merger).
 * Fusion {@code rrf}: sum of 1/(60+rank) over the paths, times 61/paths so a record ranked first everywhere scores 1.
 * Dense scores are cosines clamped to [0,1]; keyword scores come normalised from the engine.
 *
 * <p>Then the speaker bonus ({@code speaker_bonus}, 0.1): a query that names some of the candidates' speakers but not
 * all adds it to what those speakers said. Then keyword feedback ({@code feedback_terms}, 0 = off): in a hybrid
 * weighted search, records sharing the rarest words of the top three gain up to 0.3 keyword score, the top three
 * themselves nothing. Then the top k: a candidate whose record cannot be read as a memory ({@link MemoryRecord#defect},
 * or unreadable) is skipped, logged and counted ({@link SkippedRecords}), and the next one takes its place, so one
 * bad record never costs its owner the rest. Near-duplicates are dropped from the final hits by
 * {@link #withoutNearDuplicates}.
 *
 * <p>An engine without keyword search (VikingDB) supplies no keyword path: its searches rank as Lucene's dense-only
 * searches do (dense weight 1), keyword feedback never runs, and a query without a vector finds nothing.
 */
public final class HybridScorer {
  static final int RRF_K = 60;
  /** Records of the top hits that seed keyword feedback. */
  static final int FEEDBACK_DOCS = 3;
  /** The most keyword score feedback adds to a record. */
  static final double FEEDBACK_WEIGHT = 0.3;
  private static final int MAX_SPEAKER_CHARS = 200;

  private final double denseWeight;
  private final double keywordWeight;
  private final boolean rrf;
  private final double speakerBonus;
  private final int feedbackTerms;
  private final SkippedRecords skipped;

  public HybridScorer(JsonObject config) {
    this(config, SkippedRecords.unscraped());
  }

  /** @param skipped where records that cannot be read as a memory are counted (the node's registry) */
  public HybridScorer(JsonObject config, SkippedRecords skipped) {
    this.skipped = skipped;
    JsonObject cfg = config == null ? new JsonObject() : config;
    double dense = cfg.getDouble("dense_weight", 0.5);
    double keyword = cfg.getDouble("keyword_weight", 0.3);
    if (dense < 0 || keyword < 0 || dense + keyword <= 0) {
      throw new IllegalArgumentException("dense_weight and keyword_weight must be >= 0 and not both 0");
    }
    String fusion = cfg.getString("fusion", "weighted");
    if (!fusion.equals("weighted") && !fusion.equals("rrf")) {
      throw new IllegalArgumentException("fusion must be weighted or rrf: " + fusion);
    }
    this.denseWeight = dense / (dense + keyword);
    this.keywordWeight = keyword / (dense + keyword);
    this.rrf = fusion.equals("rrf");
    this.feedbackTerms = cfg.getInteger("feedback_terms", 0);
    this.speakerBonus = cfg.getDouble("speaker_bonus", 0.1);
    if (speakerBonus < 0 || speakerBonus > 1) {
      throw new IllegalArgumentException("speaker_bonus must be within [0, 1]: " + speakerBonus);
    }
  }

  /** How many candidates each path should supply for a search of {@code topK}. */
  public static int candidates(int topK) {
    return Math.max(topK * 4, 50);
  }

  @Override
  public String toString() {
    return "fusion " + (rrf ? "rrf" : "weighted") + ", weights dense " + denseWeight + " keyword " + keywordWeight
        + ", speaker_bonus " + speakerBonus + ", feedback_terms " + feedbackTerms;
  }

  /** The best {@code topK} of what an engine found for a query of {@code text}, best first. */
  public List<Hit> rank(Candidates found, String text, int topK) {
    List<Scored> dense = found.dense();
    List<Scored> keyword = found.keyword();
    boolean denseRuns = dense != null;
    boolean keywordRuns = keyword != null;
    if (topK <= 0 || (!denseRuns && !keywordRuns)) {
      return List.of();
    }
    Map<Integer, double[]> scores = new HashMap<>(); // key -> {dense, keyword, rrf, speaker named}
    if (denseRuns) {
      for (int i = 0; i < dense.size(); i++) {
        double[] sc = scores.computeIfAbsent(dense.get(i).key(), k -> new double[4]);
        sc[0] = Math.max(0.0, Math.min(1.0, dense.get(i).score()));
        sc[2] += 1.0 / (RRF_K + i + 1);
      }
    }
    if (keywordRuns) {
      for (int i = 0; i < keyword.size(); i++) {
        double[] sc = scores.computeIfAbsent(keyword.get(i).key(), k -> new double[4]);
        sc[1] = keyword.get(i).score();
        sc[2] += 1.0 / (RRF_K + i + 1);
      }
    }
    // Weights renormalised over the paths that ran: a keyword-only or dense-only query still spans [0,1].
    double wd = !denseRuns ? 0 : keywordRuns ? denseWeight : 1;
    double wk = !keywordRuns ? 0 : denseRuns ? keywordWeight : 1;
    double rrfScale = (RRF_K + 1.0) / ((denseRuns ? 1 : 0) + (keywordRuns ? 1 : 0));
    if (speakerBonus > 0) {
      markNamedSpeakers(found, scores, text);
    }
    ToDoubleFunction<double[]> fused = sc -> (rrf ? Math.min(1.0, sc[2] * rrfScale) : wd * sc[0] + wk * sc[1])
        + speakerBonus * sc[3];
    Comparator<Map.Entry<Integer, double[]>> order = Comparator.<Map.Entry<Integer, double[]>>comparingDouble(
        e -> fused.applyAsDouble(e.getValue())).reversed().thenComparing(Map.Entry::getKey);
    List<Map.Entry<Integer, double[]>> ranked = new ArrayList<>(scores.entrySet());
    ranked.sort(order);

    // Hybrid recall only: a keyword-only search (the model is down, or no vector was given) stays literal.
    if (feedbackTerms > 0 && keywordRuns && denseRuns && !rrf && !ranked.isEmpty()) {
      List<Integer> seeds = ranked.subList(0, Math.min(FEEDBACK_DOCS, ranked.size())).stream()
          .map(Map.Entry::getKey).toList();
      Map<Integer, Double> lifted = found.feedback(seeds, feedbackTerms);
      if (!lifted.isEmpty()) {
        // Other records sharing the top records' rare words gain a bounded bonus; the top records themselves
        // gain nothing, or the second pass would only reinforce the first.
        lifted.forEach((key, score) -> {
          if (!seeds.contains(key)) {
            double[] sc = scores.computeIfAbsent(key, k -> new double[4]);
            sc[1] = Math.min(1.0, sc[1] + FEEDBACK_WEIGHT * score);
          }
        });
        ranked = new ArrayList<>(scores.entrySet());
        ranked.sort(order);
      }
    }
    List<Hit> hits = new ArrayList<>(Math.min(topK, ranked.size()));
    for (Map.Entry<Integer, double[]> e : ranked) {
      if (hits.size() >= topK) {
        break;
      }
      MemoryRecord record = readable(found, e.getKey());
      if (record != null) {
        double[] sc = e.getValue();
        hits.add(new Hit(record, fused.applyAsDouble(sc), sc[0], sc[1]));
      }
    }
    return hits;
  }

  /** The candidate's record, or null when it cannot be read as a memory (then skipped, logged and counted). */
  private MemoryRecord readable(Candidates found, int key) {
    MemoryRecord record;
    try {
      record = found.record(key);
    } catch (UncheckedIOException e) {
      throw e; // the engine could not read, which says nothing about this record
    } catch (RuntimeException e) {
      skipped.skip(SkippedRecords.INDEX, "candidate " + key, e.toString());
      return null;
    }
    String defect = record.defect();
    if (defect != null) {
      skipped.skip(SkippedRecords.INDEX, record.id(), defect);
      return null;
    }
    return record;
  }

  /**
   * Sets sc[3] = 1 for the candidates spoken by someone the query names ("What does Nate play?"): what a person
   * said answers a question about that person far more often than what was said to them. Only when the query names
   * some of the candidates' speakers but not all; naming everyone prefers no one.
   */
  private static void markNamedSpeakers(Candidates found, Map<Integer, double[]> scores, String query) {
    if (query == null || query.isBlank() || scores.isEmpty()) {
      return;
    }
    List<Integer> keys = new ArrayList<>(scores.keySet());
    keys.sort(null);
    Map<Integer, String> speakers = found.speakers(keys);
    String q = query.toLowerCase(Locale.ROOT);
    Set<String> all = new HashSet<>(speakers.values());
    Set<String> named = new HashSet<>();
    for (String name : all) {
      if (names(q, name)) {
        named.add(name);
      }
    }
    if (named.isEmpty() || named.size() == all.size()) {
      return;
    }
    speakers.forEach((key, name) -> {
      if (named.contains(name)) {
        scores.get(key)[3] = 1;
      }
    });
  }

  /** Whether the lower-cased text names the speaker: as a whole word, or anywhere for a name in a CJK script. */
  public static boolean names(String text, String name) {
    if (name.isEmpty()) {
      return false;
    }
    boolean cjk = name.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    for (int at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      int end = at + name.length();
      if (cjk || ((at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1)))
          && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end))))) {
        return true;
      }
    }
    return false;
  }

  /** A record's speaker as the speaker bonus compares it (stripped, lower-cased, bounded); null when it has none. */
  public static String speakerKey(MemoryRecord r) {
    String speaker = r.metadata() == null ? null : r.metadata().getString("speaker");
    if (speaker == null || speaker.isBlank()) {
      return null;
    }
    String name = speaker.strip().toLowerCase(Locale.ROOT);
    return name.substring(0, Math.min(name.length(), MAX_SPEAKER_CHARS));
  }

  /**
   * The hits without near-duplicates: a hit whose vector has a cosine of at least {@code minCosine} with a better
   * hit's is dropped. Hit vectors are unit length (MemoryIndex contract), so the dot product is the cosine.
   */
  public static List<Hit> withoutNearDuplicates(List<Hit> found, double minCosine) {
    List<Hit> out = new ArrayList<>(found.size());
    for (Hit h : found) {
      float[] v = h.record().vector();
      // Two messages are two turns, never one memory twice: their vectors also carry the neighbouring turns they
      // share, so the vector test would merge a question with its answer.
      boolean message = "message".equals(h.record().memoryType());
      // vectors of different lengths come from different models (embedding.model auto): never compared
      if (v != null && out.stream().anyMatch(k -> k.record().vector() != null
          && k.record().vector().length == v.length
          && !(message && "message".equals(k.record().memoryType()))
          && Vectors.dot(k.record().vector(), v) >= minCosine)) {
        continue;
      }
      out.add(h);
    }
    return out;
  }
}
