package verticles.merger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.contracts.RecentContext;
import verticles.contracts.RecentContext.Turn;
import verticles.contracts.VectorStore.Cue;

@DisplayName("Conversation cues for recall's dense query")
class ConversationCuesTest {
  private final ConversationCues cues = new ConversationCues(new JsonObject().put("context_turns", 3)
      .put("context_weight", 0.5).put("context_decay", 0.5).put("assistant_weight", 0.5));

  @Test
  @DisplayName("The newest turns come first, each weighing half the one after it; the companion's turns half a user's")
  void newestFirstAndDecaying() {
    List<Turn> turns = List.of(new Turn("user", null, "最早的一句"), new Turn("user", null, "元旦晚会我要表演魔术"),
        new Turn("assistant", null, "太好了！"), new Turn("user", "小林", "衣服还没想好"));
    assertEquals(List.of(new Cue("衣服还没想好", 0.5), new Cue("太好了！", 0.125), new Cue("元旦晚会我要表演魔术", 0.125)),
        cues.cues("我要穿什么好呢？", turns));
  }

  @Test
  @DisplayName("A conversation that ends with the message itself (session memory was fed it first) does not count it twice")
  void theEchoedMessageIsSkipped() {
    List<Turn> turns = List.of(new Turn("user", null, "元旦晚会我要表演魔术"), new Turn("user", null, " 我要穿什么好呢？ "));
    assertEquals(List.of(new Cue("元旦晚会我要表演魔术", 0.5)), cues.cues("我要穿什么好呢？", turns));
  }

  @Test
  @DisplayName("A weight of zero turns the conversation off; blank turns never count")
  void offAndBlank() {
    ConversationCues off = new ConversationCues(new JsonObject().put("context_weight", 0.0));
    List<Turn> turns = List.of(new Turn(null, null, "元旦晚会"), new Turn("user", null, "  "));
    assertEquals(List.of(), off.cues("穿什么", turns));
    assertEquals(List.of(new Cue("元旦晚会", 0.5)), cues.cues("穿什么", turns));
  }

  @Test
  @DisplayName("The caller's turns win over the session's; a text is read a turn per line")
  void whereTheTurnsComeFrom() {
    JsonObject session = new JsonObject().put("turns", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "豆豆生病了").put("at", 1L)));
    assertEquals(List.of(new Turn("user", null, "豆豆生病了")), ConversationCues.turns(RecentContext.NONE, session));
    assertEquals(List.of(new Turn(null, null, "第一行"), new Turn(null, null, "第二行")),
        ConversationCues.turns(RecentContext.fromJson("第一行\n\n 第二行 "), session));
    assertEquals(List.of(), ConversationCues.turns(RecentContext.NONE, null));
  }
}
