package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verticles.MemoryLifecycleTest.get;
import static verticles.MemoryLifecycleTest.history;
import static verticles.MemoryLifecycleTest.imported;
import static verticles.MemoryLifecycleTest.indexed;
import static verticles.MemoryLifecycleTest.patch;
import static verticles.MemoryLifecycleTest.path;
import static verticles.MemoryLifecycleTest.recalled;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Memory transactions on the real embedded stack: staged operations in MySQL, per-memory locks in MySQL, the commit
 * as one MySQL transaction and then the index, rollback, expiry, read committed, lock waits, and the one-shot batch.
 */
@DisplayName("Memory transactions and locks")
class TransactionApiTest {
  private static long lockTimeoutMs;

  @BeforeAll
  static void stack() {
    TestStack.engram();
    lockTimeoutMs = TestStack.engram().config().getJsonObject("transaction").getLong("lock_timeout_ms");
  }

  static String begin(Integer timeoutSeconds) {
    JsonObject body = timeoutSeconds == null ? new JsonObject() : new JsonObject().put("timeout_seconds",
        timeoutSeconds);
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/transactions", body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject tx = r.bodyAsJsonObject();
    assertEquals("open", tx.getString("status"), tx.encode());
    assertNotNull(tx.getLong("expires_at"), tx.encode());
    return tx.getString("tx_id");
  }

  static HttpResponse<Buffer> stage(String tx, JsonObject op) {
    return Future.await(TestStack.post("/v1/transactions/" + tx + "/operations", op));
  }

