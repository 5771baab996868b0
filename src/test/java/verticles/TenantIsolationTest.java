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
  @DisplayName("random calls of two tenants on the same user ids (recall, lists, tasks, imports, exports, forget, one"
      + " memory's reads and writes by id, transactions and batches, archived conversations) never cross tenants")
  void randomCallsNeverCross() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("alice-" + run, "bob-" + run, "张三-" + run);
    String secretA = "杏仁酥" + run + "A";
    String secretB = "龙须糖" + run + "B";
    List<String> tasksA = new ArrayList<>();
    List<String> tasksB = new ArrayList<>();
    List<String> memoriesA = new ArrayList<>();
    List<String> memoriesB = new ArrayList<>();
    // both tenants fill the same user ids, through sessions (MySQL, index, archive) and imports (index)
    for (String u : users) {
      tasksA.add(session(a, u, "我最喜欢吃" + secretA + "，我的生日是3月15日"));
      tasksB.add(session(b, u, "我最喜欢吃" + secretB + "，我的生日是7月7日"));
      memoriesA.add(importMemory(a, u, "我养了一只猫叫" + secretA, new JsonObject()));
      memoriesB.add(importMemory(b, u, "我养了一只猫叫" + secretB, new JsonObject().put("user_id", "default:" + u)
          .put("tenant", "default").put("owner", u))); // metadata naming the other tenant's user
    }
    for (String t : tasksA) {
      awaitCompleted(a, t);
    }
    for (String t : tasksB) {
      awaitCompleted(b, t);
    }

    // each task's session, for the archive reads (their own Random: the calls' sequence stays as it was)
    List<String> sessionsA = sessionsOf(a, tasksA);
    List<String> sessionsB = sessionsOf(b, tasksB);
    Random archives = new Random(7);
    Random r = new Random(42);
    int reads = 0;
    for (int i = 0; i < 120; i++) {
      boolean asA = r.nextBoolean();
      WebClient me = asA ? a : b;
      String mine = asA ? secretA : secretB;
      String theirs = asA ? secretB : secretA;
      String user = r.nextInt(10) == 0 ? pick(r, "", " ", "default:" + users.get(0), "tenant-b:" + users.get(0),
          "../" + users.get(0), users.get(0) + "\u0000") : users.get(r.nextInt(users.size()));
      List<String> myMemories = asA ? memoriesA : memoriesB;
      List<String> theirMemories = asA ? memoriesB : memoriesA;
      HttpResponse<Buffer> reply = switch (r.nextInt(10)) {
        case 9 -> { // a transaction or a batch: the other tenant's memories cannot be staged on, nor its transactions
          boolean other = r.nextBoolean();
          String id = (other ? theirMemories : myMemories).get(r.nextInt(users.size()));
          JsonObject op = new JsonObject().put("op", "update").put("id", id).put("importance", 1 + r.nextInt(10));
          if (r.nextBoolean()) {
            HttpResponse<Buffer> batch = Future.await(me.post("/v1/memories/batch").sendJsonObject(new JsonObject()
                .put("operations", new JsonArray().add(op))));
            assertEquals(other ? 404 : 200, batch.statusCode(), batch.bodyAsString());
            yield batch;
          }
          String tx = Future.await(me.post("/v1/transactions").sendJsonObject(new JsonObject())).bodyAsJsonObject()
              .getString("tx_id");
          HttpResponse<Buffer> staged = Future.await(me.post("/v1/transactions/" + tx + "/operations")
              .sendJsonObject(op));
          assertEquals(other ? 404 : 201, staged.statusCode(), staged.bodyAsString());
          WebClient them = asA ? b : a; // the transaction does not exist for the other tenant
          assertEquals(404, Future.await(them.get("/v1/transactions/" + tx).send()).statusCode());
          assertEquals(404, Future.await(them.post("/v1/transactions/" + tx + "/" + pick(r, "commit", "rollback"))
              .send()).statusCode());
          assertEquals(404, Future.await(them.post("/v1/transactions/" + tx + "/operations").sendJsonObject(
              new JsonObject().put("op", "delete").put("id", id))).statusCode());
          HttpResponse<Buffer> ended = Future.await(me.post("/v1/transactions/" + tx + "/"
              + pick(r, "commit", "rollback")).send());
          assertEquals(200, ended.statusCode(), ended.bodyAsString());
          yield ended;
        }
        case 6 -> { // one memory by id, its history or a comparison: the other tenant's ids do not exist
          boolean other = r.nextBoolean();
          String id = (other ? theirMemories : myMemories).get(r.nextInt(users.size()));
          HttpResponse<Buffer> got = Future.await(me.get("/v1/memories/" + encode(id)
              + pick(r, "", "/history", "/compare?a=1&b=1")).send());
          if (other) {
            assertEquals(404, got.statusCode(), got.bodyAsString());
          }
          yield got;
        }
        case 7 -> { // writes by id: a correction, a delete (soft or hard), a restore
          boolean other = r.nextInt(3) > 0;
          String id = (other ? theirMemories : myMemories).get(r.nextInt(users.size()));
          HttpResponse<Buffer> wrote = switch (other ? r.nextInt(4) : r.nextInt(2)) {
            case 0 -> Future.await(me.patch("/v1/memories/" + encode(id)).putHeader("If-Match", "*")
                .sendJsonObject(new JsonObject().put("importance", 1 + r.nextInt(10)).put("reason", "random")));
            case 1 -> Future.await(me.post("/v1/memories/" + encode(id) + "/restore")
                .sendJsonObject(new JsonObject().put("version", 1).put("reason", "random")));
            case 2 -> Future.await(me.delete("/v1/memories/" + encode(id)).send());
            default -> Future.await(me.delete("/v1/memories/" + encode(id) + "?hard=true").send());
          };
          assertEquals(other ? 404 : 200, wrote.statusCode(), wrote.bodyAsString());
          yield wrote;
        }
        case 8 -> Future.await(me.get("/v1/memories?user_id=" + encode(user) + pick(r, "", "&type=event",
            "&metadata.user_id=" + encode((asA ? "tenant-b:" : "default:") + user), "&limit=3")).send());
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
      assertFalse(leaksInternalId(reply, user.startsWith(asA ? "default:" : "tenant-b:") ? user : null),
          "internal ids never leak: " + body);
      assertTrue(reply.statusCode() < 500, body);
      if (reply.statusCode() == 200 && body.contains(mine)) {
        reads++;
      }
      // an archived conversation: this tenant's session reads (once archived), the other's same user is 404
      boolean theirSession = archives.nextBoolean();
      int u = archives.nextInt(users.size());
      String sessionId = (asA == theirSession ? sessionsB : sessionsA).get(u);
      HttpResponse<Buffer> conversation = Future.await(me.get("/v1/sessions/" + encode(sessionId) + "/archive?user_id="
          + encode(users.get(u)) + "&character_id=c1").send());
      String read = conversation.bodyAsString();
      assertFalse(read.contains(theirs), "tenant " + (asA ? "A" : "B") + " read the other's archive: " + read);
      assertFalse(leaksInternalId(conversation, null), "internal ids never leak: " + read);
      assertTrue(theirSession ? conversation.statusCode() == 404 : conversation.statusCode() < 500, read);
    }
    assertTrue(reads > 10, "the calls did read each tenant's own memories: " + reads);
    // nothing the other tenant sent by id reached a memory: each is whole, active, with its owner's secret
    for (int i = 0; i < users.size(); i++) {
      JsonObject mineA = Future.await(a.get("/v1/memories/" + encode(memoriesA.get(i))).send()).bodyAsJsonObject();
      JsonObject mineB = Future.await(b.get("/v1/memories/" + encode(memoriesB.get(i))).send()).bodyAsJsonObject();
      assertTrue(mineA.getString("content").contains(secretA) && "active".equals(mineA.getString("status")),
          mineA.encode());
      assertTrue(mineB.getString("content").contains(secretB) && "active".equals(mineB.getString("status")),
          mineB.encode());
      assertEquals(users.get(i), mineA.getString("user_id"));
    }

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

  @Test
  @DisplayName("conflicts of two tenants' users of the same id stay apart: each lists, reads and resolves only its own")
  void conflictsKeepTenantsApart() throws Exception {
    String user = "dave-" + UUID.randomUUID().toString().substring(0, 8);
    importMemory(a, user, "我会开车", new JsonObject());
    importMemory(b, user, "我会游泳", new JsonObject());
    String idA = conflictOf(a, user, "我不会开车");
    String idB = conflictOf(b, user, "我不会游泳");
    for (WebClient[] pair : new WebClient[][] {{a, b}, {b, a}}) {
      WebClient me = pair[0];
      String mine = me == a ? idA : idB;
      String theirs = me == a ? idB : idA;
      JsonArray listed = Future.await(me.get("/v1/conflicts?user_id=" + user).send()).bodyAsJsonObject()
          .getJsonArray("conflicts");
      assertEquals(1, listed.size(), listed.encode());
      assertEquals(mine, listed.getJsonObject(0).getString("conflict_id"));
      assertEquals(user, listed.getJsonObject(0).getString("user_id"), "the client's own user id");
      JsonArray all = Future.await(me.get("/v1/conflicts?limit=500").send()).bodyAsJsonObject()
          .getJsonArray("conflicts");
      assertFalse(all.encode().contains(theirs), "a tenant's list never holds another's conflicts");
      assertEquals(404, Future.await(me.get("/v1/conflicts/" + theirs).send()).statusCode());
      assertEquals(404, Future.await(me.post("/v1/conflicts/" + theirs + "/resolve")
          .sendJsonObject(new JsonObject().put("keep", "a"))).statusCode());
      assertEquals(0, Future.await(me.get("/v1/conflicts?user_id=" + encode((me == a ? "tenant-b:" : "default:")
          + user)).send()).bodyAsJsonObject().getJsonArray("conflicts").size());
    }
    assertEquals(200, Future.await(a.post("/v1/conflicts/" + idA + "/resolve").sendJsonObject(new JsonObject()
        .put("keep", "b"))).statusCode());
    assertFalse(Future.await(b.get("/v1/conflicts/" + idB).send()).bodyAsJsonObject().getBoolean("resolved"));
  }

  /** Imports a statement that contradicts the first, and returns the open conflict's id. */
  private static String conflictOf(WebClient c, String user, String text) throws Exception {
    HttpResponse<Buffer> r = Future.await(c.post("/v1/memories").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("memory_type", "event").put("content", text)
        .put("timestamp", Instant.now().getEpochSecond() - 10)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonArray found = r.bodyAsJsonObject().getJsonArray("conflicts");
    assertEquals(1, found.size(), r.bodyAsString());
    return found.getJsonObject(0).getString("conflict_id");
  }

  @Test
  @DisplayName("session contexts of two tenants on the same user, character and session ids stay apart: reads, writes,"
      + " the message feed and recall's session block")
  void sessionContextsKeepTenantsApart() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String user = "dave-" + run;
    String session = "s-ctx-" + run;
    String secretA = "青团" + run + "A";
    String secretB = "月饼" + run + "B";
    String ctx = "/v1/sessions/" + session + "/context";
    String query = "?user_id=" + user + "&character_id=c1";
    JsonObject owner = new JsonObject().put("user_id", user).put("character_id", "c1");
    // only A has the session: B can neither read nor merge into it
    assertEquals(200, Future.await(a.put(ctx).sendJsonObject(owner.copy().put("current_location", secretA)
        .put("turns", new JsonArray().add(new JsonObject().put("role", "user").put("content", "我爱吃" + secretA)))))
        .statusCode());
    assertEquals(404, Future.await(b.get(ctx + query).send()).statusCode());
    assertEquals(404, Future.await(b.patch(ctx).sendJsonObject(owner.copy().put("emotional_tone", secretB)))
        .statusCode());
    // B's own session of the same ids, fed by a message too
    assertEquals(200, Future.await(b.put(ctx).sendJsonObject(owner.copy().put("current_location", secretB)))
        .statusCode());
    assertEquals(202, Future.await(b.post("/v1/messages").sendJsonObject(owner.copy().put("session_id", session)
        .put("messages", new JsonArray().add(new JsonObject().put("msg_id", "m-" + run).put("role", "user")
            .put("content", "我爱吃" + secretB).put("timestamp", Instant.now().getEpochSecond() - 5)))))
        .statusCode());
    assertEquals(200, Future.await(a.patch(ctx).sendJsonObject(owner.copy().put("emotional_tone", "开心")))
        .statusCode());
    for (boolean asA : new boolean[] {true, false}) {
      WebClient me = asA ? a : b;
      String mine = asA ? secretA : secretB;
      String theirs = asA ? secretB : secretA;
      List<HttpResponse<Buffer>> replies = List.of(Future.await(me.get(ctx + query).send()),
          Future.await(me.post("/v1/recall").sendJsonObject(owner.copy().put("message", "我爱吃什么")
              .put("force", true).put("session_id", session))));
      for (HttpResponse<Buffer> reply : replies) {
        assertEquals(200, reply.statusCode(), reply.bodyAsString());
        assertTrue(reply.bodyAsString().contains(mine), reply.bodyAsString());
        assertFalse(reply.bodyAsString().contains(theirs), "crossed tenants: " + reply.bodyAsString());
        assertFalse(reply.bodyAsString().contains("default:") || reply.bodyAsString().contains("tenant-b:"),
            reply.bodyAsString());
      }
      String tone = replies.get(0).bodyAsJsonObject().getString("emotional_tone");
      assertTrue(asA ? "开心".equals(tone) : !"开心".equals(tone), "A's merge stays A's: " + tone);
    }
  }

  @Test
  @DisplayName("the other routes (sessions, messages and session end on the same session id, task list and retry, user stats, WebSocket, forgetting a character) keep two tenants apart too")
  void everyRouteKeepsTenantsApart() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String user = "carol-" + run;
    String session = "s-" + run;
    String secretA = "桂花糕" + run + "A";
    String secretB = "芝麻饼" + run + "B";
    // tenant-b with the admin scope, which the shared node's tenant-b key lacks: on a gateway of its own
    String keyB = "tenant-b-admin-" + run;
    SecondGateway gateway = Future.await(SecondGateway.start(new JsonObject().put("keys", new JsonArray()
        .add(TestStack.key("tenant-b-admin", "tenant-b", keyB, "memory", "admin")))));
    WebClient bAdmin = gateway.client(keyB);
    try {
      // the same session ids in both tenants: whole sessions (A two, B one) and buffered messages
      String wholeA1 = session(a, user, session + "-w1", "我最喜欢吃" + secretA);
      String wholeA2 = session(a, user, session + "-w2", "周末想吃" + secretA);
      String wholeB = session(bAdmin, user, session + "-w1", "我最喜欢吃" + secretB);
      assertEquals(2, buffer(a, user, session, "我今天又吃了" + secretA, "还是" + secretA + "好吃").getLong("buffered"));
      assertEquals(1, buffer(bAdmin, user, session, "我今天吃了" + secretB).getLong("buffered"),
          "the other tenant's buffered messages of the same session are not counted");
      assertEquals(202, Future.await(bAdmin.post("/v1/sessions/" + session + "/end").sendJsonObject(
          new JsonObject().put("user_id", user).put("character_id", "c1"))).statusCode());
      assertEquals(202, Future.await(a.post("/v1/sessions/" + session + "/end").sendJsonObject(
          new JsonObject().put("user_id", user).put("character_id", "c1"))).statusCode());

      // each tenant's task list holds its own tasks only: A's two sessions and its buffer, B's session and buffer
      List<String> tasksA = settled(a, user, 3);
      List<String> tasksB = settled(bAdmin, user, 2);
      assertTrue(tasksA.containsAll(List.of(wholeA1, wholeA2)) && !tasksA.contains(wholeB), tasksA.toString());
      assertTrue(tasksB.contains(wholeB) && tasksB.stream().noneMatch(tasksA::contains), tasksB.toString());
      String allOfB = Future.await(bAdmin.get("/v1/tasks?limit=500").send()).bodyAsString();
      assertTrue(tasksA.stream().noneMatch(allOfB::contains), allOfB);
      // the archived conversation of the same session id: each tenant reads its own; a session only the other has is 404
      String archive = "/v1/sessions/" + session + "-w1/archive?user_id=" + user + "&character_id=c1";
      JsonObject archiveA = archived(a, archive);
      JsonObject archiveB = archived(bAdmin, archive);
      assertTrue(archiveA.encode().contains(secretA) && !archiveA.encode().contains(secretB), archiveA.encode());
      assertTrue(archiveB.encode().contains(secretB) && !archiveB.encode().contains(secretA), archiveB.encode());
      assertEquals(user, archiveA.getString("user_id"), archiveA.encode());
      assertFalse(leaks(archiveB), archiveB.encode());
      archived(a, "/v1/sessions/" + session + "-w2/archive?user_id=" + user + "&character_id=c1");
      HttpResponse<Buffer> notB = Future.await(bAdmin.get("/v1/sessions/" + session + "-w2/archive?user_id=" + user
          + "&character_id=c1").send());
      assertEquals(404, notB.statusCode(), notB.bodyAsString());
      assertEquals("session_id", notB.bodyAsJsonObject().getJsonObject("error").getString("field"));
      // and may not retry the other's
      assertEquals(404, Future.await(bAdmin.post("/v1/tasks/" + wholeA1 + "/retry").send()).statusCode());
      assertEquals(404, Future.await(a.post("/v1/tasks/" + wholeB + "/retry").send()).statusCode());
      // user stats count each tenant's own user
      JsonObject statsA = Future.await(a.get("/v1/users/" + user + "/stats").send()).bodyAsJsonObject();
      JsonObject statsB = Future.await(bAdmin.get("/v1/users/" + user + "/stats").send()).bodyAsJsonObject();
      assertEquals(3, statsA.getJsonObject("tasks").getInteger("completed"), statsA.encode());
      assertEquals(2, statsB.getJsonObject("tasks").getInteger("completed"), statsB.encode());
      assertEquals(0, statsB.getInteger("buffered_messages"), statsB.encode());

      // exports and the WebSocket show each tenant its own secret only
      String exportA = Future.await(a.post("/v1/users/" + user + "/export").send()).bodyAsString();
      String exportB = Future.await(bAdmin.post("/v1/users/" + user + "/export").send()).bodyAsString();
      assertTrue(exportA.contains(secretA) && !exportA.contains(secretB), exportA);
      assertTrue(exportB.contains(secretB) && !exportB.contains(secretA), exportB);
      JsonObject overWs = Future.await(gateway.ws(keyB, List.of(new JsonObject().put("type", "recall").put("id", 1)
          .put("user_id", user).put("character_id", "c1").put("message", "我最喜欢吃什么").put("force", true)))).get(0);
      assertEquals("recall.result", overWs.getString("type"), overWs.encode());
      assertFalse(overWs.encode().contains(secretA), overWs.encode());
      assertFalse(leaks(overWs), overWs.encode());

      // the cleanup of expired memories: an admin key cleans its own tenant's only
      String closedA = importMemory(a, user, "以前住在杭州" + secretA, new JsonObject());
      String closedB = importMemory(bAdmin, user, "以前住在杭州" + secretB, new JsonObject());
      for (Object[] mine : new Object[][] {{a, closedA}, {bAdmin, closedB}}) {
        HttpResponse<Buffer> closed = Future.await(((WebClient) mine[0]).patch("/v1/memories/" + encode(
            (String) mine[1])).putHeader("If-Match", "*").sendJsonObject(new JsonObject().put("valid_to",
            Instant.now().getEpochSecond() - 60).put("reason", "moved")));
        assertEquals(200, closed.statusCode(), closed.bodyAsString());
      }
      HttpResponse<Buffer> cleaned = Future.await(bAdmin.post("/v1/maintenance/cleanup").send());
      assertEquals(200, cleaned.statusCode(), cleaned.bodyAsString());
      assertEquals("tenant", cleaned.bodyAsJsonObject().getString("scope"), cleaned.bodyAsString());
      assertTrue(cleaned.bodyAsJsonObject().getInteger("deleted") >= 1, cleaned.bodyAsString());
      assertEquals("deleted", Future.await(bAdmin.get("/v1/memories/" + encode(closedB)).send()).bodyAsJsonObject()
          .getString("status"));
      assertEquals("active", Future.await(a.get("/v1/memories/" + encode(closedA)).send()).bodyAsJsonObject()
          .getString("status"), "the other tenant's expired memory is not this tenant's to clean");

      // B forgetting its user's character leaves A's whole
      assertEquals(200, Future.await(bAdmin.delete("/v1/users/" + user + "/characters/c1").send()).statusCode());
      assertTrue(Future.await(a.post("/v1/users/" + user + "/export").send()).bodyAsString().contains(secretA));
      assertFalse(Future.await(bAdmin.post("/v1/users/" + user + "/export").send()).bodyAsString().contains(secretB));
    } finally {
      bAdmin.close();
      Future.await(gateway.close());
    }
  }

  private static List<String> sessionsOf(WebClient c, List<String> tasks) throws Exception {
    List<String> sessions = new ArrayList<>();
    for (String task : tasks) {
      sessions.add(Future.await(c.get("/v1/tasks/" + task).send()).bodyAsJsonObject().getString("session_id"));
    }
    return sessions;
  }

  /** A session's archived conversation, once the Archiver has written it (it follows the task's completion). */
  private static JsonObject archived(WebClient c, String path) throws Exception {
    return Future.await(TestStack.until(() -> c.get(path).send(), r -> r.statusCode() == 200, 60_000))
        .bodyAsJsonObject();
  }

  private static String session(WebClient c, String user, String sessionId, String text) throws Exception {
    HttpResponse<Buffer> r = Future.await(c.post("/v1/sessions").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("session_id", sessionId).put("messages", new JsonArray().add(new JsonObject()
            .put("msg_id", "m1").put("role", "user").put("content", text)
            .put("timestamp", Instant.now().getEpochSecond() - 60)))));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("task_id");
  }

  private static JsonObject buffer(WebClient c, String user, String sessionId, String... texts) throws Exception {
    JsonArray messages = new JsonArray();
    for (int i = 0; i < texts.length; i++) {
      messages.add(new JsonObject().put("msg_id", "b" + i).put("role", "user").put("content", texts[i])
          .put("timestamp", Instant.now().getEpochSecond() - 30 + i));
    }
    HttpResponse<Buffer> r = Future.await(c.post("/v1/messages").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("session_id", sessionId).put("messages", messages)));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /**
   * The user's task ids once it has {@code count} tasks, all completed (a buffer is cut by its session's end or by
   * the idle sweep, whichever comes first). A tenant seeing the other's tasks, or losing its buffer to the other's
   * session end, never gets there.
   */
  private static List<String> settled(WebClient c, String user, int count) throws Exception {
    JsonArray tasks = Future.await(TestStack.until(() -> c.get("/v1/tasks?user_id=" + user).send()
        .map(r -> r.bodyAsJsonObject().getJsonArray("tasks")), t -> t.size() == count && t.stream()
        .allMatch(x -> "completed".equals(((JsonObject) x).getString("status"))), 60_000));
    return tasks.stream().map(t -> ((JsonObject) t).getString("task_id")).toList();
  }

  private static String session(WebClient c, String user, String text) throws Exception {
    HttpResponse<Buffer> r = Future.await(c.post("/v1/sessions").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("messages", new JsonArray().add(new JsonObject().put("msg_id", "m1")
            .put("role", "user").put("content", text).put("timestamp", Instant.now().getEpochSecond() - 60)))));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("task_id");
  }

  private static String importMemory(WebClient c, String user, String text, JsonObject metadata) throws Exception {
    HttpResponse<Buffer> r = Future.await(c.post("/v1/memories").sendJsonObject(new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("memory_type", "event").put("content", text)
        .put("timestamp", Instant.now().getEpochSecond() - 30).put("metadata", metadata)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
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

  /**
   * Whether any user_id outside the client's own metadata carries a tenant prefix, other than {@code own}: an id a
   * client of that tenant chose itself ("default:alice" asked by a key of tenant default comes back as it was asked;
   * ids may hold ':'). Another tenant's prefix is always a leak.
   */
  private static boolean leaksInternalId(HttpResponse<Buffer> reply, String own) {
    try {
      return leaks(reply.bodyAsJsonObject(), own);
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  @Test
  @DisplayName("two tenants with the same project and user ids: one tenant's entities, states, relations and events"
      + " are 404 or absent for the other, by any route, and its ids cannot be related to or involved in events")
  void entitiesNeverCross() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String project = "/v1/projects/story-" + run;
    String secretA = "杏仁酥" + run + "A";
    String secretB = "龙须糖" + run + "B";
    String entityA = entity(a, project, "沈砚", secretA);
    String entityB = entity(b, project, "沈砚", secretB);
    String otherA = entity(a, project, "林小晴", secretA);
    assertEquals(200, Future.await(a.post(project + "/relations").sendJsonObject(new JsonObject()
        .put("source_id", entityA).put("target_id", otherA).put("type", secretA))).statusCode());
    assertEquals(201, Future.await(a.post(project + "/events").sendJsonObject(new JsonObject().put("type", "x")
        .put("summary", secretA).put("entity_ids", new JsonArray().add(entityA)))).statusCode());
    assertEquals(200, Future.await(a.patch(project + "/entities/" + entityA + "/state").sendJsonObject(
        new JsonObject().put("state", secretA))).statusCode());
    for (String path : List.of("", "/states", "/relations?hops=3", "/events")) {
      HttpResponse<Buffer> r = Future.await(b.get(project + "/entities/" + entityA + path).send());
      assertEquals(404, r.statusCode(), path + ": " + r.bodyAsString());
    }
    // B's writes naming A's entities: unknown to B
    assertEquals(404, Future.await(b.patch(project + "/entities/" + entityA + "/state").sendJsonObject(
        new JsonObject().put("state", "x"))).statusCode());
    assertEquals(404, Future.await(b.post(project + "/relations").sendJsonObject(new JsonObject()
        .put("source_id", entityB).put("target_id", entityA).put("type", "友"))).statusCode());
    assertEquals(404, Future.await(b.post(project + "/events").sendJsonObject(new JsonObject().put("type", "x")
        .put("summary", "y").put("entity_ids", new JsonArray().add(entityA)))).statusCode());
    assertEquals(404, Future.await(b.get(project + "/relations?between=" + entityA + "," + otherA).send())
        .statusCode());
    for (String path : List.of(project + "/entities", project + "/events", project + "/events?entity=" + entityB,
        project + "/entities/" + entityB + "/relations", "/v1/users/u-" + run + "/characters/c1/entities")) {
      HttpResponse<Buffer> r = Future.await(b.get(path).send());
      assertTrue(r.statusCode() == 200, path + ": " + r.bodyAsString());
      assertFalse(r.bodyAsString().contains(secretA), path + ": " + r.bodyAsString());
    }
    // a chapter written back by A: B's write-back of the same chapter id is B's own, and A's summary stays A's
    String taskA = Future.await(a.post(project + "/chapters/ch-1/writeback").sendJsonObject(new JsonObject()
        .put("content", secretA + "。"))).bodyAsJsonObject().getString("task_id");
    assertEquals(404, Future.await(b.get("/v1/tasks/" + taskA).send()).statusCode());
    Future.await(TestStack.until(() -> a.get(project + "/chapters/ch-1/writeback").send(), r -> r.statusCode() == 200,
        60_000));
    HttpResponse<Buffer> theirs = Future.await(b.get(project + "/chapters/ch-1/writeback").send());
    assertEquals(404, theirs.statusCode(), theirs.bodyAsString());
    String listed = Future.await(a.get(project + "/entities").send()).bodyAsString();
    assertTrue(listed.contains(secretA) && !listed.contains(secretB), listed);
  }

  private static String entity(WebClient c, String project, String name, String secret) {
    HttpResponse<Buffer> r = Future.await(c.post(project + "/entities").sendJsonObject(new JsonObject()
        .put("name", name).put("type", "character").put("description", secret)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static boolean leaks(Object node) {
    return leaks(node, null);
  }

  private static boolean leaks(Object node, String own) {
    if (node instanceof JsonObject o) {
      for (String f : o.fieldNames()) {
        Object v = o.getValue(f);
        if (("user_id".equals(f) && v instanceof String s && !s.equals(own)
            && (s.startsWith("default:") || s.startsWith("tenant-b:")))
            || (!"metadata".equals(f) && leaks(v, own))) {
          return true;
        }
      }
    } else if (node instanceof JsonArray a) {
      return a.stream().anyMatch(v -> leaks(v, own));
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
