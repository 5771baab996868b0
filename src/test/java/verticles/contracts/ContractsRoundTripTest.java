package verticles.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Event-bus contracts")
class ContractsRoundTripTest {
  private static final JsonArray MESSAGES = new JsonArray().add(new JsonObject().put("msg_id", "m1")
      .put("role", "user").put("content", "我妹妹叫林小晴 🐶").put("timestamp", 1_700_000_000L));
  private static final JsonObject WORK = new JsonObject().put("task_id", "t1").put("user_id", "acme:u1")
      .put("character_id", "c1").put("session_id", "s1").put("trigger", "session_end").put("messages", MESSAGES)
      .put("created_at", 1_700_000_000L);
  private static final JsonObject ROW = new JsonObject().put("task_id", "t1").put("user_id", "acme:u1")
      .put("character_id", "c1").put("session_id", "s1").put("status", "failed").put("retry_count", 3)
      .put("max_retries", 3).put("trigger", "idle").put("created_at", 1L).put("started_at", 2L)
      .put("completed_at", 3L).put("error_message", "rules: boom");

  /** The JSON a contract reads is the JSON it writes: nothing lost, renamed or added. */
  private static <T> void same(JsonObject json, Function<JsonObject, T> from, Function<T, JsonObject> to) {
    T parsed = from.apply(json);
    assertEquals(json, to.apply(parsed), "written back");
    assertEquals(parsed, from.apply(to.apply(parsed)), "read again");
  }

  @Test
  @DisplayName("conflicts: detection, neighbours, lists, reports and resolutions keep every field; a blank id is an id")
  void conflicts() {
    JsonObject memory = new JsonObject().put("id", "acme:m1").put("memory_type", "event").put("content", "我喜欢猫 🐱")
        .put("timestamp", 5L).put("metadata", new JsonObject()).put("at", 6L);
    same(new JsonObject().put("user_id", " ").put("character_id", "c1").put("memories", new JsonArray().add(memory))
        .put("exclude", new JsonArray().add("t1:summary")), Conflicts.Detect::fromJson, Conflicts.Detect::toJson);
    same(new JsonObject().put("findings", new JsonArray().add(new JsonObject().put("type", "duplicate"))),
        Conflicts.Detected::fromJson, Conflicts.Detected::toJson);
    same(new JsonObject().put("tenant", "acme").put("user_id", "acme:u1").put("character_id", null)
        .put("status", "open").put("type", "contradiction").put("cursor", "12").put("limit", 20),
        Conflicts.Query::fromJson, Conflicts.Query::toJson);
    same(new JsonObject().put("conflicts", new JsonArray()).put("next_cursor", "7"), Conflicts.Page::fromJson,
        Conflicts.Page::toJson);
    same(new JsonObject().put("conflict_id", "conf-1").put("tenant", null), Conflicts.Get::fromJson,
        Conflicts.Get::toJson);
    same(new JsonObject().put("conflict_id", "conf-1").put("type", "outdated"), Conflicts.Report::fromJson,
        Conflicts.Report::toJson);
    same(new JsonObject().put("conflict_id", "conf-1").put("tenant", "acme").put("strategy", null).put("keep", "a")
        .put("content", null).put("reason", "问过了").put("actor", "app"), Conflicts.Resolve::fromJson,
        Conflicts.Resolve::toJson);
    same(new JsonObject().put("user_id", "acme:u1").put("character_id", "c1").put("texts", new JsonArray().add("猫"))
        .put("types", new JsonArray().add("event")).put("top_k", 7), VectorStore.Neighbours::fromJson,
        VectorStore.Neighbours::toJson);
    same(new JsonObject().put("hits", new JsonArray().add(new JsonArray().add(new JsonObject().put("id", "m1")))),
        VectorStore.Neighbourhoods::fromJson, VectorStore.Neighbourhoods::toJson);
    assertThrows(IllegalArgumentException.class, () -> Conflicts.Detect.fromJson(new JsonObject()
        .put("user_id", "u")));
    assertThrows(IllegalArgumentException.class, () -> Conflicts.Query.fromJson(new JsonObject().put("limit", 0)));
  }