  static JsonObject staged(String tx, JsonObject op) {
    HttpResponse<Buffer> r = stage(tx, op);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> end(String tx, String how) {
    return Future.await(TestStack.post("/v1/transactions/" + tx + "/" + how, new JsonObject()));
  }

  static JsonObject tx(String tx) {
    HttpResponse<Buffer> r = Future.await(TestStack.get("/v1/transactions/" + tx));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject update(String id, String content) {
    return new JsonObject().put("op", "update").put("id", id).put("content", content).put("reason", "tx test");
  }

  static JsonObject newMemory(String user, String content) {
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", "event")
        .put("content", content).put("timestamp", Instant.now().getEpochSecond() - 60);
  }

  static HttpResponse<Buffer> batch(JsonArray operations) {
    return Future.await(TestStack.post("/v1/memories/batch", new JsonObject().put("operations", operations)));
  }

  static long count(String sql, Object... args) {
    return Future.await(TestStack.sql().preparedQuery(sql).execute(Tuple.from(args))).iterator().next().getLong(0);
  }

  static long locks(String tx) {
    return count("SELECT COUNT(*) FROM memory_locks WHERE tx_id = ?", tx);
  }

  static long memoriesOf(String user) {
    return count("SELECT COUNT(*) FROM memories WHERE user_id = ?", TestStack.internal(user));
  }

  static JsonObject error(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  @DisplayName("a commit applies every staged operation in order, each a version, the index brought along before the reply")
  void commitAppliesAll() {
    String user = "u-tx-commit-" + UUID.randomUUID();
    String a = imported(user, "我每天早上跑步五公里");
    String b = imported(user, "我在学弹吉他");
    String tx = begin(null);
    JsonObject first = staged(tx, new JsonObject().put("op", "create").put("memory", newMemory(user, "我养了一条金毛叫旺财")));
    assertEquals(1, first.getInteger("seq"));
    assertEquals("create", first.getString("op"));
    String created = first.getString("memory_id");
    assertEquals(2, staged(tx, update(a, "我每天早上跑步十公里").put("if_match", 1)).getInteger("seq"));
    assertEquals(3, staged(tx, new JsonObject().put("op", "delete").put("id", b).put("reason", "不学了"))
        .getInteger("seq"));
    JsonObject open = tx(tx);
    assertEquals("open", open.getString("status"));
    assertEquals(3, open.getJsonArray("operations").size(), open.encodePrettily());
    assertEquals("我每天早上跑步十公里", open.getJsonArray("operations").getJsonObject(1).getString("content"));
    assertEquals(user, open.getJsonArray("operations").getJsonObject(0).getJsonObject("memory")
        .getString("user_id"), "the client's own user id");
    assertEquals(3, locks(tx), "one lock per memory touched");

    HttpResponse<Buffer> r = end(tx, "commit");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject done = r.bodyAsJsonObject();
    assertEquals("committed", done.getString("status"));
    JsonArray results = done.getJsonArray("results");
    assertEquals(3, results.size(), done.encodePrettily());
    assertEquals(1, results.getJsonObject(0).getInteger("version"));
    assertEquals(2, results.getJsonObject(1).getInteger("version"));
    assertEquals("deleted", results.getJsonObject(2).getString("status"));

    assertEquals("我养了一条金毛叫旺财", get(created).getString("content"));
    assertEquals("我每天早上跑步十公里", indexed(user, a).content(), "the index has the commit at the reply");
    assertEquals("我养了一条金毛叫旺财", indexed(user, created).content());
    assertNull(indexed(user, b), "a deleted memory leaves the index");
    JsonArray versions = history(a);
    assertEquals(2, versions.size());
    assertEquals("tx test", versions.getJsonObject(1).getString("reason"));
    assertEquals("test", versions.getJsonObject(1).getString("actor"), "the staging key's name");
    assertEquals("deleted", get(b).getString("status"));
    assertEquals(0, locks(tx), "the locks end with the transaction");
    JsonObject after = tx(tx);
    assertEquals("committed", after.getString("status"));
    assertNotNull(after.getLong("ended_at"));

    // an ended transaction takes nothing more: 409 naming its status
    HttpResponse<Buffer> late = stage(tx, update(a, "晚了"));
    assertEquals(409, late.statusCode(), late.bodyAsString());
    assertEquals("committed", error(late).getString("status"));
    assertTrue(error(late).getString("message").contains("committed"), late.bodyAsString());
    assertEquals(409, end(tx, "commit").statusCode());
  }

  @Test
  @DisplayName("a rollback applies nothing, keeps the operations for a read, and releases the locks at once")
  void rollbackAppliesNothing() {
    String user = "u-tx-rollback-" + UUID.randomUUID();
    String a = imported(user, "我最喜欢的颜色是蓝色");
    String tx = begin(null);
    staged(tx, update(a, "我最喜欢的颜色是绿色"));
    String created = staged(tx, new JsonObject().put("op", "create").put("memory", newMemory(user, "我有一只仓鼠")))
        .getString("memory_id");
    HttpResponse<Buffer> r = end(tx, "rollback");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(new JsonObject().put("tx_id", tx).put("status", "rolled_back"), r.bodyAsJsonObject());

    assertEquals("我最喜欢的颜色是蓝色", get(a).getString("content"));
    assertEquals(1, get(a).getInteger("version"));
    assertEquals(404, Future.await(TestStack.get(path(created))).statusCode(), "the staged create never happened");
    JsonObject rolled = tx(tx);
    assertEquals("rolled_back", rolled.getString("status"));
    assertEquals(2, rolled.getJsonArray("operations").size());
    assertEquals(0, locks(tx));
    assertEquals(200, patch(a, 1, new JsonObject().put("content", "我最喜欢的颜色是紫色").put("reason", "改了"))
        .statusCode(), "no lock is left behind");
    HttpResponse<Buffer> commit = end(tx, "commit");
    assertEquals(409, commit.statusCode(), commit.bodyAsString());
    assertEquals("rolled_back", error(commit).getString("status"));
    assertEquals(200, end(tx, "rollback").statusCode(), "rolling back again says the same");
  }

  @Test
  @DisplayName("a transaction not committed in time rolls back by itself: expired, nothing applied, its locks released")
  void expiry() {
    String user = "u-tx-expiry-" + UUID.randomUUID();
    String a = imported(user, "我周末常去爬山");
    String tx = begin(2);
    staged(tx, update(a, "我周末常去游泳"));
    // nobody touches it: the sweeper ends it
    Future.await(TestStack.until(() -> TestStack.sql().preparedQuery("SELECT status FROM memory_transactions"
        + " WHERE tx_id = ?").execute(Tuple.of(tx)).map(rs -> rs.iterator().next().getString(0)),
        "expired"::equals, 30_000));
    assertEquals(0, locks(tx));
    assertEquals(200, patch(a, 1, new JsonObject().put("importance", 8).put("reason", "after expiry")).statusCode());
    assertEquals("我周末常去爬山", get(a).getString("content"));
    HttpResponse<Buffer> commit = end(tx, "commit");
    assertEquals(409, commit.statusCode(), commit.bodyAsString());
    assertEquals("expired", error(commit).getString("status"));
    assertEquals("expired", tx(tx).getString("status"));
  }

  @Test
  @DisplayName("read committed: while an update is staged a read shows the old content and recall never finds the new")
  void readCommitted() {
    String user = "u-tx-rc-" + UUID.randomUUID();
    String a = imported(user, "我住在杭州西湖边");
    String tx = begin(null);
    staged(tx, update(a, "我搬到了成都锦里旁边"));
    assertEquals("我住在杭州西湖边", get(a).getString("content"));
    assertEquals(1, get(a).getInteger("version"));
    assertTrue(recalled(user, "我搬到了成都锦里旁边").stream()
        .noneMatch(m -> ((JsonObject) m).getString("content").contains("锦里")), "staged content is never recalled");
    assertEquals("我住在杭州西湖边", indexed(user, a).content());
    assertEquals(200, end(tx, "commit").statusCode());
    assertEquals("我搬到了成都锦里旁边", get(a).getString("content"));
    assertTrue(recalled(user, "我搬到了成都锦里旁边").stream()
        .anyMatch(m -> ((JsonObject) m).getString("content").contains("锦里")), "committed content is recalled");
  }

  @Test
  @DisplayName("two transactions on one memory: the second waits the lock timeout, then 409 locked naming both; after the first commits it may stage")
  void twoTransactions() {
    String user = "u-tx-two-" + UUID.randomUUID();
    String a = imported(user, "我的幸运数字是7");
    String first = begin(null);
    String second = begin(null);
    staged(first, update(a, "我的幸运数字是8"));
    long start = System.nanoTime();
    HttpResponse<Buffer> refused = stage(second, update(a, "我的幸运数字是9"));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertEquals("locked", error(refused).getString("code"));
    assertEquals(a, error(refused).getString("memory_id"));
    assertEquals(first, error(refused).getString("tx_id"));
    assertTrue(waitedMs >= lockTimeoutMs, "waited " + waitedMs + " ms before giving up");
    assertEquals(0, tx(second).getJsonArray("operations").size(), "nothing was staged");

    assertEquals(200, end(first, "commit").statusCode());
    staged(second, update(a, "我的幸运数字是9").put("if_match", 2));
    assertEquals(200, end(second, "commit").statusCode());
    assertEquals(3, get(a).getInteger("version"));
    assertEquals("我的幸运数字是9", get(a).getString("content"));
  }

  @Test
  @DisplayName("a correction of a locked memory waits the lock timeout, then 409 locked; after the rollback it succeeds")
  void writersWaitForTheLock() {
    String user = "u-tx-patch-" + UUID.randomUUID();
    String content = "我对花生过敏";
    String a = imported(user, content);
    String tx = begin(null);
    staged(tx, new JsonObject().put("op", "delete").put("id", a));
    long start = System.nanoTime();
    HttpResponse<Buffer> refused = patch(a, 1, new JsonObject().put("content", "我对芒果过敏").put("reason", "记错"));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertEquals("locked", error(refused).getString("code"));
    assertEquals(tx, error(refused).getString("tx_id"));
    assertTrue(waitedMs >= lockTimeoutMs, "waited " + waitedMs + " ms");
    // a memory a transaction will create is locked too: importing the same memory meanwhile waits, then 409
    JsonObject body = newMemory(user, "我在学日语");
    staged(tx, new JsonObject().put("op", "create").put("memory", body));
    HttpResponse<Buffer> importing = Future.await(TestStack.post("/v1/memories", body));
    assertEquals(409, importing.statusCode(), importing.bodyAsString());
    assertEquals("locked", error(importing).getString("code"));

    assertEquals(200, end(tx, "rollback").statusCode());
    HttpResponse<Buffer> ok = patch(a, 1, new JsonObject().put("content", "我对芒果过敏").put("reason", "记错"));
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    assertEquals("active", get(a).getString("status"));
    assertEquals(201, Future.await(TestStack.post("/v1/memories", body)).statusCode(), "nor the create's lock");
  }

  @Test
  @DisplayName("one operation failing at the commit applies none: the transaction failed, its reply names operations[i], its locks are released")
  void failingCommitAppliesNothing() {
    String user = "u-tx-fail-" + UUID.randomUUID();
    String a = imported(user, "我会说三种语言");
    String tx = begin(null);
    staged(tx, update(a, "我会说四种语言"));
    staged(tx, update(a, "我会说五种语言").put("if_match", 1)); // version 2 by then
    HttpResponse<Buffer> r = end(tx, "commit");
    assertEquals(412, r.statusCode(), r.bodyAsString());
    assertEquals("operations[1]", error(r).getString("field"));
    assertEquals("failed", error(r).getString("status"));
    assertEquals(tx, error(r).getString("tx_id"));
    assertEquals(a, error(r).getString("memory_id"));
    assertEquals(1, get(a).getInteger("version"), "the first operation was not applied either");
    assertEquals("我会说三种语言", get(a).getString("content"));
    assertEquals(1, history(a).size());
    JsonObject failed = tx(tx);
    assertEquals("failed", failed.getString("status"));
    assertTrue(failed.getString("error").contains("operations[1]"), failed.encode());
    assertEquals(0, locks(tx));

    // a stale if_match on a memory's first operation is refused when it is staged
    String other = begin(null);
    HttpResponse<Buffer> stale = stage(other, update(a, "x").put("if_match", 5));
    assertEquals(412, stale.statusCode(), stale.bodyAsString());
    assertEquals("if_match", error(stale).getString("field"));
    HttpResponse<Buffer> missing = stage(other, update("mem-none-" + UUID.randomUUID(), "x"));
    assertEquals(404, missing.statusCode(), missing.bodyAsString());
    assertEquals(200, end(other, "rollback").statusCode());
    assertEquals(404, Future.await(TestStack.get("/v1/transactions/tx-" + UUID.randomUUID())).statusCode());
  }

  @Test
  @DisplayName("a batch is atomic: one bad operation applies none and names operations[i]; a good one applies all")
  void batchIsAtomic() {
    String user = "u-tx-batch-" + UUID.randomUUID();
    String a = imported(user, "我喜欢看科幻电影");
    HttpResponse<Buffer> bad = batch(new JsonArray()
        .add(new JsonObject().put("op", "create").put("memory", newMemory(user, "我喜欢看纪录片")))
        .add(update(a, "我喜欢看悬疑电影"))
        .add(update("mem-missing-" + UUID.randomUUID(), "不存在")));
    assertEquals(404, bad.statusCode(), bad.bodyAsString());
    assertEquals("operations[2]", error(bad).getString("field"));
    assertEquals(1, memoriesOf(user), "the create was not applied");
    assertEquals(1, get(a).getInteger("version"), "the update was not applied");

    HttpResponse<Buffer> good = batch(new JsonArray()
        .add(new JsonObject().put("op", "create").put("memory", newMemory(user, "我喜欢看纪录片")))
        .add(update(a, "我喜欢看悬疑电影").put("if_match", 1))
        .add(new JsonObject().put("op", "update").put("id", a).put("importance", 9).put("if_match", 2)));
    assertEquals(200, good.statusCode(), good.bodyAsString());
    JsonArray results = good.bodyAsJsonObject().getJsonArray("results");
    assertEquals(3, results.size());
    assertEquals(3, results.getJsonObject(2).getInteger("version"), "operations apply in order");
    assertEquals(2, memoriesOf(user));
    assertEquals(9, indexed(user, a).importance());
    assertEquals("我喜欢看悬疑电影", indexed(user, a).content());
  }

  @Test
  @DisplayName("bad operations are 400 naming the field (unknown op, missing id, too many, wrong types); long, emoji and Chinese content is fine")
  void validation() {
    String user = "u-tx-bad-" + UUID.randomUUID();
    String a = imported(user, "我的口头禅是没问题");
    JsonObject create = new JsonObject().put("op", "create").put("memory", newMemory(user, "新的"));
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) {
      tooMany.add(update(a, "x" + i));
    }
    for (Object[] bad : new Object[][] {
        {new JsonArray().add(create).add(new JsonObject().put("op", "merge").put("id", a)), "operations[1].op"},
        {new JsonArray().add(new JsonObject().put("id", a).put("content", "x")), "operations[0].op"},
        {new JsonArray().add(new JsonObject().put("op", "update").put("content", "x")), "operations[0].id"},
        {new JsonArray().add(new JsonObject().put("op", "delete")), "operations[0].id"},
        {tooMany, "operations"},
        {new JsonArray(), "operations"},
        {new JsonArray().add("update"), "operations[0]"},
        {new JsonArray().add(update(a, "x").put("importance", "high")), "operations[0].importance"},
        {new JsonArray().add(update(a, "x").put("if_match", "2")), "operations[0].if_match"},
        {new JsonArray().add(update(a, "x").put("colour", "red")), "operations[0].colour"},
        {new JsonArray().add(new JsonObject().put("op", "update").put("id", a).put("reason", "x")), "operations[0]"},
        {new JsonArray().add(new JsonObject().put("op", "delete").put("id", a).put("hard", "yes")),
            "operations[0].hard"},
        {new JsonArray().add(update(a, " ")), "operations[0].content"},
        {new JsonArray().add(create.copy().put("memory", newMemory(user, " "))), "operations[0].memory.content"},
        {new JsonArray().add(create.copy().put("memory", newMemory(user, "x").put("importance", 11))),
            "operations[0].memory.importance"},
        {new JsonArray().add(create.copy().put("memory", newMemory(user, "x").putNull("user_id"))),
            "operations[0].memory.user_id"},
        {new JsonArray().add(create.copy().put("memory", newMemory(user, "长".repeat(20_001)))),
            "operations[0].memory.content"}}) {
      HttpResponse<Buffer> r = batch((JsonArray) bad[0]);
      assertEquals(400, r.statusCode(), bad[1] + ": " + r.bodyAsString());
      assertEquals(bad[1], error(r).getString("field"), r.bodyAsString());
    }
    HttpResponse<Buffer> notArray = Future.await(TestStack.post("/v1/memories/batch", new JsonObject()
        .put("operations", "all")));
    assertEquals("operations", error(notArray).getString("field"), notArray.bodyAsString());
    assertEquals(1, memoriesOf(user), "nothing refused was written");
    assertEquals(1, get(a).getInteger("version"));

    String tx = begin(null);
    HttpResponse<Buffer> unknownOp = stage(tx, new JsonObject().put("op", "upsert").put("id", a));
    assertEquals(400, unknownOp.statusCode());
    assertEquals("op", error(unknownOp).getString("field"));
    HttpResponse<Buffer> nested = stage(tx, create.copy().put("memory", newMemory(user, "x").put("timestamp", "now")));
    assertEquals("memory.timestamp", error(nested).getString("field"), nested.bodyAsString());
    assertEquals(0, tx(tx).getJsonArray("operations").size());
    for (Object timeout : new Object[] {0, 301, "30", 1.5}) {
      HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/transactions", new JsonObject()
          .put("timeout_seconds", timeout)));
      assertEquals(400, r.statusCode(), timeout + ": " + r.bodyAsString());
      assertEquals("timeout_seconds", error(r).getString("field"));
    }

    // long content of Chinese and emoji, within the limit, is stored whole
    String text = "今天和小林去吃了火锅🍲🔥，太开心了😊！" + "长".repeat(15_000);
    staged(tx, create.copy().put("memory", newMemory(user, text)));
    HttpResponse<Buffer> r = end(tx, "commit");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject result = r.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
    assertFalse(result.containsKey("indexed"), "indexed before the reply: " + result.getValue("indexed"));
    assertEquals(text, get(result.getString("id")).getString("content"));
    assertEquals(text, indexed(user, result.getString("id")).content());
  }
}
