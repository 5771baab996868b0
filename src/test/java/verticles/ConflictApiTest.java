package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verticles.MemoryLifecycleTest.awaitSession;
import static verticles.MemoryLifecycleTest.get;
import static verticles.MemoryLifecycleTest.history;
import static verticles.MemoryLifecycleTest.indexed;
import static verticles.MemoryLifecycleTest.path;
import static verticles.MemoryLifecycleTest.recalled;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.MemoryRecord;

/**
 * Conflicts between memories on the real stack (rule judge, default config: auto_resolve off): a profile fact's new
 * value closes the old one (an outdated conflict, resolved at once, history kept); a like and a dislike of the same
 * thing wait for review and resolve each way through versions; a fact restated in three sessions is stored once;
 * an import that restates a memory is merged into it.
 */
@DisplayName("Conflicts are found on write, reviewed and resolved through versions")
class ConflictApiTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonArray conflicts(String query) {
    HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/conflicts?" + query));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("conflicts");
  }

  static HttpResponse<Buffer> resolve(String conflictId, JsonObject body) {
    return Future.await(TestStack.post("/v1/conflicts/" + conflictId + "/resolve", body));
  }

  static JsonObject profile(String user, String key) {
    JsonArray found = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&type=profile&metadata.profile_key="
        + key)).bodyAsJsonObject().getJsonArray("memories");
    assertEquals(1, found.size(), found.encodePrettily());
    return found.getJsonObject(0);
  }

  @Test
  @DisplayName("the city change: one current value, the old one closed in the history, an outdated conflict resolved at once, and recall shows the new city")
  void cityChange() {
    String user = "u-conf-city-" + UUID.randomUUID();
    long t0 = Instant.now().getEpochSecond() - 7200;
    awaitSession(user, "s-1", t0, "我住在杭州");
    awaitSession(user, "s-2", t0 + 600, "我上个月搬到上海了");

    JsonObject city = profile(user, "location");
    assertEquals("上海", city.getJsonObject("metadata").getString("profile_value"));
    assertEquals(2, city.getInteger("version"));
    JsonArray versions = history(city.getString("id"));
    assertEquals("杭州", versions.getJsonObject(0).getJsonObject("metadata").getString("profile_value"),
        "asked where the user lived before, the history has it");
    assertEquals(versions.getJsonObject(1).getLong("valid_from"), versions.getJsonObject(0).getLong("valid_to"));
    assertTrue(indexed(user, city.getString("id")).content().contains("上海"), "the index holds the current value");

    JsonArray outdated = conflicts("user_id=" + user + "&type=outdated");
    assertEquals(1, outdated.size(), outdated.encodePrettily());
    JsonObject c = outdated.getJsonObject(0);
    assertEquals(city.getString("id"), c.getString("memory_id"));
    assertEquals(c.getString("memory_a"), c.getString("memory_b"), "two versions of one memory");
    assertEquals(1, c.getInteger("version_a"));
    assertEquals(2, c.getInteger("version_b"));
    assertTrue(c.getString("content_a").contains("杭州") && c.getString("content_b").contains("上海"), c.encode());
    assertTrue(c.getBoolean("resolved"));
    assertEquals("kept_b", c.getString("resolution"));
    assertEquals("system", c.getString("resolved_by"));
    assertEquals(user, c.getString("user_id"), "the client's own user id");
    assertEquals(0, conflicts("user_id=" + user + "&status=open").size());

    for (Object m : recalled(user, "我住在哪里")) {
      JsonObject memory = (JsonObject) m;
      if ("profile".equals(memory.getString("memory_type"))) {
        assertFalse(memory.getString("content").contains("杭州"), "a superseded fact is never current: " + memory);
      }
    }
  }

  /** Two sessions, a like then a dislike of cats: the open contradiction between the two profile facts. */
  private static JsonObject likeThenDislike(String user) {
    long t0 = Instant.now().getEpochSecond() - 7200;
    awaitSession(user, "s-1", t0, "我喜欢猫");
    awaitSession(user, "s-2", t0 + 600, "我其实讨厌猫");
    JsonArray open = conflicts("user_id=" + user + "&character_id=c1&status=open");
    assertEquals(1, open.size(), open.encodePrettily());
    JsonObject c = open.getJsonObject(0);
    assertEquals("contradiction", c.getString("type"));
    assertFalse(c.getBoolean("resolved"));
    assertEquals(profile(user, "likes").getString("id"), c.getString("memory_a"));
    assertEquals(profile(user, "dislikes").getString("id"), c.getString("memory_b"));
    assertEquals(c.getString("memory_b"), c.getString("memory_id"));
    assertTrue(c.getDouble("severity") >= 0.8, c.encode());
    assertFalse(c.getJsonArray("evidence").isEmpty());
    assertNotNull(c.getString("suggested_resolution"));
    JsonObject one = Future.await(TestStack.get("/v1/conflicts/" + c.getString("conflict_id"))).bodyAsJsonObject();
    assertEquals(c, one);
    return c;
  }

  @Test
  @DisplayName("a like and a dislike of cats wait in the review queue; keeping a soft-deletes b, which can be restored")
  void keepA() {
    String user = "u-conf-keep-a-" + UUID.randomUUID();
    JsonObject c = likeThenDislike(user);
    HttpResponse<Buffer> r = resolve(c.getString("conflict_id"), new JsonObject().put("keep", "a")
        .put("reason", "用户确认喜欢猫"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("kept_a", r.bodyAsJsonObject().getString("resolution"));
    assertTrue(r.bodyAsJsonObject().getBoolean("resolved"));
    assertEquals("active", get(c.getString("memory_a")).getString("status"));
    JsonObject loser = get(c.getString("memory_b"));
    assertEquals("deleted", loser.getString("status"), "never lost: a version, soft-deleted");
    assertNull(indexed(user, c.getString("memory_b")), "out of the index: never recalled");
    assertEquals(409, resolve(c.getString("conflict_id"), new JsonObject().put("keep", "b")).statusCode(),
        "resolved once");
    HttpResponse<Buffer> restored = Future.await(TestStack.post(path(c.getString("memory_b")) + "/restore",
        new JsonObject().put("version", 1).put("reason", "其实两个都对")));
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    assertEquals("active", get(c.getString("memory_b")).getString("status"));
    assertEquals(1, conflicts("user_id=" + user + "&status=resolved&type=contradiction").size());
  }

  @Test
  @DisplayName("keeping b (the newer) soft-deletes a")
  void keepB() {
    String user = "u-conf-keep-b-" + UUID.randomUUID();
    JsonObject c = likeThenDislike(user);
    assertEquals(200, resolve(c.getString("conflict_id"), new JsonObject().put("strategy", "timestamp_first"))
        .statusCode());
    assertEquals("deleted", get(c.getString("memory_a")).getString("status"));
    assertEquals("active", get(c.getString("memory_b")).getString("status"));
    assertNull(indexed(user, c.getString("memory_a")));
  }

  @Test
  @DisplayName("keeping a side the user deleted since is 409 and changes nothing; restored, it can be kept")
  void keepDeletedSide() {
    String user = "u-conf-keep-gone-" + UUID.randomUUID();
    JsonObject c = likeThenDislike(user);
    String b = c.getString("memory_b");
    HttpResponse<Buffer> deleted = Future.await(TestStack.delete(path(b)));
    assertEquals(200, deleted.statusCode(), deleted.bodyAsString());
    HttpResponse<Buffer> r = resolve(c.getString("conflict_id"), new JsonObject().put("keep", "b"));
    assertEquals(409, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsString().contains(b), r.bodyAsString());
    assertEquals("active", get(c.getString("memory_a")).getString("status"), "a was not deleted for a gone b");
    assertEquals(1, conflicts("user_id=" + user + "&status=open").size());
    assertEquals(200, Future.await(TestStack.post(path(b) + "/restore", new JsonObject().put("version", 1)
        .put("reason", "删错了")))
        .statusCode());
    assertEquals(200, resolve(c.getString("conflict_id"), new JsonObject().put("keep", "b")).statusCode());
    assertEquals("deleted", get(c.getString("memory_a")).getString("status"));
  }

  @Test
  @DisplayName("a merge writes a new version of b holding both, and soft-deletes a")
  void merge() {
    String user = "u-conf-merge-" + UUID.randomUUID();
    JsonObject c = likeThenDislike(user);
    HttpResponse<Buffer> r = resolve(c.getString("conflict_id"), new JsonObject().put("strategy", "merge"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("merged", r.bodyAsJsonObject().getString("resolution"));
    JsonObject b = get(c.getString("memory_b"));
    assertEquals(2, b.getInteger("version"));
    assertTrue(b.getString("content").contains(c.getString("content_a")), b.encode());
    assertEquals("deleted", get(c.getString("memory_a")).getString("status"));
    assertEquals(b.getString("content"), indexed(user, b.getString("id")).content());
  }

  @Test
  @DisplayName("a given text becomes the new version of b, and a is soft-deleted")
  void content() {
    String user = "u-conf-content-" + UUID.randomUUID();
    JsonObject c = likeThenDislike(user);
    HttpResponse<Buffer> r = resolve(c.getString("conflict_id"), new JsonObject()
        .put("content", "用户小时候喜欢猫，现在对猫毛过敏所以讨厌猫").put("reason", "问清楚了"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject b = get(c.getString("memory_b"));
    assertEquals("用户小时候喜欢猫，现在对猫毛过敏所以讨厌猫", b.getString("content"));
    assertEquals("问清楚了", history(b.getString("id")).getJsonObject(1).getString("reason"));
    assertEquals("deleted", get(c.getString("memory_a")).getString("status"));
  }

  @Test
  @DisplayName("a fact restated in three sessions is one summary holding all three sessions' messages; the messages stay verbatim")
  void restatedThreeTimes() {
    String user = "u-conf-restate-" + UUID.randomUUID();
    long t0 = Instant.now().getEpochSecond() - 7200;
    for (int i = 1; i <= 3; i++) {
      awaitSession(user, "s-" + i, t0 + 600L * i, "我养了一只叫豆豆的狗");
    }
    JsonArray summaries = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&type=summary"))
        .bodyAsJsonObject().getJsonArray("memories");
    assertEquals(1, summaries.size(), summaries.encodePrettily());
    JsonObject summary = summaries.getJsonObject(0);
    assertEquals(List.of("s-1-m1", "s-2-m1", "s-3-m1"), summary.getJsonObject("provenance").getJsonArray("msg_ids")
        .getList(), "both sessions' msg ids kept, and the third's");
    assertEquals(2, summary.getJsonObject("metadata").getJsonArray("restated").size());
    assertEquals(3, summary.getInteger("version"), "each restatement a version of the one summary");
    // the index follows the commit (the task completes, then its records are synced)
    MemoryRecord record = Future.await(TestStack.until(() -> TestStack.vertx().executeBlocking(() -> TestStack.engram()
        .index().list(TestStack.internal(user), null, 0, 1000)).map(all -> all.stream()
        .filter(x -> x.id().equals(summary.getString("id"))).findFirst().orElse(null)),
        x -> x != null && x.sourceMsgIds().size() == 3, 10_000));
    assertEquals(List.of("s-1-m1", "s-2-m1", "s-3-m1"), record.sourceMsgIds());
    assertEquals(1L, Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM conversation_summaries"
        + " WHERE user_id = ?").execute(Tuple.of(TestStack.internal(user)))).iterator().next().getLong(0));
    assertEquals(1, profile(user, "pet").getInteger("version"), "the keyed fact was stated again: nothing new");
    assertEquals(3, Future.await(TestStack.get("/v1/memories?user_id=" + user + "&type=message"))
        .bodyAsJsonObject().getJsonArray("memories").size(), "messages are history: never merged");
    JsonArray duplicates = conflicts("user_id=" + user + "&type=duplicate");
    assertEquals(2, duplicates.size(), duplicates.encodePrettily());
    for (Object o : duplicates) {
      JsonObject d = (JsonObject) o;
      assertEquals("merged_on_write", d.getString("resolution"));
      assertEquals(summary.getString("id"), d.getString("memory_a"));
      assertEquals(0, d.getInteger("version_b"), "the restatement was never stored as a memory");
    }
  }

  @Test
  @DisplayName("an import restating a memory in the same words at another time is merged into it; the reply says so")
  void importedTwice() {
    String user = "u-conf-import-" + UUID.randomUUID();
    long t = Instant.now().getEpochSecond() - 3600;
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", "event")
        .put("content", "我每周六上午去游泳馆游泳").put("timestamp", t).put("source_msg_ids", new JsonArray().add("x-1"));
    HttpResponse<Buffer> first = Future.await(TestStack.post("/v1/memories", body));
    assertEquals(201, first.statusCode(), first.bodyAsString());
    HttpResponse<Buffer> again = Future.await(TestStack.post("/v1/memories", body.copy().put("timestamp", t + 60)
        .put("source_msg_ids", new JsonArray().add("x-2"))));
    assertEquals(201, again.statusCode(), again.bodyAsString());
    JsonObject merged = again.bodyAsJsonObject();
    assertTrue(merged.getBoolean("merged"), merged.encode());
    assertEquals(first.bodyAsJsonObject().getString("id"), merged.getString("id"));
    assertEquals(user, merged.getString("user_id"));
    assertEquals(List.of("x-1", "x-2"), merged.getJsonObject("provenance").getJsonArray("msg_ids").getList());
    assertEquals(1, Future.await(TestStack.get("/v1/memories?user_id=" + user)).bodyAsJsonObject()
        .getJsonArray("memories").size());
  }

  @Test
  @DisplayName("an import restating a memory with more detail is merged into it with the fuller text, the shorter one "
      + "kept as a version")
  void importedWithMore() {
    String user = "u-conf-import-more-" + UUID.randomUUID();
    long t = Instant.now().getEpochSecond() - 3600;
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", "event")
        .put("content", "我下周去北京出差").put("timestamp", t);
    HttpResponse<Buffer> first = Future.await(TestStack.post("/v1/memories", body));
    assertEquals(201, first.statusCode(), first.bodyAsString());
    HttpResponse<Buffer> again = Future.await(TestStack.post("/v1/memories", body.copy().put("timestamp", t + 60)
        .put("content", "我下周去北京出差见客户")));
    assertEquals(201, again.statusCode(), again.bodyAsString());
    JsonObject merged = again.bodyAsJsonObject();
    assertTrue(merged.getBoolean("merged", false), merged.encode());
    assertEquals("我下周去北京出差见客户", merged.getString("content"), merged.encode());
    JsonArray versions = history(merged.getString("id"));
    assertEquals("我下周去北京出差", versions.getJsonObject(0).getString("content"), versions.encodePrettily());
  }

  @Test
  @DisplayName("a correction that contradicts another memory is reported in its reply and waits for review")
  void patchDetects() {
    String user = "u-conf-patch-" + UUID.randomUUID();
    String a = MemoryLifecycleTest.imported(user, "我会开车");
    String b = MemoryLifecycleTest.imported(user, "我周末去公园散步");
    HttpResponse<Buffer> r = MemoryLifecycleTest.patch(b, 1, new JsonObject().put("content", "我不会开车")
        .put("reason", "改正"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray found = r.bodyAsJsonObject().getJsonArray("conflicts");
    assertEquals(1, found.size(), r.bodyAsString());
    assertEquals("contradiction", found.getJsonObject(0).getString("type"));
    assertEquals(a, found.getJsonObject(0).getString("memory_a"));
    assertEquals(1, conflicts("user_id=" + user + "&status=open&type=contradiction").size());
  }

  @Test
  @DisplayName("/metrics counts conflicts detected and resolved by type")
  void metrics() {
    double detected = metric("engram_conflicts_detected_total{type=\"contradiction\"");
    double resolved = metric("engram_conflicts_resolved_total{type=\"contradiction\"");
    JsonObject c = likeThenDislike("u-conf-metrics-" + UUID.randomUUID());
    assertEquals(detected + 1, metric("engram_conflicts_detected_total{type=\"contradiction\""));
    assertEquals(200, resolve(c.getString("conflict_id"), new JsonObject().put("keep", "b")).statusCode());
    assertEquals(resolved + 1, metric("engram_conflicts_resolved_total{type=\"contradiction\""));
    assertTrue(metric("engram_conflicts_resolved_total{type=\"outdated\"") >= 0);
  }

  /** The value of the first sample whose line starts with {@code prefix}, 0 when there is none yet. */
  private static double metric(String prefix) {
    String text = Future.await(TestStack.get("/metrics")).bodyAsString();
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  @DisplayName("bad input is 400 naming the field; another tenant's conflict is 404; a forget deletes the reports")
  void badInputAndForget() {
    String user = "u-conf-bad-" + UUID.randomUUID();
    JsonObject c = likeThenDislike(user);
    String id = c.getString("conflict_id");
    for (Object[] bad : new Object[][] {{new JsonObject(), "body"},
        {new JsonObject().put("keep", "c"), "keep"}, {new JsonObject().put("strategy", "newest"), "strategy"},
        {new JsonObject().put("keep", "a").put("content", "x"), "content"}, {new JsonObject().put("why", 1), "why"},
        {new JsonObject().put("content", ""), "content"}}) {
      HttpResponse<Buffer> r = resolve(id, (JsonObject) bad[0]);
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals(bad[1], r.bodyAsJsonObject().getJsonObject("error").getString("field"), r.bodyAsString());
    }
    for (String[] q : new String[][] {{"status=closed", "status"}, {"type=dupe", "type"}, {"cursor=x", "cursor"},
        {"limit=0", "limit"}, {"colour=red", "colour"}}) {
      HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/conflicts?" + q[0]));
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals(q[1], r.bodyAsJsonObject().getJsonObject("error").getString("field"));
    }
    assertEquals(404, Future.await(TestStack.get("/v1/conflicts/conf-nope")).statusCode());
    assertEquals(200, Future.await(TestStack.delete("/v1/users/" + user)).statusCode());
    assertEquals(0, conflicts("user_id=" + user).size(), "the reports quoted the forgotten memories");
  }
}