  @Test
  @DisplayName("recall and intent bodies keep every field")
  void recall() {
    same(new JsonObject().put("user_id", "acme:u1").put("character_id", "c1").put("message", "还记得我妹妹吗？")
        .put("recent_context", "昨天聊了猫").put("force", true).put("types", new JsonArray().add("event"))
        .put("top_k", 3).put("max_tokens", 200), Recall.Request::fromJson, Recall.Request::toJson);
    same(new JsonObject().put("user_id", "acme:u1").put("character_id", "c1").put("message", "穿什么好呢？")
        .put("recent_context", new JsonArray().add(new JsonObject().put("role", "user").put("content", "元旦晚会🎤")
            .put("name", "小林")).add(new JsonObject().put("role", "assistant").put("content", "表演什么？")))
        .put("force", false).put("types", new JsonArray()), Recall.Request::fromJson, Recall.Request::toJson);
    same(new JsonObject().put("user_id", "acme:u1").put("character_id", "c1").put("query", "穿什么好呢？")
        .put("types", new JsonArray()).put("top_k", 12).put("context", new JsonArray()
            .add(new JsonObject().put("text", "元旦晚会").put("weight", 0.5))), VectorStore.Search::fromJson,
        VectorStore.Search::toJson);
    assertThrows(IllegalArgumentException.class, () -> VectorStore.Search.fromJson(new JsonObject()
        .put("context", new JsonArray().add(new JsonObject().put("text", "x").put("weight", 2)))));
    JsonObject intent = new JsonObject().put("need_recall", true).put("recall_type", "profile")
        .put("search_query", "妹妹").put("confidence", 0.9);
    same(intent, Intent.Reply::fromJson, Intent.Reply::toJson);
    same(new JsonObject().put("message", "hi").put("recent_context", null).put("force", false),
        Intent.Request::fromJson, Intent.Request::toJson);
    same(new JsonObject().put("intent", intent).put("memories", new JsonArray().add(new JsonObject().put("id", "x")))
        .put("profiles", new JsonArray()).put("context", "【记忆】").put("degraded", new JsonArray().add("vector"))
        .put("took_ms", 4L).put("timings", new JsonObject().put("intent_ms", 0.2)), Recall.Reply::fromJson,
        Recall.Reply::toJson);
  }

  @Test
  @DisplayName("session memory bodies, and recall's session fields, keep every field")
  void sessionMemory() {
    JsonObject key = new JsonObject().put("user_id", "acme:u1").put("character_id", "c1").put("session_id", "s1");
    same(key, SessionMemory.Get::fromJson, SessionMemory.Get::toJson);
    JsonArray turns = new JsonArray().add(new JsonObject().put("role", "user").put("content", "豆豆生病了 🐶")
        .put("at", 1_700_000_000L));
    same(key.copy().put("mode", "merge").put("fields", new JsonObject().put("turns", turns)
        .putNull("emotional_tone")), SessionMemory.Update::fromJson, SessionMemory.Update::toJson);
    JsonObject context = key.copy().put("turns", turns).put("active_entities", new JsonArray().add("豆豆"))
        .put("current_location", "宠物医院").put("emotional_tone", null).put("turns_total", 7L)
        .put("updated_at", 1_700_000_100L);
    same(context, SessionMemory.Context::fromJson, SessionMemory.Context::toJson);
    assertThrows(IllegalArgumentException.class, () -> SessionMemory.Update.fromJson(key.copy().put("mode", "upsert")));
    assertThrows(IllegalArgumentException.class, () -> SessionMemory.Get.fromJson(new JsonObject()
        .put("user_id", "acme:u1").put("character_id", "c1")));
    same(new JsonObject().put("user_id", "acme:u1").put("character_id", "c1").put("message", "豆豆怎么样了")
        .put("recent_context", null).put("force", false).put("types", new JsonArray()).put("session_id", "s1"),
        Recall.Request::fromJson, Recall.Request::toJson);
    same(new JsonObject().put("intent", new JsonObject().put("need_recall", false).put("recall_type", "none")
            .put("search_query", "").put("confidence", 0.0)).put("memories", new JsonArray())
        .put("profiles", new JsonArray()).put("context", "").put("degraded", new JsonArray()).put("took_ms", 1L)
        .put("session", context), Recall.Reply::fromJson, Recall.Reply::toJson);
  }

