package verticles.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import verticles.contracts.SessionMemory;

@DisplayName("The message feed sets a session's emotional tone from the user's last message")
class SessionToneTest {
  private static SessionMemory.Update append(JsonObject fields) {
    return new SessionMemory.Update("default:u1", "c1", "s1", "append", fields);
  }

  private static JsonObject turn(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(nullValues = "-", quoteCharacter = '"', value = {
      "明天要面试了，好紧张, anxious",
      "我的狗豆豆生病了，我好难过, sad",
      "下周就去日本旅行了，好期待, excited",
      "今天升职了，好开心, positive",
      "加班到十点，累死了，好烦, negative",
      "我今天不开心, negative",
      "I'm so nervous about the exam tomorrow, anxious",
      "I cried all night, sad",
      "I'm so excited for the concert, excited",
      "Had a great day at the beach, positive",
      "Work was awful and I'm exhausted, negative",
      "我妹妹叫林小晴, -",
      "今天吃了米饭, -",
      "What time is it?, -"})
  @DisplayName("each case")
  void tone(String text, String expected) {
    SessionMemory.Update fed = SessionMemoryVerticle.withTone(append(new JsonObject().put("turns", new JsonArray()
        .add(turn("user", text)).add(turn("assistant", "我明白，我一直都在，别太担心")))));
    assertEquals(expected, fed.fields().getString("emotional_tone"), fed.toJson().encode());
    assertEquals(expected != null, fed.fields().containsKey("emotional_tone"), "a neutral message leaves the tone be");
  }

  @Test
  @DisplayName("only the feed infers: a PUT or PATCH keeps what the client says, and a tone given is kept")
  void clientsTonesStand() {
    JsonObject sad = new JsonObject().put("turns", new JsonArray().add(turn("user", "我好难过")));
    for (String mode : new String[] {"replace", "merge"}) {
      SessionMemory.Update u = new SessionMemory.Update("default:u1", "c1", "s1", mode, sad);
      assertEquals(u, SessionMemoryVerticle.withTone(u));
    }
    SessionMemory.Update given = append(sad.copy().put("emotional_tone", "平静"));
    assertEquals(given, SessionMemoryVerticle.withTone(given));
  }
}
