package verticles.vectorsearch.vikingdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import verticles.vectorsearch.MemoryIndex.Hit;
import verticles.vectorsearch.MemoryIndex.Query;
import verticles.vectorsearch.MemoryRecord;
import verticles.vectorsearch.lucene.LuceneMemoryIndex;

/** VikingDB's hits go through the same retrieval policy as Lucene's: what it can rank, it ranks the same way. */
@ExtendWith(VertxExtension.class)
@DisplayName("A VikingDB deployment ranks as Lucene does, keyword signals aside")
class VikingDbRankingTest {
  private static final int DIM = 32;
  private VikingDbFake fake;
  private VikingDbMemoryIndex viking;

  @TempDir
  Path dir;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    VikingDbFake.start(vertx, "cn-beijing", "AKLTTESTKEY", "dGVzdC1zZWNyZXQta2V5", DIM)
        .onComplete(ctx.succeeding(f -> {
          fake = f;
          viking = new VikingDbMemoryIndex(DIM, fake.clientConfig());
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    fake.close().onComplete(ctx.succeedingThenComplete());
  }

  private static MemoryRecord turn(String id, String speaker, float[] vector) {
    return new MemoryRecord(id, "t1", "u1", "c1", "message", "turn " + id, 1_700_000_000L, 5, "s1", List.of(id),
        new JsonObject().put("speaker", speaker), vector);
  }

  @Test
  @DisplayName("a dense-only search returns the same records in the same order with the same scores as Lucene")
  void denseOnlyParity() {
    Random random = new Random(7);
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      records.add(turn("m" + i, i % 2 == 0 ? "Nate" : "Joanna", gaussian(random)));
    }
    viking.upsert(records);
    try (LuceneMemoryIndex lucene = new LuceneMemoryIndex(dir, DIM, new JsonObject())) {
      lucene.upsert(records);
      for (int q = 0; q < 10; q++) {
        Query query = new Query("u1", "c1", List.of(), gaussian(random), "", 10);
        List<Hit> expected = lucene.search(query);
        List<Hit> got = viking.search(query);
        assertEquals(ids(expected), ids(got), "query " + q);
        for (int i = 0; i < got.size(); i++) {
          assertEquals(expected.get(i).score(), got.get(i).score(), 1e-5);
          assertEquals(expected.get(i).denseScore(), got.get(i).denseScore(), 1e-5);
          assertEquals(0.0, got.get(i).keywordScore(), "VikingDB has no keyword signal");
        }
      }
    }
  }

  @Test
  @DisplayName("a question naming one speaker lifts that speaker's turns by the speaker bonus, from below top k too")
  void speakerBonus() {
    // The query is e0; turn i has cosine 0.9 - 0.015 i with it, so the dense order is the id order.
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      double cos = 0.9 - 0.015 * i;
      float[] v = new float[DIM];
      v[0] = (float) cos;
      v[i + 1] = (float) Math.sqrt(1 - cos * cos);
      records.add(turn("m" + i, i == 12 ? "Nate" : "Joanna", v));
    }
    viking.upsert(records);
    float[] q = new float[DIM];
    q[0] = 1;
    Map<String, Double> plain = scores(viking.search(new Query("u1", "c1", List.of(), q, "", 10)));
    assertEquals(10, plain.size());
    assertNull(plain.get("m12"), "the 13th by cosine is not in the top 10");

    List<Hit> named = viking.search(new Query("u1", "c1", List.of(), q, "What does Nate play?", 10));
    assertEquals("m12", named.get(6).record().id(), "0.72 + 0.1 ranks between 0.825 and 0.81");
    assertEquals(0.72 + 0.1, named.get(6).score(), 1e-5);
    for (Hit h : named) {
      if (!h.record().id().equals("m12")) {
        assertEquals(plain.get(h.record().id()), h.score(), 1e-9, "Joanna's turns keep their score");
      }
    }
    assertEquals(plain, scores(viking.search(new Query("u1", "c1", List.of(), q, "Did Nate and Joanna meet?", 10))),
        "naming everyone prefers no one");
  }

  private static float[] gaussian(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(h -> h.record().id()).toList();
  }

  private static Map<String, Double> scores(List<Hit> hits) {
    Map<String, Double> out = new HashMap<>();
    hits.forEach(h -> out.put(h.record().id(), h.score()));
    return out;
  }
}