  @Test
  @DisplayName("forgetting bodies (accesses, the sweep's reads, cleanup and sweep) keep every field")
  void forgetting() {
    same(new JsonObject().put("accesses", new JsonArray().add(new JsonObject().put("memory_id", "m1").put("hits", 3)
        .put("at", 1_700_000_000_123L))), Forgetting.Accesses::fromJson, Forgetting.Accesses::toJson);
    same(new JsonObject().put("memories", 2).put("hits", 5L), Forgetting.Recorded::fromJson,
        Forgetting.Recorded::toJson);
    same(new JsonObject().put("ids", new JsonArray().add("a").add("b")).put("now", null),
        Forgetting.RetentionQuery::fromJson, Forgetting.RetentionQuery::toJson);
    same(new JsonObject().put("retention", new JsonObject().put("a", 0.5)), Forgetting.Retentions::fromJson,
        Forgetting.Retentions::toJson);
    same(new JsonObject().put("now", 1_700_000_000L).put("tenant", "acme").put("user_id", null)
        .put("over_quota", new JsonArray().add("acme:u1")).put("limit", 10), Forgetting.CandidateQuery::fromJson,
        Forgetting.CandidateQuery::toJson);
    same(new JsonObject().put("tenant", null).put("user_id", "acme:u1").put("min_bytes", 100L).put("limit", 1),
        Forgetting.UsageQuery::fromJson, Forgetting.UsageQuery::toJson);
    same(new JsonObject().put("now", null).put("tenant", "acme").put("user_id", null).put("limit", 1000),
        Forgetting.ExpiredQuery::fromJson, Forgetting.ExpiredQuery::toJson);
    same(new JsonObject().put("ids", new JsonArray().add("a")).put("level", 3), Forgetting.Judged::fromJson,
        Forgetting.Judged::toJson);
    same(new JsonObject().put("now", 1L), Forgetting.Prune::fromJson, Forgetting.Prune::toJson);
    same(new JsonObject().put("tenant", "acme").put("user_id", null).put("now", null).put("dry_run", true),
        Forgetting.Cleanup::fromJson, Forgetting.Cleanup::toJson);
    same(new JsonObject().put("past_valid_to", 1).put("expired_context", 2).put("deleted", 3).put("dry_run", false),
        Forgetting.Cleaned::fromJson, Forgetting.Cleaned::toJson);
    same(new JsonObject().put("tenant", null).put("user_id", "acme:u1").put("now", 1_700_000_000L),
        Forgetting.Sweep::fromJson, Forgetting.Sweep::toJson);
  }

  @Test
  @DisplayName("change outbox bodies keep every field, a forget's nulls included")
  void changes() {
    JsonObject update = new JsonObject().put("event_id", 812L).put("event", "update").put("hard", false)
        .put("memory_id", "profile:3f0c").put("version", 2).put("user_id", "acme:u1").put("character_id", "c1")
        .put("memory_type", "profile").put("actor", "app-key").put("at", 1_767_139_200_123L);
    JsonObject forget = new JsonObject().put("event_id", 813L).put("event", "forget").put("hard", true)
        .put("memory_id", null).put("version", null).put("user_id", "acme:u1").put("character_id", null)
        .put("memory_type", null).put("actor", "system").put("at", 1_767_139_200_456L);
    same(update, Changes.Event::fromJson, Changes.Event::toJson);
    same(forget, Changes.Event::fromJson, Changes.Event::toJson);
    same(new JsonObject().put("events", new JsonArray().add(update).add(forget)), Changes.Batch::fromJson,
        Changes.Batch::toJson);
    same(new JsonObject().put("limit", 200), Changes.Due::fromJson, Changes.Due::toJson);
    same(new JsonObject().put("event_ids", new JsonArray().add(812L).add(813L)), Changes.Ids::fromJson,
        Changes.Ids::toJson);
    same(new JsonObject().put("removed", 2), Changes.Removed::fromJson, Changes.Removed::toJson);
    same(new JsonObject().put("waiting", 3L).put("oldest_at", null), Changes.Depth::fromJson, Changes.Depth::toJson);
    same(new JsonObject().put("webhook", "mirror").put("event_id", 812L).put("memory_id", "profile:3f0c")
        .put("user_id", "acme:u1").put("character_id", "c1").put("body", update.encode()).put("attempts", 6)
        .put("last_status", null).put("last_error", "connection refused"), Changes.DeadLetter::fromJson,
        Changes.DeadLetter::toJson);
    assertThrows(IllegalArgumentException.class, () -> Changes.Due.fromJson(new JsonObject().put("limit", 0)));
  }

