package verticles.conflicts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.extractor.FakeOpenAiServer;

/** The LLM judge against a local server speaking the OpenAI chat protocol. */
@ExtendWith(VertxExtension.class)
@DisplayName("The LLM conflict judge")
class LlmJudgeTest {
  private FakeOpenAiServer fake;

  @BeforeEach
  void startFake(Vertx vertx, VertxTestContext ctx) {
    FakeOpenAiServer.start(vertx).onComplete(ctx.succeeding(f -> {
      fake = f;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopFake(VertxTestContext ctx) {
    fake.close().onComplete(ctx.succeedingThenComplete());
  }

  private LlmJudge judge(Vertx vertx) {
    return new LlmJudge(vertx, new JsonObject().put("base_url", fake.baseUrl()).put("api_key", FakeOpenAiServer.API_KEY)
        .put("model", "judge-test").put("timeout_ms", 5_000).put("max_retries", 0), null);
  }

  private static List<LlmJudge.Pair> pairs() {
    return List.of(new LlmJudge.Pair("我喜欢猫", 1_700_000_000L, "我其实讨厌猫", 1_700_086_400L),
        new LlmJudge.Pair("I like cats", 1_700_000_000L, "I like dogs", 1_700_000_000L),
        new LlmJudge.Pair("我住在杭州", 1_700_000_000L, "我搬到上海了", 1_702_000_000L));
  }

  @Test
  @DisplayName("sends every pair as data in one call and reads one judgement per pair; an unknown type or a missing pair is none")
  void onePerPair(Vertx vertx, VertxTestContext ctx) {
    fake.then(FakeOpenAiServer.reply("```json\n" + new JsonObject().put("judgements", new JsonArray()
        .add(new JsonObject().put("i", 0).put("type", "contradiction").put("severity", 1.7)
            .put("evidence", "喜欢 vs 讨厌").put("suggested_resolution", "ask the user"))
        .add(new JsonObject().put("i", 1).put("type", "similar"))).encode() + "\n```"));
    judge(vertx).judge(pairs()).onComplete(ctx.succeeding(verdicts -> ctx.verify(() -> {
      assertEquals(3, verdicts.size());
      assertEquals("contradiction", verdicts.get(0).type());
      assertEquals(1.0, verdicts.get(0).severity(), "clamped to [0, 1]");
      assertEquals("llm", verdicts.get(0).detector());
      assertEquals(List.of("喜欢 vs 讨厌"), verdicts.get(0).evidence());
      assertEquals("none", verdicts.get(1).type());
      assertEquals("none", verdicts.get(2).type());
      assertEquals(1, fake.calls());
      FakeOpenAiServer.Call call = fake.recorded().get(0);
      assertTrue(call.message("system").contains("contradiction"), call.message("system"));
      String user = call.message("user");
      assertTrue(user.startsWith("<pairs>") && user.contains("我其实讨厌猫") && user.contains("2023-11-15"), user);
      assertEquals(0.0, call.body().getDouble("temperature"));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("a failing model fails the call, so the detector judges by its rules instead")
  void failure(Vertx vertx, VertxTestContext ctx) {
    fake.then(FakeOpenAiServer.serverError());
    judge(vertx).judge(pairs()).onComplete(ctx.failing(e -> ctx.completeNow()));
  }

  @Test
  @DisplayName("an answer without JSON fails the call")
  void noJson(Vertx vertx, VertxTestContext ctx) {
    fake.then(FakeOpenAiServer.reply("I think the first pair is a contradiction."));
    judge(vertx).judge(pairs()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertTrue(e.getMessage().contains("malformed"), e.getMessage());
      ctx.completeNow();
    })));
  }
}
