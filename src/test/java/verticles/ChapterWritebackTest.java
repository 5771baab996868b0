package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.app.Engram;
import verticles.extractor.FakeOpenAiServer;

/**
 * A chapter written back through Kafka and a model that speaks the chat-completions protocol (a local fake): the
 * seed's extraction becomes entities (names resolved through aliases, new ones created), states, events and relations;
 * writing the same chapter back again leaves no duplicates; an item that cannot be applied is named in the task while
 * the others are applied. Without a model, the rule fallback keeps the chapter's summary.
 */
@DisplayName("Chapter write-back")
class ChapterWritebackTest {
  private static final String CHAPTER = "第三章 后山。沈砚在青云宗后山遇到了受伤的小晴。她的左臂被妖兽所伤，沈砚用玄铁剑斩杀妖兽，"
      + "救下了她。两人从此以师兄妹相称 🌙。";
  private static final String ANSWER = new JsonObject()
      .put("summary", "沈砚在后山斩杀妖兽，救下受伤的林小晴，两人结为师兄妹。")
      .put("entity_updates", new JsonArray()
          .add(new JsonObject().put("entity_name", "沈砚").put("new_state", "斩杀妖兽，救下林小晴")
              .put("attribute_changes", new JsonObject().put("武器", "玄铁剑")))
          .add(new JsonObject().put("entity_name", "小晴").put("new_state", "左臂受伤，被沈砚所救 🩹")
              .put("attribute_changes", new JsonObject().put("伤势", "左臂受伤"))))
      .put("new_events", new JsonArray()
          .add(new JsonObject().put("type", "战斗").put("summary", "沈砚斩杀妖兽救下林小晴")
              .put("involved_entities", new JsonArray().add("沈砚").add("林小晴")).put("story_time", 300)))
      .put("relation_changes", new JsonArray()
          .add(new JsonObject().put("source", "沈砚").put("target", "林小晴").put("type", "师兄妹").put("strength", 0.8))
          .add(new JsonObject().put("source", "沈砚").put("target", "沈砚").put("type", "自省").put("strength", 0.1)))
      .encodePrettily();

  private static Vertx fakes;
  private static FakeOpenAiServer llm;
  private static Engram node;
  private static WebClient http;

