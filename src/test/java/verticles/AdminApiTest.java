package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import verticles.archiver.ObjectStore;
import verticles.bus.Addresses;
import verticles.outbox.KafkaSetup;

@ExtendWith(VertxExtension.class)
@DisplayName("The admin API lists tasks, retries failed ones, replays the DLQ and reports stats")
class AdminApiTest {
  private static final DeliveryOptions BUS = new DeliveryOptions().setSendTimeout(10_000);

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /**
   * A task of the test key's tenant that failed for good without running: created, then failed permanently, as a
   * spent task would be. {@code user} is the client's id; the row (returned) holds the tenant-scoped one.
   */
  static Future<JsonObject> failedTask(String user, String text) {
    return failedTaskOf(TestStack.internal(user), text);
  }

  /** {@link #failedTask} straight onto the bus under an internal ({@code tenant:user}) id. */
  static Future<JsonObject> failedTaskOf(String internalUser, String text) {
    return TestStack.vertx().eventBus().<JsonObject>request(Addresses.TASK_CREATE, ExportTest.session(internalUser,
            "c1", "s-" + UUID.randomUUID(), text), BUS)
        .compose(m -> TestStack.vertx().eventBus().request(Addresses.TASK_FAIL, new JsonObject()
            .put("task_id", m.body().getString("task_id")).put("error", "model unavailable").put("permanent", true),
            BUS).map(x -> m.body()));
  }

  static Future<JsonObject> json(Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> r,
      int status) {
    return r.map(resp -> {
      assertEquals(status, resp.statusCode(), resp.bodyAsString());
      return resp.bodyAsJsonObject();
    });
  }

  static List<String> ids(JsonArray tasks) {
    return tasks.stream().map(JsonObject.class::cast).map(t -> t.getString("task_id")).toList();
  }