  @Test
  @DisplayName("an intent request without a message string is refused")
  void intentNeedsMessage() {
    assertThrows(IllegalArgumentException.class, () -> Intent.Request.fromJson(new JsonObject().put("message", 3)));
  }

  @Test
  @DisplayName("task bodies keep every field, and statuses read and write in lower case")
  void tasks() {
    same(WORK, Tasks.Work::fromJson, Tasks.Work::toJson);
    same(ROW, Tasks.Row::fromJson, Tasks.Row::toJson);
    assertEquals(TaskStatus.FAILED, Tasks.Row.fromJson(ROW).status());
    same(new JsonObject().put("user_id", "u").put("character_id", "c").put("session_id", null)
        .put("trigger", "import").put("messages", MESSAGES), Tasks.Create::fromJson, Tasks.Create::toJson);
    same(new JsonObject().put("task_id", "t1").put("user_id", "u").put("character_id", "c"), Tasks.Claim::fromJson,
        Tasks.Claim::toJson);
    same(new JsonObject().put("task_id", "t1").put("error", "x").put("permanent", true), Tasks.Fail::fromJson,
        Tasks.Fail::toJson);
    same(new JsonObject().put("status", "pending").put("retry_count", 1), Tasks.Failed::fromJson,
        Tasks.Failed::toJson);
    same(new JsonObject().put("tasks", new JsonArray().add(WORK)).put("skipped", 2), Tasks.Batch::fromJson,
        Tasks.Batch::toJson);
    same(new JsonObject().put("task_ids", new JsonArray().add("a").add("b")), Tasks.Ids::fromJson, Tasks.Ids::toJson);
    same(new JsonObject().put("status", "pending").put("user_id", null).put("tenant", "acme").put("limit", 50),
        Tasks.Query::fromJson, Tasks.Query::toJson);
    same(new JsonObject().put("tasks", new JsonArray().add(ROW)), Tasks.Rows::fromJson, Tasks.Rows::toJson);
    same(new JsonObject().put("pending", 1L).put("processing", 0L).put("completed", 7L).put("failed", 2L),
        Tasks.Counts::fromJson, Tasks.Counts::toJson);
    assertThrows(IllegalArgumentException.class, () -> TaskStatus.of("PENDING"));
  }

  @Test
  @DisplayName("a session post's reply is the task's own body when it made one, and names the known task when not")
  void accepted() {
    same(WORK.copy().put("created", true).put("duplicates", 2), Tasks.Accepted::fromJson, Tasks.Accepted::toJson);
    assertEquals(WORK, Tasks.Accepted.fromJson(WORK.copy().put("created", true)).task().toJson(),
        "a co-located caller can publish the reply as it is");
    same(new JsonObject().put("task_id", "t0").put("session_id", "s1").put("created", false).put("duplicates", 3),
        Tasks.Accepted::fromJson, Tasks.Accepted::toJson);
    same(new JsonObject().put("buffered", 2L).put("duplicates", 1), Sessions.Buffered::fromJson,
        Sessions.Buffered::toJson);
  }

  @Test
  @DisplayName("session, memory-write and archive bodies keep every field")
  void sessionsAndWrites() {
    same(new JsonObject().put("user_id", "u").put("character_id", "c").put("session_id", "s")
        .put("messages", MESSAGES), Sessions.Buffer::fromJson, Sessions.Buffer::toJson);
    same(new JsonObject().put("buffered", 0L).put("task", WORK), Sessions.Buffered::fromJson,
        Sessions.Buffered::toJson);
    same(new JsonObject().put("task", null), Sessions.Cut::fromJson, Sessions.Cut::toJson);
    JsonObject extraction = new JsonObject().put("summary", new JsonObject().put("text", "聊了妹妹"))
        .put("profiles", new JsonArray()).put("events", new JsonArray());
    same(new JsonObject().put("task", WORK).put("extraction", extraction), Memories.Write::fromJson,
        Memories.Write::toJson);
    same(new JsonObject().put("user_id", "u").put("character_id", null).put("keys", true), Archive.Usage::fromJson,
        Archive.Usage::toJson);
    same(new JsonObject().put("objects", 1L).put("bytes", 9L).put("keys", new JsonArray()
        .add(new JsonObject().put("path", "conversations/u/c/2026/12/07/s.json").put("bytes", 9L))),
        Archive.Used::fromJson, Archive.Used::toJson);
  }

