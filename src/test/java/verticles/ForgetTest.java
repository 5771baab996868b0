package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.app.Engram;
import verticles.bus.Addresses;
import verticles.structured.Mysql;

@ExtendWith(VertxExtension.class)
@DisplayName("Forgetting a user erases them everywhere, idempotently, and nothing of theirs comes back")
class ForgetTest {
  private static final DeliveryOptions BUS = new DeliveryOptions().setSendTimeout(10_000);
  private static final List<String> TABLES = List.of("user_profiles", "user_events", "conversation_summaries",
      "memory_generation_tasks", "buffered_messages", "memories", "memory_versions");
  private static final String[] SAYINGS = {"我叫%s，今年二十岁", "我最喜欢吃火锅", "我下周三要去面试，有点紧张",
      "我养了一只猫叫咪咪", "我的生日是3月15日", "今天工作好累", "周末想去爬山", "我在上海当护士"};

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /** One of the shared stack's users, or a dedicated node's: its SQL, index and object store. */
  record Node(Engram engram, Pool sql) {
    static Node shared() {
      return new Node(TestStack.engram(), TestStack.sql());
    }
  }

  /** A session of {@code n} messages that yields profiles, events, a summary and n message records. */
  static JsonObject session(String user, String character, String session, int n) {
    long ts = Instant.now().getEpochSecond() - 7200;
    // sessions numbered -s0, -s1, ... say other things, so that none restates another (a restated summary is merged
    // into the first and has no row of its own, which ExportTest.ingest waits for)
    char last = session.charAt(session.length() - 1);
    int offset = Character.isDigit(last) ? 4 * (last - '0') : 0;
    JsonArray messages = new JsonArray();
    for (int i = 0; i < n; i++) {
      String text = i % 2 == 1 ? "嗯嗯，我记住了（" + session + "-" + i + "）"
          : String.format(SAYINGS[(i / 2 + offset) % SAYINGS.length], "小" + user.charAt(user.length() - 1))
              + "（" + i + "）";
      messages.add(EndToEndMemoryTest.msg(session + "-m" + i, i % 2 == 0 ? "user" : "assistant", text, ts + i));
    }
    return new JsonObject().put("user_id", user).put("character_id", character).put("session_id", session)
        .put("messages", messages);
  }

