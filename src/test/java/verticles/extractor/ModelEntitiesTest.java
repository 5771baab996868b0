package verticles.extractor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The model's entities (asked with the profiles) become the rules' entity items; malformed ones are dropped. */
class ModelEntitiesTest {

  @Test
  @DisplayName("Named entities, bare mentions and junk from the model's answer are normalised or dropped")
  void normalises() {
    JsonObject raw = new JsonObject().put("entities", new JsonArray()
        .add(new JsonObject().put("name", "林小晴").put("type", "person").put("aliases", new JsonArray().add("妹妹")
            .add("林小晴").add("妹妹")).put("relation", "Younger Sister").put("source_msg_id", "m1"))
        .add(new JsonObject().put("name", "豆豆").put("type", "dragon").put("state", "生病").put("source_msg_id", "m9"))
        .add(new JsonObject().put("mention", "my dog").put("state", "sick").put("source_msg_id", "m2"))
        .add(new JsonObject().put("type", "person"))
        .add("not an object"));
    JsonArray out = ModelAnswers.normaliseEntities(raw, Set.of("m1", "m2"));
    assertEquals(3, out.size(), out.encodePrettily());
    JsonObject sister = out.getJsonObject(0);
    assertEquals("林小晴", sister.getString("name"));
    assertEquals(new JsonArray().add("妹妹"), sister.getJsonArray("aliases"));
    assertEquals("younger_sister", sister.getString("relation"));
    assertEquals("m1", sister.getString("source_msg_id"));
    JsonObject dog = out.getJsonObject(1);
    assertEquals("person", dog.getString("type"), "an unknown type falls back to person");
    assertEquals("生病", dog.getString("state"));
    assertEquals(null, dog.getString("source_msg_id"), "an id the transcript does not hold is dropped");
    assertEquals("my dog", out.getJsonObject(2).getString("mention"));
    assertEquals("sick", out.getJsonObject(2).getString("state"));
    assertEquals(0, ModelAnswers.normaliseEntities(new JsonObject().put("profiles", new JsonArray()), Set.of()).size());
  }
}