  @Test
  @DisplayName("structured search reads its limits with the seed's defaults and refuses unknown kinds")
  void structuredSearch() {
    Structured.Search s = Structured.Search.fromJson(new JsonObject().put("user_id", "u").put("character_id", "c"));
    assertEquals(List.of("profiles"), s.kinds());
    assertEquals(20, s.profileLimit());
    assertEquals(7, s.days());
    assertNull(s.now());
    assertEquals(s, Structured.Search.fromJson(s.toJson()));
    assertThrows(IllegalArgumentException.class, () -> Structured.Search.fromJson(new JsonObject()
        .put("user_id", "u").put("character_id", "c").put("kinds", new JsonArray().add("secrets"))));
    assertThrows(IllegalArgumentException.class, () -> Structured.Search.fromJson(new JsonObject()
        .put("user_id", "u").put("character_id", "c").put("profile_limit", -1)));
  }

  @Test
  @DisplayName("forget and stats replies keep every field")
  void forgetAndStats() {
    JsonObject deleted = new JsonObject().put("tasks", 1L).put("buffered_messages", 2L).put("index_records", 3L)
        .put("archive_objects", 4L).put("profiles", 5L).put("events", 6L).put("summaries", 7L).put("memories", 8L).put("versions", 10L);
    same(new JsonObject().put("user_id", "u").put("character_id", null).put("forgotten_at", 9L)
        .put("deleted", deleted), Forget.Forgotten::fromJson, Forget.Forgotten::toJson);
    same(new JsonObject().put("task_id", null).put("user_id", "u").put("character_id", "c").put("created_at", 5L),
        Forget.Check::fromJson, Forget.Check::toJson);
    JsonObject counts = new JsonObject().put("pending", 0L).put("processing", 0L).put("completed", 1L)
        .put("failed", 0L);
    same(new JsonObject().put("user_id", "u").put("character_id", "c")
        .put("memories", new JsonObject().put("profiles", 1L).put("events", 2L).put("summaries", 3L))
        .put("index", new JsonObject().put("by_type", new JsonObject().put("message", 4L)).put("total", 4L))
        .put("tasks", counts).put("buffered_messages", 0L)
        .put("storage", new JsonObject().put("archive_objects", 1L).put("archive_bytes", 10L)
            .put("mysql_bytes", 20L).put("total_bytes", 30L)), Admin.Stats::fromJson, Admin.Stats::toJson);
    assertThrows(IllegalArgumentException.class, () -> Owner.required(new JsonObject().put("user_id", " ")));
  }

