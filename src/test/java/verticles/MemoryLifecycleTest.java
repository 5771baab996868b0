package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.MemoryRecord;

/**
 * One memory's life on the real embedded stack: corrections as versions (If-Match), history, compare, restore, soft
 * and hard delete, checked in the API, in MySQL and in the Lucene index itself.
 */
@DisplayName("Every memory is addressable, versioned and correctable")
class MemoryLifecycleTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static String path(String id) {
    return "/v1/memories/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Imports a memory and returns its id. */
  static String imported(String user, String content) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("memory_type", "event").put("content", content)
        .put("timestamp", Instant.now().getEpochSecond() - 3600).put("importance", 6)
        .put("metadata", new JsonObject().put("origin", "lifecycle-test"))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(1, r.bodyAsJsonObject().getInteger("version"), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static HttpResponse<Buffer> patch(String id, Integer ifMatch, JsonObject body) {
    var request = TestStack.http().patch(path(id));
    if (ifMatch != null) {
      request.putHeader("If-Match", "\"" + ifMatch + "\"");
    }
    return Future.await(request.sendJsonObject(body));
  }

  static JsonObject get(String id) {
    HttpResponse<Buffer> r = Future.await(TestStack.get(path(id)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("\"" + r.bodyAsJsonObject().getInteger("version") + "\"", r.getHeader("ETag"));
    return r.bodyAsJsonObject();
  }

  static JsonArray history(String id) {
    HttpResponse<Buffer> r = Future.await(TestStack.get(path(id) + "/history"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("versions");
  }

  /** The index's own record of the memory (the real Lucene index), or null. */
  static MemoryRecord indexed(String user, String id) {
    List<MemoryRecord> records = Future.await(TestStack.vertx().executeBlocking(() -> TestStack.engram().index()
        .list(TestStack.internal(user), null, 0, 1000)));
    return records.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
  }

  static JsonArray recalled(String user, String message) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("message", message).put("force", true).put("top_k", 20)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("memories");
  }

  static long rows(String table, String id) {
    return Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM " + table + " WHERE memory_id = ?")
        .execute(Tuple.of(id))).iterator().next().getLong(0);
  }

  @Test
  @DisplayName("three corrections make three versions: each re-indexed before the reply, with its changed fields, reason and key")
  void threeEdits() {
    String user = "u-life-edit-" + UUID.randomUUID();
    String id = imported(user, "我和小林周六去西湖划船");
    JsonObject v2 = patch(id, 1, new JsonObject().put("content", "我和小林周日去西湖划船").put("reason", "记错了日子"))
        .bodyAsJsonObject();
    assertEquals(2, v2.getInteger("version"), v2.encode());
    assertEquals("我和小林周日去西湖划船", indexed(user, id).content(), "the index holds the new version at once");
    HttpResponse<Buffer> third = patch(id, 2, new JsonObject().put("importance", 9).put("category", "preference")
        .put("metadata", new JsonObject().put("place", "西湖").put("origin", null)).put("reason", "很重要"));
    assertEquals(200, third.statusCode(), third.bodyAsString());
    assertEquals("\"3\"", third.getHeader("ETag"));
    HttpResponse<Buffer> fourth = patch(id, 3, new JsonObject().put("valid_to", Instant.now().getEpochSecond())
        .put("reason", "已经过去了"));
    assertEquals(200, fourth.statusCode(), fourth.bodyAsString());

    JsonObject now = get(id);
    assertEquals(4, now.getInteger("version"));
    assertEquals(9, now.getInteger("importance"));
    assertEquals("preference", now.getString("category"));
    assertEquals(new JsonObject().put("place", "西湖"), now.getJsonObject("metadata"), "metadata merges; null removes");
    assertEquals(user, now.getString("user_id"), "the client's own user id, never the tenant's");
    assertNotNull(now.getLong("valid_to"));
    assertEquals(9, indexed(user, id).importance());

    JsonArray versions = history(id);
    assertEquals(4, versions.size(), versions.encodePrettily());
    assertEquals("create", versions.getJsonObject(0).getString("op"));
    assertEquals(new JsonArray().add("content"), versions.getJsonObject(1).getJsonArray("changed"));
    assertEquals(new JsonArray().add("importance").add("category").add("metadata"),
        versions.getJsonObject(2).getJsonArray("changed"));
    assertEquals(new JsonArray().add("valid_to"), versions.getJsonObject(3).getJsonArray("changed"));
    assertEquals("记错了日子", versions.getJsonObject(1).getString("reason"));
    assertEquals("test", versions.getJsonObject(1).getString("actor"), "the API key's name");
    assertEquals("我和小林周六去西湖划船", versions.getJsonObject(0).getString("content"));

    // a correction that changes nothing makes no version
    JsonObject same = patch(id, 4, new JsonObject().put("importance", 9).put("reason", "again")).bodyAsJsonObject();
    assertEquals(4, same.getInteger("version"), same.encode());
  }

  @Test
  @DisplayName("a correction against a version that moved on is 412, without If-Match 428, and a bad If-Match or body 400 naming the field")
  void preconditions() {
    String user = "u-life-412-" + UUID.randomUUID();
    String id = imported(user, "我喜欢喝乌龙茶");
    assertEquals(200, patch(id, 1, new JsonObject().put("content", "我喜欢喝铁观音").put("reason", "更准确")).statusCode());
    HttpResponse<Buffer> stale = patch(id, 1, new JsonObject().put("content", "我喜欢喝红茶").put("reason", "晚了一步"));
    assertEquals(412, stale.statusCode(), stale.bodyAsString());
    assertEquals("If-Match", stale.bodyAsJsonObject().getJsonObject("error").getString("field"));
    HttpResponse<Buffer> missing = patch(id, null, new JsonObject().put("content", "我喜欢喝红茶").put("reason", "x"));
    assertEquals(428, missing.statusCode(), missing.bodyAsString());
    assertEquals("If-Match", missing.bodyAsJsonObject().getJsonObject("error").getString("field"));
    HttpResponse<Buffer> garbled = Future.await(TestStack.http().patch(path(id)).putHeader("If-Match", "v-two")
        .sendJsonObject(new JsonObject().put("content", "x").put("reason", "x")));
    assertEquals(400, garbled.statusCode());
    assertEquals("If-Match", garbled.bodyAsJsonObject().getJsonObject("error").getString("field"));
    for (Object[] bad : new Object[][] {
        {new JsonObject().put("content", "x"), "reason"},
        {new JsonObject().put("content", " ").put("reason", "x"), "content"},
        {new JsonObject().put("importance", 11).put("reason", "x"), "importance"},
        {new JsonObject().put("category", "secret").put("reason", "x"), "category"},
        {new JsonObject().put("memory_type", "profile").put("reason", "x"), "memory_type"},
        {new JsonObject().put("reason", "nothing else"), "body"},
        {new JsonObject().put("valid_to", "soon").put("reason", "x"), "valid_to"}}) {
      HttpResponse<Buffer> r = patch(id, 2, (JsonObject) bad[0]);
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals(bad[1], r.bodyAsJsonObject().getJsonObject("error").getString("field"), r.bodyAsString());
    }
    assertEquals(2, get(id).getInteger("version"), "nothing refused was written");
    assertEquals(404, patch("mem-does-not-exist", 1, new JsonObject().put("content", "x").put("reason", "x"))
        .statusCode());
    HttpResponse<Buffer> badCompare = Future.await(TestStack.get(path(id) + "/compare?a=1"));
    assertEquals("b", badCompare.bodyAsJsonObject().getJsonObject("error").getString("field"));
    HttpResponse<Buffer> badList = Future.await(TestStack.get("/v1/memories?status=gone"));
    assertEquals("status", badList.bodyAsJsonObject().getJsonObject("error").getString("field"));
  }

  @Test
  @DisplayName("compare shows the changed fields and a word diff; restore makes a new version equal to an old one, re-indexed")
  void compareAndRestore() {
    String user = "u-life-restore-" + UUID.randomUUID();
    String id = imported(user, "I adopted a grey cat named Pepper");
    patch(id, 1, new JsonObject().put("content", "I adopted a black cat named Pepper").put("reason", "colour"));
    patch(id, 2, new JsonObject().put("content", "I adopted a black dog named Pepper").put("importance", 8)
        .put("reason", "species"));

    HttpResponse<Buffer> r = Future.await(TestStack.get(path(id) + "/compare?a=1&b=3"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject cmp = r.bodyAsJsonObject();
    List<String> fields = cmp.getJsonArray("changes").stream().map(c -> ((JsonObject) c).getString("field")).toList();
    assertEquals(List.of("content", "importance"), fields, cmp.encodePrettily());
    JsonArray edits = cmp.getJsonObject("diff").getJsonArray("edits");
    assertEquals(2, edits.size(), edits.encodePrettily());
    assertEquals("grey", edits.getJsonObject(0).getString("a_text"));
    assertEquals("black", edits.getJsonObject(0).getString("b_text"));
    assertEquals("cat", edits.getJsonObject(1).getString("a_text"));
    assertEquals("dog", edits.getJsonObject(1).getString("b_text"));
    String unified = cmp.getJsonObject("diff").getString("unified");
    assertTrue(unified.contains("-I adopted a grey cat named Pepper") && unified.contains("+I adopted a black dog"),
        unified);

    HttpResponse<Buffer> restored = Future.await(TestStack.post(path(id) + "/restore", new JsonObject()
        .put("version", 1).put("reason", "the first was right")));
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    JsonObject v4 = restored.bodyAsJsonObject();
    assertEquals(4, v4.getInteger("version"));
    assertEquals("I adopted a grey cat named Pepper", v4.getString("content"));
    assertEquals(6, v4.getInteger("importance"));
    assertEquals("I adopted a grey cat named Pepper", indexed(user, id).content());
    JsonObject last = history(id).getJsonObject(3);
    assertEquals("restore", last.getString("op"));
    assertEquals(new JsonArray().add("content").add("importance"), last.getJsonArray("changed"));
    assertEquals(404, Future.await(TestStack.post(path(id) + "/restore", new JsonObject().put("version", 9)
        .put("reason", "no such"))).statusCode());
  }

  @Test
  @DisplayName("a soft delete hides the memory from recall and the index but lists it as deleted; restore brings it back")
  void softDeleteAndRestore() {
    String user = "u-life-soft-" + UUID.randomUUID();
    String id = imported(user, "我的吉他老师叫周明远");
    assertNotNull(EndToEndMemoryTest.find(recalled(user, "我的吉他老师叫什么"), "周明远"));

    HttpResponse<Buffer> deleted = Future.await(TestStack.delete(path(id) + "?reason=" + URLEncoder.encode("不想记住",
        StandardCharsets.UTF_8)));
    assertEquals(200, deleted.statusCode(), deleted.bodyAsString());
    assertEquals("deleted", deleted.bodyAsJsonObject().getString("status"));
    assertEquals(2, deleted.bodyAsJsonObject().getInteger("version"));
    assertNull(EndToEndMemoryTest.find(recalled(user, "我的吉他老师叫什么"), "周明远"), "never recalled");
    assertNull(indexed(user, id), "out of the index");
    assertEquals("deleted", get(id).getString("status"));
    JsonArray listed = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&status=deleted"))
        .bodyAsJsonObject().getJsonArray("memories");
    assertEquals(1, listed.size(), listed.encode());
    assertEquals(0, Future.await(TestStack.get("/v1/memories?user_id=" + user + "&status=active"))
        .bodyAsJsonObject().getJsonArray("memories").size());
    assertEquals(2, Future.await(TestStack.delete(path(id))).bodyAsJsonObject().getInteger("version"),
        "deleting again adds nothing");
    assertEquals(409, patch(id, 2, new JsonObject().put("content", "x").put("reason", "x")).statusCode(),
        "a deleted memory is restored before it is corrected");

    HttpResponse<Buffer> back = Future.await(TestStack.post(path(id) + "/restore", new JsonObject().put("version", 1)
        .put("reason", "还是记住吧")));
    assertEquals(200, back.statusCode(), back.bodyAsString());
    assertEquals("active", back.bodyAsJsonObject().getString("status"));
    assertEquals(3, back.bodyAsJsonObject().getInteger("version"));
    assertNotNull(indexed(user, id));
    assertNotNull(EndToEndMemoryTest.find(recalled(user, "我的吉他老师叫什么"), "周明远"), "recalled again");
  }

  @Test
  @DisplayName("a hard delete leaves no row, no version, no index record and nothing recalled, and the id is 404 after")
  void hardDelete() {
    String user = "u-life-hard-" + UUID.randomUUID();
    String id = imported(user, "我的银行卡密码提示是我家猫的名字");
    patch(id, 1, new JsonObject().put("importance", 9).put("reason", "敏感"));
    assertNotNull(EndToEndMemoryTest.find(recalled(user, "银行卡密码提示"), "银行卡"), "recalled (and its query cached)");

    HttpResponse<Buffer> erased = Future.await(TestStack.delete(path(id) + "?hard=true"));
    assertEquals(200, erased.statusCode(), erased.bodyAsString());
    assertTrue(erased.bodyAsJsonObject().getBoolean("hard"));
    assertEquals(2, erased.bodyAsJsonObject().getInteger("versions_erased"));
    assertEquals(0, rows("memories", id));
    assertEquals(0, rows("memory_versions", id));
    assertNull(indexed(user, id), "no index record");
    assertEquals(0L, Future.await(TestStack.vertx().executeBlocking(() -> TestStack.engram().index()
        .count(TestStack.internal(user), null))));
    assertNull(EndToEndMemoryTest.find(recalled(user, "银行卡密码提示"), "银行卡"), "nothing recalled");
    assertEquals(404, Future.await(TestStack.get(path(id))).statusCode());
    assertEquals(404, Future.await(TestStack.get(path(id) + "/history")).statusCode());
    assertEquals(404, Future.await(TestStack.delete(path(id) + "?hard=true")).statusCode());
  }

  @Test
  @DisplayName("lists filter by user, type, category, status, time and metadata, newest first, a cursor page at a time")
  void listAndPage() {
    String user = "u-life-list-" + UUID.randomUUID();
    for (int i = 0; i < 5; i++) {
      Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", user).put("character_id", "c1")
          .put("memory_type", i % 2 == 0 ? "event" : "profile").put("content", "第" + i + "条记忆")
          .put("timestamp", Instant.now().getEpochSecond() - 100 + i)
          .put("metadata", new JsonObject().put("batch", i < 3 ? "first" : "second").put("n", i))));
    }
    List<String> seen = new java.util.ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor)));
      assertEquals(200, r.statusCode(), r.bodyAsString());
      r.bodyAsJsonObject().getJsonArray("memories").forEach(m -> seen.add(((JsonObject) m).getString("content")));
      cursor = r.bodyAsJsonObject().getString("next_cursor");
    } while (cursor != null);
    assertEquals(List.of("第4条记忆", "第3条记忆", "第2条记忆", "第1条记忆", "第0条记忆"), seen, "newest first, no overlap");
    JsonArray profiles = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&type=profile"))
        .bodyAsJsonObject().getJsonArray("memories");
    assertEquals(2, profiles.size());
    assertEquals("fact", profiles.getJsonObject(0).getString("category"));
    JsonArray second = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&metadata.batch=second"))
        .bodyAsJsonObject().getJsonArray("memories");
    assertEquals(2, second.size(), second.encode());
    JsonArray four = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&metadata.n=4&type=event"))
        .bodyAsJsonObject().getJsonArray("memories");
    assertEquals(1, four.size(), four.encode());
    long later = Instant.now().getEpochSecond() + 3600;
    assertEquals(0, Future.await(TestStack.get("/v1/memories?user_id=" + user + "&since=" + later))
        .bodyAsJsonObject().getJsonArray("memories").size());
    assertEquals(5, Future.await(TestStack.get("/v1/memories?user_id=" + user + "&until=" + later))
        .bodyAsJsonObject().getJsonArray("memories").size());
    assertEquals("cursor", Future.await(TestStack.get("/v1/memories?cursor=not-a-cursor")).bodyAsJsonObject()
        .getJsonObject("error").getString("field"));
  }

  @Test
  @DisplayName("a session that moves the user to another city makes one memory with two versions, the first closed; saying it again adds nothing")
  void cityChanges() {
    String user = "u-life-city-" + UUID.randomUUID();
    long t0 = Instant.now().getEpochSecond() - 7200;
    awaitSession(user, "s-1", t0, "我住在北京，我的生日是3月15日");
    awaitSession(user, "s-2", t0 + 600, "我搬到了杭州");
    awaitSession(user, "s-3", t0 + 1200, "我住在杭州，我的生日是3月15日");

    JsonArray cities = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&type=profile"
        + "&metadata.profile_key=location")).bodyAsJsonObject().getJsonArray("memories");
    assertEquals(1, cities.size(), cities.encodePrettily());
    JsonObject city = cities.getJsonObject(0);
    assertEquals(2, city.getInteger("version"), city.encode());
    assertEquals("杭州", city.getJsonObject("metadata").getString("profile_value"));
    assertTrue(city.getString("id").startsWith("profile:"));
    JsonArray versions = history(city.getString("id"));
    assertEquals(2, versions.size(), versions.encodePrettily());
    assertEquals("北京", versions.getJsonObject(0).getJsonObject("metadata").getString("profile_value"));
    assertEquals(versions.getJsonObject(1).getLong("valid_from"), versions.getJsonObject(0).getLong("valid_to"),
        "the old city held until the move");
    assertNull(versions.getJsonObject(1).getLong("valid_to"));
    assertEquals("extractor", versions.getJsonObject(1).getString("actor"));
    assertTrue(indexed(user, city.getString("id")).content().contains("杭州"));

    JsonArray profiles = Future.await(TestStack.get("/v1/users/" + user + "/characters/c1/profiles"))
        .bodyAsJsonObject().getJsonArray("profiles");
    assertEquals("杭州", EndToEndMemoryTest.profileValue(profiles, "location"));
    // the birthday stated twice is one event memory with one version and one event row
    JsonArray birthdays = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&type=event"
        + "&metadata.event_type=birthday")).bodyAsJsonObject().getJsonArray("memories");
    assertEquals(1, birthdays.size(), birthdays.encodePrettily());
    assertEquals(1, birthdays.getJsonObject(0).getInteger("version"));
    assertEquals(1L, Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM user_events WHERE user_id = ?"
        + " AND event_type = 'birthday'").execute(Tuple.of(TestStack.internal(user)))).iterator().next().getLong(0));
  }

  @Test
  @DisplayName("a profile fact the user deleted stays deleted when a later session states the same value")
  void deletedFactStaysDeleted() {
    String user = "u-life-keep-" + UUID.randomUUID();
    long t0 = Instant.now().getEpochSecond() - 7200;
    awaitSession(user, "s-1", t0, "我住在成都");
    JsonObject city = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&metadata.profile_key=location"))
        .bodyAsJsonObject().getJsonArray("memories").getJsonObject(0);
    assertEquals(200, Future.await(TestStack.delete(path(city.getString("id")))).statusCode());
    awaitSession(user, "s-2", t0 + 600, "我住在成都");
    JsonObject after = get(city.getString("id"));
    assertEquals("deleted", after.getString("status"));
    assertEquals(2, after.getInteger("version"));
    assertNull(indexed(user, city.getString("id")), "the restatement was not indexed");
    JsonArray profiles = Future.await(TestStack.get("/v1/users/" + user + "/characters/c1/profiles"))
        .bodyAsJsonObject().getJsonArray("profiles");
    assertFalse(profiles.encode().contains("成都"), profiles.encode());
  }

  static void awaitSession(String user, String session, long ts, String text) {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", session)
        .put("messages", new JsonArray().add(EndToEndMemoryTest.msg(session + "-m1", "user", text, ts)));
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/sessions", body));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    Future.await(TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"));
  }

  @Test
  @DisplayName("the back-fill's profile memory id (SQL) is the extractor's (Java), for any owner and key")
  void backfilledIdsMatch() {
    for (String[] p : new String[][] {{"default:u1", "c1", "basic_info", "location"},
        {"tenant-b:张三 ", "小月", "preference", "favorite_food"}, {"default:é", "Ｃ", "relationship", "pet"}}) {
      String sql = Future.await(TestStack.sql().preparedQuery("SELECT CONCAT('profile:', SHA1(CONCAT_WS("
          + "CHAR(0 USING utf8mb4), ?, ?, ?, ?)))").execute(Tuple.of(p[0], p[1], p[2], p[3]))).iterator().next()
          .getString(0);
      assertEquals(verticles.shared.MemoryIds.profile(p[0], p[1], p[2], p[3]), sql, String.join("|", p));
    }
  }
}