  @BeforeAll
  static void start() throws Exception {
    Engram shared = TestStack.engram(); // its MySQL and Kafka serve as the external ones
    fakes = Vertx.vertx();
    llm = Future.await(FakeOpenAiServer.start(fakes));
    llm.otherwise((request, body) -> {
      if (request.path().endsWith("/embeddings")) {
        llm.good().respond(request, body);
      } else {
        FakeOpenAiServer.reply(ANSWER).respond(request, body);
      }
    });
    JsonObject cfg = TestStack.testConfig(TestStack.scratch("engram-writeback-"));
    cfg.getJsonObject("mysql").mergeIn(shared.config().getJsonObject("mysql").copy().put("embedded", false));
    cfg.getJsonObject("kafka").put("embedded", false)
        .put("bootstrap_servers", shared.config().getJsonObject("kafka").getString("bootstrap_servers"))
        .put("topic", "writeback_memory_generation_tasks").put("dlq_topic", "writeback_memory_generation_tasks.dlq")
        .put("group_id", "writeback-worker-group");
    cfg.put("embedding", new JsonObject().put("provider", "openai").put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "fake-embedding").put("dimension", 64));
    llm.dimension(64);
    cfg.getJsonObject("extractor").put("type", "openai").put("llm", new JsonObject().put("base_url", llm.baseUrl())
        .put("api_key", FakeOpenAiServer.API_KEY).put("model", "fake-chat").put("timeout_ms", 5000));
    node = Engram.start(cfg);
    http = TestStack.client(node.vertx(), node.port(), TestStack.API_KEY);
  }

  @AfterAll
  static void stop() {
    node.close();
    Future.await(fakes.close());
  }

  static String enc(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  static JsonObject ok(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject writeBack(WebClient client, String project, String chapter, String content) {
    JsonObject accepted = ok(Future.await(client.post(project + "/chapters/" + enc(chapter) + "/writeback")
        .sendJsonObject(new JsonObject().put("content", content))), 202);
    String taskId = accepted.getString("task_id");
    assertNotNull(taskId, accepted.encode());
    return Future.await(TestStack.until(() -> client.get("/v1/tasks/" + taskId).send()
        .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject() : null),
        t -> t != null && "completed".equals(t.getString("status")), 60_000));
  }

  /** What the project holds: entities by name, and each one's states, relations and events. */
  static JsonObject snapshot(String project) {
    JsonObject out = new JsonObject();
    JsonArray entities = ok(Future.await(http.get(project + "/entities").send()), 200).getJsonArray("entities");
    out.put("entities", entities.size());
    int states = 0;
    for (Object o : entities) {
      JsonObject e = (JsonObject) o;
      out.put(e.getString("name"), e);
      states += ok(Future.await(http.get(project + "/entities/" + e.getString("id") + "/states").send()), 200)
          .getJsonArray("states").size();
    }
    out.put("states", states);
    out.put("events", ok(Future.await(http.get(project + "/events").send()), 200).getJsonArray("events"));
    return out;
  }

  @Test
  @DisplayName("a Chinese chapter through the model: the sister found by her alias, the new hero created, states, "
      + "the event and the relation stored; the self-relation named as failed; a second write-back duplicates nothing")
  void chapterThroughTheModel() {
    String project = "/v1/projects/wb-" + UUID.randomUUID().toString().substring(0, 8);
    String sister = ok(Future.await(http.post(project + "/entities").sendJsonObject(new JsonObject()
        .put("name", "林小晴").put("type", "character").put("aliases", new JsonArray().add("小晴")))), 201)
        .getString("id");

    JsonObject task = writeBack(http, project, "第3章", CHAPTER);
    assertTrue(String.valueOf(task.getString("error_message")).contains("relation_changes[1]"), task.encode());
    FakeOpenAiServer.Call call = llm.recorded().stream().filter(c -> c.path().endsWith("/chat/completions"))
        .reduce((a, b) -> b).orElseThrow();
    assertTrue(call.message("system").contains("小说内容分析专家"), call.message("system"));
    assertTrue(call.message("user").contains(CHAPTER), "the chapter goes to the model byte for byte");

    JsonObject first = snapshot(project);
    assertEquals(2, first.getInteger("entities"), first.encodePrettily());
    JsonObject hero = first.getJsonObject("沈砚");
    assertNotNull(hero, "a name no entity held became a new entity");
    assertEquals("斩杀妖兽，救下林小晴", hero.getString("current_state"));
    assertEquals("玄铁剑", hero.getJsonObject("attributes").getString("武器"));
    assertEquals("第3章", hero.getString("last_appearance"));
    JsonObject her = first.getJsonObject("林小晴");
    assertEquals(sister, her.getString("id"), "小晴 is her alias");
    assertEquals("左臂受伤，被沈砚所救 🩹", her.getString("current_state"));
    assertEquals(2, first.getInteger("states"));
    JsonArray events = first.getJsonArray("events");
    assertEquals(1, events.size(), events.encodePrettily());
    assertEquals("沈砚斩杀妖兽救下林小晴", events.getJsonObject(0).getString("summary"));
    assertEquals(300L, events.getJsonObject(0).getLong("story_time_start"));
    assertEquals(List.of(hero.getString("id"), sister).stream().sorted().toList(),
        events.getJsonObject(0).getJsonArray("entity_ids").stream().map(String::valueOf).sorted().toList());
    JsonArray between = ok(Future.await(http.get(project + "/relations?between=" + sister + "," + hero.getString("id"))
        .send()), 200).getJsonArray("relations");
    assertEquals(1, between.size(), between.encodePrettily());
    assertEquals("师兄妹", between.getJsonObject(0).getString("type"));
    assertEquals(0.8, between.getJsonObject(0).getDouble("strength"));
    JsonObject chapter = ok(Future.await(http.get(project + "/chapters/" + enc("第3章") + "/writeback").send()), 200);
    assertEquals("沈砚在后山斩杀妖兽，救下受伤的林小晴，两人结为师兄妹。", chapter.getString("summary"));
    assertEquals("llm", chapter.getString("extractor"));
    assertEquals(1, chapter.getJsonArray("failed").size(), chapter.encode());

    writeBack(http, project, "第3章", CHAPTER);
    JsonObject second = snapshot(project);
    assertEquals(2, second.getInteger("entities"), second.encodePrettily());
    assertEquals(2, second.getInteger("states"), "the chapter's states replaced, not added");
    assertEquals(1, second.getJsonArray("events").size(), second.encodePrettily());
    assertEquals(1, ok(Future.await(http.get(project + "/relations?between=" + sister + "," + hero.getString("id"))
        .send()), 200).getJsonArray("relations").size());
    assertEquals("左臂受伤，被沈砚所救 🩹", second.getJsonObject("林小晴").getString("current_state"));

    // two write-backs of the chapter at once take turns: still no duplicates
    java.util.concurrent.CompletableFuture<?> one = java.util.concurrent.CompletableFuture.runAsync(
        () -> writeBack(http, project, "第3章", CHAPTER));
    java.util.concurrent.CompletableFuture<?> two = java.util.concurrent.CompletableFuture.runAsync(
        () -> writeBack(http, project, "第3章", CHAPTER));
    java.util.concurrent.CompletableFuture.allOf(one, two).join();
    JsonObject third = snapshot(project);
    assertEquals(2, third.getInteger("entities"), third.encodePrettily());
    assertEquals(2, third.getInteger("states"), third.encodePrettily());
    assertEquals(1, third.getJsonArray("events").size(), third.encodePrettily());
  }

  @Test
  @DisplayName("without a model the rule fallback keeps the chapter's summary; a blank or missing content is a 400 "
      + "naming it")
  void ruleFallback() {
    String project = "/v1/projects/wb-rules-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject task = writeBack(TestStack.http(), project, "ch-1", CHAPTER);
    assertEquals(null, task.getString("error_message"), task.encode());
    JsonObject chapter = ok(Future.await(TestStack.get(project + "/chapters/ch-1/writeback")), 200);
    assertEquals("rules", chapter.getString("extractor"));
    assertTrue(chapter.getString("summary").startsWith("第三章 后山。沈砚在青云宗后山遇到了受伤的小晴。"), chapter.encode());
    for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("content", "  "),
        new JsonObject().put("content", 7))) {
      HttpResponse<Buffer> r = Future.await(TestStack.post(project + "/chapters/ch-1/writeback", body));
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals("content", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
    }
  }
}
