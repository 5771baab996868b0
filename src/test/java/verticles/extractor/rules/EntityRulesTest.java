package verticles.extractor.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Companion extraction by the rules: what one user message says about the people, pets and places in a life. */
class EntityRulesTest {

  /**
   * Each row: the user's message, and the items the rules make of it ({@code type name [aliases] relation state};
   * {@code ~mention} for a bare mention; items joined by " | "), none when the message must yield nothing.
   */
  @ParameterizedTest(name = "{0}")
  @DisplayName("A user message yields the entities, aliases, relations and states it states, and nothing else")
  @CsvSource(delimiter = '\t', textBlock = """
      我妹妹叫林小晴	person 林小晴 [妹妹] sister -
      我的妹妹叫林小晴，她在上海读书	person 林小晴 [妹妹] sister -
      林小晴是我妹妹	person 林小晴 [妹妹] sister -
      我男朋友叫阿杰	person 阿杰 [男朋友] boyfriend -
      我闺蜜叫小美，她最近住院了	person 小美 [闺蜜] friend 住院
      我老板叫王总	person 王总 [老板] boss -
      豆豆是我的狗，最近生病了	pet 豆豆 [我的狗] pet 生病
      我家的猫叫咪咪	pet 咪咪 [我的猫] pet -
      我养了一只狗叫旺财	pet 旺财 [我的狗] pet -
      我在腾讯公司上班	organisation 腾讯公司 [] works_at -
      我在北京大学读书	organisation 北京大学 [] studies_at -
      妹妹最近怀孕了	~妹妹 怀孕
      豆豆已经康复了	~豆豆 康复
      我的狗生病了	~我的狗 生病
      林小晴搬到杭州了	~林小晴 搬到杭州
      My sister Emma just moved to Boston	person Emma [sister] sister moved to Boston
      My sister's name is Emma	person Emma [sister] sister -
      Emma is my sister	person Emma [sister] sister -
      My best friend Jake got married	person Jake [best friend] friend got married
      My boyfriend is called Tom	person Tom [boyfriend] boyfriend -
      My dog Max is sick	pet Max [my dog] pet sick
      Luna is my cat	pet Luna [my cat] pet -
      I have a dog named Biscuit	pet Biscuit [my dog] pet -
      I work at Google	organisation Google [] works_at -
      Emma got a new job	~Emma got a new job
      My sister is pregnant	~sister pregnant
      My dog passed away last week	~my dog passed away
      我妹妹很可爱	none
      我妹妹是护士	none
      你妹妹叫什么？	none
      如果我有个妹妹叫小红就好了	none
      我最近生病了	none
      今天天气不错	none
      我养了一只狗	none
      My sister is a nurse	none
      What is your dog's name?	none
      I have a dog	none
      I got sick last week	none
      The weather is nice today	none
      """)
  void extracts(String message, String expected) {
    JsonObject task = new JsonObject().put("task_id", "t").put("messages", new JsonArray().add(new JsonObject()
        .put("msg_id", "m1").put("role", "user").put("content", message).put("timestamp", 1_700_000_000L)));
    JsonArray found = new RuleExtractor().extractNow(task).getJsonArray("entities");
    List<String> got = new ArrayList<>();
    for (int i = 0; i < found.size(); i++) {
      JsonObject e = found.getJsonObject(i);
      String state = e.getString("state", "-");
      got.add(e.containsKey("mention") ? "~" + e.getString("mention") + " " + state
          : e.getString("type") + " " + e.getString("name") + " " + e.getJsonArray("aliases").encode()
              .replace("\"", "").replace(",", ", ") + " " + e.getString("relation") + " " + state);
      assertEquals("m1", e.getString("source_msg_id"), message);
    }
    assertEquals(expected.equals("none") ? "" : expected, String.join(" | ", got), message);
  }

  @org.junit.jupiter.api.Test
  @DisplayName("An assistant's message names no entity of the user's")
  void assistantSaysNothing() {
    JsonObject task = new JsonObject().put("task_id", "t").put("messages", new JsonArray().add(new JsonObject()
        .put("msg_id", "m1").put("role", "assistant").put("content", "我妹妹叫林小晴").put("timestamp", 1_700_000_000L)));
    assertEquals(0, new RuleExtractor().extractNow(task).getJsonArray("entities").size());
  }
}
