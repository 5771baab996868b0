package verticles.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Failures;

@DisplayName("IntentDetector")
class IntentDetectorTest {
  private static final Logger LOG = LoggerFactory.getLogger(IntentDetectorTest.class);

  private static IntentDetector detector;

  @BeforeAll
  static void rules() {
    detector = IntentDetector.withDefaultRules();
  }

  private static JsonObject detect(String message) {
    return detector.detect(message, null);
  }

  @Nested
  @DisplayName("The gate and the type")
  class Gate {
    static Stream<Arguments> recalls() {
      return Stream.of(
          Arguments.of("我们上回说的那家店", "history"),
          Arguments.of("上次你推荐的那本书叫啥来着", "history"),
          Arguments.of("remember when we talked about moving to Berlin?", "history"),
          Arguments.of("do you know my name?", "profile"),
          Arguments.of("when is my birthday", "profile"),
          Arguments.of("what's my favourite food", "profile"),
          Arguments.of("我妈妈叫什么", "profile"),
          Arguments.of("how did my interview go", "event"),
          Arguments.of("我下周有什么安排", "event"),
          Arguments.of("what did I tell you about my sister", "mixed"));
    }

    @ParameterizedTest(name = "\"{0}\" needs {1} recall")
    @MethodSource("recalls")
    @DisplayName("Questions about the user, their life and earlier talk need recall of the right type")
    void recall(String message, String type) {
      JsonObject r = detect(message);
      assertEquals(true, r.getBoolean("need_recall"), r.encode());
      assertEquals(type, r.getString("recall_type"), r.encode());
    }

    @ParameterizedTest(name = "\"{0}\" is ordinary chat")
    @ValueSource(strings = {"你好", "今天天气不错", "我喜欢这首歌", "讲个笑话", "生日快乐歌怎么唱", "what's the weather like",
        "I remember nothing of that movie lol", "tell me a story", "how are you", "what do you think about AI",
        "你记得多喝水哦", "remember to drink water!", "my birthday is next week!", "今天是我的生日！",
        "do you remember the lyrics to Bohemian Rhapsody?", "我喜欢的人不喜欢我怎么办"})
    @DisplayName("Greetings, statements, generic questions and reminders do not need recall")
    void ordinary(String message) {
      JsonObject r = detect(message);
      assertEquals(false, r.getBoolean("need_recall"), r.encode());
      assertEquals("none", r.getString("recall_type"));
      assertEquals("", r.getString("search_query"));
    }

    @Test
    @DisplayName("A question that matches two types is mixed")
    void mixed() {
      assertEquals("mixed", detect("上次我跟你说的那个面试后来怎么样了你还记得吗").getString("recall_type"));
      assertEquals("mixed", detect("did I tell you what my favourite colour is?").getString("recall_type"));
    }

    @Test
    @DisplayName("A bare recall cue is history, a cue on an unrecognised question of the user's is mixed")
    void cueOnly() {
      assertEquals("history", detect("你还记得吗？").getString("recall_type"));
      assertEquals("history", detect("remember?").getString("recall_type"));
      JsonObject r = detect("我平时几点起床来着");
      assertEquals("mixed", r.getString("recall_type"), r.encode());
    }
  }

  @Nested
  @DisplayName("The search query")
  class Query {
    @Test
    @DisplayName("Chinese keeps the content words and drops fillers and recall phrases")
    void chinese() {
      assertEquals("妈妈叫", detect("我妈妈叫什么").getString("search_query"));
      assertEquals("上次推荐那本书叫", detect("上次你推荐的那本书叫啥来着").getString("search_query"));
      assertEquals("上回说那家店", detect("我们上回说的那家店").getString("search_query"));
    }

    @Test
    @DisplayName("English is lower-cased and loses stop words, possessive 's and recall verbs")
    void english() {
      assertEquals("sister", detect("what did I tell you about my sister").getString("search_query"));
      assertEquals("favourite food", detect("What's my FAVOURITE food?").getString("search_query"));
      assertEquals("sister name", detect("what's my sister's name again?").getString("search_query"));
      assertEquals("moving berlin", detect("remember when we talked about moving to Berlin?").getString("search_query"));
    }

