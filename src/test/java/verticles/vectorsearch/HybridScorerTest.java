package verticles.vectorsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.Candidates.Scored;
import verticles.vectorsearch.MemoryIndex.Hit;

@DisplayName("HybridScorer: the retrieval policy every engine's candidates go through")
class HybridScorerTest {

  /** Candidates given outright: record i has id "r" + i, speaker {@code speakers[i]} and a unit vector. */
  private static final class Given implements Candidates {
    final List<Scored> dense;
    final List<Scored> keyword;
    final String[] speakers;
    final Map<Integer, Double> feedback;
    final List<List<Integer>> feedbackAsked = new ArrayList<>();

    Given(List<Scored> dense, List<Scored> keyword, String[] speakers, Map<Integer, Double> feedback) {
      this.dense = dense;
      this.keyword = keyword;
      this.speakers = speakers;
      this.feedback = feedback;
    }

    @Override
    public List<Scored> dense() {
      return dense;
    }

    @Override
    public List<Scored> keyword() {
      return keyword;
    }

    @Override
    public Map<Integer, String> speakers(Collection<Integer> keys) {
      Map<Integer, String> out = new HashMap<>();
      keys.forEach(k -> {
        if (k < speakers.length && speakers[k] != null) {
          out.put(k, speakers[k]);
        }
      });
      return out;
    }

    @Override
    public Map<Integer, Double> feedback(List<Integer> seeds, int terms) {
      feedbackAsked.add(seeds);
      return feedback;
    }

    @Override
    public MemoryRecord record(int key) {
      return new MemoryRecord("r" + key, "t", "u", "c", "event", "text " + key, 0L, 5, null, List.of(),
          new JsonObject(), new float[] {1, 0});
    }
  }

