package verticles.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.contracts.Changes;

@DisplayName("Webhook config, signature and the public event shape")
class WebhookConfigTest {

  static JsonObject config(JsonObject... hooks) {
    return new JsonObject().put("change_events", new JsonObject().put("webhooks",
        new JsonArray(List.of((Object[]) hooks))));
  }

  static JsonObject hook() {
    return new JsonObject().put("name", "mirror").put("url", "https://example.com/hooks").put("secret", "s");
  }

  static String refused(JsonObject... hooks) {
    return assertThrows(IllegalArgumentException.class, () -> Webhook.all(config(hooks))).getMessage();
  }

  @Test
  @DisplayName("defaults: every event and tenant, 6 tries from 500 ms doubling to a minute; the group is per webhook")
  void defaults() {
    Webhook w = Webhook.all(config(hook())).get(0);
    assertEquals(6, w.maxAttempts());
    assertTrue(w.wants("forget", "any-tenant"));
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L), List.of(w.backoff(1), w.backoff(2), w.backoff(3),
        w.backoff(4), w.backoff(5)));
    assertEquals(60_000L, w.backoff(40), "capped");
    assertEquals("engram-webhooks.mirror", w.group(config(hook())));
    Webhook secretive = Webhook.all(config(hook().put("secret", "whsec-do-not-log"))).get(0);
    assertFalse(secretive.toString().contains("whsec-do-not-log"), "the secret never shows");
  }

  @Test
  @DisplayName("filters by event and tenant")
  void filters() {
    Webhook w = Webhook.all(config(hook().put("events", new JsonArray().add("delete").add("forget"))
        .put("tenants", new JsonArray().add("acme")))).get(0);
    assertTrue(w.wants("delete", "acme"));
    assertFalse(w.wants("create", "acme"));
    assertFalse(w.wants("delete", "other"));
  }

  @Test
  @DisplayName("a bad entry is refused naming its field")
  void refusals() {
    assertTrue(refused(hook().put("name", "a b")).contains("webhooks[0].name"));
    assertTrue(refused(hook().put("url", "ftp://x")).contains("webhooks[0].url"));
    assertTrue(refused(hook().put("url", "/relative")).contains("webhooks[0].url"));
    JsonObject noSecret = hook();
    noSecret.remove("secret");
    assertTrue(refused(noSecret).contains("webhooks[0].secret"));
    assertTrue(refused(hook().put("secret", "")).contains("webhooks[0].secret"));
    assertTrue(refused(hook().put("events", new JsonArray().add("created"))).contains("webhooks[0].events"));
    assertTrue(refused(hook().put("max_attempts", 0)).contains("webhooks[0].max_attempts"));
    assertTrue(refused(hook().put("backoff_ms", "fast")).contains("webhooks[0].backoff_ms"));
    assertTrue(refused(hook(), hook()).contains("webhooks[1].name"), "names are unique");
  }

  @Test
  @DisplayName("the signature is sha256= and the hex HMAC-SHA256 of timestamp.body (checked against Python's hmac)")
  void signature() {
    assertEquals("sha256=f9b97f0945bb95cbe0f3d9b8b3e7a7d585786a8cfa07627b11221f1ea25f274a",
        Webhook.signature("whsec_test", 1_767_139_200L, "{\"event_id\":1,\"event\":\"create\"}"));
  }

  @Test
  @DisplayName("the public event splits the tenant from the user id and keys a forget by its owner")
  void publicShape() {
    Changes.Event forget = new Changes.Event(9, "forget", true, null, null, "acme:u:1", null, null, "system", 5L);
    JsonObject v = ChangeEvents.value(forget);
    assertEquals("acme", v.getString("tenant"));
    assertEquals("u:1", v.getString("user_id"), "a client id may hold ':'; the tenant ends at the first");
    assertTrue(v.containsKey("memory_id") && v.getValue("memory_id") == null);
    assertEquals("forget:acme:u:1", ChangeEvents.key(forget));
    Changes.Event update = new Changes.Event(10, "update", false, "m1", 2, "acme:u", "c", "event", "k", 6L);
    assertEquals("m1", ChangeEvents.key(update));
  }
}