    @Test
    @DisplayName("Mixed Chinese and English keeps both, in order")
    void mixedLanguages() {
      assertEquals("上次推荐那个 podcast 叫", detect("上次你推荐的那个podcast叫啥来着").getString("search_query"));
    }

    @Test
    @DisplayName("The query is capped at 50 characters and 12 English words")
    void caps() {
      String zh = "上次你推荐的那本书" + "很长的书名".repeat(40) + "叫啥来着";
      JsonObject r = detect(zh);
      assertTrue(r.getBoolean("need_recall"));
      assertTrue(r.getString("search_query").codePointCount(0, r.getString("search_query").length()) <= 50);

      String en = "what did I tell you about " + "my sister and her husband and their kids ".repeat(10);
      String q = detect(en).getString("search_query");
      assertTrue(q.split(" ").length <= 12, q);
    }

    @Test
    @DisplayName("When nothing but filler is left, the query falls back to the message, so it is never empty")
    void neverEmpty() {
      JsonObject r = detect("你还记得吗？");
      assertTrue(r.getBoolean("need_recall"));
      assertEquals("你还记得吗?", r.getString("search_query"));
      assertEquals("remember?", detect("remember?").getString("search_query"));
    }
  }

  @Nested
  @DisplayName("Confidence")
  class Confidence {
    @Test
    @DisplayName("0.9 when nothing at all looked like recall")
    void nothing() {
      assertEquals(0.9, detect("你好").getDouble("confidence"));
    }

    @Test
    @DisplayName("0.7 when something recall-like was seen and set aside")
    void setAside() {
      assertEquals(0.7, detect("my birthday is next week!").getDouble("confidence"));
      assertEquals(0.7, detect("do you remember the lyrics to Bohemian Rhapsody?").getDouble("confidence"));
    }

    @Test
    @DisplayName("0.8 for one type, 0.9 when a recall cue agrees, 0.85 for mixed, at most 0.95")
    void matched() {
      assertEquals(0.8, detect("我妈妈叫什么").getDouble("confidence"));
      assertEquals(0.9, detect("你还记得我叫什么吗").getDouble("confidence"));
      assertEquals(0.85, detect("what did I tell you about my sister").getDouble("confidence"));
      assertEquals(0.95, detect("你还记得我上次说我最喜欢的歌手是谁吗").getDouble("confidence"));
    }

    @Test
    @DisplayName("0.6 from a recall cue alone")
    void cueOnly() {
      assertEquals(0.6, detect("你还记得吗？").getDouble("confidence"));
    }
  }

  @Nested
  @DisplayName("The recent context")
  class Context {
    @Test
    @DisplayName("A short follow-up after a recall question inherits its type, at 0.55")
    void followUp() {
      JsonObject r = detector.detect("那个呢？", "用户: 上次你推荐的那本书叫啥来着\n助手: 是《三体》");
      assertTrue(r.getBoolean("need_recall"), r.encode());
      assertEquals("history", r.getString("recall_type"));
      assertEquals(0.55, r.getDouble("confidence"));
      assertTrue(r.getString("search_query").contains("推荐"), r.encode());

      JsonObject en = detector.detect("what about my brother?", "user: what's my sister's name again?");
      assertEquals("profile", en.getString("recall_type"), en.encode());
    }

    @Test
    @DisplayName("The same follow-up after ordinary chat, or with no context, is ordinary chat")
    void noRecallContext() {
      assertFalse(detector.detect("那个呢？", "用户: 讲个笑话").getBoolean("need_recall"));
      assertFalse(detector.detect("那个呢？", null).getBoolean("need_recall"));
      assertFalse(detector.detect("how about you?", "user: what's my name?").getBoolean("need_recall"));
    }
  }

