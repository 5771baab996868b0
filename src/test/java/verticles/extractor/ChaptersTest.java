package verticles.extractor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A chapter's extraction")
class ChaptersTest {

  @Test
  @DisplayName("a model's answer keeps its well-formed items, byte for byte, and drops the malformed ones")
  void normalise() {
    JsonObject raw = new JsonObject().put("summary", "  沈砚下山 ⛰  ")
        .put("entity_updates", new JsonArray()
            .add(new JsonObject().put("entity_name", "沈砚").put("new_state", "受伤 🩹")
                .put("attribute_changes", new JsonObject().put("伤势", "轻伤").put("", "x").put("等级", 3)))
            .add(new JsonObject().put("entity_name", "").put("new_state", "x"))
            .add(new JsonObject().put("entity_name", "林小晴"))
            .add("not an object"))
        .put("new_events", new JsonArray()
            .add(new JsonObject().put("summary", "相遇").put("involved_entities", new JsonArray().add("沈砚").add("沈砚")
                .add(5).add(new JsonObject())).put("story_time", "明天"))
            .add(new JsonObject().put("type", "battle")))
        .put("relation_changes", new JsonArray()
            .add(new JsonObject().put("source", "沈砚").put("target", "林小晴").put("type", "师兄妹").put("strength", 7))
            .add(new JsonObject().put("source", "沈砚").put("type", "友")));
    JsonObject out = Chapters.normalise(raw);
    assertEquals("沈砚下山 ⛰", out.getString("summary"));
    assertEquals(new JsonArray().add(new JsonObject().put("entity_name", "沈砚").put("new_state", "受伤 🩹")
        .put("attribute_changes", new JsonObject().put("伤势", "轻伤").put("等级", "3"))), out.getJsonArray("entity_updates"));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "event").put("summary", "相遇")
        .put("involved_entities", new JsonArray().add("沈砚").add("5")).putNull("story_time")),
        out.getJsonArray("new_events"));
    assertEquals(new JsonArray().add(new JsonObject().put("source", "沈砚").put("target", "林小晴").put("type", "师兄妹")
        .put("strength", 1.0)), out.getJsonArray("relation_changes"));
  }

  @Test
  @DisplayName("an answer of the wrong shape is an empty extraction, not a failure")
  void wrongShape() {
    JsonObject out = Chapters.normalise(new JsonObject().put("summary", new JsonArray()).put("entity_updates", "x")
        .put("new_events", 5));
    assertNull(out.getString("summary"));
    assertEquals(0, out.getJsonArray("entity_updates").size() + out.getJsonArray("new_events").size()
        + out.getJsonArray("relation_changes").size());
  }

  @Test
  @DisplayName("the rule fallback keeps the chapter's opening sentences as its summary, and no items")
  void rules() {
    JsonObject out = Chapters.rules("第一句。第二句！" + "很长的第三句".repeat(40) + "。第四句。");
    assertEquals(true, out.getString("summary").startsWith("第一句。第二句！很长的第三句"));
    assertEquals(false, out.getString("summary").contains("第四句"));
    assertNull(Chapters.rules("   ").getString("summary"));
    assertEquals(0, out.getJsonArray("entity_updates").size());
  }
}