  @Test
  @DisplayName("one memory's life: requests and replies keep every field, and a cursor reads back what it wrote")
  void lifecycle() {
    same(new JsonObject().put("memory_id", "profile:ab").put("tenant", "acme"), Lifecycle.Get::fromJson,
        Lifecycle.Get::toJson);
    same(new JsonObject().put("tenant", "acme").put("user_id", "acme:u1").put("character_id", "c1")
        .put("type", "profile").put("category", "fact").put("status", "active").put("since", 1L).put("until", 2L)
        .put("cursor", null).put("limit", 20).put("metadata", new JsonObject().put("k", "v")),
        Lifecycle.Query::fromJson, Lifecycle.Query::toJson);
    same(new JsonObject().put("memories", new JsonArray().add(new JsonObject().put("id", "x")))
        .put("next_cursor", "abc"), Lifecycle.Page::fromJson, Lifecycle.Page::toJson);
    same(new JsonObject().put("memory_id", "m").put("tenant", null).put("after_version", 2).put("limit", 10),
        Lifecycle.HistoryQuery::fromJson, Lifecycle.HistoryQuery::toJson);
    same(new JsonObject().put("memory_id", "m").put("versions", new JsonArray()), Lifecycle.History::fromJson,
        Lifecycle.History::toJson);
    same(new JsonObject().put("memory_id", "m").put("tenant", "acme").put("a", 1).put("b", 3),
        Lifecycle.Compare::fromJson, Lifecycle.Compare::toJson);
    same(new JsonObject().put("memory_id", "m").put("a", 1).put("b", 3).put("changes", new JsonArray())
        .put("diff", new JsonObject().put("unified", "")), Lifecycle.Comparison::fromJson, Lifecycle.Comparison::toJson);
    same(new JsonObject().put("memory_id", "m").put("tenant", "acme").put("if_match", 3).put("require_if_match", true)
        .put("changes", new JsonObject().put("importance", 9)).put("reason", "r").put("actor", "key"),
        Lifecycle.Update::fromJson, Lifecycle.Update::toJson);
    same(new JsonObject().put("memory_id", "m").put("tenant", "acme").put("if_match", null).put("hard", true)
        .put("reason", null).put("actor", "key"), Lifecycle.Delete::fromJson, Lifecycle.Delete::toJson);
    same(new JsonObject().put("id", "m").put("hard", false).put("version", 2).put("status", "deleted")
        .put("versions_erased", 0), Lifecycle.Deleted::fromJson, Lifecycle.Deleted::toJson);
    same(new JsonObject().put("memory_id", "m").put("tenant", "acme").put("if_match", 2).put("version", 1)
        .put("reason", "r").put("actor", "key"), Lifecycle.Restore::fromJson, Lifecycle.Restore::toJson);
    same(new JsonObject().put("record", new JsonObject().put("id", "mem-1")).put("category", null)
        .put("source", "import").put("actor", "key").put("created_at", 5L), Lifecycle.Create::fromJson,
        Lifecycle.Create::toJson);
    Lifecycle.Cursor cursor = new Lifecycle.Cursor(1_700_000_000_123L, "t1:msg:m:1");
    assertEquals(cursor, Lifecycle.Cursor.parse(cursor.token()));
    assertThrows(IllegalArgumentException.class, () -> Lifecycle.Cursor.parse("%%%"));
    assertThrows(IllegalArgumentException.class, () -> Lifecycle.Get.fromJson(new JsonObject()));
    assertThrows(IllegalArgumentException.class, () -> Lifecycle.Query.fromJson(new JsonObject().put("limit", 0)));
  }

  @Test
  @DisplayName("memory transactions and batches: requests and replies keep every field; an unknown op or a missing id is refused")
  void transactions() {
    JsonObject update = new JsonObject().put("op", "update").put("request", new JsonObject().put("memory_id", "m")
        .put("tenant", "acme").put("changes", new JsonObject().put("content", "我搬到了成都 🐼")));
    JsonObject create = new JsonObject().put("op", "create").put("request", new JsonObject().put("record",
        new JsonObject().put("id", "mem-1").put("user_id", "acme:u1")).put("actor", "key"));
    same(update, Transaction.Op::fromJson, Transaction.Op::toJson);
    assertEquals("mem-1", Transaction.Op.fromJson(create).memoryId());
    same(new JsonObject().put("tenant", "acme").put("actor", "key").put("timeout_seconds", 30),
        Transaction.Begin::fromJson, Transaction.Begin::toJson);
    same(new JsonObject().put("tenant", null).put("actor", "system").put("timeout_seconds", null),
        Transaction.Begin::fromJson, Transaction.Begin::toJson);
    same(new JsonObject().put("tx_id", "tx-1").put("tenant", "acme"), Transaction.Ref::fromJson,
        Transaction.Ref::toJson);
    same(new JsonObject().put("tx_id", "tx-1").put("status", "open").put("expires_at", 5L)
        .put("operations", new JsonArray()), Transaction.View::fromJson, Transaction.View::toJson);
    same(new JsonObject().put("tx_id", "tx-1").put("tenant", "acme").put("operation", create),
        Transaction.Stage::fromJson, Transaction.Stage::toJson);
    same(new JsonObject().put("tx_id", "tx-1").put("seq", 2).put("op", "delete").put("memory_id", "m"),
        Transaction.Staged::fromJson, Transaction.Staged::toJson);
    same(new JsonObject().put("tx_id", "tx-1").put("status", "committed").put("results", new JsonArray()
        .add(new JsonObject().put("id", "m"))), Transaction.Ended::fromJson, Transaction.Ended::toJson);
    same(new JsonObject().put("tx_id", "tx-1").put("status", "rolled_back"), Transaction.Ended::fromJson,
        Transaction.Ended::toJson);
    same(new JsonObject().put("tenant", "acme").put("operations", new JsonArray().add(update).add(create)),
        Transaction.Batch::fromJson, Transaction.Batch::toJson);
    same(new JsonObject().put("results", new JsonArray().add(new JsonObject().put("id", "m"))),
        Transaction.Results::fromJson, Transaction.Results::toJson);
    assertThrows(IllegalArgumentException.class, () -> Transaction.Op.fromJson(update.copy().put("op", "merge")));
    assertThrows(IllegalArgumentException.class, () -> Transaction.Op.fromJson(new JsonObject().put("op", "delete")
        .put("request", new JsonObject())));
    assertThrows(IllegalArgumentException.class, () -> Transaction.Begin.fromJson(new JsonObject()
        .put("timeout_seconds", 301)));
  }

