package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;
import verticles.vectorsearch.embedding.BilingualEmbedder;

/**
 * The default {@code embedding.model: "auto"} through the public API: each memory and question embedded by its own
 * language's model, a question that finds none of its model's memories asked again by the other model, and an
 * index record of the other model moved to its language's by the index sweeper.
 */
@DisplayName("Recall with one model per language (embedding.model auto)")
class BilingualRecallTest {
  private static BilingualEmbedder models;

  @BeforeAll
  static void stack() {
    models = (BilingualEmbedder) TestStack.engram().embedder();
  }

  @Test
  @DisplayName("an English question finds the English memory and a Chinese question the Chinese one, in one user's "
      + "memories of both languages")
  void bothLanguages() {
    String user = "u-bilingual-" + UUID.randomUUID();
    MemoryLifecycleTest.imported(user, "My daughter Lily started violin lessons last month");
    MemoryLifecycleTest.imported(user, "我上周去杭州出差，住在西湖边上");
    MemoryLifecycleTest.imported(user, "I'm allergic to peanuts");
    MemoryLifecycleTest.imported(user, "我最喜欢的电影是《大话西游》");

    JsonArray english = MemoryLifecycleTest.recalled(user, "What instrument is my kid learning?");
    assertEquals("My daughter Lily started violin lessons last month",
        english.getJsonObject(0).getString("content"), english.encode());
    JsonArray chinese = MemoryLifecycleTest.recalled(user, "我出差去了哪个城市？");
    assertEquals("我上周去杭州出差，住在西湖边上", chinese.getJsonObject(0).getString("content"), chinese.encode());
  }

  @Test
  @DisplayName("a question without a Han character over Chinese memories only is embedded again by the Chinese model "
      + "and finds them, though no word is shared")
  void otherModelWhenNoneOfItsOwn() {
    String user = "u-bilingual-fallback-" + UUID.randomUUID();
    MemoryLifecycleTest.imported(user, "我养了一只叫团子的橘猫");
    JsonArray recalled = MemoryLifecycleTest.recalled(user, "Do you remember my cat?");
    assertNotNull(EndToEndMemoryTest.find(recalled, "团子"), recalled.encode());
  }

  @Test
  @DisplayName("an English memory an older index holds with the Chinese model's vector is found by keyword, and "
      + "once marked for the index sweeper, by the English model")
  void oldRecordReembedded() {
    String user = "u-bilingual-old-" + UUID.randomUUID();
    String content = "My grandmother taught me to bake sourdough bread";
    String id = MemoryLifecycleTest.imported(user, content);
    MemoryRecord record = MemoryLifecycleTest.indexed(user, id);
    float[] chineseVector = models.chinese().embed(List.of(record.indexText())).await().get(0);
    // as an index written before "auto" holds it: the same record, the Chinese model's vector
    Future.await(TestStack.vertx().executeBlocking(() -> {
      TestStack.engram().index().upsert(List.of(record.withVector(chineseVector)));
      return null;
    }));
    String question = "Who taught me baking?";
    assertTrue(Future.await(denseHits(user, question)).isEmpty(), "no record of the English model");
    assertNotNull(EndToEndMemoryTest.find(MemoryLifecycleTest.recalled(user, "sourdough"), "sourdough"));

    Future.await(TestStack.sql().preparedQuery("INSERT INTO memory_index_sync (memory_id, seq, queued_at)"
        + " VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE seq = seq + 1")
        .execute(Tuple.of(id, LocalDateTime.now(ZoneOffset.UTC).minusSeconds(30))));
    List<MemoryIndex.Hit> hits = Future.await(TestStack.until(() -> denseHits(user, question), h -> !h.isEmpty(),
        30_000));
    assertEquals(content, hits.get(0).record().content());
    assertEquals(384, hits.get(0).record().vector().length);
  }

  /** The index's dense hits alone for the question's vector (of the question's model). */
  private static Future<List<MemoryIndex.Hit>> denseHits(String user, String question) {
    return models.embedQuery(question).compose(v -> TestStack.vertx().executeBlocking(() -> TestStack.engram()
        .index().search(new MemoryIndex.Query(TestStack.internal(user), "c1", List.of(), v, null, 10))));
  }
}
