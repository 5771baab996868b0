package verticles.vectorsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verticles.shared.SkippedRecords;
import verticles.vectorsearch.MemoryIndex.Hit;
import verticles.vectorsearch.MemoryIndex.Query;
import verticles.vectorsearch.embedding.BilingualEmbedder;
import verticles.vectorsearch.embedding.OnnxEmbedder;
import verticles.vectorsearch.lucene.LuceneMemoryIndex;

/**
 * {@code embedding.model: "auto"} on the real ONNX models and a real Lucene index: each text embedded by its own
 * language's model, a query compared only with records of its model, and an index written by one model alone.
 */
@DisplayName("Bilingual embedding (embedding.model auto)")
class BilingualSearchTest {
  private static final List<String> MEMORIES = List.of(
      "My cat is called Mimi and she sleeps on my keyboard",
      "I work as a nurse at the night shift",
      "My sister Anna is getting married in June",
      "我的生日是3月15日",
      "我在北京工作，是程序员",
      "我最喜欢的水果是芒果");

  private static Vertx vertx;
  private static OnnxEmbedder zh;
  private static OnnxEmbedder en;
  private static BilingualEmbedder auto;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadModels() {
    vertx = Vertx.vertx();
    zh = new OnnxEmbedder(vertx, "bge-small-zh-v15-q");
    en = new OnnxEmbedder(vertx, "bge-small-en-v15-q");
    auto = new BilingualEmbedder(zh, en);
  }

  @AfterAll
  static void close() {
    zh.close();
    en.close();
    vertx.close().await();
  }

  @Test
  @DisplayName("embeds each text by its language's model, in the caller's order, and names the model per text")
  void routesByLanguage() {
    List<float[]> vectors = auto.embed(MEMORIES).await();
    for (int i = 0; i < MEMORIES.size(); i++) {
      boolean chinese = i >= 3;
      float[] expected = (chinese ? zh : en).embedBlocking(List.of(MEMORIES.get(i))).get(0);
      assertEquals(expected.length, vectors.get(i).length, MEMORIES.get(i));
      // the same model's vector (a batch's padding moves the quantised model's output a little)
      assertEquals(1.0, verticles.shared.Vectors.cosine(expected, vectors.get(i)), 0.01, MEMORIES.get(i));
      assertEquals(chinese ? "bge-small-zh-v15-q" : "bge-small-en-v15-q", auto.modelFor(MEMORIES.get(i)));
    }
    assertEquals(384, auto.embedQuery("where does my cat sleep?").await().length);
    assertEquals(512, auto.embedQuery("我的猫叫什么 Mimi?").await().length, "a Han character makes a text Chinese");
    assertEquals(List.of(512, 384), auto.dimensions());
    assertEquals(512, auto.dimension(), "an engine of one vector gets the Chinese model's");
  }

  @Test
  @DisplayName("an English query finds an English memory through the English model, a Chinese query a Chinese one "
      + "through the Chinese model, by the dense path alone")
  void eachQueryItsOwnModel() {
    try (LuceneMemoryIndex index = open(auto.dimensions())) {
      index.replaceTask("t1", records("t1", auto.embed(MEMORIES).await()));

      List<Hit> english = dense(index, "Where does my pet like to nap?");
      assertEquals(MEMORIES.get(0), english.get(0).record().content());
      // the query was compared with the English memories only: a cosine across models would mean nothing
      assertEquals(3, english.size());
      english.forEach(h -> assertEquals(384, h.record().vector().length));

      List<Hit> chinese = dense(index, "你知道我是做什么工作的吗");
      assertEquals(MEMORIES.get(4), chinese.get(0).record().content());
      assertEquals(3, chinese.size());
      chinese.forEach(h -> assertEquals(512, h.record().vector().length));

      // the other language's memories are still found by keyword
      String q = "Mimi 是谁";
      Hit mimi = index.search(new Query("u1", "c1", List.of(), auto.embedQuery(q).await(), q, 6)).stream()
          .filter(h -> h.record().content().equals(MEMORIES.get(0))).findFirst().orElseThrow();
      assertEquals(0.0, mimi.denseScore());
      assertTrue(mimi.keywordScore() > 0);
    }
  }

