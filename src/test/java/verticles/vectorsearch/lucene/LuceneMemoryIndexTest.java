package verticles.vectorsearch.lucene;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.vectorsearch.HybridScorer;
import verticles.vectorsearch.MemoryIndex.Hit;
import verticles.vectorsearch.MemoryIndex.Query;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;
import verticles.vectorsearch.embedding.OnnxEmbedder;

@DisplayName("LuceneMemoryIndex")
class LuceneMemoryIndexTest {
  private static final Logger log = LoggerFactory.getLogger(LuceneMemoryIndexTest.class);

  private static final List<String> ZH_MEMORIES = List.of(
      "我的生日是3月15日",
      "我喜欢吃火锅",
      "我养了一只猫叫咪咪",
      "我在北京工作，是程序员",
      "周末我常去爬山",
      "我最好的朋友叫龚霁岚，我们一起爬过黄山",
      "我妈妈做的红烧肉最好吃",
      "我下个月要去日本旅游",
      "我害怕打雷",
      "我的朋友 Quillon 昨天请我吃饭",
      "我的同事 Michael 很幽默",
      "Sarah 是我的大学室友",
      "我的邻居 David 有一条狗",
      "我表哥 Kevin 在上海开餐厅",
      "我和 Emma 一起学钢琴",
      "Tom 是我的健身教练",
      "我昨天和同事一起吃饭聊天",
      "朋友送了我一本书");

  private static final List<String> EN_MEMORIES = List.of(
      "My birthday is on March 15th",
      "I love hiking on weekends",
      "My cat is called Mimi",
      "I work as a software engineer in Berlin",
      "I am afraid of thunderstorms",
      "I'm going to Japan next month",
      "My mom makes the best lasagna",
      "My coworker Michael is very funny",
      "Sarah was my college roommate");

  private static Vertx vertx;
  private static OnnxEmbedder zh;
  private static OnnxEmbedder en;
  private static List<float[]> zhVectors;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadModels() {
    vertx = Vertx.vertx();
    zh = new OnnxEmbedder(vertx, "bge-small-zh-v15-q");
    en = new OnnxEmbedder(vertx, "bge-small-en-v15-q");
    zhVectors = zh.embedBlocking(ZH_MEMORIES);
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  // ---------------------------------------------------------------- semantic and keyword paths

  @Test
  @DisplayName("finds a Chinese memory from a paraphrased question, through the dense path alone too")
  void chineseParaphrase() {
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t1", zhRecords("t1", "u1", "c1"));
      String q = "你还记得我的生日吗";
      float[] v = zh.embedBlocking(List.of(q)).get(0);

      List<Hit> hybrid = index.search(new Query("u1", "c1", List.of(), v, q, 5));
      assertEquals("我的生日是3月15日", hybrid.get(0).record().content());
      List<Hit> dense = index.search(new Query("u1", "c1", List.of(), v, null, 5));
      assertEquals("我的生日是3月15日", dense.get(0).record().content());
      assertEquals(0.0, dense.get(0).keywordScore());
      assertScoresInRange(hybrid);
    }
  }

  @Test
  @DisplayName("rebuilds the whole record from stored fields, without the vector")
  void storedFieldsRoundTrip() {
    try (LuceneMemoryIndex index = open()) {
      MemoryRecord r = new MemoryRecord("m-1", "t9", "u1", "c1", "profile", "我的生日是3月15日", 1_700_000_000L, 8,
          "s-42", List.of("msg-1", "msg-2"), new JsonObject().put("source", "chat").put("n", 3), zhVectors.get(0));
      index.replaceTask("t9", List.of(r));

      MemoryRecord back = index.search(new Query("u1", "c1", List.of(), zhVectors.get(0), "生日", 1)).get(0).record();
      assertEquals(r.toJson(), back.toJson());
      // hits carry their (unit) vector so the merger can drop near-duplicates
      assertEquals(1.0, verticles.shared.Vectors.cosine(zhVectors.get(0), back.vector()), 1e-5);
    }
  }

