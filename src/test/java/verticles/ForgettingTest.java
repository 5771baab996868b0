package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forgetting;

/**
 * Forgetting on the real stack (issue 14): recall counts accesses off its path; a sweep, judged days ahead (the
 * shared stack's periodic sweep is off and its minimum age two days), compresses by level and consolidates old
 * messages into digests, each a new version that can be restored; the cleanup soft-deletes what expired.
 */
@DisplayName("Memories are forgotten gracefully: accesses counted, old ones compressed and restorable, expired ones cleaned")
class ForgettingTest {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(120_000);
  private static final long DAY = 86_400L;

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  @Test
  @DisplayName("every memory a recall returns counts an access, recorded in a batch after the reply, per day too")
  void accessesCounted() {
    String user = "u-access-" + UUID.randomUUID();
    String id = imported(user, "event", null, "我养了一只叫豆豆的柯基，它三岁了", null);
    double before = metric("engram_memory_accesses_recorded_total");
    for (int i = 0; i < 3; i++) {
      JsonObject reply = recall(user, "我养的狗叫什么名字", 5, "event");
      assertTrue(ids(reply).contains(id), reply.encode());
    }
    Row row = awaitAccesses(id, 3);
    assertNotNull(row.getLocalDateTime("last_accessed_at"));
    Row day = Future.await(TestStack.sql().preparedQuery("SELECT day, hits FROM memory_access WHERE memory_id = ?")
        .execute(Tuple.of(id))).iterator().next();
    assertEquals(3, day.getInteger("hits"), "one row a day");
    assertEquals(java.time.LocalDate.now(java.time.ZoneOffset.UTC), day.getLocalDate("day"));
    assertTrue(metric("engram_memory_accesses_recorded_total") >= before + 3);

    // forgetting the user forgets how often recall returned their memories too
    assertEquals(200, Future.await(TestStack.delete("/v1/users/" + user)).statusCode());
    assertEquals(0L, Future.await(TestStack.sql().preparedQuery("SELECT COUNT(*) FROM memory_access WHERE"
        + " memory_id = ?").execute(Tuple.of(id))).iterator().next().getLong(0));
  }

  @Test
  @DisplayName("a sweep compresses each due memory at the level its recent accesses call for, leaves messages verbatim and fresh memories alone, and a compression can be restored")
  void sweepAndRestore() {
    String user = "u-sweep-" + UUID.randomUUID();
    String light = imported(user, "event", "context", "周五下午三点开会\n记得带伞\n周五下午三点开会\n记得带伞", null);
    String medium = imported(user, "event", "context", "We went hiking near Lake Tahoe last weekend. It was fun."
        + " The weather was okay. Melanie caught a 12-pound trout at Lake Tahoe on May 3, her biggest fish ever!"
        + " Then we drove home.", null);
    String aggressive = imported(user, "event", "context", "周末我们去了杭州西湖。天气还行。小美在西湖边钓到了一条三斤重的鲤鱼，"
        + "是她钓过最大的鱼！然后我们就回家了。", null);
    String fresh = imported(user, "event", "fact", "我在一家叫星河的公司做设计师。每天骑车上班。公司在西湖区。", null);
    List<String> messages = List.of(
        imported(user, "message", null, "我最近在学吉他。每天练一个小时。", message("s1", "用户", "m1")),
        imported(user, "message", null, "学了多久了？", message("s1", "小助手", "m2")));
    for (int i = 0; i < 6; i++) {
      assertEquals(List.of(light), ids(recall(user, "周五下午三点开会 记得带伞", 1, "event")));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of(medium), ids(recall(user, "Melanie caught a trout at Lake Tahoe", 1, "event")));
    }
    awaitAccesses(light, 6);
    awaitAccesses(medium, 3);

    // four days on: the context memories are due (idle four half-lives), the fact is not (four sevenths of one)
    JsonObject swept = sweep(user, Instant.now().getEpochSecond() + 4 * DAY);
    assertEquals(0, swept.getInteger("over_quota"), usage(user) + " bytes: " + swept.encode());
    assertEquals(3, swept.getInteger("compressed"), swept.encode());
    assertEquals(0, swept.getInteger("consolidated"), swept.encode());
    assertTrue(swept.getLong("bytes_saved") > 0, swept.encode());
    assertResultFields(swept);

