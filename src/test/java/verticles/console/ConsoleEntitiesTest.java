package verticles.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import verticles.TestStack;

/**
 * The console's entity views in headless chromium against the real embedded stack: a story project made through the
 * public API (entities, relations, a state change, events, as EntityApiTest does) and a companion user whose chats made
 * a sister and a dog; the relation graph opens an entity's states and events by click and by keyboard; the timeline is
 * in story time; an entity named with markup shows as text.
 */
@DisplayName("The web console's entities, relation graph and timeline")
class ConsoleEntitiesTest {
  private static final String MARKUP = "<img src=x onerror=alert(1)>";
  private static final String PROJECT = "p-console-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String BASE = "/v1/projects/" + PROJECT;
  private static String brother;
  private static String sister;
  private static String sect;
  private static String sword;
  private static String marked;

  @BeforeAll
  static void story() {
    Browser.driver(); // skips the class before any data is made when there is no browser
    brother = entity(new JsonObject().put("name", "沈砚").put("type", "character").put("importance", 8));
    sister = entity(new JsonObject().put("name", "林小晴").put("type", "character").put("aliases",
        new JsonArray().add("小晴")).put("current_state", "初入宗门"));
    sect = entity(new JsonObject().put("name", "青云宗").put("type", "location"));
    sword = entity(new JsonObject().put("name", "玄铁剑").put("type", "item"));
    marked = entity(new JsonObject().put("name", MARKUP).put("type", "item").put("description", MARKUP));
    relation(brother, sister, "兄妹");
    relation(sect, sister, "所属");
    relation(sect, sword, "收藏");
    relation(marked, brother, MARKUP);
    HttpResponse<Buffer> state = Future.await(TestStack.http().patch(BASE + "/entities/" + sister + "/state")
        .sendJsonObject(new JsonObject().put("state", "在青云宗修炼").put("appearance", "ch-2").put("story_time", 120)
            .put("event_summary", "小晴拜入青云宗")));
    assertEquals(200, state.statusCode(), state.bodyAsString());
    event(new JsonObject().put("type", "battle").put("summary", "沈砚在青石镇迎敌").put("story_time_start", 300)
        .put("entity_ids", new JsonArray().add(brother)));
    event(new JsonObject().put("type", "meeting").put("summary", "兄妹重逢").put("story_time_start", 100)
        .put("entity_ids", new JsonArray().add(brother).add(sister)).put("location_id", sect));
    event(new JsonObject().put("type", "omen").put("summary", MARKUP).put("story_time_start", 200)
        .put("entity_ids", new JsonArray().add(marked)));
  }

