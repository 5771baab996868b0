package verticles.vectorsearch.vikingdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.shared.SigV4;
import verticles.shared.Vectors;
import verticles.vectorsearch.MemoryIndex.Hit;
import verticles.vectorsearch.MemoryIndex.Query;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;

@ExtendWith(VertxExtension.class)
@DisplayName("VikingDbMemoryIndex against the fake VikingDB")
class VikingDbMemoryIndexTest {
  private static final int DIM = 512;
  private static final String REGION = "cn-beijing";
  private static final String ACCESS_KEY = "AKLTTESTKEY";
  private static final String SECRET_KEY = "dGVzdC1zZWNyZXQta2V5";

  private final Random random = new Random(42);
  private VikingDbFake fake;
  private VikingDbMemoryIndex index;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    VikingDbFake.start(vertx, REGION, ACCESS_KEY, SECRET_KEY, DIM).onComplete(ctx.succeeding(f -> {
      fake = f;
      index = new VikingDbMemoryIndex(DIM, fake.clientConfig());
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    index.close();
    fake.close().onComplete(ctx.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- helpers

  private float[] randomVector() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /** v plus a little noise: its nearest neighbour is v. */
  private float[] near(float[] v) {
    float[] u = Vectors.unit(v);
    float[] out = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      out[i] = u[i] + (float) (random.nextGaussian() * 0.01);
    }
    return out;
  }

  private MemoryRecord record(String id, String task, String user, String character, String type, String content,
                              float[] vector) {
    return new MemoryRecord(id, task, user, character, type, content, 1_731_900_000L, 5, "s1", List.of("m1"),
        new JsonObject(), vector);
  }

  private List<Hit> search(String user, String character, List<String> types, float[] vector) {
    return index.search(new Query(user, character, types, vector, "", 10));
  }

  private static Set<String> ids(List<Hit> hits) {
    return hits.stream().map(h -> h.record().id()).collect(Collectors.toSet());
  }

  // ---------------------------------------------------------------- round trip and scoring

  @Test
  @DisplayName("an upserted record comes back intact from a vector search, with a unit vector and its cosine as score")
  void roundTrip() {
    float[] v = randomVector();
    for (int i = 0; i < DIM; i++) {
      v[i] *= 3; // not unit length: the index must normalise
    }
    MemoryRecord birthday = new MemoryRecord("t1:event:0", "t1", "u1", "c1", "event", "用户的生日：03-15",
        1_731_900_010L, 8, "session-1", List.of("m3", "m4"),
        new JsonObject().put("speaker", "林小雨").put("tags", new JsonArray().add("生日")), v);
    MemoryRecord other = record("t1:summary", "t1", "u1", "c1", "summary", "聊了火锅", randomVector());
    index.upsert(List.of(birthday, other));

    List<Hit> hits = search("u1", "c1", List.of(), v);
    assertEquals(List.of("t1:event:0", "t1:summary"), hits.stream().map(h -> h.record().id()).toList());
    Hit top = hits.get(0);
    MemoryRecord got = top.record();
    assertEquals(birthday.taskId(), got.taskId());
    assertEquals(birthday.userId(), got.userId());
    assertEquals(birthday.characterId(), got.characterId());
    assertEquals(birthday.memoryType(), got.memoryType());
    assertEquals(birthday.content(), got.content());
    assertEquals(birthday.timestamp(), got.timestamp());
    assertEquals(birthday.importance(), got.importance());
    assertEquals(birthday.sessionId(), got.sessionId());
    assertEquals(birthday.sourceMsgIds(), got.sourceMsgIds());
    assertEquals(birthday.metadata(), got.metadata());
    assertEquals(1.0, Math.sqrt(Vectors.dot(got.vector(), got.vector())), 1e-5, "hit vectors are unit length");
    assertEquals(1.0, Vectors.cosine(got.vector(), v), 1e-5);
    assertEquals(1.0, top.score(), 1e-4, "IP of unit vectors is the cosine");
    assertEquals(top.score(), top.denseScore());
    assertEquals(0.0, top.keywordScore());
    assertTrue(hits.get(1).score() < 0.3, "a random vector is nearly orthogonal: " + hits.get(1).score());
  }

  @Test
  @DisplayName("a record without a task or session comes back with them null, as Lucene's does")
  void nullsRoundTrip() {
    float[] v = randomVector();
    index.upsert(List.of(new MemoryRecord("import:1", null, "u1", "c1", "profile", "喜欢猫", 1L, 5, null, List.of(),
        null, v)));
    MemoryRecord got = search("u1", "c1", List.of(), v).get(0).record();
    assertNull(got.taskId());
    assertNull(got.sessionId());
    assertEquals(List.of(), got.sourceMsgIds());
    assertEquals(new JsonObject(), got.metadata());
  }

  @Test
  @DisplayName("search stays inside one user and character, and a types filter keeps only those types")
  void ownerIsolation() {
    float[] a = randomVector();
    float[] b = randomVector();
    index.upsert(List.of(
        record("mine", "t1", "u1", "c1", "summary", "mine", a),
        record("mine-event", "t1", "u1", "c1", "event", "mine too", b),
        record("other-character", "t2", "u1", "c2", "summary", "same user, other character", a),
        record("other-user", "t3", "u2", "c1", "summary", "other user, same character", a)));

    List<Hit> hits = search("u1", "c1", List.of(), near(a));
    assertEquals(Set.of("mine", "mine-event"), ids(hits), "identical vectors of other owners never come back");
    assertEquals("mine", hits.get(0).record().id());
    assertEquals(Set.of("mine-event"), ids(search("u1", "c1", List.of("event"), near(a))));
    assertEquals(Set.of("mine", "mine-event"), ids(search("u1", "c1", List.of("event", "summary"), near(a))));
    assertEquals(Set.of("other-user"), ids(search("u2", "c1", List.of(), a)));
    assertEquals(Set.of(), ids(search("u3", "c1", List.of(), a)));
  }

  @Test
  @DisplayName("a query without a vector finds nothing and sends nothing: keyword search is Lucene's")
  void denseOnly() {
    index.upsert(List.of(record("r", "t1", "u1", "c1", "summary", "birthday party", randomVector())));
    int before = fake.requests().size();
    assertEquals(List.of(), index.search(new Query("u1", "c1", List.of(), null, "birthday party", 10)));
    assertEquals(before, fake.requests().size());
  }

  @Test
  @DisplayName("topK limits the hits, best first")
  void topK() {
    float[] q = randomVector();
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      records.add(record("r" + i, "t1", "u1", "c1", "message", "m" + i, i == 7 ? near(q) : randomVector()));
    }
    index.upsert(records);
    List<Hit> hits = index.search(new Query("u1", "c1", List.of(), q, "", 3));
    assertEquals(3, hits.size());
    assertEquals("r7", hits.get(0).record().id());
    assertTrue(hits.get(0).score() >= hits.get(1).score() && hits.get(1).score() >= hits.get(2).score());
  }

  // ---------------------------------------------------------------- replay, delete, count

  @Test
  @DisplayName("replaying a task never duplicates, replaces changed records and removes what it no longer writes")
  void replaceTaskReplay() {
    float[] s = randomVector();
    float[] e0 = randomVector();
    float[] e1 = randomVector();
    float[] p = randomVector();
    List<MemoryRecord> first = List.of(
        record("t1:summary", "t1", "u1", "c1", "summary", "first summary", s),
        record("t1:event:0", "t1", "u1", "c1", "event", "event zero", e0),
        record("t1:event:1", "t1", "u1", "c1", "event", "event one", e1),
        record("profile:x", "t1", "u1", "c1", "profile", "likes cats", p));
    index.replaceTask("t1", first);
    index.replaceTask("t1", first);
    assertEquals(4, index.count("u1", "c1"));
    assertEquals(4, fake.rows().size());

    // a later task rewrites the shared profile record: it is t2's now
    index.replaceTask("t2", List.of(record("profile:x", "t2", "u1", "c1", "profile", "loves cats", p)));

    // t1 replays and now produces less: event 1 and its old profile go, t2's profile stays
    index.replaceTask("t1", List.of(
        record("t1:summary", "t1", "u1", "c1", "summary", "second summary", s),
        record("t1:event:0", "t1", "u1", "c1", "event", "event zero", e0)));
    assertEquals(Set.of("t1:summary", "t1:event:0", "profile:x"), fake.rows().keySet());
    assertEquals(3, index.count("u1", "c1"));
    assertEquals("second summary", search("u1", "c1", List.of("summary"), s).get(0).record().content());
    assertEquals("loves cats", fake.rows().get("profile:x").getString("content"));

    // a replay that produces nothing removes everything the task wrote
    index.replaceTask("t1", List.of());
    assertEquals(Set.of("profile:x"), fake.rows().keySet());
  }

  @Test
  @DisplayName("delete removes one character's or all of a user's records in batches of 100, and count follows")
  void deleteAndCount() {
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      records.add(record("c1-" + i, "t1", "u1", "c1", "message", "m" + i, randomVector()));
    }
    for (int i = 0; i < 30; i++) {
      records.add(record("c2-" + i, "t2", "u1", "c2", "message", "m" + i, randomVector()));
    }
    for (int i = 0; i < 5; i++) {
      records.add(record("u2-" + i, "t3", "u2", "c1", "message", "m" + i, randomVector()));
    }
    index.upsert(records);
    assertEquals(2, fake.requestsTo(VikingDbMemoryIndex.UPSERT_PATH), "155 rows go in two upserts of <= 100");
    assertEquals(120, index.count("u1", "c1"));
    assertEquals(150, index.count("u1", null));
    assertEquals(5, index.count("u2", null));

    assertEquals(30, index.delete("u1", "c2"));
    assertEquals(0, index.count("u1", "c2"));
    assertEquals(120, index.count("u1", null));

    long deletesBefore = fake.requestsTo(VikingDbMemoryIndex.DELETE_PATH);
    assertEquals(120, index.delete("u1", null));
    assertEquals(2, fake.requestsTo(VikingDbMemoryIndex.DELETE_PATH) - deletesBefore, "120 keys in two batches");
    assertEquals(0, index.count("u1", null));
    assertEquals(5, index.count("u2", null), "another user's records are untouched");
    assertEquals(0, index.delete("nobody", null));
  }

  @Test
  @DisplayName("list pages through an owner's records in timestamp order without vectors; counts by type and deleteIds follow")
  void listCountsAndDeleteIds() {
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      records.add(new MemoryRecord("r" + i, "t1", "u1", i < 20 ? "c1" : "c2", i % 3 == 0 ? "event" : "message",
          "内容" + i, 1_731_900_000L + (i * 7) % 30, 5, "s1", List.of(), new JsonObject(), randomVector()));
    }
    records.add(record("other", "t2", "u2", "c1", "summary", "别人的", randomVector()));
    index.upsert(records);

    List<String> paged = new ArrayList<>();
    for (int offset = 0; offset < 40; offset += 12) {
      index.list("u1", null, offset, 12).forEach(r -> {
        assertNull(r.vector());
        paged.add(r.id());
      });
    }
    List<MemoryRecord> mine = new ArrayList<>(records.subList(0, 30));
    mine.sort(MemoryIndex.LIST_ORDER);
    assertEquals(mine.stream().map(MemoryRecord::id).toList(), paged);
    assertEquals(20, index.list("u1", "c1", 0, 100).size());

    assertEquals(Map.of("event", 10L, "message", 20L), index.countByType("u1", null));
    assertEquals(Map.of("event", 10L, "message", 20L, "summary", 1L), index.countByType(null, null));
    index.deleteIds(List.of("r0", "r1", "other"));
    assertEquals(Map.of("event", 9L, "message", 19L), index.countByType(null, null));
  }