    assertEquals("周五下午三点开会\n记得带伞", compressed(light, "light").getString("content"));
    assertFalse(compressed(medium, "medium").getString("content").contains("weather"));
    JsonObject one = compressed(aggressive, "aggressive");
    assertEquals("小美在西湖边钓到了一条三斤重的鲤鱼，是她钓过最大的鱼！", one.getString("content"));
    assertEquals(1, get(fresh).getInteger("version"), "not due: untouched");
    for (String m : messages) {
      JsonObject kept = get(m);
      assertEquals(1, kept.getInteger("version"), "a message is never cut: " + kept.encode());
      assertEquals("active", kept.getString("status"));
    }
    assertTrue(ids(recall(user, "小美钓到的鲤鱼有多重", 5, "event")).contains(aggressive), "the index follows");

    // restore: the original comes back, and the next sweep leaves it (it was judged at that level already)
    HttpResponse<Buffer> restored = Future.await(TestStack.post(MemoryLifecycleTest.path(aggressive) + "/restore",
        new JsonObject().put("version", 1).put("reason", "keep it whole")));
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    assertTrue(get(aggressive).getString("content").startsWith("周末我们去了杭州西湖。"));
    JsonObject again = sweep(user, Instant.now().getEpochSecond() + 4 * DAY);
    assertEquals(0, again.getInteger("compressed"), again.encode());
    assertTrue(get(aggressive).getString("content").startsWith("周末我们去了杭州西湖。"));
    assertTrue(metric("engram_memories_compressed_total", "level", "aggressive") >= 1);
    assertTrue(metric("engram_compression_bytes_saved_total") > 0);
  }

  @Test
  @DisplayName("a user past max_storage_ratio of the quota gets old messages consolidated into digests that cite them, least retained first, until back under it; a consolidated message can be restored")
  void consolidatesOverQuota() {
    String user = "u-quota-" + UUID.randomUUID();
    List<String> messages = new java.util.ArrayList<>();
    String[] turns = {"我最近在学吉他", "学了多久了？", "三个月了，能弹《晴天》了", "太厉害了！", "下个月想去看周杰伦的演唱会",
        "在哪个城市？", "上海，七月十二号", "记得早点抢票", "我妈妈下周过生日", "准备送什么礼物？", "想给她买一条围巾", "她会喜欢的"};
    for (int i = 0; i < turns.length; i++) {
      messages.add(imported(user, "message", null, turns[i], message("s1", i % 2 == 0 ? "用户" : "小助手", "m" + i)));
    }
    long before = usage(user);
    assertTrue(before > 2400, "the user is over 0.8 of the test quota: " + before);

    JsonObject swept = sweep(user, Instant.now().getEpochSecond() + 4 * DAY);
    assertEquals(1, swept.getInteger("over_quota"), swept.encode());
    assertTrue(swept.getInteger("digests") >= 1, swept.encode());
    assertEquals(swept.getInteger("consolidated"), swept.getJsonArray("results").stream()
        .mapToInt(r -> ((JsonObject) r).getJsonArray("consolidates").size()).sum());
    assertResultFields(swept);
    long after = usage(user);
    assertTrue(after < before && after <= 2400, "back under the quota's 0.8: " + before + " -> " + after);

    // each consolidated message is soft-deleted, citing its digest; each digest cites the messages, in their order
    JsonArray results = swept.getJsonArray("results");
    JsonObject first = results.getJsonObject(0);
    String digest = first.getString("memory_id");
    List<String> members = first.getJsonArray("consolidates").stream().map(String::valueOf).toList();
    for (String m : members) {
      assertEquals("deleted", get(m).getString("status"));
      assertEquals("consolidated into " + digest, lastVersion(m).getString("reason"));
    }
    JsonObject d = get(digest);
    assertEquals("active", d.getString("status"));
    assertEquals("message", d.getString("memory_type"));
    int at = messages.indexOf(members.get(0));
    assertEquals(new JsonArray().add("m" + at).add("m" + (at + 1)), d.getJsonObject("provenance").getJsonArray(
        "msg_ids"));
    assertEquals((at % 2 == 0 ? "用户: " : "小助手: ") + turns[at] + "\n" + (at % 2 == 0 ? "小助手: " : "用户: ")
        + turns[at + 1], d.getString("content"));
    assertTrue(ids(recall(user, turns[at], 20, "message")).contains(digest), "the index follows: the digest is found");
    long untouched = messages.stream().filter(m -> "active".equals(get(m).getString("status"))).count();
    assertEquals(turns.length - swept.getInteger("consolidated"), untouched, "the rest stay verbatim");

    HttpResponse<Buffer> restored = Future.await(TestStack.post(MemoryLifecycleTest.path(members.get(0))
        + "/restore", new JsonObject().put("version", 1).put("reason", "keep the words")));
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    assertEquals(turns[at], get(members.get(0)).getString("content"));
    assertEquals("active", get(members.get(0)).getString("status"));
    assertTrue(metric("engram_memories_consolidated_total") >= 2);
  }

  @Test
  @DisplayName("cleanup soft-deletes memories past valid_to and expired context memories (never messages), answers the counts, and a dry run only counts")
  void cleanupCounts() {
    String user = "u-cleanup-" + UUID.randomUUID();
    String closed = imported(user, "event", "fact", "我住在杭州", null);
    String context = imported(user, "event", "context", "今天有点累，想早点睡", null);
    String message = imported(user, "message", null, "今天下雨了", message("s1", "用户", "m1"));
    String fact = imported(user, "event", "fact", "我的生日是三月十五日", null);
    HttpResponse<Buffer> patched = Future.await(TestStack.http().patch(MemoryLifecycleTest.path(closed))
        .putHeader("If-Match", "*").sendJsonObject(new JsonObject()
            .put("valid_to", Instant.now().getEpochSecond() - 60).put("reason", "moved to Shanghai")));
    assertEquals(200, patched.statusCode(), patched.bodyAsString());

    // through the API, a dry run: counted (every tenant: the test key is an operator's), nothing deleted
    HttpResponse<Buffer> dry = Future.await(TestStack.post("/v1/maintenance/cleanup",
        new JsonObject().put("dry_run", true)));
    assertEquals(200, dry.statusCode(), dry.bodyAsString());
    assertTrue(dry.bodyAsJsonObject().getInteger("past_valid_to") >= 1, dry.bodyAsString());
    assertEquals(0, dry.bodyAsJsonObject().getInteger("deleted"));
    assertEquals("all tenants", dry.bodyAsJsonObject().getString("scope"));
    assertEquals("active", get(closed).getString("status"));

    // ten days on, for this user: the closed fact and the idle context memory go, the message and the fact stay
    Forgetting.Cleaned cleaned = Future.await(Bus.request(TestStack.vertx(), Addresses.MAINTENANCE_CLEANUP,
        new Forgetting.Cleanup(null, TestStack.internal(user), Instant.now().getEpochSecond() + 10 * DAY, false),
        LONG, Forgetting.Cleaned::fromJson));
    assertEquals(new Forgetting.Cleaned(1, 1, 2, false), cleaned);
    assertEquals("deleted", get(closed).getString("status"));
    assertEquals("expired: past its valid_to", lastVersion(closed).getString("reason"));
    assertEquals("deleted", get(context).getString("status"));
    assertEquals("active", get(message).getString("status"));
    assertEquals("active", get(fact).getString("status"));
    assertEquals(new Forgetting.Cleaned(0, 0, 0, false), Future.await(Bus.request(TestStack.vertx(),
        Addresses.MAINTENANCE_CLEANUP, new Forgetting.Cleanup(null, TestStack.internal(user),
            Instant.now().getEpochSecond() + 10 * DAY, false), LONG, Forgetting.Cleaned::fromJson)));
    assertTrue(metric("engram_memories_expired_total", "reason", "valid_to") >= 1);
    assertTrue(metric("engram_memories_expired_total", "reason", "context") >= 1);

    // an admin key cleans its own tenant only
    String key = "cleanup-admin-" + UUID.randomUUID();
    SecondGateway gateway = Future.await(SecondGateway.start(new JsonObject().put("keys", new JsonArray()
        .add(TestStack.key("cleanup-admin", "default", key, "admin")))));
    WebClient admin = gateway.client(key);
    try {
      HttpResponse<Buffer> r = Future.await(admin.post("/v1/maintenance/cleanup").sendJsonObject(new JsonObject()
          .put("dry_run", true)));
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals("tenant", r.bodyAsJsonObject().getString("scope"));
    } finally {
      admin.close();
      Future.await(gateway.close());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void assertResultFields(JsonObject swept) {
    for (Object o : swept.getJsonArray("results")) {
      JsonObject r = (JsonObject) o;
      for (String field : List.of("original_size", "compressed_size", "compression_ratio", "key_points_preserved",
          "quality_score")) {
        assertTrue(r.containsKey(field), field + " in " + r.encode());
      }
    }
  }

  /** The user's active storage as the quota counts it. */
  private static long usage(String user) {
    return Future.await(Bus.request(TestStack.vertx(), Addresses.RETENTION_USAGE, new Forgetting.UsageQuery(null,
        TestStack.internal(user), 0, 1), LONG, Forgetting.Usage::fromJson)).users().getJsonObject(0).getLong("bytes");
  }

  /** A message as the extractor indexes it: its speaker, and the turn before it as context. */
  private static JsonObject message(String session, String speaker, String msgId) {
    return new JsonObject().put("session_id", session).put("source_msg_ids", new JsonArray().add(msgId))
        .put("metadata", new JsonObject().put("speaker", speaker).put("context", "(the turn before " + msgId
            + ", as the extractor keeps it beside each message to index it with)"));
  }

  private static long clock = Instant.now().getEpochSecond() - 3600;

  /** Imports a memory (its timestamp a second after the last one's, so messages keep their order). */
  private static synchronized String imported(String user, String type, String category, String content,
      JsonObject extra) {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", type)
        .put("content", content).put("timestamp", ++clock);
    if (category != null) {
      body.put("category", category);
    }
    if (extra != null) {
      body.mergeIn(extra);
    }
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static JsonObject recall(String user, String message, int topK, String type) {
    JsonObject body = new JsonObject().put("user_id", user).put("character_id", "c1").put("message", message)
        .put("force", true).put("top_k", topK);
    if (type != null) {
      body.put("types", new JsonArray().add(type));
    }
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/recall", body));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static List<String> ids(JsonObject reply) {
    return reply.getJsonArray("memories").stream().map(m -> ((JsonObject) m).getString("id")).toList();
  }

  private static JsonObject get(String id) {
    HttpResponse<Buffer> r = Future.await(TestStack.get(MemoryLifecycleTest.path(id)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject lastVersion(String id) {
    JsonArray versions = Future.await(TestStack.get(MemoryLifecycleTest.path(id) + "/history")).bodyAsJsonObject()
        .getJsonArray("versions");
    return versions.getJsonObject(versions.size() - 1);
  }

  /** The memory at version 2, compressed at {@code level}. */
  private static JsonObject compressed(String id, String level) {
    JsonObject m = get(id);
    assertEquals(2, m.getInteger("version"), m.encode());
    JsonObject info = m.getJsonObject("metadata").getJsonObject("compression");
    assertEquals(level, info.getString("level"), m.encode());
    assertTrue(lastVersion(id).getString("reason").startsWith("compressed (" + level + ", extractive): "),
        lastVersion(id).encode());
    return m;
  }

  private static JsonObject sweep(String user, long now) {
    return Future.await(Bus.request(TestStack.vertx(), Addresses.MAINTENANCE_SWEEP, new Forgetting.Sweep(null,
        TestStack.internal(user), now), LONG, Forgetting.Swept::fromJson)).summary();
  }

  /** Waits for the access log's flush (every 200 ms here) to have counted {@code count} accesses of the memory. */
  private static Row awaitAccesses(String id, int count) {
    return Future.await(TestStack.until(() -> TestStack.sql().preparedQuery("SELECT SUM(hits) AS access_count,"
            + " MAX(last_at) AS last_accessed_at FROM memory_access WHERE memory_id = ?").execute(Tuple.of(id))
        .map(rs -> rs.iterator().next()),
        row -> row.getValue("access_count") != null && row.getNumeric("access_count").intValue() == count, 10_000));
  }

  /** The sum of a family's samples whose labels include {@code labels} ("" for none), at {@code /metrics}. */
  private static double metric(String name, String... labels) {
    MetricsTest.Scrape scrape = Future.await(MetricsTest.scrape());
    return scrape.named(name).stream().filter(x -> {
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (!labels[i + 1].equals(x.labels().get(labels[i]))) {
          return false;
        }
      }
      return true;
    }).mapToDouble(MetricsTest.Sample::value).sum();
  }
}