  private static String entity(JsonObject body) {
    HttpResponse<Buffer> r = Future.await(TestStack.post(BASE + "/entities", body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static void relation(String from, String to, String type) {
    HttpResponse<Buffer> r = Future.await(TestStack.post(BASE + "/relations", new JsonObject().put("source_id", from)
        .put("target_id", to).put("type", type)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static void event(JsonObject body) {
    HttpResponse<Buffer> r = Future.await(TestStack.post(BASE + "/events", body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static By node(String id) {
    return By.cssSelector("#entity-graph-svg g.node[data-entity-id='" + id + "']");
  }

  @Test
  @DisplayName("An entity's graph reaches its relations' relations; clicking an entity there opens its state and events")
  void graphAndClick() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/entities?project=" + PROJECT + "&entity=" + brother + "&hops=3");
    Browser.await(node(sword)); // three hops: 沈砚 → 林小晴 ← 青云宗 → 玄铁剑
    assertEquals(5, Browser.all(By.cssSelector("#entity-graph-svg g.node")).size(), "沈砚, both its ends, and on");
    assertEquals(4, Browser.all(By.cssSelector("#entity-graph-svg g.edge")).size());
    assertTrue(Browser.driver().findElement(By.id("entity-graph-svg")).getText().contains("兄妹"), "edge labels");
    Browser.awaitText(By.id("entity-detail-h"), "沈砚");

    Browser.driver().findElement(node(sister)).click();
    Browser.awaitText(By.id("entity-detail-h"), "林小晴");
    assertEquals("在青云宗修炼", Browser.await(By.id("entity-current-state")).getText());
    List<WebElement> states = Browser.all(By.cssSelector("#entity-states tbody tr"));
    assertTrue(states.get(states.size() - 1).getText().contains("小晴拜入青云宗"), states.get(states.size() - 1).getText());
    Browser.awaitText(By.id("entity-events"), "兄妹重逢");
    assertTrue(Browser.driver().findElement(node(sister)).getAttribute("class").contains("selected"));
    Screenshots.save("entities-en");
  }

  @Test
  @DisplayName("The graph is usable by keyboard: zoom buttons and keys change the view, Enter on an entity opens it")
  void keyboard() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/entities?project=" + PROJECT + "&entity=" + brother + "&hops=1");
    Browser.await(node(sister));
    WebElement stage = Browser.driver().findElement(By.cssSelector("#entity-graph-svg g.stage"));
    String before = stage.getAttribute("transform");
    Browser.driver().findElement(By.id("graph-zoom-in")).click();
    String zoomed = stage.getAttribute("transform");
    assertNotEquals(before, zoomed);
    assertTrue(zoomed.contains("scale(1.250)"), zoomed);
    WebElement canvas = Browser.driver().findElement(By.id("entity-graph-svg"));
    canvas.sendKeys(Keys.ARROW_LEFT);
    assertNotEquals(zoomed, stage.getAttribute("transform"), "arrow keys pan");
    Browser.driver().findElement(By.id("graph-reset")).click();
    assertEquals(before, stage.getAttribute("transform"));

    Browser.driver().findElement(node(sister)).sendKeys(Keys.ENTER);
    Browser.awaitText(By.id("entity-detail-h"), "林小晴");
    Browser.waiting().until(ExpectedConditions.attributeContains(node(sister), "class", "selected"));
  }

  @Test
  @DisplayName("The project's timeline lists its events in story time")
  void timeline() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/entities?project=" + PROJECT);
    Browser.await(By.cssSelector("#timeline li"));
    List<String> summaries = Browser.all(By.cssSelector("#timeline li .summary")).stream().map(WebElement::getText)
        .toList();
    assertEquals(List.of("兄妹重逢", MARKUP, "沈砚在青石镇迎敌"), summaries);
    assertTrue(Browser.driver().findElement(By.cssSelector("#timeline li")).getText().contains("story time 100"));
    Browser.await(By.cssSelector("#entity-table tr[data-entity-id='" + sword + "']"));
  }

  @Test
  @DisplayName("An entity named with markup shows as text in the list, the graph, its details and the timeline")
  void markupIsText() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/entities?project=" + PROJECT + "&entity=" + marked);
    Browser.awaitText(By.id("entity-detail-h"), MARKUP);
    assertEquals(MARKUP, Browser.driver().findElement(By.cssSelector("#entity-detail .description")).getText());
    assertEquals(MARKUP, Browser.driver().findElement(By.cssSelector("#entity-table tr[data-entity-id='" + marked
        + "'] .open-entity")).getText());
    assertEquals(MARKUP, Browser.js("return arguments[0].querySelector('title').textContent",
        Browser.driver().findElement(node(marked))));
    Browser.awaitText(By.id("entity-events"), MARKUP);
    assertTrue(Browser.all(By.tagName("img")).isEmpty(), "no img element on the page");
    assertEquals(0L, Browser.js("return document.querySelectorAll('svg image, svg foreignObject').length"));
    assertFalse(Browser.alertRaised(), "no alert");
  }

  @Test
  @DisplayName("A companion user's entities from chats: the list, the graph from the user, the sister's state, in Chinese")
  void companionInChinese() {
    String user = "u-console-ent-" + UUID.randomUUID().toString().substring(0, 8);
    long ts = Instant.now().getEpochSecond() - 3600;
    JsonArray messages = new JsonArray();
    List<String> texts = List.of("我妹妹叫林小晴", "豆豆是我的狗，最近生病了", "妹妹最近怀孕了");
    for (int i = 0; i < texts.size(); i++) {
      messages.add(new JsonObject().put("msg_id", "m" + i).put("role", "user").put("content", texts.get(i))
          .put("timestamp", ts + i));
    }
    HttpResponse<Buffer> posted = Future.await(TestStack.post("/v1/sessions", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("messages", messages)));
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    Future.await(TestStack.awaitTask(posted.bodyAsJsonObject().getString("task_id"), "completed"));

    Browser.signIn("en", TestStack.API_KEY);
    new Select(Browser.driver().findElement(By.id("lang-select"))).selectByValue("zh");
    Browser.go("#/entities?user=" + user + "&character=c1");
    Browser.awaitText(By.id("entity-table"), "林小晴");
    Browser.awaitText(By.cssSelector("main h2"), "实体");
    WebElement row = Browser.driver().findElement(By.xpath("//table[@id='entity-table']//tr[.//button[text()='林小晴']]"));
    assertTrue(row.getText().contains("妹妹") && row.getText().contains("怀孕"), row.getText());
    Browser.await(By.cssSelector("#entity-graph-svg g.edge"));
    assertEquals(3, Browser.all(By.cssSelector("#entity-graph-svg g.node")).size(), "the user, the sister, the dog");
    assertTrue(Browser.driver().findElement(By.id("entity-graph-svg")).getText().contains("sister"));

    row.findElement(By.className("open-entity")).click();
    Browser.awaitText(By.id("entity-detail-h"), "林小晴");
    assertEquals("怀孕", Browser.await(By.id("entity-current-state")).getText());
    Browser.await(By.cssSelector("#timeline li"));
    Screenshots.save("entities-zh");
  }

  @Test
  @DisplayName("On a phone-sized window the entities and review pages fit its width: nothing scrolls sideways")
  void phone() {
    Browser.signIn("en", TestStack.API_KEY);
    Dimension before = Browser.driver().manage().window().getSize();
    Browser.driver().manage().window().setSize(new Dimension(390, 844));
    try {
      Browser.go("#/entities?project=" + PROJECT + "&entity=" + sister);
      Browser.awaitText(By.id("entity-detail-h"), "林小晴");
      Browser.await(By.cssSelector("#timeline li"));
      assertTrue(((Number) Browser.js("return window.innerWidth")).intValue() <= 400, "a phone's width");
      assertEquals(Boolean.TRUE, Browser.js("return document.documentElement.scrollWidth"
          + " <= document.documentElement.clientWidth"), "the entities page fits");
      Browser.go("#/conflicts?status=all");
      Browser.await(By.id("conf-submit"));
      Browser.waiting().until(d -> Browser.all(By.cssSelector(".notice.info")).stream()
          .noneMatch(e -> e.getText().contains("Loading")));
      assertEquals(Boolean.TRUE, Browser.js("return document.documentElement.scrollWidth"
          + " <= document.documentElement.clientWidth"), "the review page fits");
    } finally {
      Browser.driver().manage().window().setSize(before);
    }
  }
}