  @Test
  @DisplayName("entities: creates, state updates, queries, relations, events and lists keep every field, Chinese and "
      + "emoji byte for byte; a hop count past the maximum is refused")
  void entities() {
    JsonObject owner = new JsonObject().put("user_id", "acme:project/p1").put("character_id", "_project");
    JsonObject entity = new JsonObject().put("name", "林小晴 🐱").put("type", "character")
        .put("aliases", new JsonArray().add("小晴"));
    same(owner.copy().put("entity", entity).put("actor", "app"), Entities.Create::fromJson, Entities.Create::toJson);
    same(owner.copy().put("entity_id", "ent-1"), Entities.Ref::fromJson, Entities.Ref::toJson);
    same(owner.copy().put("type", "pet").put("limit", 20).put("offset", 40).put("expand", true),
        Entities.Query::fromJson, Entities.Query::toJson);
    same(owner.copy().put("entity_id", "ent-1").put("update", new JsonObject().put("state", "受伤了"))
        .put("actor", "app"), Entities.StateUpdate::fromJson, Entities.StateUpdate::toJson);
    same(owner.copy().put("entity_id", "ent-1").put("other_id", "ent-2").put("hops", 3),
        Entities.RelationQuery::fromJson, Entities.RelationQuery::toJson);
    same(owner.copy().put("relation", new JsonObject().put("source_id", "a").put("strength", 0.8)),
        Entities.RelationUpsert::fromJson, Entities.RelationUpsert::toJson);
    same(owner.copy().put("event", new JsonObject().put("summary", "相遇")), Entities.EventCreate::fromJson,
        Entities.EventCreate::toJson);
    same(owner.copy().put("entity_id", null).put("from", -5L).put("to", 9L).put("limit", 7),
        Entities.EventQuery::fromJson, Entities.EventQuery::toJson);
    same(entity, Entities.Item::fromJson, Entities.Item::toJson);
    same(new JsonObject().put("items", new JsonArray().add(entity)).put("entities", new JsonObject()),
        Entities.Items::fromJson, Entities.Items::toJson);
    same(owner.copy().put("entity_id", "ent-1"), Entities.CacheClear::fromJson, Entities.CacheClear::toJson);
    same(owner.copy().put("task_id", "t1").put("chapter_id", "第1章").put("extractor", "llm").put("extraction",
        new JsonObject().put("summary", "沈砚下山 ⛰")), Entities.Writeback::fromJson, Entities.Writeback::toJson);
    same(owner.copy().put("chapter_id", "第1章"), Entities.Chapter::fromJson, Entities.Chapter::toJson);
    same(owner.copy().put("task_id", "t1").put("session_id", "s1").put("time", 1_700_000_000L).put("items",
        new JsonArray().add(new JsonObject().put("name", "林小晴").put("aliases", new JsonArray().add("妹妹")))),
        Entities.Mentions::fromJson, Entities.Mentions::toJson);
    same(owner.copy().put("text", "我妹妹最近怎么样").put("hops", 1).put("limit", 3).put("event_limit", 3),
        Entities.Recall::fromJson, Entities.Recall::toJson);
    assertThrows(IllegalArgumentException.class, () -> Entities.RelationQuery.fromJson(owner.copy()
        .put("entity_id", "e").put("hops", Entities.MAX_HOPS + 1)));
  }
}