  @Test
  @DisplayName("with HNSW graphs (index.dense hnsw) each model has its own vector field, and each query searches its own")
  void hnswFieldPerModel() {
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, auto.dimensions(), new JsonObject().put("dense", "hnsw"),
        SkippedRecords.unscraped())) {
      index.replaceTask("t1", records("t1", auto.embed(MEMORIES).await()));
      List<Hit> english = dense(index, "Where does my pet like to nap?");
      assertEquals(MEMORIES.get(0), english.get(0).record().content());
      english.forEach(h -> assertEquals(384, h.record().vector().length));
      List<Hit> chinese = dense(index, "你知道我是做什么工作的吗");
      assertEquals(MEMORIES.get(4), chinese.get(0).record().content());
      chinese.forEach(h -> assertEquals(512, h.record().vector().length));
    }
  }

  @Test
  @DisplayName("an index written by the Chinese model alone keeps working under auto: Chinese queries as before, "
      + "English memories by keyword until re-embedded, then by their own model")
  void oldChineseIndex() {
    List<MemoryRecord> old = records("t1", zh.embedBlocking(MEMORIES));
    try (LuceneMemoryIndex before = open(List.of(zh.dimension()))) {
      before.replaceTask("t1", old);
      // an index of one model refuses the other model's vectors rather than mixing them unseen
      assertThrows(IllegalArgumentException.class, () -> before.replaceTask("t2", records("t2",
          en.embedBlocking(MEMORIES))));
    }
    try (LuceneMemoryIndex index = open(auto.dimensions())) {
      assertEquals(MEMORIES.get(4), dense(index, "你知道我是做什么工作的吗").get(0).record().content());

      String q = "What is my cat called?";
      assertTrue(dense(index, q).isEmpty(), "no record holds an English-model vector yet");
      List<Hit> hybrid = index.search(new Query("u1", "c1", List.of(), auto.embedQuery(q).await(), q, 3));
      assertEquals(MEMORIES.get(0), hybrid.get(0).record().content());
      assertEquals(0.0, hybrid.get(0).denseScore());

      // re-embedding (a replayed task, a corrected memory) moves a record to its own language's model
      index.replaceTask("t1", records("t1", auto.embed(MEMORIES).await()));
      List<Hit> after = dense(index, q);
      assertEquals(MEMORIES.get(0), after.get(0).record().content());
      assertTrue(after.get(0).denseScore() > 0.5, "score " + after.get(0).denseScore());
    }
  }

  @Test
  @DisplayName("the near-duplicate filter never compares vectors of two models")
  void nearDuplicatesWithinOneModel() {
    float[] zhVector = zh.embedBlocking(List.of("我养了一只猫")).get(0);
    float[] enVector = new float[en.dimension()];
    System.arraycopy(zhVector, 0, enVector, 0, enVector.length); // a prefix of it: equal over the shorter length
    List<Hit> hits = List.of(hit("a", zhVector), hit("b", verticles.shared.Vectors.unit(enVector)));
    assertEquals(2, HybridScorer.withoutNearDuplicates(hits, 0.5).size());
  }

  @Test
  @DisplayName("the query cache keys a text's vector by its model")
  void cacheKeyedByModel() {
    QueryEmbeddingCache cache = new QueryEmbeddingCache(10);
    cache.put("bge-small-zh-v15-q", "hello", new float[512]);
    assertEquals(null, cache.get("bge-small-en-v15-q", "hello"));
    assertNotEquals(null, cache.get("bge-small-zh-v15-q", "hello"));
  }

  private LuceneMemoryIndex open(List<Integer> dimensions) {
    return new LuceneMemoryIndex(dir, dimensions, new JsonObject(), SkippedRecords.unscraped());
  }

  private static List<Hit> dense(LuceneMemoryIndex index, String query) {
    return index.search(new Query("u1", "c1", List.of(), auto.embedQuery(query).await(), null, 10));
  }

  private static List<MemoryRecord> records(String taskId, List<float[]> vectors) {
    List<MemoryRecord> out = new ArrayList<>();
    for (int i = 0; i < MEMORIES.size(); i++) {
      out.add(new MemoryRecord("m" + i, taskId, "u1", "c1", "event", MEMORIES.get(i), 1_700_000_000L, 5, "s1",
          List.of("msg-" + i), new JsonObject(), vectors.get(i)));
    }
    return out;
  }

  private static Hit hit(String id, float[] vector) {
    return new Hit(new MemoryRecord(id, "t", "u1", "c1", "summary", id, 1_700_000_000L, 5, "s1", List.of(),
        new JsonObject(), vector), 0.9, 0.9, 0);
  }
}