  /** Several sessions at once, each awaited until completed and archived. */
  static Future<Void> ingest(String user, String character, int sessions, int messages) {
    List<Future<String>> all = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      all.add(ExportTest.ingest(session(user, character, character + "-s" + s, messages)));
    }
    return Future.all(all).mapEmpty();
  }

  /**
   * Everything stored about a user of the test key's tenant (one character's when given): rows per table, index
   * records, archive objects. {@code user} is the client's id; the stores keep the tenant-scoped one.
   */
  static Future<JsonObject> footprint(Node node, String clientUser, String character) {
    String user = TestStack.internal(clientUser);
    String where = character == null ? " WHERE user_id = ?" : " WHERE user_id = ? AND character_id = ?";
    Tuple owner = character == null ? Tuple.of(user) : Tuple.of(user, character);
    JsonObject out = new JsonObject();
    List<Future<?>> parts = new ArrayList<>();
    for (String table : TABLES) {
      parts.add(node.sql().preparedQuery("SELECT COUNT(*) FROM " + table + where).execute(owner)
          .map(rs -> out.put(table, rs.iterator().next().getLong(0))));
    }
    parts.add(node.engram().vertx().executeBlocking(() -> node.engram().index().count(user, character))
        .map(n -> out.put("index", n)));
    parts.add(node.engram().objectStore().list("conversations/" + user + "/" + (character == null ? ""
        : character + "/")).map(keys -> out.put("archives", keys.size())));
    parts.add(node.engram().objectStore().list("exports/" + user + "/").map(keys -> out.put("exports", keys.size())));
    return Future.all(parts).map(x -> out);
  }

  static void assertNothing(JsonObject footprint) {
    JsonObject zero = new JsonObject();
    TABLES.forEach(t -> zero.put(t, 0L));
    assertEquals(zero.put("index", 0L).put("archives", 0).put("exports", 0), footprint, "nothing of the user is left");
  }

  /** Straight to the index's verticle, so under the tenant-scoped id. */
  static Future<JsonObject> search(String user, String character) {
    return TestStack.vertx().eventBus().<JsonObject>request(Addresses.VECTOR_SEARCH, new JsonObject()
        .put("user_id", TestStack.internal(user)).put("character_id", character).put("query", "我最喜欢吃什么").put("top_k", 50), BUS)
        .map(m -> m.body());
  }

  static Future<JsonObject> recall(String user, String character) {
    return TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", character)
        .put("message", "你还记得我喜欢吃什么吗").put("force", true)).map(HttpResponse::bodyAsJsonObject);
  }

  static Future<JsonObject> forget(String path) {
    return TestStack.delete(path).map(r -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      return r.bodyAsJsonObject();
    });
  }

  static boolean allZero(JsonObject deleted) {
    return deleted.stream().allMatch(e -> ((Number) e.getValue()).longValue() == 0);
  }

  @Test
  @DisplayName("A user with more memories than a page is gone from every table, the index, archives and exports; "
      + "another user is untouched; a second DELETE answers zero counts")
  void forgetsEverywhere(VertxTestContext ctx) {
    String user = "u-forget-" + UUID.randomUUID();
    String other = "u-keep-" + UUID.randomUUID();
    JsonObject[] before = new JsonObject[2];
    ingest(user, "c1", 4, 30)
        .compose(x -> ingest(user, "c2", 1, 6))
        .compose(x -> ingest(other, "c1", 1, 10))
        .compose(x -> AdminApiTest.failedTask(user, "这个任务失败了"))
        .compose(x -> TestStack.post("/v1/messages", ExportTest.session(user, "c1", "s-buffered", "还没说完", "等等")))
        .compose(x -> TestStack.post("/v1/memories", new JsonObject().put("user_id", user).put("character_id", "c1")
            .put("memory_type", "profile").put("content", "用户的宠物：咪咪").put("timestamp", Instant.now().getEpochSecond())))
        .compose(x -> ExportTest.export(user, null, null))
        .compose(x -> footprint(Node.shared(), user, null))
        .compose(f -> {
          before[0] = f;
          ctx.verify(() -> {
            assertTrue(f.getLong("index") > 100, "more records than an export page: " + f.encode());
            // 5 sessions (a sixth if the idle sweep already cut the buffered messages) and the export
            assertTrue(f.getInteger("archives") >= 5 && f.getInteger("exports") == 1, f.encode());
          });
          return footprint(Node.shared(), other, null);
        })
        .compose(f -> {
          before[1] = f;
          return forget("/v1/users/" + user);
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(user, r.getString("user_id"));
            JsonObject deleted = r.getJsonObject("deleted");
            assertTrue(deleted.getLong("index_records") >= before[0].getLong("index"), r.encode());
            assertTrue(deleted.getLong("archive_objects") >= before[0].getInteger("archives") + 1L, r.encode());
            assertTrue(deleted.getLong("tasks") >= 6 && deleted.getLong("summaries") >= 5, r.encode());
            assertTrue(deleted.getLong("profiles") > 0 && deleted.getLong("events") > 0, r.encode());
            // every memory has a version at least; the memories outnumber the summaries they include
            assertTrue(deleted.getLong("memories") > deleted.getLong("summaries"), r.encode());
            assertTrue(deleted.getLong("versions") >= deleted.getLong("memories"), r.encode());
          });
          // a task of the user still in flight must not bring anything back: let every record settle first
          return KafkaProbe.awaitSettled(TestStack.vertx(), TestStack.engram().config().getJsonObject("kafka"));
        })
        .compose(x -> footprint(Node.shared(), user, null))
        .compose(f -> {
          ctx.verify(() -> assertNothing(f));
          return search(user, "c1");
        })
        .compose(hits -> {
          ctx.verify(() -> assertEquals(new JsonArray(), hits.getJsonArray("hits")));
          return recall(user, "c1");
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(new JsonArray(), r.getJsonArray("memories"), r.encode());
            assertEquals(new JsonArray(), r.getJsonArray("profiles"), r.encode());
          });
          return footprint(Node.shared(), other, null);
        })
        .compose(f -> {
          ctx.verify(() -> assertEquals(before[1], f, "the other user's counts are unchanged"));
          return forget("/v1/users/" + user);
        })
        .compose(again -> {
          ctx.verify(() -> assertTrue(allZero(again.getJsonObject("deleted")), "idempotent: " + again.encode()));
          return TestStack.sql().preparedQuery("SELECT COUNT(*) FROM forgotten_users WHERE user_id = ?"
              + " AND character_id IS NULL").execute(Tuple.of(TestStack.internal(user)));
        })
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertEquals(1L, rs.iterator().next().getLong(0), "one tombstone, moved forward by the second forget");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Forgetting one character erases that character and the user's exports, and keeps the other character")
  void forgetsOneCharacter(VertxTestContext ctx) {
    String user = "u-forget-char-" + UUID.randomUUID();
    JsonObject[] kept = new JsonObject[1];
    ingest(user, "c1", 2, 8)
        .compose(x -> ingest(user, "c2", 1, 8))
        .compose(x -> ExportTest.export(user, null, null))
        .compose(x -> footprint(Node.shared(), user, "c2"))
        .compose(f -> {
          kept[0] = f;
          return forget("/v1/users/" + user + "/characters/c1");
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals("c1", r.getString("character_id"));
            assertEquals(3L, r.getJsonObject("deleted").getLong("archive_objects"), "2 archives of c1 and the export");
          });
          return footprint(Node.shared(), user, "c1");
        })
        .compose(f -> {
          ctx.verify(() -> assertNothing(f));
          return footprint(Node.shared(), user, "c2");
        })
        .compose(f -> {
          ctx.verify(() -> assertEquals(kept[0].copy().put("exports", 0), f, "c2 is kept; exports went"));
          return recall(user, "c2");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertFalse(r.getJsonArray("memories").isEmpty(), "the other character still remembers: " + r.encode());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Tasks caught mid-way by the forget (held before their index or MySQL write) or replayed from Kafka "
      + "after it bring nothing back and leave nothing in the DLQ; the user chatting again afterwards is remembered")
  void inFlightTaskDoesNotResurrect(VertxTestContext ctx) {
    String user = "u-forget-flight-" + UUID.randomUUID();
    JsonObject kafka = TestStack.engram().config().getJsonObject("kafka");
    Vertx vertx = TestStack.vertx();
    AtomicReference<Map<Integer, Long>> dlqStart = new AtomicReference<>();
    JsonObject[] old = new JsonObject[1];
    // Two tasks are held on their way to a store until the forget is done: one before its index write, one (whose
    // index write went through) before its MySQL write.
    // (null-safe: other writes, an entity's record without a session, pass the same addresses)
    Hold beforeIndex = new Hold(Addresses.VECTOR_UPSERT, b -> b.getJsonArray("records").stream()
        .anyMatch(r -> "s-upsert".equals(((JsonObject) r).getString("session_id"))));
    Hold beforeMysql = new Hold(Addresses.MEMORIES_WRITE, b -> b.getJsonObject("task") != null
        && "s-write".equals(b.getJsonObject("task").getString("session_id")));
    vertx.eventBus().addOutboundInterceptor(beforeIndex).addOutboundInterceptor(beforeMysql);
    KafkaProbe.ends(vertx, kafka, kafka.getString("dlq_topic"))
        .compose(ends -> {
          dlqStart.set(ends);
          // a task row made before the forget, whose record reaches Kafka only after it (a late or replayed record);
          // straight onto the bus, so under the id the gateway gives the test tenant's user
          return vertx.eventBus().<JsonObject>request(Addresses.TASK_CREATE,
              session(TestStack.internal(user), "c1", "s-old", 6), BUS);
        })
        .compose(m -> {
          old[0] = m.body();
          return TestStack.post("/v1/sessions", session(user, "c1", "s-upsert", 20));
        })
        .compose(r -> TestStack.post("/v1/sessions", session(user, "c2", "s-write", 20)))
        .compose(r -> Future.all(beforeIndex.held.future(), beforeMysql.held.future()))
        .compose(x -> TestStack.engram().vertx().executeBlocking(() -> TestStack.engram().index()
            .count(TestStack.internal(user), null)))
        .compose(n -> {
          ctx.verify(() -> assertTrue(n > 0, "the held MySQL write's records are in the index"));
          return forget("/v1/users/" + user);
        })
        .compose(r -> {
          ctx.verify(() -> assertTrue(r.getJsonObject("deleted").getLong("index_records") > 0, r.encode()));
          beforeIndex.release();
          beforeMysql.release();
          return vertx.eventBus().request(Addresses.OUTBOX_PUBLISH, old[0], BUS);
        })
        .compose(x -> KafkaProbe.awaitSettled(vertx, kafka))
        .compose(x -> footprint(Node.shared(), user, null))
        .compose(f -> {
          ctx.verify(() -> assertNothing(f));
          return KafkaProbe.valuesSince(vertx, kafka, kafka.getString("dlq_topic"), dlqStart.get());
        })
        .compose(dead -> {
          ctx.verify(() -> assertTrue(dead.stream().noneMatch(v -> v.contains(user)),
              "no copy of the forgotten user's messages in the DLQ"));
          // the user comes back: what they say after the forget is theirs again
          return ExportTest.ingest(session(user, "c1", "s-new", 4));
        })
        .compose(task -> footprint(Node.shared(), user, null))
        .eventually(() -> {
          vertx.eventBus().removeOutboundInterceptor(beforeIndex).removeOutboundInterceptor(beforeMysql);
          return Future.succeededFuture();
        })
        .onComplete(ctx.succeeding(f -> ctx.verify(() -> {
          assertEquals(1L, f.getLong("conversation_summaries"), f.encode());
          assertEquals(1L, f.getLong("memory_generation_tasks"), f.encode());
          assertEquals(1, f.getInteger("archives"), f.encode());
          ctx.completeNow();
        })));
  }

  /** An outbound interceptor that holds the first matching request to {@code address} until released. */
  static final class Hold implements io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> {
    final io.vertx.core.Promise<Void> held = io.vertx.core.Promise.promise();
    private final String address;
    private final java.util.function.Predicate<JsonObject> matches;
    private io.vertx.core.eventbus.DeliveryContext<Object> context;

    Hold(String address, java.util.function.Predicate<JsonObject> matches) {
      this.address = address;
      this.matches = matches;
    }

    @Override
    public synchronized void handle(io.vertx.core.eventbus.DeliveryContext<Object> dc) {
      if (context == null && address.equals(dc.message().address()) && dc.message().body() instanceof JsonObject b
          && matches.test(b)) {
        context = dc;
        held.tryComplete();
      } else {
        dc.next();
      }
    }

    synchronized void release() {
      context.next();
    }
  }

  // ---------------------------------------------------------------- kill mid-delete, restart, delete again

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("A node killed right after writing the tombstone restarts on its data, refuses the user's old task, "
      + "and a second DELETE finishes the job while another user's counts stay unchanged")
  void killedMidDelete() throws Exception {
    Path data = TestStack.scratch("engram-forget-");
    JsonObject cfg = TestStack.testConfig(data);
    String user = "u-kill-" + UUID.randomUUID();
    String other = "u-kill-keep-" + UUID.randomUUID();
    Vertx client = Vertx.vertx();
    try {
      String oldTask;
      JsonObject otherBefore;
      try (Engram first = Engram.start(cfg)) {
        WebClient http = TestStack.client(client, first.port(), TestStack.API_KEY);
        Node node = new Node(first, Mysql.pool(first.vertx(), first.config().getJsonObject("mysql")));
        // No run of the user may be going when the tombstone is written: a run that the tombstone refuses after its
        // index write deletes its records (the owner is forgotten), and a replayed task's records are those its first
        // run wrote. The extractors' joins replay what was fetched before them, so publish only once they are placed,
        // and forget only once every record settled.
        JsonObject kafka = first.config().getJsonObject("kafka");
        await(KafkaProbe.awaitAssigned(first.vertx(), kafka, cfg.getJsonObject("instances").getInteger("extractor")));
        List<Future<String>> tasks = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
          tasks.add(post(http, first, session(user, "c1", "k" + s, 30)));
        }
        tasks.add(post(http, first, session(other, "c1", "keep", 10)));
        await(Future.all(tasks));
        for (Future<String> t : tasks) {
          await(until(client, () -> status(http, first, t.result()), "completed"::equals));
        }
        await(until(client, () -> first.objectStore().list("conversations/"
            + TestStack.internal(user) + "/").map(List::size), n -> n == 4));
        await(KafkaProbe.awaitSettled(first.vertx(), kafka));
        otherBefore = await(footprint(node, other, null));
        assertTrue(await(footprint(node, user, null)).getLong("index") > 100);

        // a task row created before the forget and not yet run: the restarted node must refuse it
        oldTask = await(first.vertx().eventBus().<JsonObject>request(Addresses.TASK_CREATE,
            session(TestStack.internal(user), "c1", "k-old", 4), BUS)).body().getString("task_id");

        await(node.sql().close());

        // the node dies right after the tombstone: the forget's next step never arrives
        CompletableFuture<Void> tombstoned = new CompletableFuture<>();
        first.vertx().eventBus().addOutboundInterceptor(dc -> {
          if (Addresses.FORGET_TASKS.equals(dc.message().address())) {
            tombstoned.complete(null);
          } else {
            dc.next();
          }
        });
        http.delete(first.port(), "127.0.0.1", "/v1/users/" + user).send(); // never answered
        tombstoned.get(60, TimeUnit.SECONDS);
      }

      try (Engram second = Engram.start(cfg)) {
        WebClient http = TestStack.client(client, second.port(), TestStack.API_KEY);
        Node node = new Node(second, Mysql.pool(second.vertx(), second.config().getJsonObject("mysql")));
        JsonObject cutShort = await(footprint(node, user, null));
        assertTrue(cutShort.getLong("index") > 100, "the delete stopped after the tombstone: " + cutShort.encode());
        assertEquals(1L, await(count(node, "SELECT COUNT(*) FROM forgotten_users WHERE user_id = ?",
            TestStack.internal(user))));
        // the old task's record is refused at its claim, which deletes its row (it holds the forgotten messages)
        await(until(client, () -> count(node, "SELECT COUNT(*) FROM memory_generation_tasks WHERE task_id = ?",
            oldTask), n -> n == 0));

        HttpResponse<Buffer> again = await(http.delete(second.port(), "127.0.0.1", "/v1/users/" + user).send());
        assertEquals(200, again.statusCode(), again.bodyAsString());
        JsonObject deleted = again.bodyAsJsonObject().getJsonObject("deleted");
        assertTrue(deleted.getLong("index_records") > 100, deleted.encode());
        assertEquals(4L, deleted.getLong("archive_objects"), deleted.encode());

        await(KafkaProbe.awaitSettled(second.vertx(), second.config().getJsonObject("kafka")));
        assertNothing(await(footprint(node, user, null)));
        assertEquals(otherBefore, await(footprint(node, other, null)), "the other user's counts are unchanged");
        HttpResponse<Buffer> third = await(http.delete(second.port(), "127.0.0.1", "/v1/users/" + user).send());
        assertTrue(allZero(third.bodyAsJsonObject().getJsonObject("deleted")), third.bodyAsString());
        await(node.sql().close());
      }
    } finally {
      await(client.close());
    }
  }

  private static Future<String> post(WebClient http, Engram e, JsonObject session) {
    return http.post(e.port(), "127.0.0.1", "/v1/sessions").sendJsonObject(session).map(r -> {
      assertEquals(202, r.statusCode(), r.bodyAsString());
      return r.bodyAsJsonObject().getString("task_id");
    });
  }

  private static Future<String> status(WebClient http, Engram e, String task) {
    return http.get(e.port(), "127.0.0.1", "/v1/tasks/" + task).send()
        .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject().getString("status") : null);
  }

  private static Future<Long> count(Node node, String sql, String arg) {
    return node.sql().preparedQuery(sql).execute(Tuple.of(arg)).map(rs -> rs.iterator().next().getLong(0));
  }

  /** Like TestStack.until, on a Vert.x of its own (the dedicated nodes come and go). */
  private static <T> Future<T> until(Vertx vertx, java.util.function.Supplier<Future<T>> probe,
      java.util.function.Predicate<T> done) {
    long deadline = System.currentTimeMillis() + 60_000;
    return poll(vertx, probe, done, deadline);
  }

  private static <T> Future<T> poll(Vertx vertx, java.util.function.Supplier<Future<T>> probe,
      java.util.function.Predicate<T> done, long deadline) {
    return probe.get().transform(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        return Future.succeededFuture(ar.result());
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("condition not met in time; last: "
            + (ar.succeeded() ? ar.result() : ar.cause())));
      }
      return vertx.timer(100).compose(x -> poll(vertx, probe, done, deadline));
    });
  }
}
