package verticles.extractor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.MemoryRecord;

@DisplayName("Message memories are indexed with their speaker and neighbouring turns, their content kept verbatim")
class MemoryRecordsTest {

  private static JsonObject task(JsonArray messages) {
    return new JsonObject().put("task_id", "t1").put("user_id", "u1").put("character_id", "c1")
        .put("session_id", "s1").put("messages", messages);
  }

  private static JsonObject msg(String id, String role, String name, String content) {
    return new JsonObject().put("msg_id", id).put("role", role).put("name", name).put("content", content)
        .put("timestamp", 1_700_000_000L);
  }

  private static List<MemoryRecord> messages(JsonArray messages, MemoryRecords.MessageIndexing how) {
    return MemoryRecords.from(task(messages), new JsonObject(), how).stream()
        .filter(r -> r.memoryType().equals("message")).toList();
  }

  @Test
  @DisplayName("the indexed text is 'speaker: text' plus the previous turn; the content and provenance stay the message's own")
  void previousTurn() {
    JsonArray conversation = new JsonArray()
        .add(msg("D1:1", "user", "Caroline", "I went to a support group yesterday."))
        .add(msg("D1:2", "assistant", "Melanie", "That's great! How did it go?"))
        .add(msg("D1:3", "user", null, "It was powerful."));
    List<MemoryRecord> out = messages(conversation, new MemoryRecords.MessageIndexing(true, true, 1, 0));
    assertEquals(3, out.size());
    assertEquals("Caroline: I went to a support group yesterday.", out.get(0).indexText());
    assertEquals("Melanie: That's great! How did it go?\nCaroline: I went to a support group yesterday.",
        out.get(1).indexText());
    // without a name, the role speaks
    assertEquals("user: It was powerful.\nMelanie: That's great! How did it go?", out.get(2).indexText());
    assertEquals("That's great! How did it go?", out.get(1).content());
    assertEquals(List.of("D1:2"), out.get(1).sourceMsgIds());
  }

  @Test
  @DisplayName("speakers and context can be switched off, and a long neighbour is cut without splitting an emoji")
  void knobsAndCutting() {
    String longTurn = "a".repeat(MemoryRecords.CONTEXT_CHARS - 1) + "😀 and more";
    JsonArray conversation = new JsonArray()
        .add(msg("m1", "user", "林小雨", longTurn))
        .add(msg("m2", "assistant", "小月", "好的"));
    MemoryRecord plain = messages(conversation, new MemoryRecords.MessageIndexing(true, false, 0, 0)).get(1);
    assertEquals("好的", plain.indexText());
    assertNull(plain.metadata().getString("context"));

    MemoryRecord withContext = messages(conversation, new MemoryRecords.MessageIndexing(true, true, 1, 0)).get(1);
    String context = withContext.metadata().getString("context");
    assertTrue(context.startsWith("林小雨: aaa"), context);
    assertTrue(context.endsWith("a…"), "cut before the emoji rather than through it: " + context);
    assertFalse(context.chars().anyMatch(c -> Character.isSurrogate((char) c)));

    assertTrue(messages(conversation, new MemoryRecords.MessageIndexing(false, true, 1, 0)).isEmpty());
  }

  @Test
  @DisplayName("message_context_after \"auto\" (the default) adds the next turn to an English message and none to a Chinese one")
  void nextTurnByLanguage() {
    JsonArray conversation = new JsonArray()
        .add(msg("m1", "user", "Caroline", "I adopted a dog last week."))
        .add(msg("m2", "assistant", "小月", "真好！它叫什么名字？"))
        .add(msg("m3", "user", "Caroline", "His name is Max."));
    MemoryRecords.MessageIndexing auto = MemoryRecords.MessageIndexing.from(new JsonObject());
    List<MemoryRecord> out = messages(conversation, auto);
    assertEquals("Caroline: I adopted a dog last week.\n小月: 真好！它叫什么名字？", out.get(0).indexText());
    assertEquals("小月: 真好！它叫什么名字？\nCaroline: I adopted a dog last week.", out.get(1).indexText());
    assertEquals("Caroline: His name is Max.\n小月: 真好！它叫什么名字？", out.get(2).indexText());

    MemoryRecords.MessageIndexing none = MemoryRecords.MessageIndexing.from(
        new JsonObject().put("message_context_after", 0));
    assertEquals("Caroline: I adopted a dog last week.", messages(conversation, none).get(0).indexText());
  }
}