  private static List<Scored> scored(double... scores) {
    List<Scored> out = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      out.add(new Scored(i, scores[i]));
    }
    return out;
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(h -> h.record().id()).toList();
  }

  @Test
  @DisplayName("weights 0.5 / 0.3 become 0.625 / 0.375 when both paths ran, and 1 for the only path that ran")
  void weightedFusion() {
    HybridScorer scorer = new HybridScorer(new JsonObject());
    List<Hit> hybrid = scorer.rank(new Given(scored(0.8, 0.4), List.of(new Scored(1, 1.0)), new String[0], Map.of()),
        "q", 5);
    assertEquals(List.of("r1", "r0"), ids(hybrid), "0.625·0.4 + 0.375·1 beats 0.625·0.8");
    assertEquals(0.625 * 0.4 + 0.375, hybrid.get(0).score(), 1e-12);
    assertEquals(0.625 * 0.8, hybrid.get(1).score(), 1e-12);

    Hit denseOnly = scorer.rank(new Given(scored(0.8), null, new String[0], Map.of()), "q", 5).get(0);
    assertEquals(0.8, denseOnly.score(), 1e-12);
    Hit keywordOnly = scorer.rank(new Given(null, scored(0.6), new String[0], Map.of()), "q", 5).get(0);
    assertEquals(0.6, keywordOnly.score(), 1e-12);
    Hit keywordFoundNothing = scorer.rank(new Given(scored(0.8), List.of(), new String[0], Map.of()), "q", 5).get(0);
    assertEquals(0.625 * 0.8, keywordFoundNothing.score(), 1e-12, "a path that ran and found nothing still counts");
    assertEquals(List.of(), scorer.rank(new Given(null, null, new String[0], Map.of()), "q", 5));
  }

  @Test
  @DisplayName("dense scores are clamped to [0,1], ties go to the lower key, and top k cuts the list")
  void clampTiesAndTopK() {
    List<Hit> hits = new HybridScorer(new JsonObject())
        .rank(new Given(scored(0.5, 1.2, 0.5, -0.3), null, new String[0], Map.of()), "", 3);
    assertEquals(List.of("r1", "r0", "r2"), ids(hits));
    assertEquals(1.0, hits.get(0).score());
  }

  @Test
  @DisplayName("RRF scores a record ranked first on both paths 1")
  void rrf() {
    HybridScorer scorer = new HybridScorer(new JsonObject().put("fusion", "rrf"));
    List<Hit> hits = scorer.rank(new Given(scored(0.9, 0.1), scored(0.7, 0.2), new String[0], Map.of()), "q", 5);
    assertEquals(1.0, hits.get(0).score(), 1e-12);
    assertEquals((1.0 / 62 + 1.0 / 62) * 61 / 2, hits.get(1).score(), 1e-12);
  }

  @Test
  @DisplayName("the speaker bonus lifts what a named speaker said, only when the query names some speakers but not all")
  void speakerBonus() {
    HybridScorer scorer = new HybridScorer(new JsonObject().put("speaker_bonus", 0.1));
    String[] speakers = {"joanna", "nate", "joanna"};
    Given found = new Given(scored(0.8, 0.75, 0.7), null, speakers, Map.of());
    List<Hit> hits = scorer.rank(found, "What does Nate play?", 5);
    assertEquals(List.of("r1", "r0", "r2"), ids(hits));
    assertEquals(0.85, hits.get(0).score(), 1e-12);
    assertEquals(List.of(0.8, 0.75, 0.7), scorer.rank(found, "What do Nate and Joanna play?", 5).stream()
        .map(Hit::score).toList());
    assertEquals(0.8, scorer.rank(found, "", 5).get(0).score());
    assertThrows(IllegalArgumentException.class, () -> new HybridScorer(new JsonObject().put("speaker_bonus", -0.1)));
  }

  @Test
  @DisplayName("keyword feedback adds at most 0.3 to records beyond the top three, in weighted hybrid searches only")
  void keywordFeedback() {
    HybridScorer scorer = new HybridScorer(new JsonObject().put("feedback_terms", 5));
    // keys 0-2 are the seeds; 3 gains 0.3 · 1.0, 4 is new and gains 0.3 · 0.5, the seeds' own matches count not
    Map<Integer, Double> lifted = Map.of(0, 1.0, 3, 1.0, 4, 0.5);
    Given found = new Given(scored(0.9, 0.8, 0.7, 0.3), scored(0.5, 0.5, 0.5, 0.9), new String[0], lifted);
    Map<String, Hit> byId = new HashMap<>();
    scorer.rank(found, "q", 10).forEach(h -> byId.put(h.record().id(), h));
    assertEquals(List.of(List.of(0, 1, 2)), found.feedbackAsked);
    assertEquals(0.5, byId.get("r0").keywordScore(), 1e-12, "a seed gains nothing");
    assertEquals(1.0, byId.get("r3").keywordScore(), 1e-12, "0.9 + 0.3, capped at 1");
    assertEquals(0.15, byId.get("r4").keywordScore(), 1e-12);
    assertEquals(0.0, byId.get("r4").denseScore());

    Given dense = new Given(scored(0.9, 0.8, 0.7, 0.3), null, new String[0], lifted);
    scorer.rank(dense, "q", 10);
    Given rrf = new Given(scored(0.9, 0.8, 0.7, 0.3), scored(0.5), new String[0], lifted);
    new HybridScorer(new JsonObject().put("feedback_terms", 5).put("fusion", "rrf")).rank(rrf, "q", 10);
    assertTrue(dense.feedbackAsked.isEmpty() && rrf.feedbackAsked.isEmpty(), "one path, or rrf: no feedback");
  }

  @Test
  @DisplayName("near-duplicates by vector cosine are dropped below a better hit, but two messages never")
  void nearDuplicates() {
    Hit a = hit("a", "event", new float[] {1, 0});
    Hit b = hit("b", "event", new float[] {0.96f, 0.28f});
    Hit c = hit("c", "event", new float[] {0, 1});
    assertEquals(List.of(a, c), HybridScorer.withoutNearDuplicates(List.of(a, b, c), 0.93));
    Hit m1 = hit("m1", "message", new float[] {1, 0});
    Hit m2 = hit("m2", "message", new float[] {1, 0});
    assertEquals(List.of(m1, m2), HybridScorer.withoutNearDuplicates(List.of(m1, m2), 0.93));
    assertEquals(List.of(a, c), HybridScorer.withoutNearDuplicates(List.of(a, m2, c), 0.93),
        "a message close to an event is still a duplicate");
  }

  private static Hit hit(String id, String type, float[] v) {
    return new Hit(new MemoryRecord(id, "t", "u", "c", type, id, 0L, 5, null, List.of(), new JsonObject(), v),
        0.5, 0.5, 0);
  }

  @Test
  @DisplayName("a candidate whose record cannot be read, or whose time no date shows, is skipped and counted; the next takes its place")
  void unreadableRecordsAreSkipped() {
    Given given = new Given(scored(0.9, 0.8, 0.7, 0.6), null, new String[0], Map.of());
    Candidates poisoned = new Candidates() {
      @Override
      public List<Scored> dense() {
        return given.dense();
      }

      @Override
      public List<Scored> keyword() {
        return given.keyword();
      }

      @Override
      public Map<Integer, String> speakers(Collection<Integer> keys) {
        return given.speakers(keys);
      }

      @Override
      public Map<Integer, Double> feedback(List<Integer> seeds, int terms) {
        return given.feedback(seeds, terms);
      }

      @Override
      public MemoryRecord record(int key) {
        MemoryRecord r = given.record(key);
        return switch (key) {
          case 0 -> throw new io.vertx.core.json.DecodeException("stored JSON is cut short");
          case 1 -> new MemoryRecord(r.id(), r.taskId(), r.userId(), r.characterId(), r.memoryType(), r.content(),
              Long.MIN_VALUE, r.importance(), r.sessionId(), r.sourceMsgIds(), r.metadata(), r.vector());
          default -> r;
        };
      }
    };
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    HybridScorer scorer = new HybridScorer(new JsonObject(), new verticles.shared.SkippedRecords(registry));
    assertEquals(List.of("r2", "r3"), ids(scorer.rank(poisoned, "q", 2)), "the two readable ones fill the top 2");
    assertEquals(2.0, registry.get("engram_recall_skipped_records").tag("source", "index").counter().count());

    Candidates failing = new Candidates() {
      @Override
      public List<Scored> dense() {
        return given.dense();
      }

      @Override
      public List<Scored> keyword() {
        return null;
      }

      @Override
      public Map<Integer, String> speakers(Collection<Integer> keys) {
        return Map.of();
      }

      @Override
      public Map<Integer, Double> feedback(List<Integer> seeds, int terms) {
        return Map.of();
      }

      @Override
      public MemoryRecord record(int key) {
        throw new java.io.UncheckedIOException(new java.io.IOException("disk gone"));
      }
    };
    assertThrows(java.io.UncheckedIOException.class, () -> scorer.rank(failing, "q", 2),
        "an engine that cannot read fails the search: that is no bad record");
  }
}
