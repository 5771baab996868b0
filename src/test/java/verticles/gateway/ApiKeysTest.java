package verticles.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("API keys and their scopes")
class ApiKeysTest {
  private static JsonObject key(String key, JsonArray scopes) {
    JsonObject k = new JsonObject().put("name", key).put("tenant", "t1").put("sha256", ApiKeys.sha256(key));
    return scopes == null ? k : k.put("scopes", scopes);
  }

  @Test
  @DisplayName("a key without scopes in config gets memory, which includes read and nothing else")
  void defaultScope() {
    ApiKeys.Key k = new ApiKeys(new JsonArray().add(key("k1", null))).find("k1");
    assertEquals(Set.of(Scope.MEMORY), k.scopes());
    assertTrue(k.allows(Scope.MEMORY) && k.allows(Scope.READ));
    assertFalse(k.allows(Scope.ADMIN) || k.allows(Scope.OPERATOR));
  }

  @Test
  @DisplayName("admin and operator include no other scope, and an empty list grants nothing")
  void onlyMemoryImpliesRead() {
    for (Scope held : Scope.values()) {
      ApiKeys.Key k = new ApiKeys(new JsonArray().add(key("k", new JsonArray().add(held.id())))).find("k");
      for (Scope wanted : Scope.values()) {
        assertEquals(held == wanted || held == Scope.MEMORY && wanted == Scope.READ, k.allows(wanted),
            held + " → " + wanted);
      }
    }
    ApiKeys.Key none = new ApiKeys(new JsonArray().add(key("k", new JsonArray()))).find("k");
    assertTrue(EnumSet.allOf(Scope.class).stream().noneMatch(none::allows));
  }

  @Test
  @DisplayName("an unknown scope name is a configuration error naming the key and the scope")
  void unknownScope() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ApiKeys(new JsonArray()
        .add(key("k1", new JsonArray().add("read"))).add(key("k2", new JsonArray().add("reads")))));
    assertTrue(e.getMessage().contains("auth.keys[1].scopes") && e.getMessage().contains("'reads'"), e.getMessage());
  }
}
