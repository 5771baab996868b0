package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.bus.Addresses;
import verticles.contracts.Entities;
import verticles.vectorsearch.MemoryRecord;

/**
 * The story API on the real stack: a project's entities (aliases resolved case-insensitively in English, exactly in
 * Chinese), their state history, relations (upserted, between two, out to a few hops) and events (by story time and by
 * entity); each entity is an entity memory with versions and an index record; the read cache follows every change;
 * a companion's entities are listed with their relations; a forget erases them; bad input is a 4xx naming the field.
 */
@DisplayName("Entities, relations and events")
class EntityApiTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static String project() {
    return "/v1/projects/p-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static HttpResponse<Buffer> post(String path, JsonObject body) {
    return Future.await(TestStack.post(path, body));
  }

  static HttpResponse<Buffer> get(String path) {
    return Future.await(TestStack.get(path));
  }

  static HttpResponse<Buffer> patch(String path, JsonObject body) {
    return Future.await(TestStack.http().patch(path).sendJsonObject(body));
  }

  static JsonObject ok(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static String create(String project, JsonObject entity) {
    return ok(post(project + "/entities", entity), 201).getString("id");
  }

  static void bad(HttpResponse<Buffer> r, int status, String field) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(field, r.bodyAsJsonObject().getJsonObject("error").getString("field"), r.bodyAsString());
  }

  @Test
  @DisplayName("an entity's states are its history; its current state, attributes and last chapter follow the latest; "
      + "Chinese and emoji come back byte for byte; each change is a version of its entity memory, indexed")
  void statesAndMemory() {
    String p = project();
    String name = "林小晴 🌸";
    JsonObject created = ok(post(p + "/entities", new JsonObject().put("name", name).put("type", "character")
        .put("aliases", new JsonArray().add("小晴").add("Qing")).put("description", "主角的妹妹")
        .put("attributes", new JsonObject().put("年龄", "17")).put("importance", 8)), 201);
    String id = created.getString("id");
    assertEquals(name, created.getString("name"));
    assertEquals(name, ok(get(p + "/entities/" + id), 200).getString("name"), "the cache, then MySQL");

    ok(patch(p + "/entities/" + id + "/state", new JsonObject().put("state", "在学校里受了伤").put("appearance", "ch-1")
        .put("story_time", 100).put("attribute_changes", new JsonObject().put("伤势", "左臂骨折"))
        .put("event_summary", "被人推下楼梯")), 200);
    JsonObject after = ok(patch(p + "/entities/" + id + "/state", new JsonObject().put("state", "伤愈出院 🏥")
        .put("appearance", "ch-3").put("story_time", 300).put("attribute_changes", new JsonObject()
            .put("伤势", "痊愈"))), 200);
    assertEquals("伤愈出院 🏥", after.getString("current_state"));
    assertEquals("ch-3", after.getString("last_appearance"));
    assertEquals(new JsonObject().put("年龄", "17").put("伤势", "痊愈"), after.getJsonObject("attributes"));
    JsonObject read = ok(get(p + "/entities/" + id), 200);
    assertEquals("伤愈出院 🏥", read.getString("current_state"), "the read cache dropped the old entity");

    JsonArray states = ok(get(p + "/entities/" + id + "/states"), 200).getJsonArray("states");
    assertEquals(2, states.size(), states.encodePrettily());
    assertEquals("在学校里受了伤", states.getJsonObject(0).getString("state"));
    assertEquals("ch-1", states.getJsonObject(0).getString("appearance"));
    assertEquals(100L, states.getJsonObject(0).getLong("story_time"));
    assertEquals("被人推下楼梯", states.getJsonObject(0).getString("event_summary"));
    assertEquals(new JsonObject().put("伤势", "痊愈"), states.getJsonObject(1).getJsonObject("attribute_changes"));

    // one memory model: the entity is memory entity:{id}, type entity, a version per change, its record indexed
    JsonObject memory = MemoryLifecycleTestAccess.memory("entity:" + id);
    assertEquals("entity", memory.getString("memory_type"));
    assertEquals(3, memory.getInteger("version"), memory.encodePrettily());
    assertTrue(memory.getString("content").contains("伤愈出院 🏥") && memory.getString("content").contains("小晴"),
        memory.getString("content"));
    String owner = "default:project/" + p.substring("/v1/projects/".length());
    MemoryRecord record = indexed(owner, "entity:" + id);
    assertNotNull(record, "the entity is an index record");
    assertEquals("entity", record.memoryType());
    assertTrue(record.content().contains("伤愈出院"), record.content());
  }

  @Test
  @DisplayName("names resolve once per project: an English alias case-insensitively, a Chinese one exactly; the same "
      + "name in another project is another entity")
  void aliases() {
    String p = project();
    create(p, new JsonObject().put("name", "Doudou").put("type", "pet").put("aliases", new JsonArray().add("豆豆")));
    bad(post(p + "/entities", new JsonObject().put("name", "DOUDOU").put("type", "pet")), 409, "aliases");
    bad(post(p + "/entities", new JsonObject().put("name", "豆豆").put("type", "pet")), 409, "aliases");
    create(p, new JsonObject().put("name", "豆豆豆").put("type", "pet")); // not 豆豆
    create(p, new JsonObject().put("name", "荳荳").put("type", "pet")); // another character: exact in Chinese
    create(project(), new JsonObject().put("name", "Doudou").put("type", "pet"));
    JsonArray listed = ok(get(p + "/entities?type=pet"), 200).getJsonArray("entities");
    assertEquals(3, listed.size(), listed.encodePrettily());
  }

  @Test
  @DisplayName("a relation is upserted by (source, target, type): one row, strength and last chapter moved, first kept;"
      + " between lists both directions; hops reach friends of friends, each with its hop")
  void relations() {
    String p = project();
    String a = create(p, new JsonObject().put("name", "沈砚").put("type", "character"));
    String b = create(p, new JsonObject().put("name", "林小晴").put("type", "character"));
    String c = create(p, new JsonObject().put("name", "青云宗").put("type", "location"));
    String d = create(p, new JsonObject().put("name", "玄铁剑").put("type", "item"));
    ok(post(p + "/relations", new JsonObject().put("source_id", a).put("target_id", b).put("type", "兄妹")
        .put("strength", 0.6).put("appearance", "ch-1")), 200);
    JsonObject again = ok(post(p + "/relations", new JsonObject().put("source_id", a).put("target_id", b)
        .put("type", "兄妹").put("strength", 0.9).put("description", "感情更深了").put("appearance", "ch-4")), 200);
    assertEquals(0.9, again.getDouble("strength"));
    assertEquals("ch-1", again.getString("first_appearance"));
    assertEquals("ch-4", again.getString("last_appearance"));
    ok(post(p + "/relations", new JsonObject().put("source_id", c).put("target_id", b).put("type", "所属")), 200);
    ok(post(p + "/relations", new JsonObject().put("source_id", c).put("target_id", d).put("type", "收藏")), 200);

    JsonObject between = ok(get(p + "/relations?between=" + b + "," + a), 200);
    assertEquals(1, between.getJsonArray("relations").size(), between.encodePrettily());
    assertEquals("沈砚", between.getJsonObject("entities").getJsonObject(a).getString("name"));

    JsonArray one = ok(get(p + "/entities/" + a + "/relations"), 200).getJsonArray("relations");
    assertEquals(1, one.size(), one.encodePrettily());
    JsonObject three = ok(get(p + "/entities/" + a + "/relations?hops=3"), 200);
    JsonArray all = three.getJsonArray("relations");
    assertEquals(3, all.size(), all.encodePrettily());
    assertEquals(List.of(1, 2, 3), all.stream().map(o -> ((JsonObject) o).getInteger("hop")).sorted().toList());
    assertEquals("玄铁剑", three.getJsonObject("entities").getJsonObject(d).getString("name"));
    assertEquals(2, ok(get(p + "/entities/" + a + "/relations?hops=2"), 200).getJsonArray("relations").size());
  }

  @Test
  @DisplayName("events are listed in story time, within from and to, and by the entities they involve")
  void events() {
    String p = project();
    String a = create(p, new JsonObject().put("name", "沈砚").put("type", "character"));
    String town = create(p, new JsonObject().put("name", "青石镇").put("type", "location"));
    for (int t : new int[] {300, 100, 200}) {
      JsonObject ev = ok(post(p + "/events", new JsonObject().put("type", "battle").put("summary", "第" + t + "天的战斗 ⚔")
          .put("story_time_start", t).put("story_time_end", t + 5).put("entity_ids", new JsonArray().add(a))
          .put("location_id", town).put("importance", 7).put("tags", new JsonArray().add("战斗"))), 201);
      assertEquals(new JsonArray().add(a), ev.getJsonArray("entity_ids"));
    }
    ok(post(p + "/events", new JsonObject().put("type", "meeting").put("summary", "集市").put("story_time_start", 150)),
        201);
    JsonArray all = ok(get(p + "/events"), 200).getJsonArray("events");
    assertEquals(List.of(100L, 150L, 200L, 300L), all.stream().map(o -> ((JsonObject) o).getLong("story_time_start"))
        .toList());
    JsonArray window = ok(get(p + "/events?from=120&to=250"), 200).getJsonArray("events");
    assertEquals(List.of("集市", "第200天的战斗 ⚔"), window.stream().map(o -> ((JsonObject) o).getString("summary"))
        .toList());
    assertEquals(3, ok(get(p + "/events?entity=" + a), 200).getJsonArray("events").size());
    JsonArray mine = ok(get(p + "/entities/" + a + "/events?from=150"), 200).getJsonArray("events");
    assertEquals(2, mine.size(), mine.encodePrettily());
    assertEquals(town, mine.getJsonObject(0).getString("location_id"));
  }

  @Test
  @DisplayName("bad input is a 4xx naming the field: empty, blank, huge, wrong type, unknown type or entity, hops past"
      + " the maximum, a malformed between or time")
  void badInput() {
    String p = project();
    String a = create(p, new JsonObject().put("name", "甲").put("type", "character"));
    bad(post(p + "/entities", new JsonObject().put("name", "").put("type", "character")), 400, "name");
    bad(post(p + "/entities", new JsonObject().put("name", "  ").put("type", "character")), 400, "name");
    bad(post(p + "/entities", new JsonObject().put("name", "长".repeat(201)).put("type", "character")), 400, "name");
    bad(post(p + "/entities", new JsonObject().put("name", 5).put("type", "character")), 400, "name");
    bad(post(p + "/entities", new JsonObject().put("type", "character")), 400, "name");
    bad(post(p + "/entities", new JsonObject().put("name", "乙").put("type", "dragon")), 400, "type");
    bad(post(p + "/entities", new JsonObject().put("name", "乙").put("type", "pet").put("aliases",
        new JsonArray().add(" "))), 400, "aliases[0]");
    bad(post(p + "/entities", new JsonObject().put("name", "乙").put("type", "pet").put("importance", 11)), 400,
        "importance");
    bad(patch(p + "/entities/" + a + "/state", new JsonObject()), 400, "state");
    bad(patch(p + "/entities/" + a + "/state", new JsonObject().put("state", "x").put("story_time", "早上")), 400,
        "story_time");
    bad(patch(p + "/entities/ent-none/state", new JsonObject().put("state", "x")), 404, "entity_id");
    // aliases grow by at most 50 a change, and to at most 100 in all
    for (int round = 0; round < 2; round++) {
      JsonArray fifty = new JsonArray();
      for (int i = 0; i < 50; i++) {
        fifty.add("别名" + round + "-" + i);
      }
      ok(patch(p + "/entities/" + a + "/state", new JsonObject().put("state", "x" + round).put("aliases", fifty)), 200);
    }
    bad(patch(p + "/entities/" + a + "/state", new JsonObject().put("state", "y").put("aliases",
        new JsonArray().add("第一百零一"))), 400, "aliases");
    bad(get(p + "/entities/ent-none"), 404, "entity_id");
    bad(post(p + "/relations", new JsonObject().put("source_id", a).put("target_id", "ent-none").put("type", "友")),
        404, "target_id");
    bad(post(p + "/relations", new JsonObject().put("source_id", a).put("target_id", a).put("type", "友")
        .put("strength", 2)), 400, "strength");
    bad(post(p + "/relations", new JsonObject().put("source_id", a).put("target_id", a)), 400, "type");
    bad(post(p + "/relations", new JsonObject().put("source_id", a).put("target_id", a).put("type", "友")), 400,
        "target_id");
    bad(post(p + "/events", new JsonObject().put("type", "x").put("summary", "y").put("entity_ids",
        new JsonArray().add(a).add("ent-none"))), 404, "entity_ids[1]");
    bad(post(p + "/events", new JsonObject().put("type", "x").put("summary", "y").put("story_time_start", 5)
        .put("story_time_end", 1)), 400, "story_time_end");
    bad(get(p + "/entities/" + a + "/relations?hops=4"), 400, "hops");
    bad(get(p + "/relations?between=" + a), 400, "between");
    bad(get(p + "/relations?between=" + a + ",ent-none"), 404, "between");
    bad(get(p + "/events?from=abc"), 400, "from");
    bad(get(p + "/events?entity=ent-none"), 404, "entity");
    bad(get(p + "/entities?type=dragon"), 400, "type");
    bad(get("/v1/projects/a%E2%80%8Bb/entities"), 400, "project_id");
  }

  @Test
  @DisplayName("a companion's entities are listed with aliases, state and relations, one by one with states, relations"
      + " and events; another character sees none; forgetting the user erases them all")
  void companionAndForget() {
    String user = "u-ent-" + UUID.randomUUID();
    String owner = TestStack.internal(user);
    String sister = bus(Addresses.ENTITIES_CREATE, new Entities.Create(owner, "c1", new JsonObject()
        .put("name", "林小晴").put("type", "person").put("aliases", new JsonArray().add("妹妹")), "test"))
        .getString("id");
    String dog = bus(Addresses.ENTITIES_CREATE, new Entities.Create(owner, "c1", new JsonObject().put("name", "豆豆")
        .put("type", "pet").put("description", "我的狗"), "test")).getString("id");
    bus(Addresses.ENTITIES_STATE, new Entities.StateUpdate(owner, "c1", dog, new JsonObject().put("state", "最近生病了")
        .put("appearance", "s-1"), "test"));
    bus(Addresses.RELATIONS_UPSERT, new Entities.RelationUpsert(owner, "c1", new JsonObject().put("source_id", sister)
        .put("target_id", dog).put("type", "照顾")));
    bus(Addresses.EVENTS_CREATE, new Entities.EventCreate(owner, "c1", new JsonObject().put("type", "illness")
        .put("summary", "豆豆生病了").put("real_time", 1_700_000_000L).put("entity_ids", new JsonArray().add(dog))));

    String base = "/v1/users/" + user + "/characters/c1/entities";
    JsonArray listed = ok(get(base), 200).getJsonArray("entities");
    assertEquals(2, listed.size(), listed.encodePrettily());
    JsonObject d = listed.getJsonObject(1);
    assertEquals("最近生病了", d.getString("current_state"));
    assertEquals(1, d.getJsonArray("relations").size(), d.encodePrettily());
    assertEquals(new JsonArray().add("妹妹"), listed.getJsonObject(0).getJsonArray("aliases"));
    assertEquals(1, ok(get(base + "/" + dog + "/states"), 200).getJsonArray("states").size());
    assertEquals(1, ok(get(base + "/" + sister + "/relations"), 200).getJsonArray("relations").size());
    assertEquals(1, ok(get(base + "/" + dog + "/events"), 200).getJsonArray("events").size());
    assertEquals("林小晴", ok(get(base + "/" + sister), 200).getString("name"));
    assertEquals(0, ok(get("/v1/users/" + user + "/characters/c2/entities"), 200).getJsonArray("entities").size());
    bad(get("/v1/users/" + user + "/characters/c2/entities/" + dog), 404, "entity_id");

    assertEquals(200, Future.await(TestStack.delete("/v1/users/" + user)).statusCode());
    for (String table : List.of("entities", "entity_aliases", "entity_states", "entity_relations", "entity_events",
        "entity_event_entities", "memories")) {
      RowSet<Row> rs = Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM " + table
          + " WHERE user_id = ?").execute(Tuple.of(owner)));
      assertEquals(0L, rs.iterator().next().getLong(0), table);
    }
    assertNull(indexed(owner, "entity:" + dog));
  }

  static JsonObject bus(String address, verticles.contracts.Contract body) {
    return (JsonObject) Future.await(TestStack.vertx().eventBus().request(address, body.toJson(),
        new DeliveryOptions().setSendTimeout(20_000))).body();
  }

  static MemoryRecord indexed(String owner, String id) {
    List<MemoryRecord> records = Future.await(TestStack.vertx().executeBlocking(() -> TestStack.engram().index()
        .list(owner, null, 0, 1000)));
    return records.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
  }

  /** The memory API's view of a memory. */
  static final class MemoryLifecycleTestAccess {
    static JsonObject memory(String id) {
      return MemoryLifecycleTest.get(id);
    }
  }
}
