package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.bus.Addresses;
import verticles.contracts.VectorStore;
import verticles.vectorsearch.MemoryRecord;

/**
 * The index follows MySQL: a memory's write commits MySQL with a mark in {@code memory_index_sync}, and the index is
 * brought to the committed state after. What a crash (or an index away) leaves between the two is finished by the
 * sweeper; these tests leave exactly that state behind by hand, on the real MariaDB and Lucene index.
 */
@DisplayName("The index is brought to what MySQL committed, whatever happened between the two")
class IndexSyncTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  private static Future<Long> markCount(String id) {
    return TestStack.sql().preparedQuery("SELECT COUNT(*) FROM memory_index_sync WHERE memory_id = ?")
        .execute(Tuple.of(id)).map(rs -> rs.iterator().next().getLong(0));
  }

  private static long marks(String id) {
    return Future.await(markCount(id));
  }

  /** A mark as a write leaves it when its process dies right after the commit. */
  private static void markStale(String id) {
    LocalDateTime queued = LocalDateTime.now(ZoneOffset.UTC).minusSeconds(30);
    Future.await(TestStack.sql().preparedQuery("INSERT INTO memory_index_sync (memory_id, queued_at) VALUES (?, ?)"
        + " ON DUPLICATE KEY UPDATE queued_at = VALUES(queued_at)").execute(Tuple.of(id, queued)));
  }

  /** Polls the index until the memory's record satisfies {@code done} (the sweeper runs every 300 ms here). */
  private static MemoryRecord awaitIndexed(String user, String id, java.util.function.Predicate<MemoryRecord> done) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      MemoryRecord r = MemoryLifecycleTest.indexed(user, id);
      if (done.test(r)) {
        return r;
      }
      assertTrue(System.currentTimeMillis() < deadline, "the index never got there: " + r);
      Future.await(TestStack.vertx().timer(100));
    }
  }

  private static long awaitNoMark(String id) {
    return Future.await(TestStack.until(() -> markCount(id), n -> n == 0, 10_000));
  }

  @Test
  @DisplayName("a correction's reply comes after its index write and leaves no mark behind")
  void noMarkAfterReply() {
    String user = "u-sync-reply-" + UUID.randomUUID();
    String id = MemoryLifecycleTest.imported(user, "我周三要去牙医那里补牙");
    assertEquals(0, marks(id), "the import's mark is cleared before its reply");
    JsonObject v2 = MemoryLifecycleTest.patch(id, 1, new JsonObject().put("content", "我周四要去牙医那里补牙")
        .put("reason", "改期")).bodyAsJsonObject();
    assertEquals(2, v2.getInteger("version"), v2.encode());
    assertNull(v2.getValue("indexed"), "indexed is only said when the index write did not happen");
    assertEquals(0, marks(id));
    assertEquals("我周四要去牙医那里补牙", MemoryLifecycleTest.indexed(user, id).content());
  }

  @Test
  @DisplayName("a version MySQL committed whose index write never ran reaches the index through the sweeper")
  void committedVersionReachesIndex() {
    String user = "u-sync-commit-" + UUID.randomUUID();
    String id = MemoryLifecycleTest.imported(user, "我养了一只叫团子的橘猫");
    // the write committed version 2 and died before its index write: MySQL has it, the index the old one, a mark
    Future.await(TestStack.sql().preparedQuery("UPDATE memories SET content = ?, version = 2 WHERE memory_id = ?")
        .execute(Tuple.of("我养了一只叫团子的三花猫", id)));
    markStale(id);
    assertEquals("我养了一只叫团子的橘猫", MemoryLifecycleTest.indexed(user, id).content(), "the index is behind");

    MemoryRecord now = awaitIndexed(user, id, r -> r != null && r.content().equals("我养了一只叫团子的三花猫"));
    assertEquals("我养了一只叫团子的三花猫", now.content());
    assertEquals(0L, awaitNoMark(id));
    assertNotNull(EndToEndMemoryTest.find(MemoryLifecycleTest.recalled(user, "我的猫是什么花色"), "三花猫"));
  }

  @Test
  @DisplayName("a memory MySQL deleted or erased whose index record stayed is removed by the sweeper")
  void deletedAndErasedLeaveIndex() {
    String user = "u-sync-gone-" + UUID.randomUUID();
    String soft = MemoryLifecycleTest.imported(user, "我下个月要参加表姐的婚礼");
    String hard = MemoryLifecycleTest.imported(user, "我的护照号码写在抽屉里的本子上");
    Future.await(TestStack.sql().preparedQuery("UPDATE memories SET status = 'deleted', version = 2"
        + " WHERE memory_id = ?").execute(Tuple.of(soft)));
    Future.await(TestStack.sql().preparedQuery("DELETE FROM memories WHERE memory_id = ?").execute(Tuple.of(hard)));
    markStale(soft);
    markStale(hard);

    assertNull(awaitIndexed(user, soft, Objects::isNull));
    assertNull(awaitIndexed(user, hard, Objects::isNull));
    JsonArray recalled = MemoryLifecycleTest.recalled(user, "我的护照在哪里，我要去谁的婚礼");
    assertNull(EndToEndMemoryTest.find(recalled, "护照"), recalled.encode());
    assertNull(EndToEndMemoryTest.find(recalled, "婚礼"), recalled.encode());
  }

  @Test
  @DisplayName("a keyed memory's index record left stale by a task's late index write is brought back to MySQL's state by the task's own write")
  void taskWriteRepairsKeyedRecord() {
    String user = "u-sync-task-" + UUID.randomUUID();
    long t0 = Instant.now().getEpochSecond() - 7200;
    MemoryLifecycleTest.awaitSession(user, "s-1", t0, "我住在苏州");
    JsonObject city = Future.await(TestStack.get("/v1/memories?user_id=" + user + "&metadata.profile_key=location"))
        .bodyAsJsonObject().getJsonArray("memories").getJsonObject(0);
    String id = city.getString("id");
    // a correction by the user, then an extractor's index write that raced it and landed after
    JsonObject corrected = MemoryLifecycleTest.patch(id, city.getInteger("version"), new JsonObject()
        .put("content", "location: 苏州工业园区").put("reason", "更准确")).bodyAsJsonObject();
    assertEquals("location: 苏州工业园区", MemoryLifecycleTest.indexed(user, id).content());
    MemoryRecord stale = MemoryLifecycleTest.indexed(user, id);
    MemoryRecord late = new MemoryRecord(stale.id(), stale.taskId(), stale.userId(), stale.characterId(),
        stale.memoryType(), "location: 苏州", stale.timestamp(), stale.importance(), stale.sessionId(),
        stale.sourceMsgIds(), stale.metadata(), null);
    Future.await(TestStack.vertx().eventBus().request(Addresses.VECTOR_UPSERT,
        new VectorStore.Upsert(null, null, List.of(late)).toJson()));
    assertEquals("location: 苏州", MemoryLifecycleTest.indexed(user, id).content(), "the index went stale");

    // the next task to state the same fact changes nothing in MySQL, and brings the index to it (just after its
    // commit, which is when the task reads completed)
    MemoryLifecycleTest.awaitSession(user, "s-2", t0 + 600, "我住在苏州");
    assertEquals(corrected.getInteger("version"), MemoryLifecycleTest.get(id).getInteger("version"));
    assertEquals("location: 苏州工业园区", awaitIndexed(user, id, r -> r != null
        && r.content().equals("location: 苏州工业园区")).content());
    assertEquals(0L, awaitNoMark(id));
    assertTrue(MemoryLifecycleTest.history(id).size() >= 2);
  }
}
