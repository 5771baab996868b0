package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two tenants use the very same user ids. Random calls from both (ingest, import, recall, lists, task reads, blank
 * ids, metadata naming the other tenant's user) must never show one tenant anything of the other's: each tenant's
 * memories carry a secret word, and no reply to one tenant may contain the other's.
 */
@DisplayName("Tenant isolation")
class TenantIsolationTest {
  private static WebClient a;
  private static WebClient b;

  @BeforeAll
  static void clients() {
    TestStack.engram();
    a = TestStack.client(TestStack.vertx(), TestStack.engram().port(), TestStack.API_KEY);
    b = TestStack.client(TestStack.vertx(), TestStack.engram().port(), TestStack.API_KEY_B);
  }

  @Test
  @DisplayName("random calls of two tenants on the same user ids (recall, lists, tasks, imports, exports, forget) never cross tenants")
  void randomCallsNeverCross() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("alice-" + run, "bob-" + run, "张三-" + run);
    String secretA = "杏仁酥" + run + "A";
    String secretB = "龙须糖" + run + "B";
    List<String> tasksA = new ArrayList<>();
    List<String> tasksB = new ArrayList<>();
    // both tenants fill the same user ids, through sessions (MySQL, index, archive) and imports (index)
    for (String u : users) {
      tasksA.add(session(a, u, "我最喜欢吃" + secretA + "，我的生日是3月15日"));
      tasksB.add(session(b, u, "我最喜欢吃" + secretB + "，我的生日是7月7日"));
      importMemory(a, u, "我养了一只猫叫" + secretA, new JsonObject());
      importMemory(b, u, "我养了一只猫叫" + secretB, new JsonObject().put("user_id", "default:" + u)
          .put("tenant", "default").put("owner", u)); // metadata naming the other tenant's user
    }
    for (String t : tasksA) {
      awaitCompleted(a, t);
    }
    for (String t : tasksB) {
      awaitCompleted(b, t);
    }

    Random r = new Random(42);
    int reads = 0;
    for (int i = 0; i < 120; i++) {
      boolean asA = r.nextBoolean();
      WebClient me = asA ? a : b;
      String mine = asA ? secretA : secretB;
      String theirs = asA ? secretB : secretA;
      String user = r.nextInt(10) == 0 ? pick(r, "", " ", "default:" + users.get(0), "tenant-b:" + users.get(0),
          "../" + users.get(0), users.get(0) + "\u0000") : users.get(r.nextInt(users.size()));
      HttpResponse<Buffer> reply = switch (r.nextInt(6)) {
        case 5 -> Future.await(me.post("/v1/users/" + encode(user) + "/export").send());
        case 0 -> Future.await(me.post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", user)
            .put("character_id", "c1").put("message", pick(r, "我喜欢吃什么", "我的猫叫什么", "杏仁酥", "龙须糖",
                secretA, secretB)).put("force", true).put("top_k", 20)));
        case 1 -> Future.await(me.get("/v1/users/" + encode(user) + "/characters/c1/"
            + pick(r, "profiles", "events", "summaries")).send());
        case 2 -> Future.await(me.get("/v1/tasks/" + (r.nextBoolean() ? tasksA : tasksB).get(r.nextInt(users.size())))
            .send());
        case 3 -> Future.await(me.post("/v1/memories").sendJsonObject(new JsonObject().put("user_id", user)
            .put("character_id", "c1").put("memory_type", "event").put("content", "又提到了" + mine)
            .put("timestamp", Instant.now().getEpochSecond() - 10)
            .put("metadata", new JsonObject().put("user_id", (asA ? "tenant-b:" : "default:") + user))));
        default -> Future.await(me.post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", user)
            .put("character_id", "c1").put("message", "我的生日是哪天").put("force", true)));
      };
      String body = reply.bodyAsString();
      assertFalse(body.contains(theirs), "tenant " + (asA ? "A" : "B") + " saw the other's data: " + body);
      assertFalse(leaksInternalId(reply), "internal ids never leak: " + body);
      assertTrue(reply.statusCode() < 500, body);
      if (reply.statusCode() == 200 && body.contains(mine)) {
        reads++;
      }
    }
    assertTrue(reads > 10, "the calls did read each tenant's own memories: " + reads);

    // one tenant forgetting its user leaves the other tenant's user of the same id whole
    assertEquals(200, Future.await(b.delete("/v1/users/" + users.get(1)).send()).statusCode());
    JsonObject stillA = Future.await(a.post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", users.get(1))
        .put("character_id", "c1").put("message", "我的猫叫什么").put("force", true))).bodyAsJsonObject();
    assertTrue(stillA.encode().contains(secretA), stillA.encode());
    JsonObject goneB = Future.await(b.post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", users.get(1))
        .put("character_id", "c1").put("message", "我的猫叫什么").put("force", true))).bodyAsJsonObject();
    assertFalse(goneB.encode().contains(secretB), goneB.encode());

    // another tenant's task id does not exist for this one
    assertEquals(404, Future.await(a.get("/v1/tasks/" + tasksB.get(0)).send()).statusCode());
    assertEquals(200, Future.await(b.get("/v1/tasks/" + tasksB.get(0)).send()).statusCode());
    // each tenant's own user sees its own birthday only
    JsonObject profilesA = Future.await(a.get("/v1/users/" + users.get(0) + "/characters/c1/profiles").send())
        .bodyAsJsonObject();
    assertTrue(profilesA.encode().contains("03-15") && !profilesA.encode().contains("07-07"), profilesA.encode());
    JsonObject recalled = Future.await(a.post("/v1/recall").sendJsonObject(new JsonObject().put("user_id", users.get(0))
        .put("character_id", "c1").put("message", "我的猫叫什么").put("force", true))).bodyAsJsonObject();
    assertTrue(recalled.encode().contains(secretA) && !recalled.encode().contains(secretB), recalled.encode());
  }

  private static String session(WebClient c, String user, String text) throws Exception {
    HttpResponse<Buffer> r = Future.await(c.post("/v1/sessions").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("messages", new JsonArray().add(new JsonObject().put("msg_id", "m1")
            .put("role", "user").put("content", text).put("timestamp", Instant.now().getEpochSecond() - 60)))));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("task_id");
  }

  private static void importMemory(WebClient c, String user, String text, JsonObject metadata) throws Exception {
    HttpResponse<Buffer> r = Future.await(c.post("/v1/memories").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("memory_type", "event").put("content", text)
        .put("timestamp", Instant.now().getEpochSecond() - 30).put("metadata", metadata)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static void awaitCompleted(WebClient c, String task) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    String status = "";
    while (!"completed".equals(status) && System.currentTimeMillis() < deadline) {
      Future.await(TestStack.vertx().timer(100));
      status = Future.await(c.get("/v1/tasks/" + task).send()).bodyAsJsonObject().getString("status");
    }
    assertEquals("completed", status, task);
  }

  /** Whether any user_id outside the client's own metadata carries a tenant prefix. */
  private static boolean leaksInternalId(HttpResponse<Buffer> reply) {
    try {
      return leaks(reply.bodyAsJsonObject());
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static boolean leaks(Object node) {
    if (node instanceof JsonObject o) {
      for (String f : o.fieldNames()) {
        Object v = o.getValue(f);
        if (("user_id".equals(f) && v instanceof String s && (s.startsWith("default:") || s.startsWith("tenant-b:")))
            || (!"metadata".equals(f) && leaks(v))) {
          return true;
        }
      }
    } else if (node instanceof JsonArray a) {
      return a.stream().anyMatch(TenantIsolationTest::leaks);
    }
    return false;
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