  // ---------------------------------------------------------------- failures

  @Test
  @DisplayName("throttling (429, code 1000029) and internal errors (500, 1000028) are retried, then the call succeeds")
  void retriesThenSucceeds() {
    float[] v = randomVector();
    fake.failNext(2, VikingDbFake.Failure.THROTTLE);
    index.upsert(List.of(record("r", "t1", "u1", "c1", "summary", "x", v)));
    assertEquals(3, fake.requestsTo(VikingDbMemoryIndex.UPSERT_PATH));
    assertTrue(fake.rows().containsKey("r"));

    fake.failNext(1, VikingDbFake.Failure.INTERNAL).failNext(1, VikingDbFake.Failure.THROTTLE);
    assertEquals(Set.of("r"), ids(search("u1", "c1", List.of(), v)));
    assertEquals(3, fake.requestsTo(VikingDbMemoryIndex.SEARCH_PATH));
  }

  @Test
  @DisplayName("persistent throttling fails after max_retries + 1 attempts with an exception naming the throttling")
  void persistentThrottling() {
    fake.failAlways(VikingDbFake.Failure.THROTTLE);
    VikingDbException e = assertThrows(VikingDbException.class, () -> search("u1", "c1", List.of(), randomVector()));
    assertEquals(1000029, e.code());
    assertEquals(429, e.status());
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("code 1000029 (throttled"), e.getMessage());
    assertTrue(e.getMessage().contains("gave up after 4 attempts"), e.getMessage());
    assertEquals(4, fake.requestsTo(VikingDbMemoryIndex.SEARCH_PATH), "max_retries 3: four attempts in all");
  }

  @Test
  @DisplayName("a wrong secret is refused by the fake's signature check (401, code 1000001) and not retried")
  void wrongSecret() {
    VikingDbMemoryIndex wrong = new VikingDbMemoryIndex(DIM, fake.clientConfig().put("secret_key", "not-the-secret"));
    VikingDbException e = assertThrows(VikingDbException.class,
        () -> wrong.upsert(List.of(record("r", "t1", "u1", "c1", "summary", "x", randomVector()))));
    assertEquals(401, e.status());
    assertEquals(1000001, e.code());
    assertTrue(e.getMessage().contains("unauthorized"), e.getMessage());
    assertTrue(e.getMessage().contains("signature mismatch"), e.getMessage());
    assertEquals(1, fake.requests().size(), "an authentication failure will not heal by retrying");
    assertTrue(fake.rows().isEmpty());
  }

  @Test
  @DisplayName("an unreachable VikingDB fails with 'no HTTP answer' after the retries")
  void unreachable(Vertx vertx) throws Exception {
    JsonObject config = fake.clientConfig().put("max_retries", 1);
    fake.close().toCompletionStage().toCompletableFuture().get();
    VikingDbMemoryIndex down = new VikingDbMemoryIndex(DIM, config);
    VikingDbException e = assertThrows(VikingDbException.class, () -> down.count("u1", null));
    assertEquals(0, e.status());
    assertTrue(e.getMessage().contains("no HTTP answer") && e.getMessage().contains("gave up after 2 attempts"),
        e.getMessage());
    // restart so the @AfterEach close has a server to close
    fake = VikingDbFake.start(vertx, REGION, ACCESS_KEY, SECRET_KEY, DIM).toCompletionStage().toCompletableFuture()
        .get();
  }

  @Test
  @DisplayName("vectors of the wrong dimension are refused before anything is sent")
  void wrongDimension() {
    assertThrows(IllegalArgumentException.class,
        () -> index.upsert(List.of(record("r", "t1", "u1", "c1", "summary", "x", new float[DIM / 2]))));
    assertThrows(IllegalArgumentException.class, () -> search("u1", "c1", List.of(), new float[DIM + 4]));
    assertThrows(IllegalArgumentException.class,
        () -> index.upsert(List.of(record("r", "t1", "u1", "c1", "summary", "x", null))));
    assertEquals(List.of(), fake.requests());
  }

  // ---------------------------------------------------------------- the fake itself

  /** A request signed like the client's, with a body of our own making, straight to the fake. */
  private JsonObject raw(String path, JsonObject body, boolean sign) throws Exception {
    JsonObject cfg = fake.clientConfig();
    byte[] payload = body.encode().getBytes(StandardCharsets.UTF_8);
    String xDate = SigV4.AMZ_DATE.format(Instant.now());
    String hash = SigV4.sha256Hex(payload);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Host", cfg.getString("host"));
    headers.put("X-Content-Sha256", hash);
    headers.put("X-Date", xDate);
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + cfg.getString("host") + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
        .header("Content-Type", "application/json").header("X-Content-Sha256", hash).header("X-Date", xDate);
    if (sign) {
      SigV4 signer = new SigV4(ACCESS_KEY, SECRET_KEY, REGION, "air", SigV4.Flavor.VOLCENGINE);
      req.header("Authorization", signer.authorization("POST", path, "", headers, hash, xDate));
    }
    HttpResponse<String> resp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(req.build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(resp.body()).put("http_status", resp.statusCode());
  }

  private JsonObject row(String id) {
    JsonArray vector = new JsonArray();
    for (float f : Vectors.unit(randomVector())) {
      vector.add(f);
    }
    return new JsonObject().put("id", id).put("vector", vector).put("user_id", "u1").put("character_id", "c1")
        .put("memory_type", "summary").put("content", "x").put("timestamp", 1L).put("importance", 5L)
        .put("metadata", "{}").put("task_id", "t1").put("session_id", "").put("source_msg_ids", "[]");
  }

  private JsonObject upsertOf(JsonObject row) {
    return new JsonObject().put("collection_name", VikingDbFake.COLLECTION).put("fields", new JsonArray().add(row));
  }

  private static void assertError(JsonObject reply, int status, long code, String messagePart) {
    assertEquals(status, reply.getInteger("http_status"), reply.encode());
    assertEquals(code, reply.getLong("code"), reply.encode());
    assertTrue(reply.getString("message").contains(messagePart), reply.encode());
  }

  @Test
  @DisplayName("the fake refuses what VikingDB refuses: unsigned calls, unknown or wrong-typed fields, bad vectors")
  void fakeValidates() throws Exception {
    assertEquals(0, raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(row("ok")), true).getLong("code"));
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(row("r")), false), 401, 1000001, "unauthorized");
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(row("r").put("mood", "happy")), true),
        400, 1000003, "field mood does not exist");
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(row("r").put("timestamp", "yesterday")), true),
        400, 1000003, "timestamp must be int64");
    JsonObject noVector = row("r");
    noVector.remove("vector");
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(noVector), true), 400, 1000003, "vector is required");
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(row("r").put("vector", new JsonArray().add(0.5))), true),
        400, 1000003, "has dim 1");
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, new JsonObject().put("fields", new JsonArray().add(row("r"))),
        true), 400, 1000003, "collection_name is required");
    assertError(raw(VikingDbMemoryIndex.UPSERT_PATH, upsertOf(row("r")).put("collection_name", "nope"), true),
        400, 1000005, "collection not exist");

    JsonObject search = new JsonObject().put("collection_name", VikingDbFake.COLLECTION)
        .put("index_name", VikingDbFake.INDEX)
        .put("search", new JsonObject()
            .put("order_by_vector", new JsonObject().put("vectors", new JsonArray().add(new JsonArray().add(1.0))))
            .put("limit", 5));
    assertError(raw(VikingDbMemoryIndex.SEARCH_PATH, search, true), 400, 1000016, "invalid vector");
    search.getJsonObject("search").remove("order_by_vector");
    search.getJsonObject("search").put("filter",
        new JsonObject().put("op", "must").put("field", "content").put("conds", new JsonArray().add("x")));
    assertError(raw(VikingDbMemoryIndex.SEARCH_PATH, search, true), 400, 1000019, "no scalar index");
    assertEquals(Set.of("ok"), fake.rows().keySet(), "no rejected row was stored");
  }
}