  @Test
  @DisplayName("GET /v1/tasks lists a user's tasks newest first, by status, within the limit")
  void listTasks(VertxTestContext ctx) {
    String user = "u-admin-list-" + UUID.randomUUID();
    String[] posted = new String[3];
    ExportTest.ingest(ExportTest.session(user, "c1", "s1", "我叫小明"))
        .compose(t -> {
          posted[0] = t;
          return ExportTest.ingest(ExportTest.session(user, "c1", "s2", "我喜欢吃草莓"));
        })
        .compose(t -> {
          posted[1] = t;
          return failedTask(user, "我下周去上海");
        })
        .compose(t -> {
          posted[2] = t.getString("task_id");
          return json(TestStack.get("/v1/tasks?user_id=" + user), 200);
        })
        .compose(all -> {
          ctx.verify(() -> {
            assertEquals(List.of(posted[2], posted[1], posted[0]), ids(all.getJsonArray("tasks")));
            JsonObject newest = all.getJsonArray("tasks").getJsonObject(0);
            assertEquals("failed", newest.getString("status"));
            assertEquals("model unavailable", newest.getString("error_message"));
            assertEquals(user, newest.getString("user_id"));
            assertEquals("c1", newest.getString("character_id"));
          });
          return json(TestStack.get("/v1/tasks?status=completed&user_id=" + user + "&limit=1"), 200);
        })
        .compose(completed -> {
          ctx.verify(() -> {
            assertEquals(List.of(posted[1]), ids(completed.getJsonArray("tasks")));
            assertEquals(1, completed.getInteger("limit"));
          });
          return json(TestStack.get("/v1/tasks?status=failed&limit=500"), 200);
        })
        .onComplete(ctx.succeeding(failed -> ctx.verify(() -> {
          assertTrue(ids(failed.getJsonArray("tasks")).contains(posted[2]), "all the tenant's users' failed tasks");
          assertTrue(failed.getJsonArray("tasks").stream().map(JsonObject.class::cast)
              .allMatch(t -> "failed".equals(t.getString("status"))));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A failed task is retried: pending again with its retry budget reset, republished, and it completes")
  void retryFailedTask(VertxTestContext ctx) {
    String user = "u-admin-retry-" + UUID.randomUUID();
    String[] task = new String[1];
    failedTask(user, "我叫重试，我最喜欢吃饺子")
        .compose(t -> {
          task[0] = t.getString("task_id");
          return TestStack.awaitTask(task[0], "failed");
        })
        .compose(t -> json(TestStack.post("/v1/tasks/" + task[0] + "/retry", new JsonObject()), 202))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(task[0], r.getString("task_id"));
            assertEquals("pending", r.getString("status"));
            assertEquals(0, r.getInteger("retry_count"));
          });
          return TestStack.awaitTask(task[0], "completed");
        })
        .compose(t -> {
          ctx.verify(() -> {
            assertEquals(0, t.getInteger("retry_count"), "the budget was reset and not used");
            assertFalse(t.containsKey("error_message"), t.encode());
          });
          return json(TestStack.get("/v1/users/" + user + "/characters/c1/profiles"), 200);
        })
        .compose(p -> {
          ctx.verify(() -> assertEquals("饺子", EndToEndMemoryTest.profileValue(p.getJsonArray("profiles"),
              "favorite_food"), p.encode()));
          return TestStack.http().post("/v1/tasks/" + task[0] + "/retry").send();
        })
        .compose(again -> {
          ctx.verify(() -> {
            assertEquals(409, again.statusCode(), again.bodyAsString());
            assertEquals("conflict", again.bodyAsJsonObject().getJsonObject("error").getString("code"));
          });
          return TestStack.http().post("/v1/tasks/no-such-task-" + UUID.randomUUID() + "/retry").send();
        })
        .onComplete(ctx.succeeding(unknown -> ctx.verify(() -> {
          assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("DLQ replay republishes each dead-lettered task that is not completed once, counts it, and skips it next time")
  void replayDlq(VertxTestContext ctx) {
    String user = "u-admin-dlq-" + UUID.randomUUID();
    JsonObject kafka = TestStack.engram().config().getJsonObject("kafka");
    String dlq = kafka.getString("dlq_topic");
    KafkaProducer<String, String> producer = KafkaProducer.create(TestStack.vertx(), KafkaSetup.producer(kafka));
    JsonObject[] failed = new JsonObject[1];
    String[] completed = new String[1];
    failedTask(user, "我叫死信，我喜欢吃包子")
        .compose(t -> {
          failed[0] = t;
          return ExportTest.ingest(ExportTest.session(user, "c1", "s-done", "我已经处理完了"));
        })
        .compose(t -> {
          completed[0] = t;
          // records as the outbox writes them: under the tenant-scoped id
          JsonObject done = new JsonObject().put("task_id", t).put("user_id", TestStack.internal(user))
              .put("character_id", "c1").put("messages", new JsonArray());
          String key = TestStack.internal(user) + ":c1";
          // the failed task twice (as after a second failure), a completed one, and a record that is not JSON
          return producer.send(KafkaProducerRecord.create(dlq, key, failed[0].encode()))
              .compose(x -> producer.send(KafkaProducerRecord.create(dlq, key, failed[0].encode())))
              .compose(x -> producer.send(KafkaProducerRecord.create(dlq, key, done.encode())))
              .compose(x -> producer.send(KafkaProducerRecord.create(dlq, key, "{not json")));
        })
        .compose(x -> json(TestStack.post("/v1/dlq/replay", new JsonObject()), 200))
        .compose(r -> {
          ctx.verify(() -> {
            List<String> replayed = r.getJsonArray("task_ids").stream().map(String::valueOf).toList();
            assertEquals(1, replayed.stream().filter(failed[0].getString("task_id")::equals).count(), r.encode());
            assertFalse(replayed.contains(completed[0]), "a completed task is not replayed");
            assertEquals(replayed.size(), r.getInteger("replayed").intValue());
            assertTrue(r.getLong("scanned") >= 4, r.encode());
            assertEquals(r.getLong("scanned") - r.getLong("replayed"), r.getLong("skipped"));
          });
          return TestStack.awaitTask(failed[0].getString("task_id"), "completed");
        })
        .compose(t -> json(TestStack.post("/v1/dlq/replay", new JsonObject()), 200))
        .eventually(producer::close)
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertFalse(r.getJsonArray("task_ids").contains(failed[0].getString("task_id")),
              "completed now, so skipped: " + r.encode());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Stats count what was ingested: rows, index records by type, tasks by status and storage bytes")
  void stats(VertxTestContext ctx) {
    String user = "u-admin-stats-" + UUID.randomUUID();
    JsonObject[] mine = new JsonObject[2];
    ExportTest.ingest(ExportTest.session(user, "c1", "s1", "我叫统计，我是一名老师", "你好", "我下周五要去北京出差"))
        .compose(x -> ExportTest.ingest(ExportTest.session(user, "c2", "s2", "我最喜欢吃火锅")))
        .compose(x -> failedTask(user, "这个任务失败了"))
        .compose(x -> json(TestStack.get("/v1/users/" + user + "/stats"), 200))
        .compose(s -> {
          mine[0] = s;
          return json(TestStack.get("/v1/users/" + user + "/stats?character_id=c2"), 200);
        })
        .compose(s -> {
          mine[1] = s;
          return expected(user, null);
        })
        .compose(exp -> {
          ctx.verify(() -> assertStats(exp, mine[0]));
          return expected(user, "c2");
        })
        .compose(exp -> {
          ctx.verify(() -> {
            assertStats(exp, mine[1]);
            assertEquals("c2", mine[1].getString("character_id"));
          });
          return json(TestStack.get("/v1/stats"), 200);
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject u = mine[0];
          assertTrue(all.getLong("users") >= 1, all.encode());
          assertTrue(all.getJsonObject("index").getLong("total") >= u.getJsonObject("index").getLong("total"));
          for (String kind : List.of("profiles", "events", "summaries")) {
            assertTrue(all.getJsonObject("memories").getLong(kind) >= u.getJsonObject("memories").getLong(kind), kind);
          }
          assertTrue(all.getJsonObject("tasks").getLong("completed") >= 2);
          assertTrue(all.getJsonObject("tasks").getLong("failed") >= 1);
          JsonObject storage = all.getJsonObject("storage");
          assertTrue(storage.getLong("archive_bytes") >= u.getJsonObject("storage").getLong("archive_bytes"));
          assertTrue(storage.getLong("mysql_bytes") > 0);
          assertEquals(storage.getLong("archive_bytes") + storage.getLong("mysql_bytes"), storage.getLong("total_bytes"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A key of another tenant naming the same user id forgets, exports, stats and retries nothing of ours")
  void otherTenantTouchesNothing(VertxTestContext ctx) {
    String user = "u-admin-tenant-" + UUID.randomUUID();
    WebClient b = TestStack.client(TestStack.vertx(), TestStack.engram().port(), TestStack.API_KEY_B);
    ForgetTest.Node node = ForgetTest.Node.shared();
    JsonObject[] before = new JsonObject[1];
    String[] ours = new String[1]; // a failed task of tenant default's user
    String[] theirs = new String[1]; // a failed task of tenant-b's user of the same id
    ExportTest.ingest(ExportTest.session(user, "c1", "s1", "我叫甲方，我最喜欢吃饺子", "好的"))
        .compose(x -> failedTask(user, "这个任务失败了"))
        .compose(t -> {
          ours[0] = t.getString("task_id");
          return json(ExportTest.export(user, null, null), 200); // an export of ours, for a forget to find
        })
        .compose(x -> ForgetTest.footprint(node, user, null))
        .compose(f -> {
          before[0] = f;
          ctx.verify(() -> {
            assertTrue(f.getLong("index") > 0 && f.getLong("user_profiles") > 0, f.encode());
            assertEquals(2L, f.getLong("memory_generation_tasks"), f.encode());
            assertEquals(1, f.getInteger("archives"), f.encode());
            assertEquals(1, f.getInteger("exports"), f.encode());
          });
          return json(b.delete("/v1/users/" + user).send(), 200);
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(user, r.getString("user_id"));
            assertTrue(ForgetTest.allZero(r.getJsonObject("deleted")), "tenant-b has no such user: " + r.encode());
          });
          return json(b.delete("/v1/users/" + user + "/characters/c1").send(), 200);
        })
        .compose(r -> {
          ctx.verify(() -> assertTrue(ForgetTest.allZero(r.getJsonObject("deleted")), r.encode()));
          return json(b.post("/v1/users/" + user + "/export").send(), 200);
        })
        .compose(e -> {
          ctx.verify(() -> {
            assertEquals(user, e.getString("user_id"));
            for (String section : List.of("profiles", "events", "summaries", "memories", "archive_paths")) {
              assertEquals(new JsonArray(), e.getJsonArray(section), section + ": " + e.encode());
            }
            assertTrue(e.getString("path").startsWith("exports/tenant-b:" + user + "/"), e.getString("path"));
          });
          return b.get("/v1/users/" + user + "/stats").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(403, r.statusCode(), r.bodyAsString()));
          return b.get("/v1/stats").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(403, r.statusCode(), r.bodyAsString()));
          // tenant-b's key has no admin scope, so it is refused before the task is even looked up
          return b.post("/v1/tasks/" + ours[0] + "/retry").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(403, r.statusCode(), r.bodyAsString()));
          return b.get("/v1/tasks/" + ours[0]).send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(404, r.statusCode(), "another tenant's task does not exist: "
              + r.bodyAsString()));
          // the same check from the other side, with a key that may retry: a failed task of tenant-b's user of the
          // same id (made after tenant-b's forget above, which would have erased it) is a 404, not a retry
          return failedTaskOf("tenant-b:" + user, "乙方的任务也失败了");
        })
        .compose(t -> {
          theirs[0] = t.getString("task_id");
          return TestStack.http().post("/v1/tasks/" + theirs[0] + "/retry").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(404, r.statusCode(), r.bodyAsString()));
          return json(TestStack.get("/v1/tasks/" + ours[0]), 200);
        })
        .compose(t -> {
          ctx.verify(() -> assertEquals("failed", t.getString("status"), "ours was not retried: " + t.encode()));
          return count("SELECT COUNT(*) FROM memory_generation_tasks WHERE task_id = ? AND status = 'failed'",
              Tuple.of(theirs[0]));
        })
        .compose(n -> {
          ctx.verify(() -> assertEquals(1L, n, "theirs was not retried"));
          return count("SELECT COUNT(*) FROM forgotten_users WHERE user_id = ?", Tuple.of(TestStack.internal(user)));
        })
        .compose(n -> {
          ctx.verify(() -> assertEquals(0L, n, "no tombstone for our user"));
          return ForgetTest.footprint(node, user, null);
        })
        .compose(f -> {
          ctx.verify(() -> assertEquals(before[0], f, "our user's counts are unchanged"));
          return json(TestStack.get("/v1/users/" + user + "/characters/c1/profiles"), 200);
        })
        .onComplete(ctx.succeeding(p -> ctx.verify(() -> {
          assertEquals("饺子", EndToEndMemoryTest.profileValue(p.getJsonArray("profiles"), "favorite_food"), p.encode());
          ctx.completeNow();
        })));
  }

  /** What the stats should say, counted straight from SQL, the index and the object store (tenant-scoped ids). */
  private static Future<JsonObject> expected(String clientUser, String character) {
    String user = TestStack.internal(clientUser);
    String where = character == null ? " WHERE user_id = ?" : " WHERE user_id = ? AND character_id = ?";
    Tuple owner = character == null ? Tuple.of(user) : Tuple.of(user, character);
    Future<Long> profiles = count("SELECT COUNT(*) FROM user_profiles" + where, owner);
    Future<Long> events = count("SELECT COUNT(*) FROM user_events" + where, owner);
    Future<Long> summaries = count("SELECT COUNT(*) FROM conversation_summaries" + where, owner);
    Future<Long> buffered = count("SELECT COUNT(*) FROM buffered_messages" + where, owner);
    Future<Long> completed = count("SELECT COUNT(*) FROM memory_generation_tasks" + where
        + " AND status = 'completed'", owner);
    Future<Long> failed = count("SELECT COUNT(*) FROM memory_generation_tasks" + where + " AND status = 'failed'",
        owner);
    Future<java.util.Map<String, Long>> byType = TestStack.vertx().executeBlocking(() ->
        TestStack.engram().index().countByType(user, character));
    ObjectStore store = TestStack.engram().objectStore();
    Future<List<ObjectStore.Entry>> conversations = store.entries("conversations/" + user + "/"
        + (character == null ? "" : character + "/"));
    Future<List<ObjectStore.Entry>> exports = character == null ? store.entries("exports/" + user + "/")
        : Future.succeededFuture(List.of());
    return Future.all(List.of(profiles, events, summaries, buffered, completed, failed, byType, conversations, exports))
        .map(x -> {
          List<ObjectStore.Entry> objects = Stream.concat(conversations.result().stream(), exports.result().stream())
              .toList();
          return new JsonObject()
              .put("memories", new JsonObject().put("profiles", profiles.result()).put("events", events.result())
                  .put("summaries", summaries.result()))
              .put("by_type", new JsonObject(new java.util.HashMap<>(byType.result())))
              .put("total", byType.result().values().stream().mapToLong(Long::longValue).sum())
              .put("buffered_messages", buffered.result())
              .put("completed", completed.result())
              .put("failed", failed.result())
              .put("archive_objects", (long) objects.size())
              .put("archive_bytes", objects.stream().mapToLong(ObjectStore.Entry::size).sum());
        });
  }

  private static void assertStats(JsonObject exp, JsonObject got) {
    assertEquals(exp.getJsonObject("memories"), got.getJsonObject("memories"), got.encode());
    assertTrue(exp.getJsonObject("memories").getLong("summaries") > 0, "something was ingested: " + got.encode());
    JsonObject byType = got.getJsonObject("index").getJsonObject("by_type");
    for (String type : List.of("summary", "event", "profile", "message", "entity")) {
      assertEquals(exp.getJsonObject("by_type").getLong(type, 0L), byType.getLong(type), type + ": " + got.encode());
    }
    assertEquals(exp.getLong("total"), got.getJsonObject("index").getLong("total"));
    assertEquals(exp.getLong("buffered_messages"), got.getLong("buffered_messages"));
    assertEquals(exp.getLong("completed"), got.getJsonObject("tasks").getLong("completed"));
    assertEquals(exp.getLong("failed"), got.getJsonObject("tasks").getLong("failed"));
    JsonObject storage = got.getJsonObject("storage");
    assertEquals(exp.getLong("archive_objects"), storage.getLong("archive_objects"));
    assertEquals(exp.getLong("archive_bytes"), storage.getLong("archive_bytes"));
    assertTrue(storage.getLong("archive_bytes") > 0);
    assertTrue(storage.getLong("mysql_bytes") > 0);
    assertEquals(storage.getLong("archive_bytes") + storage.getLong("mysql_bytes"), storage.getLong("total_bytes"));
  }

  private static Future<Long> count(String sql, Tuple args) {
    return TestStack.sql().preparedQuery(sql).execute(args).map(rs -> rs.iterator().next().getLong(0));
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("GET", "/v1/tasks?status=done", 400, "status"),
        Arguments.of("GET", "/v1/tasks?limit=0", 400, "limit"),
        Arguments.of("GET", "/v1/tasks?limit=501", 400, "limit"),
        Arguments.of("GET", "/v1/tasks?limit=ten", 400, "limit"),
        Arguments.of("GET", "/v1/tasks?user_id=", 400, "user_id"),
        Arguments.of("GET", "/v1/users/u1/stats?character_id=", 400, "character_id"),
        Arguments.of("POST", "/v1/tasks/no-such-task/retry", 404, null),
        Arguments.of("DELETE", "/v1/users/u1/characters/" + "c".repeat(65), 400, "character_id"),
        Arguments.of("POST", "/v1/users/" + "u".repeat(65) + "/export", 400, "user_id"));
  }

  @ParameterizedTest(name = "{0} {1} → {2}")
  @MethodSource("badRequests")
  @DisplayName("Bad admin requests are 400s naming the field, an unknown task is a 404")
  void badRequests(String method, String path, int status, String field, VertxTestContext ctx) {
    TestStack.http().request(io.vertx.core.http.HttpMethod.valueOf(method), path).send()
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(status, r.statusCode(), r.bodyAsString());
          if (field != null) {
            assertEquals(field, r.bodyAsJsonObject().getJsonObject("error").getString("field"), r.bodyAsString());
          }
          ctx.completeNow();
        })));
  }
}
