package verticles.forgetting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Extractive compression: light, medium and aggressive, in Chinese and English")
class CompressorTest {
  private static final String EN = "We went hiking near Lake Tahoe last weekend. It was fun. The weather was okay."
      + " Melanie caught a 12-pound trout at Lake Tahoe on May 3, her biggest fish ever! Then we drove home.";
  private static final String ZH = "周末我们去了杭州西湖。天气还行。小美在西湖边钓到了一条三斤重的鲤鱼，是她钓过最大的鱼！然后我们就回家了。";

  @Test
  @DisplayName("light drops repeated lines (compared stripped and lower-cased) and keeps the rest in order")
  void light() {
    assertEquals("买猫粮\n记得喂猫\nCall mom", Compressor.light("买猫粮\n记得喂猫\n 买猫粮 \nCall mom\ncall MOM\n"));
    Compressor.Result r = Compressor.compress("a line\nA LINE\nanother", Compressor.Level.LIGHT);
    assertEquals("a line\nanother", r.text());
    assertEquals(21, r.originalSize());
    assertEquals(14, r.compressedSize());
  }

  @Test
  @DisplayName("sentences split at Chinese and English punctuation, not inside numbers")
  void sentences() {
    assertEquals(List.of("周末我们去了杭州西湖。", "天气还行。", "小美在西湖边钓到了一条三斤重的鲤鱼，是她钓过最大的鱼！",
        "然后我们就回家了。"), Compressor.sentences(ZH));
    assertEquals(List.of("It cost 3.5 dollars.", "Really?!", "Yes."), Compressor.sentences("It cost 3.5 dollars. Really?! Yes."));
  }

  @Test
  @DisplayName("aggressive keeps the one most informative sentence: the one with the names and numbers")
  void aggressive() {
    Compressor.Result en = Compressor.compress(EN, Compressor.Level.AGGRESSIVE);
    assertEquals("Melanie caught a 12-pound trout at Lake Tahoe on May 3, her biggest fish ever!", en.text());
    Compressor.Result zh = Compressor.compress(ZH, Compressor.Level.AGGRESSIVE);
    assertEquals("小美在西湖边钓到了一条三斤重的鲤鱼，是她钓过最大的鱼！", zh.text());
    assertTrue(Compressor.worthwhile(zh));
    assertTrue(en.ratio() < 0.6, "ratio " + en.ratio());
  }

  @Test
  @DisplayName("medium keeps about half, the key sentences in their order; a one-sentence text stays as it is")
  void medium() {
    Compressor.Result r = Compressor.compress(EN, Compressor.Level.MEDIUM);
    assertTrue(r.text().startsWith("We went hiking near Lake Tahoe last weekend."), r.text());
    assertTrue(r.text().contains("12-pound trout"), r.text());
    assertFalse(r.text().contains("The weather was okay."), r.text());
    assertTrue(r.compressedSize() >= 0.5 * r.originalSize() - 60 && r.compressedSize() < r.originalSize(), r.text());
    String one = "我养了一只叫豆豆的柯基。";
    assertEquals(one, Compressor.compress(one, Compressor.Level.MEDIUM).text());
    assertFalse(Compressor.worthwhile(Compressor.compress(one, Compressor.Level.AGGRESSIVE)));
  }

  @Test
  @DisplayName("the result carries the seed's fields: key points kept and a quality score from the key terms kept")
  void resultFields() {
    Compressor.Result r = Compressor.compress(EN, Compressor.Level.AGGRESSIVE);
    assertTrue(r.keyPointsPreserved().contains(r.text()), r.keyPointsPreserved().toString());
    assertTrue(r.quality() > 0 && r.quality() < 1, "quality " + r.quality());
    Compressor.Result whole = Compressor.result(EN, EN, "extractive");
    assertEquals(1.0, whole.quality());
    assertEquals(1.0, whole.ratio());
  }

  @Test
  @DisplayName("a session's messages are grouped in their order, a lone last one joining the group before it")
  void digests() {
    JsonArray none = new JsonArray();
    List<JsonObject> messages = List.of(msg("m3", "s1", 3, "Caroline", "I adopted a cat."),
        msg("m1", "s1", 1, "Melanie", "Hi!"), msg("m2", "s1", 2, "Caroline", "Hello again.\nHello again."),
        msg("m5", "s2", 5, "Melanie", "Only one here."));
    List<List<JsonObject>> groups = Digests.groups(messages, 2);
    assertEquals(1, groups.size(), "the one message of session s2 makes no digest");
    assertEquals(List.of("m1", "m2", "m3"), groups.get(0).stream().map(m -> m.getString("id")).toList());
    assertEquals("Melanie: Hi!\nCaroline: Hello again.\nCaroline: I adopted a cat.", Digests.verbatim(groups.get(0)));
    Digests.Digest d = Digests.of(groups.get(0), Digests.verbatim(groups.get(0)), "extractive", 100);
    assertEquals(new JsonArray().add("d-m1").add("d-m2").add("d-m3"), d.record().getJsonArray("source_msg_ids"));
    assertEquals("message", d.record().getString("memory_type"));
    assertEquals(1L, d.record().getLong("timestamp"));
    assertFalse(d.record().getJsonObject("metadata").containsKey("speaker"), "two speakers: no speaker bonus");
    assertEquals(new JsonArray().add("m1").add("m2").add("m3"), d.record().getJsonObject("metadata")
        .getJsonObject("compression").getJsonArray("consolidates"));
    assertTrue(d.id().startsWith("digest:"));
    assertEquals(d.id(), Digests.of(groups.get(0), "other text", "llm", 200).id(), "the same messages, the same id");
    assertTrue(none.isEmpty());
  }

  private static JsonObject msg(String id, String session, long at, String speaker, String text) {
    return new JsonObject().put("id", id).put("user_id", "t:u").put("character_id", "c").put("session_id", session)
        .put("valid_from", at).put("content", text).put("importance", 5).put("memory_type", "message")
        .put("source_msg_ids", new JsonArray().add("d-" + id)).put("metadata", new JsonObject().put("speaker", speaker));
  }
}