  @Test
  @DisplayName("finds an English memory from a paraphrased question, though the words barely overlap")
  void englishParaphrase() {
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, en.dimension(), new JsonObject())) {
      List<float[]> vectors = en.embedBlocking(EN_MEMORIES);
      List<MemoryRecord> records = new ArrayList<>();
      for (int i = 0; i < EN_MEMORIES.size(); i++) {
        records.add(record("en-" + i, "t1", "u1", "c1", "event", EN_MEMORIES.get(i), vectors.get(i)));
      }
      index.replaceTask("t1", records);

      for (String q : List.of("When was I born?", "what date do I celebrate getting older")) {
        float[] v = en.embedBlocking(List.of(q)).get(0);
        List<Hit> hits = index.search(new Query("u1", "c1", List.of(), v, q, 3));
        assertEquals("My birthday is on March 15th", hits.get(0).record().content(), q);
      }
    }
  }

  @Test
  @DisplayName("keyword path finds an exact rare name that the dense path ranks low")
  void rareNameByKeyword() {
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t1", zhRecords("t1", "u1", "c1"));
      String q = "Quillon";
      String target = "我的朋友 Quillon 昨天请我吃饭";
      float[] v = zh.embedBlocking(List.of(q)).get(0);

      List<String> denseOrder = contents(index.search(new Query("u1", "c1", List.of(), v, null, 20)));
      int denseRank = denseOrder.indexOf(target);
      log.info("dense rank of the rare-name memory: {} of {}", denseRank, denseOrder.size());
      assertTrue(denseRank >= 3, "dense alone should not find it near the top, rank " + denseRank);

      List<Hit> keyword = index.search(new Query("u1", "c1", List.of(), null, q, 5));
      assertEquals(target, keyword.get(0).record().content());
      assertEquals(1, keyword.size(), "only one memory holds the name");
      assertEquals(keyword.get(0).keywordScore(), keyword.get(0).score(), 1e-9, "keyword only: weight renormalised");

      List<Hit> hybrid = index.search(new Query("u1", "c1", List.of(), v, q, 5));
      assertEquals(target, hybrid.get(0).record().content());
      assertTrue(hybrid.get(0).keywordScore() > 0.5);
    }
  }

  @Test
  @DisplayName("keyword scores use the whole index's statistics, though a search reads only its owner's segments")
  void keywordStatisticsAreIndexWide() {
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t-u1", zhRecords("t-u1", "u1", "c1"));
      // Other users' tasks land in later segments; they make 火锅 a common word and leave 咪咪 rare.
      for (int u = 0; u < 12; u++) {
        index.replaceTask("t-other-" + u, List.of(record("other-" + u, "t-other-" + u, "other-" + u, "c1", "event",
            "我喜欢吃火锅", zhVectors.get(1))));
      }
      List<Hit> hits = index.search(new Query("u1", "c1", List.of(), null, "火锅 咪咪", 2));
      assertOwnedBy(hits, "u1", "c1");
      assertEquals(List.of("我养了一只猫叫咪咪", "我喜欢吃火锅"), contents(hits));
      assertTrue(hits.get(0).keywordScore() > hits.get(1).keywordScore() * 1.5,
          "rare word outweighs the common one: " + hits.get(0).keywordScore() + " vs " + hits.get(1).keywordScore());
      assertTrue(index.search(new Query("nobody", "c1", List.of(), zhVectors.get(0), "火锅", 5)).isEmpty());
    }
  }

  @Test
  @DisplayName("keyword feedback gives records sharing the top hits' rare words a bounded bonus, and leaves the top hits be")
  void keywordFeedback() {
    String q = "谁昨天请我吃饭了";
    float[] v = zh.embedBlocking(List.of(q)).get(0);
    List<Hit> plain;
    List<Hit> lifted;
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t1", zhRecords("t1", "u1", "c1"));
      plain = index.search(new Query("u1", "c1", List.of(), v, q, 30));
    }
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, zh.dimension(),
        new JsonObject().put("feedback_terms", 5))) {
      lifted = index.search(new Query("u1", "c1", List.of(), v, q, 30));
      // an exact rare name still wins over anything the feedback lifts
      float[] name = zh.embedBlocking(List.of("Quillon")).get(0);
      assertEquals("我的朋友 Quillon 昨天请我吃饭",
          index.search(new Query("u1", "c1", List.of(), name, "Quillon", 5)).get(0).record().content());
    }
    assertEquals(contents(plain).subList(0, 3), contents(lifted).subList(0, 3), "the seeds keep their order");
    java.util.Map<String, Double> before = new java.util.HashMap<>();
    plain.forEach(h -> before.put(h.record().content(), h.keywordScore()));
    List<Hit> gained = lifted.stream().filter(h -> h.keywordScore() > before.getOrDefault(h.record().content(), 0.0))
        .toList();
    assertFalse(gained.isEmpty(), "some record shares a seed's rare words: " + contents(lifted));
    for (Hit h : gained) {
      assertTrue(h.keywordScore() - before.getOrDefault(h.record().content(), 0.0) <= 0.3 + 1e-9,
          "bounded bonus for " + h.record().content());
    }
  }

  @Test
  @DisplayName("a question that names one speaker lifts what that speaker said by the speaker bonus, and naming both lifts no one")
  void speakerBonus() {
    List<String[]> turns = List.of(
        new String[] {"Nate", "I usually play CS:GO with my friends on weekends"},
        new String[] {"Joanna", "Do you play video games every weekend?"},
        new String[] {"Nate", "I won the Valorant tournament last Saturday!"},
        new String[] {"Joanna", "I enjoy reading and writing screenplays"},
        new String[] {"小月", "我周末一般在家打游戏"},
        new String[] {"阿杰", "你周末都玩什么游戏呀"});
    List<MemoryRecord> records = new ArrayList<>();
    List<float[]> vectors = en.embedBlocking(turns.stream().map(t -> t[0] + ": " + t[1]).toList());
    for (int i = 0; i < turns.size(); i++) {
      String user = i < 4 ? "u1" : "u2"; // one English and one Chinese conversation
      records.add(new MemoryRecord("m" + i, "t1", user, "c1", "message", turns.get(i)[1], 1_700_000_000L + i, 5, "s1",
          List.of("D1:" + i), new JsonObject().put("speaker", turns.get(i)[0]), vectors.get(i)));
    }
    java.util.function.BiFunction<LuceneMemoryIndex, String, java.util.Map<String, Double>> scores = (index, q) -> {
      java.util.Map<String, Double> out = new java.util.HashMap<>();
      String user = q.codePoints().anyMatch(c -> c > 0x2E80) ? "u2" : "u1";
      index.search(new Query(user, "c1", List.of(), en.embedBlocking(List.of(q)).get(0), q, 10))
          .forEach(h -> out.put(h.record().content(), h.score()));
      return out;
    };
    java.util.Map<String, Double> plain;
    java.util.Map<String, Double> plainBoth;
    java.util.Map<String, Double> plainZh;
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, en.dimension(),
        new JsonObject().put("speaker_bonus", 0.0))) {
      index.replaceTask("t1", records);
      plain = scores.apply(index, "What video games does Nate play?");
      plainBoth = scores.apply(index, "What games do Nate and Joanna play together?");
      plainZh = scores.apply(index, "小月周末玩什么游戏");
    }
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, en.dimension(),
        new JsonObject().put("speaker_bonus", 0.1))) {
      java.util.Map<String, Double> named = scores.apply(index, "What video games does Nate play?");
      for (int i = 0; i < turns.size(); i++) {
        String content = turns.get(i)[1];
        if (named.containsKey(content)) {
          double lift = turns.get(i)[0].equals("Nate") ? 0.1 : 0.0;
          assertEquals(plain.get(content) + lift, named.get(content), 1e-6, content);
        }
      }
      assertEquals(plainBoth, scores.apply(index, "What games do Nate and Joanna play together?"));
      java.util.Map<String, Double> zhNamed = scores.apply(index, "小月周末玩什么游戏");
      assertEquals(plainZh.get("我周末一般在家打游戏") + 0.1, zhNamed.get("我周末一般在家打游戏"), 1e-6);
      assertEquals(plainZh.get("你周末都玩什么游戏呀"), zhNamed.get("你周末都玩什么游戏呀"), 1e-6);
    }
    assertTrue(HybridScorer.names("what does nate play?", "nate"));
    assertFalse(HybridScorer.names("the senate voted", "nate"), "a name is a whole word");
    assertFalse(HybridScorer.names("natelie said", "nate"));
    assertTrue(HybridScorer.names("小月喜欢什么", "小月"), "Chinese names have no word boundaries");
    assertThrows(IllegalArgumentException.class,
        () -> new LuceneMemoryIndex(dir, en.dimension(), new JsonObject().put("speaker_bonus", 2.0)));
  }

  @Test
  @DisplayName("RRF fusion ranks a memory first in both paths at score 1")
  void rrfFusion() {
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, zh.dimension(), new JsonObject().put("fusion", "rrf"))) {
      index.replaceTask("t1", zhRecords("t1", "u1", "c1"));
      String q = "你还记得我的生日吗";
      List<Hit> hits = index.search(new Query("u1", "c1", List.of(), zh.embedBlocking(List.of(q)).get(0), q, 5));
      assertEquals("我的生日是3月15日", hits.get(0).record().content());
      assertEquals(1.0, hits.get(0).score(), 1e-9);
      assertScoresInRange(hits);
    }
  }

  // ---------------------------------------------------------------- isolation

  @Test
  @DisplayName("never shows one user's or character's memories to another, through any path or filter")
  void strictIsolation() {
    try (LuceneMemoryIndex index = open()) {
      // Identical texts and vectors for three owners: only the filter can tell them apart.
      index.replaceTask("t-u1c1", zhRecords("t-u1c1", "u1", "c1"));
      index.replaceTask("t-u1c2", zhRecords("t-u1c2", "u1", "c2"));
      index.replaceTask("t-u2c1", zhRecords("t-u2c1", "u2", "c1"));
      // An owner whose ids would collide with a naive "user + character" concatenation.
      index.replaceTask("t-u1c", zhRecords("t-u1c", "u1c", "1"));

      String q = "你还记得我的生日吗";
      float[] v = zh.embedBlocking(List.of(q)).get(0);
      int all = ZH_MEMORIES.size();
      for (String[] owner : new String[][] {{"u1", "c1"}, {"u1", "c2"}, {"u2", "c1"}, {"u1c", "1"}}) {
        for (Query query : List.of(
            new Query(owner[0], owner[1], List.of(), v, q, 100),
            new Query(owner[0], owner[1], List.of(), v, null, 100),
            new Query(owner[0], owner[1], List.of(), null, q, 100),
            new Query(owner[0], owner[1], List.of("event", "profile", "summary"), v, q, 100))) {
          List<Hit> hits = index.search(query);
          assertFalse(hits.isEmpty());
          assertOwnedBy(hits, owner[0], owner[1]);
          assertEquals(hits.size(), new HashSet<>(ids(hits)).size(), "no duplicates");
        }
        assertEquals(all, index.search(new Query(owner[0], owner[1], List.of(), v, null, 100)).size());
        assertEquals(all, index.count(owner[0], owner[1]));
      }
      assertEquals(2L * all, index.count("u1", null));
      assertEquals(0, index.count("u3", "c1"));
      assertTrue(index.search(new Query("u3", "c1", List.of(), v, q, 10)).isEmpty());

      assertEquals(all, index.delete("u1", "c2"));
      assertEquals(0, index.count("u1", "c2"));
      assertEquals(all, index.count("u1", "c1"));
      assertEquals(all, index.count("u2", "c1"));
      assertEquals(all, index.delete("u1", null));
      assertEquals(0, index.count("u1", null));
      assertEquals(all, index.count("u2", "c1"));
      assertEquals(all, index.count("u1c", "1"));
      assertEquals(0, index.delete("u1", null));
    }
  }

  @Test
  @DisplayName("hostile or degenerate query text never throws and never leaks")
  void hostileQueries() {
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t-u1", zhRecords("t-u1", "u1", "c1"));
      // The other user's memories contain the very words the hostile strings use.
      List<MemoryRecord> other = new ArrayList<>();
      for (String text : List.of("user_id u1 OR uc AND NOT content", "*:* 全部 all", "生日 Quillon 火锅")) {
        other.add(record("u2-" + other.size(), "t-u2", "u2", "c1", "event", text, zhVectors.get(other.size())));
      }
      index.replaceTask("t-u2", other);

      List<String> hostile = new ArrayList<>(List.of(
          "\") OR user_id:*", "*:*", "user_id:u2 OR uc:*", "AND OR ( \"", "NOT", "\\", "((((((((((",
          "content:\"foo\" AND NOT bar~2 [a TO z] {x TO y} /re.*gex/ ^3 && || !",
          "生日 OR user_id:u2", "🎉🙂🔥", "", "   ", "\u0000", "的的的的"));
      hostile.add("你还记得我的生日吗 AND OR ( \" Quillon ".repeat(200).substring(0, 5000));
      hostile.add(null);
      float[] v = zh.embedBlocking(List.of("生日")).get(0);
      for (String text : hostile) {
        for (float[] vector : Arrays.asList(v, null)) {
          List<Hit> hits = assertDoesNotThrow(() -> index.search(new Query("u1", "c1", List.of(), vector, text, 20)),
              "query text: " + text);
          assertOwnedBy(hits, "u1", "c1");
          assertScoresInRange(hits);
        }
      }
      assertTrue(index.search(new Query("u1", "c1", List.of(), null, "🎉🙂🔥", 5)).isEmpty(), "no tokens, no vector");
      assertThrows(IllegalArgumentException.class, () -> index.search(new Query("u1", null, List.of(), v, "x", 5)));
      assertThrows(IllegalArgumentException.class, () -> index.search(new Query("", "c1", List.of(), v, "x", 5)));
      assertThrows(IllegalArgumentException.class,
          () -> index.search(new Query("u1\u0000c1", "c1", List.of(), v, "x", 5)));
    }
  }

  @Test
  @DisplayName("memory type filter returns only the requested types")
  void memoryTypeFilter() {
    try (LuceneMemoryIndex index = open()) {
      List<String> types = List.of("profile", "event", "summary");
      List<MemoryRecord> records = new ArrayList<>();
      for (int i = 0; i < ZH_MEMORIES.size(); i++) {
        records.add(record("r" + i, "t1", "u1", "c1", types.get(i % 3), ZH_MEMORIES.get(i), zhVectors.get(i)));
      }
      index.replaceTask("t1", records);
      String q = "朋友";
      float[] v = zh.embedBlocking(List.of(q)).get(0);

      List<Hit> profiles = index.search(new Query("u1", "c1", List.of("profile"), v, q, 100));
      assertEquals(6, profiles.size());
      assertTrue(profiles.stream().allMatch(h -> h.record().memoryType().equals("profile")));
      List<Hit> two = index.search(new Query("u1", "c1", List.of("profile", "summary"), v, q, 100));
      assertEquals(12, two.size());
      assertTrue(two.stream().noneMatch(h -> h.record().memoryType().equals("event")));
      assertEquals(18, index.search(new Query("u1", "c1", List.of(), v, q, 100)).size());
      assertTrue(index.search(new Query("u1", "c1", List.of("entity"), v, q, 100)).isEmpty());
      // The keyword path filters too: only one profile and no event mentions 朋友.
      List<Hit> keywordOnly = index.search(new Query("u1", "c1", List.of("profile"), null, q, 100));
      assertEquals(List.of("我的朋友 Quillon 昨天请我吃饭"), contents(keywordOnly));
      assertTrue(index.search(new Query("u1", "c1", List.of("event"), null, q, 100)).isEmpty());
    }
  }

  // ---------------------------------------------------------------- writes and durability

  @Test
  @DisplayName("replaying a task never duplicates, and a shorter replay removes the stale records")
  void replaceTaskIsIdempotent() {
    try (LuceneMemoryIndex index = open()) {
      List<MemoryRecord> records = zhRecords("t1", "u1", "c1").subList(0, 5);
      index.replaceTask("t1", records);
      index.replaceTask("t1", records);
      assertEquals(5, index.count("u1", "c1"));
      List<Hit> hits = index.search(new Query("u1", "c1", List.of(), zhVectors.get(0), "我", 50));
      assertEquals(5, hits.size());
      assertEquals(5, new HashSet<>(ids(hits)).size());

      index.replaceTask("t1", records.subList(0, 2));
      assertEquals(2, index.count("u1", "c1"));
      assertEquals(Set.of("u1-c1-0", "u1-c1-1"),
          new HashSet<>(ids(index.search(new Query("u1", "c1", List.of(), zhVectors.get(4), null, 50)))));

      // Another task's replay leaves t1 alone; a task that re-emits t1's id takes that record over.
      index.replaceTask("t2", List.of(record("u1-c1-1", "t2", "u1", "c1", "event", "我害怕打雷", zhVectors.get(8))));
      assertEquals(2, index.count("u1", "c1"));
      index.replaceTask("t1", List.of());
      assertEquals(1, index.count("u1", "c1"), "t1 owned only u1-c1-0 after t2 took u1-c1-1");
    }
  }

  @Test
  @DisplayName("list pages through one owner's records oldest first without overlap, across characters when asked")
  void listPages() {
    try (LuceneMemoryIndex index = open()) {
      List<MemoryRecord> mine = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        mine.add(new MemoryRecord("r" + i, "t1", "u1", i % 2 == 0 ? "c1" : "c2", "message", "第" + i + "句",
            1_700_000_000L + (i * 7) % 25, 3, "s1", List.of(), new JsonObject(), zhVectors.get(i % zhVectors.size())));
      }
      index.replaceTask("t1", mine);
      index.replaceTask("t2", zhRecords("t2", "u2", "c1"));

      List<MemoryRecord> paged = new ArrayList<>();
      for (int offset = 0; ; offset += 10) {
        List<MemoryRecord> page = index.list("u1", null, offset, 10);
        paged.addAll(page);
        if (page.size() < 10) {
          break;
        }
      }
      List<MemoryRecord> expected = new ArrayList<>(mine);
      expected.sort(MemoryIndex.LIST_ORDER);
      assertEquals(expected.stream().map(MemoryRecord::id).toList(), paged.stream().map(MemoryRecord::id).toList());
      assertNull(paged.get(0).vector(), "listed records carry no vector");
      assertEquals(13, index.list("u1", "c1", 0, 100).size());
      assertEquals(List.of(), index.list("u1", null, 100, 10));
      assertEquals(List.of(), index.list("nobody", null, 0, 10));
    }
  }

  @Test
  @DisplayName("counts by type cover one owner or the whole index, and deleteIds removes exactly the ids given")
  void countsByTypeAndDeleteIds() {
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t1", List.of(
          record("a", "t1", "u1", "c1", "profile", "我叫小明", zhVectors.get(0)),
          record("b", "t1", "u1", "c1", "event", "我下周去北京", zhVectors.get(1)),
          record("c", "t1", "u1", "c2", "event", "我养了一只猫", zhVectors.get(2))));
      index.replaceTask("t2", List.of(record("d", "t2", "u2", "c1", "summary", "聊了天气", zhVectors.get(3))));

      assertEquals(Map.of("profile", 1L, "event", 2L), index.countByType("u1", null));
      assertEquals(Map.of("profile", 1L, "event", 1L), index.countByType("u1", "c1"));
      assertEquals(Map.of("profile", 1L, "event", 2L, "summary", 1L), index.countByType(null, null));

      index.deleteIds(List.of("b", "d", "no-such-id"));
      assertEquals(Map.of("profile", 1L, "event", 1L), index.countByType(null, null));
      assertEquals(2, index.count("u1", null));
      index.deleteIds(List.of());
      assertEquals(2, index.count("u1", null));
    }
  }

  @Test
  @DisplayName("upsert replaces by id and a duplicate id within one batch keeps the last")
  void upsertById() {
    try (LuceneMemoryIndex index = open()) {
      index.upsert(List.of(record("x", null, "u1", "c1", "profile", "我喜欢吃火锅", zhVectors.get(1))));
      index.upsert(List.of(
          record("x", null, "u1", "c1", "profile", "我不再吃辣了", zhVectors.get(1)),
          record("x", null, "u1", "c1", "profile", "我喜欢吃寿司", zhVectors.get(1)),
          record("y", null, "u1", "c1", "event", "我害怕打雷", zhVectors.get(8))));
      assertEquals(2, index.count("u1", "c1"));
      List<Hit> hits = index.search(new Query("u1", "c1", List.of("profile"), zhVectors.get(1), "寿司", 10));
      assertEquals(1, hits.size());
      assertEquals("我喜欢吃寿司", hits.get(0).record().content());
      assertNull(hits.get(0).record().taskId());
    }
  }

  @Test
  @DisplayName("data survives close and reopen")
  void survivesReopen() {
    try (LuceneMemoryIndex index = open()) {
      index.replaceTask("t1", zhRecords("t1", "u1", "c1"));
    }
    try (LuceneMemoryIndex reopened = open()) {
      assertEquals(ZH_MEMORIES.size(), reopened.count("u1", "c1"));
      String q = "你还记得我的生日吗";
      List<Hit> hits = reopened.search(new Query("u1", "c1", List.of(), zh.embedBlocking(List.of(q)).get(0), q, 3));
      assertEquals("我的生日是3月15日", hits.get(0).record().content());
      // Still writable, and a replay after the restart still replaces rather than duplicates.
      reopened.replaceTask("t1", zhRecords("t1", "u1", "c1"));
      assertEquals(ZH_MEMORIES.size(), reopened.count("u1", "c1"));
    }
  }

  @Test
  @DisplayName("rejects vectors of the wrong dimension and use after close")
  void rejectsMisuse() {
    LuceneMemoryIndex index = open();
    assertThrows(IllegalArgumentException.class,
        () -> index.upsert(List.of(record("a", null, "u1", "c1", "event", "x", new float[3]))));
    assertThrows(IllegalArgumentException.class,
        () -> index.search(new Query("u1", "c1", List.of(), new float[3], "x", 5)));
    index.close();
    index.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> index.count("u1", "c1"));
  }

  @Test
  @DisplayName("a concurrent searcher never sees half of a task replay")
  void replayIsAtomicForSearchers() throws Exception {
    try (LuceneMemoryIndex index = open()) {
      List<MemoryRecord> records = zhRecords("t1", "u1", "c1").subList(0, 6);
      index.replaceTask("t1", records);
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Integer> writer = pool.submit(() -> {
          for (int i = 0; i < 60; i++) {
            index.replaceTask("t1", records);
          }
          done.set(true);
          return 60;
        });
        Future<Set<Long>> reader = pool.submit(() -> {
          Set<Long> seen = new HashSet<>();
          while (!done.get()) {
            seen.add(index.count("u1", "c1"));
            seen.add((long) index.search(new Query("u1", "c1", List.of(), zhVectors.get(0), "我", 50)).size());
          }
          return seen;
        });
        writer.get(60, TimeUnit.SECONDS);
        assertEquals(Set.of(6L), reader.get(60, TimeUnit.SECONDS));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------- scale

  @Test
  @DisplayName("with 2,000 users of 20 memories each, a user's search returns only that user's memories")
  void isolationAtScale() {
    int users = 2_000;
    int perUser = 20;
    // Few dimensions keep the HNSW build quick (Java 17 has no SIMD for Lucene); isolation does not depend on them.
    int dim = 32;
    Random random = new Random(42);
    List<float[]> firstVectors = new ArrayList<>();
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, dim, new JsonObject())) {
      long t0 = System.nanoTime();
      List<MemoryRecord> batch = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        for (int i = 0; i < perUser; i++) {
          float[] v = randomUnit(random, dim);
          if (i == 0) {
            firstVectors.add(v);
          }
          // Shared words, so an unfiltered keyword search would match every user.
          String text = "我记得 topic" + (i % 5) + " 的第 " + i + " 件事 memory";
          batch.add(record("s-" + u + "-" + i, "task-" + u, "user-" + u, "char-" + (u % 3), "event", text, v));
        }
        if (batch.size() >= 4_000) {
          index.upsert(batch);
          batch.clear();
        }
      }
      index.upsert(batch);
      log.info("indexed {} records in {} ms", users * perUser, (System.nanoTime() - t0) / 1_000_000);

      for (int u = 0; u < users; u += 97) {
        String user = "user-" + u;
        String character = "char-" + (u % 3);
        assertEquals(perUser, index.count(user, character));
        // Query with another user's exact vector: the global nearest neighbour is not this user's.
        float[] foreign = firstVectors.get((u + 1) % users);
        List<Hit> hits = index.search(new Query(user, character, List.of(), foreign, "topic1 memory 我记得", 10));
        assertEquals(10, hits.size());
        assertOwnedBy(hits, user, character);
        assertEquals(perUser, index.search(new Query(user, character, List.of(), foreign, null, 100)).size());
      }

      // Informal latency, logged only: hybrid search on the 40,000-record index.
      int runs = 500;
      long start = System.nanoTime();
      for (int r = 0; r < runs; r++) {
        int u = random.nextInt(users);
        index.search(new Query("user-" + u, "char-" + (u % 3), List.of(), firstVectors.get(r % users),
            "topic2 我记得", 10));
      }
      log.info("hybrid search over {} records of {} dims: {} us mean of {} runs", users * perUser, dim,
          (System.nanoTime() - start) / 1_000 / runs, runs);
    }
  }

  // ---------------------------------------------------------------- helpers

  private LuceneMemoryIndex open() {
    return new LuceneMemoryIndex(dir, zh.dimension(), new JsonObject());
  }

  private static List<MemoryRecord> zhRecords(String taskId, String userId, String characterId) {
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < ZH_MEMORIES.size(); i++) {
      records.add(record(userId + "-" + characterId + "-" + i, taskId, userId, characterId, "event",
          ZH_MEMORIES.get(i), zhVectors.get(i)));
    }
    return records;
  }

  private static MemoryRecord record(String id, String taskId, String userId, String characterId, String type,
      String content, float[] vector) {
    return new MemoryRecord(id, taskId, userId, characterId, type, content, 1_700_000_000L, 5, "s1",
        List.of("msg-" + id), new JsonObject(), vector);
  }

  private static float[] randomUnit(Random random, int dim) {
    float[] v = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  private static void assertOwnedBy(List<Hit> hits, String userId, String characterId) {
    for (Hit h : hits) {
      assertEquals(userId, h.record().userId(), "leaked record " + h.record().id());
      assertEquals(characterId, h.record().characterId(), "leaked record " + h.record().id());
    }
  }

  private static void assertScoresInRange(List<Hit> hits) {
    for (Hit h : hits) {
      assertTrue(h.score() >= 0 && h.score() <= 1, "score " + h.score());
      assertTrue(h.denseScore() >= 0 && h.denseScore() <= 1, "dense " + h.denseScore());
      assertTrue(h.keywordScore() >= 0 && h.keywordScore() <= 1, "keyword " + h.keywordScore());
    }
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(h -> h.record().id()).toList();
  }

  private static List<String> contents(List<Hit> hits) {
    return hits.stream().map(h -> h.record().content()).toList();
  }
}