  @Nested
  @DisplayName("Robustness")
  class Robustness {
    @ParameterizedTest(name = "[{index}] {0}")
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\n\t", "😀😂🎂", "🎂？", "(((((*+?[\\", "$1 \\E \\Q .* ^$ |||", "\uD83D", "\u0000",
        "我的生日🎂是哪天来着？", "上次你推荐的那本书(((叫啥来着[[[", "what's my 名字 again?", "ＷＨＡＴ'Ｓ ＭＹ ＮＡＭＥ？"})
    @DisplayName("Empty, emoji, regex-hostile, broken and full-width input never throws and answers all four fields")
    void hostile(String message) {
      JsonObject r = detector.detect(message, message);
      assertInstanceOf(Boolean.class, r.getValue("need_recall"));
      assertTrue(List.of("none", "profile", "event", "history", "mixed").contains(r.getString("recall_type")));
      assertInstanceOf(String.class, r.getValue("search_query"));
      double c = r.getDouble("confidence");
      assertTrue(c > 0 && c <= 1);
    }

    @Test
    @DisplayName("Full-width question marks and letters are folded, so they match like ASCII")
    void fullWidth() {
      assertEquals("profile", detect("ＷＨＡＴ'Ｓ ＭＹ ＮＡＭＥ？").getString("recall_type"));
      assertEquals("profile", detect("what’s my name?").getString("recall_type"));
    }

    @Test
    @DisplayName("10,000 characters of noise are judged in milliseconds, and a question at the end still counts")
    void huge() {
      Random random = new Random(7);
      StringBuilder sb = new StringBuilder();
      while (sb.length() < 10_000) {
        sb.append(random.nextBoolean() ? "今天天气不错我的" : "lol my ").append((char) ('a' + random.nextInt(26)));
      }
      String noise = sb.toString();
      long start = System.nanoTime();
      JsonObject quiet = detector.detect(noise, noise);
      JsonObject asked = detector.detect(noise + " 对了，我妈妈叫什么来着？", noise);
      long ms = (System.nanoTime() - start) / 1_000_000;
      LOG.info("Two 10k-character messages judged in {} ms", ms);
      assertFalse(quiet.getBoolean("need_recall"), quiet.encode());
      assertEquals("profile", asked.getString("recall_type"), asked.encode());
      assertTrue(asked.getString("search_query").length() <= 50);
      assertTrue(ms < 300, "took " + ms + " ms"); // generous: a cold JIT on a busy CI box
    }

    @Test
    @DisplayName("Typical messages take microseconds")
    void fast() {
      List<String> messages = List.of("你好", "我妈妈叫什么", "上次你推荐的那本书叫啥来着", "what did I tell you about my sister",
          "I remember nothing of that movie lol", "how did my interview go");
      for (int i = 0; i < 2_000; i++) {
        detector.detect(messages.get(i % messages.size()), null); // warm-up
      }
      int n = 20_000;
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        detector.detect(messages.get(i % messages.size()), null);
      }
      double micros = (System.nanoTime() - start) / 1_000.0 / n;
      LOG.info("{} µs per message on average", String.format("%.1f", micros));
      assertTrue(micros < 1_000, micros + " µs");
    }
  }

  @Nested
  @DisplayName("The rules file")
  class Rules {
    @Test
    @DisplayName("A bad pattern fails loading and names its list")
    void badPattern() {
      JsonObject json = new JsonObject().put("cues", new JsonObject().put("en", new JsonArray().add("(unclosed")));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> IntentRules.fromJson(json));
      assertTrue(e.getMessage().contains("cues"), e.getMessage());
    }

    @Test
    @DisplayName("Empty rules load and detect nothing")
    void emptyRules() {
      JsonObject r = new IntentDetector(IntentRules.fromJson(new JsonObject())).detect("我妈妈叫什么", null);
      assertFalse(r.getBoolean("need_recall"));
    }

    @Test
    @DisplayName("A message meets the patterns of the scripts it is written in, and all of them when mixed or neither")
    void scripts() {
      assertEquals(IntentRules.Script.ZH, IntentRules.Script.of("你还记得我的生日吗？"));
      assertEquals(IntentRules.Script.EN, IntentRules.Script.of("do you remember my birthday?"));
      assertEquals(IntentRules.Script.MIXED, IntentRules.Script.of("我跟你说过 Taylor 的事吗"));
      assertEquals(IntentRules.Script.MIXED, IntentRules.Script.of("？？ 🙂 123"));
      // A "?" alone is a question in either script's rules.
      IntentRules rules = IntentRules.load();
      assertTrue(rules.question.in(IntentRules.Script.ZH).matcher("?").find());
      assertTrue(rules.question.in(IntentRules.Script.EN).matcher("?").find());
      JsonObject json = new JsonObject().put("cues", new JsonObject().put("fr", new JsonArray().add("souviens")));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> IntentRules.fromJson(json));
      assertTrue(e.getMessage().contains("fr"), e.getMessage());
    }

    @Test
    @DisplayName("A missing resource fails loading with its name")
    void missing() {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> IntentRules.load("conf/nope.json"));
      assertTrue(e.getMessage().contains("conf/nope.json"));
    }
  }

