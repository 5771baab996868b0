package verticles.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("bench locomo scores what the LoCoMo paper scores")
class LocomoBenchTest {

  @Test
  @DisplayName("malformed evidence ids are normalised: lists split, a stray colon dropped, an empty id ignored")
  void evidenceIds() {
    assertEquals(List.of("D8:6", "D9:17"), LocomoConversation.normalise("D8:6; D9:17"));
    assertEquals(List.of("D11:26"), LocomoConversation.normalise("D:11:26"));
    assertEquals(List.of(), LocomoConversation.normalise("D"));
    assertEquals(List.of("D1:3"), LocomoConversation.normalise(" D1:3 "));
  }

  @Test
  @DisplayName("retrieved turns are the cited msg_ids in rank order, each once, and recall@k counts turns, not memories")
  void recallCountsTurns() {
    JsonObject reply = new JsonObject().put("memories", new JsonArray()
        .add(new JsonObject().put("provenance", new JsonObject().put("msg_ids", new JsonArray().add("D1:1").add("D1:2"))))
        .add(new JsonObject().put("provenance", new JsonObject().put("msg_ids", new JsonArray().add("D1:2"))))
        .add(new JsonObject().put("provenance", new JsonObject().put("msg_ids", new JsonArray().add("D2:5")))));
    List<String> turns = LocomoBench.retrievedTurns(reply);
    assertEquals(List.of("D1:1", "D1:2", "D2:5"), turns);
    Set<String> evidence = Set.of("D1:2", "D2:5");
    assertEquals(0.0, LocomoBench.Result.recallAt(evidence, turns, 1));
    assertEquals(0.5, LocomoBench.Result.recallAt(evidence, turns, 2));
    assertEquals(1.0, LocomoBench.Result.recallAt(evidence, turns, 10));
  }

  @Test
  @DisplayName("a session's date and time is read as the dataset writes it")
  void sessionTime() {
    assertEquals(1_683_554_160L, LocomoConversation.sessionTime("1:56 pm on 8 May, 2023"));
    assertEquals(1_690_196_400L, LocomoConversation.sessionTime("11:00 am on 24 July, 2023"));
  }
}
