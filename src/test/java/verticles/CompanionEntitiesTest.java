package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verticles.EntityApiTest.bus;
import static verticles.EntityApiTest.get;
import static verticles.EntityApiTest.ok;
import static verticles.EntityApiTest.post;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.bus.Addresses;
import verticles.contracts.Entities;

/**
 * Companion extraction and recall by entity on the real stack: chats posted to {@code POST /v1/sessions} become the
 * user's people and pets (aliases, states, relations), a later mention by alias reaches the same entity, a replayed
 * task adds nothing, and recall brings a named entity's state, relations (one hop further) and events; a failing
 * entity read degrades recall.
 */
@DisplayName("Companion entities: extracted from chats, recalled by alias")
class CompanionEntitiesTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static void session(String user, String... texts) {
    long ts = Instant.now().getEpochSecond() - 3600;
    JsonArray messages = new JsonArray();
    for (int i = 0; i < texts.length; i++) {
      messages.add(new JsonObject().put("msg_id", user + "-m" + ts + "-" + i).put("role", "user")
          .put("content", texts[i]).put("timestamp", ts + i));
    }
    String task = ok(post("/v1/sessions", new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("messages", messages)), 202).getString("task_id");
    Future.await(TestStack.awaitTask(task, "completed"));
  }

  static JsonObject byName(JsonArray entities, String name) {
    return entities.stream().map(JsonObject.class::cast).filter(e -> name.equals(e.getString("name"))).findFirst()
        .orElse(null);
  }

  static JsonObject recall(String user, String message) {
    return ok(post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("message", message).put("force", true).put("top_k", 10)), 200);
  }

  static JsonObject memory(JsonObject reply, String id) {
    return reply.getJsonArray("memories").stream().map(JsonObject.class::cast)
        .filter(m -> id.equals(m.getString("id"))).findFirst().orElse(null);
  }

  @Test
  @DisplayName("Chinese chats make the sister and the dog once; later mentions by alias are new states; recall by alias"
      + " brings the state, the relation, one hop further and the events; a replay adds nothing")
  void chineseChats() {
    String user = "u-comp-" + UUID.randomUUID();
    session(user, "我妹妹叫林小晴", "豆豆是我的狗，最近生病了");
    session(user, "妹妹最近怀孕了", "我的狗已经康复了");
    String base = "/v1/users/" + user + "/characters/c1/entities";
    JsonArray listed = ok(get(base), 200).getJsonArray("entities");
    assertEquals(3, listed.size(), "the user, the sister and the dog, no duplicate: " + listed.encodePrettily());
    JsonObject sister = byName(listed, "林小晴");
    JsonObject dog = byName(listed, "豆豆");
    assertNotNull(sister, listed.encodePrettily());
    assertNotNull(dog, listed.encodePrettily());
    assertEquals(new JsonArray().add("妹妹"), sister.getJsonArray("aliases"));
    assertEquals("person", sister.getString("type"));
    assertEquals("怀孕", sister.getString("current_state"));
    assertEquals(new JsonArray().add("我的狗"), dog.getJsonArray("aliases"));
    assertEquals("pet", dog.getString("type"));
    assertEquals("康复", dog.getString("current_state"));
    JsonArray dogStates = ok(get(base + "/" + dog.getString("id") + "/states"), 200).getJsonArray("states");
    assertEquals(List.of("生病", "康复"), dogStates.stream().map(s -> ((JsonObject) s).getString("state")).toList());
    JsonArray relations = ok(get(base + "/" + sister.getString("id") + "/relations"), 200).getJsonArray("relations");
    assertEquals(1, relations.size(), relations.encodePrettily());
    assertEquals("sister", relations.getJsonObject(0).getString("type"));
    assertEquals(sister.getString("id"), relations.getJsonObject(0).getString("target_id"));

    // recall by alias: 妹妹 names 林小晴
    JsonObject reply = recall(user, "我妹妹最近怎么样");
    JsonObject found = memory(reply, "entity:" + sister.getString("id"));
    assertNotNull(found, reply.encodePrettily());
    assertEquals("entity", found.getString("memory_type"));
    assertTrue(found.getString("content").contains("怀孕"), found.encode());
    assertTrue(found.getString("content").contains("sister"), found.encode());
    assertTrue(found.getString("content").contains("妹妹最近怀孕了"), "its recent event: " + found.encode());
    assertTrue(reply.getString("context").contains("林小晴"), reply.getString("context"));
    assertFalse(reply.getJsonArray("degraded").contains("entities"), reply.encode());

    // the hop: the dog is named; the sister who looks after it comes with her state
    String owner = TestStack.internal(user);
    bus(Addresses.RELATIONS_UPSERT, new Entities.RelationUpsert(owner, "c1", new JsonObject()
        .put("source_id", sister.getString("id")).put("target_id", dog.getString("id")).put("type", "照顾")));
    JsonObject hop = memory(recall(user, "豆豆今天吃饭了吗"), "entity:" + dog.getString("id"));
    assertNotNull(hop);
    assertTrue(hop.getString("content").contains("照顾 林小晴") && hop.getString("content").contains("怀孕"),
        "the related entity's state, one hop away: " + hop.encode());

    // replaying a task's mentions leaves what its first run wrote
    Entities.Mentions replay = new Entities.Mentions("task-replay-" + user, owner, "c1", "s-replay",
        Instant.now().getEpochSecond(), new JsonArray().add(new JsonObject().put("mention", "妹妹")
            .put("aliases", new JsonArray()).put("state", "生了宝宝").put("summary", "妹妹生了宝宝")
            .put("source_msg_id", "r1")));
    bus(Addresses.ENTITIES_MENTIONS, replay);
    bus(Addresses.ENTITIES_MENTIONS, replay);
    JsonArray states = ok(get(base + "/" + sister.getString("id") + "/states"), 200).getJsonArray("states");
    assertEquals(List.of("怀孕", "生了宝宝"), states.stream().map(s -> ((JsonObject) s).getString("state")).toList());
    assertEquals(2, ok(get(base + "/" + sister.getString("id") + "/events"), 200).getJsonArray("events").size());
    assertEquals(3, ok(get(base), 200).getJsonArray("entities").size());
  }

  @Test
  @DisplayName("English chats: the sister is found by a case-insensitive whole word, not inside another word")
  void englishChats() {
    String user = "u-comp-en-" + UUID.randomUUID();
    session(user, "My sister Emma just moved to Boston");
    session(user, "Emma got a new job");
    String base = "/v1/users/" + user + "/characters/c1/entities";
    JsonArray listed = ok(get(base), 200).getJsonArray("entities");
    JsonObject emma = byName(listed, "Emma");
    assertNotNull(emma, listed.encodePrettily());
    assertEquals(2, listed.size(), listed.encodePrettily());
    assertEquals("got a new job", emma.getString("current_state"));
    assertEquals(2, ok(get(base + "/" + emma.getString("id") + "/states"), 200).getJsonArray("states").size());
    JsonObject named = memory(recall(user, "How is my SISTER doing?"), "entity:" + emma.getString("id"));
    assertNotNull(named);
    assertTrue(named.getString("source").contains("mysql") && named.getString("content").contains("moved to Boston"),
        named.encode());
    JsonObject byMeaning = memory(recall(user, "Tell me about sisterhood"), "entity:" + emma.getString("id"));
    assertTrue(byMeaning == null || !byMeaning.getString("source").contains("mysql"),
        "\"sisterhood\" does not name her (the index may still find her by meaning): " + byMeaning);
  }

  @Test
  @DisplayName("The entity read failing degrades recall (flagged entities); the other memories still come")
  void entityStoreFails() {
    String user = "u-comp-fail-" + UUID.randomUUID();
    session(user, "我妹妹叫林小晴，她很喜欢画画");
    Future.await(TestStack.sql().query("RENAME TABLE entity_aliases TO entity_aliases_away").execute());
    try {
      JsonObject reply = recall(user, "我妹妹喜欢什么");
      assertTrue(reply.getJsonArray("degraded").contains("entities"), reply.encode());
      assertFalse(reply.getJsonArray("memories").isEmpty(), reply.encode());
    } finally {
      Future.await(TestStack.sql().query("RENAME TABLE entity_aliases_away TO entity_aliases").execute());
    }
    assertFalse(recall(user, "我妹妹喜欢什么").getJsonArray("degraded").contains("entities"));
  }
}