  @Nested
  @ExtendWith(VertxExtension.class)
  @DisplayName("The verticle on memory.intent.detect")
  class OnTheBus {
    private void ask(Vertx vertx, JsonObject body, VertxTestContext ctx, Consumer<JsonObject> check) {
      vertx.deployVerticle(new IntentDetectorVerticle())
          .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.INTENT_DETECT, body))
          .map(reply -> {
            ctx.verify(() -> check.accept(reply.body()));
            return reply;
          })
          .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    @DisplayName("Replies what the detector says")
    void plain(Vertx vertx, VertxTestContext ctx) {
      ask(vertx, new JsonObject().put("message", "how did my interview go"), ctx, r -> {
        assertEquals(true, r.getBoolean("need_recall"));
        assertEquals("event", r.getString("recall_type"));
        assertEquals("interview", r.getString("search_query"));
        assertEquals(0.8, r.getDouble("confidence"));
      });
    }

    @Test
    @DisplayName("Uses recent_context for a follow-up")
    void context(Vertx vertx, VertxTestContext ctx) {
      ask(vertx, new JsonObject().put("message", "那个呢？").put("recent_context", "上次你推荐的那本书叫啥来着"), ctx,
          r -> assertEquals("history", r.getString("recall_type")));
    }

    @Test
    @DisplayName("With force on ordinary chat, needs recall of every kind at confidence 1.0")
    void forcedOrdinary(Vertx vertx, VertxTestContext ctx) {
      ask(vertx, new JsonObject().put("message", "今天天气不错").put("force", true), ctx, r -> {
        assertEquals(true, r.getBoolean("need_recall"));
        assertEquals("mixed", r.getString("recall_type"));
        assertEquals("今天天气不错", r.getString("search_query"));
        assertEquals(1.0, r.getDouble("confidence"));
      });
    }

    @Test
    @DisplayName("With force on a recognised question, keeps its type at confidence 1.0")
    void forcedTyped(Vertx vertx, VertxTestContext ctx) {
      ask(vertx, new JsonObject().put("message", "我妈妈叫什么").put("force", true), ctx, r -> {
        assertEquals("profile", r.getString("recall_type"));
        assertEquals("妈妈叫", r.getString("search_query"));
        assertEquals(1.0, r.getDouble("confidence"));
      });
    }

    @Test
    @DisplayName("Without a message, fails with 400")
    void noMessage(Vertx vertx, VertxTestContext ctx) {
      vertx.deployVerticle(new IntentDetectorVerticle())
          .compose(id -> vertx.eventBus().request(Addresses.INTENT_DETECT, new JsonObject().put("force", true)))
          .onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(Failures.BAD_REQUEST, assertInstanceOf(ReplyException.class, e).failureCode());
            ctx.completeNow();
          })));
    }
  }
}
