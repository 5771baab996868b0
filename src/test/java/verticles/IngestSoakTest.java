package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.vectorsearch.MemoryRecord;

/**
 * Many clients at once on the same three users: new sessions, retries of accepted ones, buffered messages with
 * session ends, and recalls. Afterwards every accepted message is in exactly one completed task, indexed once and
 * archived once; no reply was a 5xx and no recall degraded.
 */
@ExtendWith(VertxExtension.class)
class IngestSoakTest {
  private static final int USERS = 3;
  private static final int SESSION_CLIENTS = 6;
  private static final int SESSIONS_EACH = 12;
  private static final int MESSAGES = 6;
  private static final int REPOST_CLIENTS = 3;
  private static final int BUFFER_CLIENTS = 2;
  private static final int BUFFERED_SESSIONS_EACH = 4;
  private static final int RECALL_CLIENTS = 2;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  /** session id → its user index and the msg ids accepted for it. */
  private final Map<String, Integer> sessionUser = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> accepted = new ConcurrentHashMap<>();
  private final List<JsonObject> postedSessions = new CopyOnWriteArrayList<>();
  private final Set<String> taskIds = ConcurrentHashMap.newKeySet();
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final AtomicInteger degraded = new AtomicInteger();
  private final AtomicInteger recalls = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  @Test
  @DisplayName("Clients ingesting, re-posting, buffering and recalling for the same users at once lose nothing, "
      + "duplicate nothing, see no 5xx and no degraded recall")
  void soak(VertxTestContext ctx) {
    List<Future<?>> writers = new ArrayList<>();
    for (int c = 0; c < SESSION_CLIENTS; c++) {
      int client = c;
      writers.add(sequence(SESSIONS_EACH, n -> postSession(client, n)));
    }
    for (int c = 0; c < REPOST_CLIENTS; c++) {
      Random random = new Random(c);
      writers.add(sequence(SESSIONS_EACH, n -> repost(random)));
    }
    for (int c = 0; c < BUFFER_CLIENTS; c++) {
      int client = c;
      writers.add(sequence(BUFFERED_SESSIONS_EACH, n -> bufferedSession(client, n)));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<?>> readers = new ArrayList<>();
    for (int c = 0; c < RECALL_CLIENTS; c++) {
      Random random = new Random(100 + c);
      readers.add(recallWhile(writing, random));
    }
    Future.join(writers)
        .eventually(() -> {
          writing.set(false);
          return Future.join(readers);
        })
        .compose(x -> {
          ctx.verify(() -> {
            assertEquals(Map.of(), fiveHundreds(), "replies by status: " + statuses + "; " + failures);
            assertEquals(0, degraded.get(), degraded + " of " + recalls + " recalls degraded; " + failures);
            assertTrue(recalls.get() > 0);
          });
          return TestStack.until(this::unsettled, n -> n == 0, 120_000);
        })
        .compose(x -> checkTasks(ctx))
        .compose(x -> checkIndex(ctx))
        .compose(x -> TestStack.until(this::archiveCounts, counts -> counts.equals(expected(1)), 60_000)
            .recover(e -> archiveCounts().compose(counts -> Future.failedFuture(new AssertionError(
                "archives never held each accepted message once: " + diff(counts))))))
        .onComplete(ctx.succeedingThenComplete());
  }

  // ---- the clients

  private Future<Void> postSession(int client, int n) {
    String session = "soak-" + run + "-" + client + "-" + n;
    int user = (client + n) % USERS;
    JsonArray messages = new JsonArray();
    for (int i = 0; i < MESSAGES; i++) {
      messages.add(message("m" + i, "第" + n + "次聊天，我说了第" + i + "句：今天在公司吃了" + (i % 2 == 0 ? "火锅" : "面条")));
    }
    JsonObject body = new JsonObject().put("user_id", user(user)).put("character_id", "c1")
        .put("session_id", session).put("messages", messages);
    return post("/v1/sessions", body).map(r -> {
      if (r.statusCode() == 202) {
        sessionUser.put(session, user);
        messages.forEach(m -> accepted.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet())
            .add(((JsonObject) m).getString("msg_id")));
        taskIds.add(r.bodyAsJsonObject().getString("task_id"));
        postedSessions.add(body);
      }
      return null;
    });
  }

  /** A client's retry of a session already accepted: the same body again. */
  private Future<Void> repost(Random random) {
    if (postedSessions.isEmpty()) {
      return TestStack.vertx().timer(20, TimeUnit.MILLISECONDS).mapEmpty();
    }
    JsonObject body = postedSessions.get(random.nextInt(postedSessions.size()));
    return post("/v1/sessions", body).mapEmpty();
  }

  /** Three posts of three messages to one session, then its end. */
  private Future<Void> bufferedSession(int client, int n) {
    String session = "soak-buf-" + run + "-" + client + "-" + n;
    int user = (client + n) % USERS;
    return sequence(3, part -> {
      JsonArray messages = new JsonArray();
      for (int i = 0; i < 3; i++) {
        messages.add(message("b" + part + "-" + i, "缓冲的第" + part + "段第" + i + "句：周末去爬山"));
      }
      return post("/v1/messages", new JsonObject().put("user_id", user(user)).put("character_id", "c1")
          .put("session_id", session).put("messages", messages)).map(r -> {
            if (r.statusCode() == 202) {
              sessionUser.put(session, user);
              String task = r.bodyAsJsonObject().getString("task_id"); // the buffer reached its threshold
              if (task != null) {
                taskIds.add(task);
              }
              messages.forEach(m -> accepted.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet())
                  .add(((JsonObject) m).getString("msg_id")));
            }
            return null;
          });
    }).compose(x -> post("/v1/sessions/" + session + "/end",
        new JsonObject().put("user_id", user(user)).put("character_id", "c1"))).map(r -> {
          String task = r.statusCode() == 202 ? r.bodyAsJsonObject().getString("task_id") : null;
          if (task != null) {
            taskIds.add(task);
          }
          return null;
        });
  }

  private Future<Void> recallWhile(AtomicBoolean writing, Random random) {
    if (!writing.get()) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("user_id", user(random.nextInt(USERS))).put("character_id", "c1")
        .put("message", "你还记得我在公司吃了什么吗").put("force", true);
    return post("/v1/recall", body).compose(r -> {
      if (r.statusCode() == 200) {
        recalls.incrementAndGet();
        if (!r.bodyAsJsonObject().getJsonArray("degraded").isEmpty()) {
          degraded.incrementAndGet();
          failures.add("recall degraded " + r.bodyAsJsonObject().getJsonArray("degraded") + " in "
              + r.bodyAsJsonObject().getLong("took_ms") + " ms");
        }
      }
      return recallWhile(writing, random);
    });
  }

  /** A POST whose status is counted; a 429 waits its Retry-After and is sent again, as a client would. */
  private Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
    return TestStack.post(path, body).compose(r -> {
      statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
      if (r.statusCode() >= 500 && failures.size() < 5) {
        failures.add(path + " " + r.statusCode() + " " + r.bodyAsString());
      }
      if (r.statusCode() == 429) {
        return TestStack.vertx().timer(Long.parseLong(r.getHeader("Retry-After")), TimeUnit.SECONDS)
            .compose(x -> post(path, body));
      }
      return Future.succeededFuture(r);
    });
  }

  /** {@code steps} calls one after the other. */
  private static Future<Void> sequence(int steps, IntFunction<Future<?>> step) {
    Future<?> chain = Future.succeededFuture();
    for (int i = 0; i < steps; i++) {
      int n = i;
      chain = chain.compose(x -> step.apply(n));
    }
    return chain.mapEmpty();
  }

  // ---- the checks

  private Map<Integer, Integer> fiveHundreds() {
    Map<Integer, Integer> out = new TreeMap<>();
    statuses.forEach((status, n) -> {
      if (status >= 500) {
        out.put(status, n.get());
      }
    });
    return out;
  }

  private Future<Long> unsettled() {
    return TestStack.sql().preparedQuery("SELECT COUNT(*) FROM memory_generation_tasks WHERE user_id LIKE ?"
            + " AND status IN ('pending', 'processing')").execute(Tuple.of(TestStack.internal("soak-" + run) + "%"))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** Every task completed, every task id a post answered among them, every accepted message in exactly one. */
  private Future<Void> checkTasks(VertxTestContext ctx) {
    return TestStack.sql().preparedQuery("SELECT task_id, session_id, status, source_data FROM"
            + " memory_generation_tasks WHERE user_id LIKE ?").execute(Tuple.of(TestStack.internal("soak-" + run) + "%"))
        .map(rs -> {
          Map<String, Map<String, Integer>> inTasks = new TreeMap<>();
          Set<String> stored = ConcurrentHashMap.newKeySet();
          for (Row r : rs) {
            ctx.verify(() -> assertEquals("completed", r.getString("status"), r.getString("task_id")));
            stored.add(r.getString("task_id"));
            for (Object m : new JsonArray(r.getValue("source_data").toString())) {
              inTasks.computeIfAbsent(r.getString("session_id"), k -> new TreeMap<>())
                  .merge(((JsonObject) m).getString("msg_id"), 1, Integer::sum);
            }
          }
          ctx.verify(() -> {
            assertTrue(stored.containsAll(taskIds), "every task id a post answered exists");
            assertEquals(expected(1), inTasks, "tasks holding each accepted message");
          });
          return null;
        });
  }

  /** Each accepted message is one message record in the index, under its session. */
  private Future<Void> checkIndex(VertxTestContext ctx) {
    return TestStack.vertx().executeBlocking(() -> {
      Map<String, Map<String, Integer>> found = new TreeMap<>();
      for (int u = 0; u < USERS; u++) {
        for (MemoryRecord r : TestStack.engram().index().list(TestStack.internal(user(u)), "c1", 0, 100_000)) {
          if ("message".equals(r.memoryType())) {
            r.sourceMsgIds().forEach(id -> found.computeIfAbsent(r.sessionId(), k -> new TreeMap<>())
                .merge(id, 1, Integer::sum));
          }
        }
      }
      return found;
    }).map(found -> {
      ctx.verify(() -> assertEquals(expected(1), found, "message records per session and msg id"));
      return null;
    });
  }

  /** Per session, how many times each msg id is in the archives. */
  private Future<Map<String, Map<String, Integer>>> archiveCounts() {
    List<Future<Map<String, Map<String, Integer>>>> perUser = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      String prefix = "conversations/" + TestStack.internal(user(u)) + "/";
      perUser.add(TestStack.engram().objectStore().list(prefix).compose(keys -> {
        List<Future<Buffer>> bodies = keys.stream().map(k -> TestStack.engram().objectStore().get(k)).toList();
        return Future.all(bodies).map(x -> {
          Map<String, Map<String, Integer>> counts = new TreeMap<>();
          for (Future<Buffer> b : bodies) {
            JsonObject archive = b.result().toJsonObject();
            for (Object m : archive.getJsonArray("messages")) {
              counts.computeIfAbsent(archive.getString("session_id"), k -> new TreeMap<>())
                  .merge(((JsonObject) m).getString("msg_id"), 1, Integer::sum);
            }
          }
          return counts;
        });
      }));
    }
    return Future.all(perUser).map(x -> {
      Map<String, Map<String, Integer>> all = new TreeMap<>();
      perUser.forEach(f -> all.putAll(f.result()));
      return all;
    });
  }

  /** Every accepted message of every session, {@code times} each. */
  private Map<String, Map<String, Integer>> expected(int times) {
    Map<String, Map<String, Integer>> out = new TreeMap<>();
    accepted.forEach((session, ids) -> ids.forEach(id -> out.computeIfAbsent(session, k -> new TreeMap<>())
        .put(id, times)));
    return out;
  }

  private String diff(Map<String, Map<String, Integer>> counts) {
    StringBuilder out = new StringBuilder();
    expected(1).forEach((session, ids) -> {
      if (!ids.equals(counts.get(session))) {
        out.append(session).append(": expected ").append(ids.keySet()).append(", archived ")
            .append(counts.get(session)).append("; ");
      }
    });
    return out.toString();
  }

  private String user(int u) {
    return "soak-" + run + "-u" + u;
  }

  private static JsonObject message(String id, String content) {
    return new JsonObject().put("msg_id", id).put("role", "user").put("content", content)
        .put("timestamp", 1_733_000_000L);
  }
}
