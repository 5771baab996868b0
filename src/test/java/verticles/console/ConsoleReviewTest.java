package verticles.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import verticles.TestStack;

/**
 * The console's review queue in headless chromium against the real embedded stack: contradictions made through the
 * public API (an import, then a correction that contradicts it, as ConflictApiTest does), shown with both sides and
 * the evidence, resolved from the page; the API's 409 shown as it says it; stored markup shown as text.
 */
@DisplayName("The web console's review queue")
class ConsoleReviewTest {
  private static final String MARKUP = "<img src=x onerror=alert(1)>";
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void browser() {
    Browser.driver(); // skips the class before any data is made when there is no browser
  }

  private static String imported(String user, String content) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", user)
        .put("character_id", "c1").put("memory_type", "event").put("content", content)
        .put("timestamp", Instant.now().getEpochSecond() - 3600)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static String path(String id) {
    return "/v1/memories/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** "我会开车", then another memory corrected to {@code contradicting}: the open contradiction it reports. */
  private static JsonObject contradiction(String user, String claim, String contradicting) {
    imported(user, claim);
    String b = imported(user, "我周末去公园散步");
    HttpResponse<Buffer> r = Future.await(TestStack.http().patch(path(b)).putHeader("If-Match", "\"1\"")
        .sendJsonObject(new JsonObject().put("content", contradicting).put("reason", "改正")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray found = r.bodyAsJsonObject().getJsonArray("conflicts");
    assertEquals(1, found.size(), r.bodyAsString());
    JsonObject c = Future.await(TestStack.get("/v1/conflicts/" + found.getJsonObject(0).getString("conflict_id")))
        .bodyAsJsonObject();
    assertFalse(c.getBoolean("resolved"), c.encode());
    return c;
  }

  private static JsonObject report(String id) {
    return Future.await(TestStack.get("/v1/conflicts/" + id)).bodyAsJsonObject();
  }

  private static JsonObject memory(String id) {
    return Future.await(TestStack.get(path(id))).bodyAsJsonObject();
  }

  private static By card(JsonObject c) {
    return By.cssSelector("#conflict-list article[data-conflict-id='" + c.getString("conflict_id") + "']");
  }

  private static WebElement openQueue(String user, JsonObject c) {
    Browser.go("#/conflicts?user=" + user + "&character=c1&status=open");
    return Browser.await(card(c));
  }

  @Test
  @DisplayName("An open contradiction shows both sides and the evidence; Keep A resolves it and B is soft-deleted")
  void keepA() {
    String user = "u-console-keep-" + RUN;
    JsonObject c = contradiction(user, "我会开车", "我不会开车");
    Browser.signIn("en", TestStack.API_KEY);
    WebElement article = openQueue(user, c);
    assertEquals("我会开车", article.findElement(By.cssSelector(".content[data-side=a]")).getText());
    assertEquals("我不会开车", article.findElement(By.cssSelector(".content[data-side=b]")).getText());
    assertEquals(c.getJsonArray("evidence").size(), article.findElements(By.cssSelector(".evidence li")).size());
    assertTrue(article.getText().contains(c.getJsonArray("evidence").getString(0)), article.getText());
    Screenshots.save("conflicts-en");

    article.findElement(By.cssSelector("input.reason")).sendKeys("the user drives");
    article.findElement(By.className("resolve-keep-a")).click();
    Browser.awaitText(card(c), "Resolved: kept_a");
    JsonObject resolved = report(c.getString("conflict_id"));
    assertTrue(resolved.getBoolean("resolved"), resolved.encode());
    assertEquals("kept_a", resolved.getString("resolution"));
    assertEquals("deleted", memory(c.getString("memory_b")).getString("status"));
    assertEquals("active", memory(c.getString("memory_a")).getString("status"));
    WebElement after = Browser.driver().findElement(card(c));
    assertTrue(after.getAttribute("class").contains("resolved"), "the card shows it resolved");
    assertTrue(after.findElements(By.className("resolve-keep-b")).isEmpty(), "no more buttons");
  }

  @Test
  @DisplayName("A conflict resolved elsewhere meanwhile: the page shows the API's 409 and its message")
  void conflictAnswer() {
    String user = "u-console-409-" + RUN;
    JsonObject c = contradiction(user, "我会开车", "我不会开车");
    Browser.signIn("en", TestStack.API_KEY);
    WebElement article = openQueue(user, c);
    HttpResponse<Buffer> behind = Future.await(TestStack.post("/v1/conflicts/" + c.getString("conflict_id")
        + "/resolve", new JsonObject().put("keep", "b")));
    assertEquals(200, behind.statusCode(), behind.bodyAsString());
    String apiMessage = Future.await(TestStack.post("/v1/conflicts/" + c.getString("conflict_id") + "/resolve",
        new JsonObject().put("keep", "a"))).bodyAsJsonObject().getJsonObject("error").getString("message");

    article.findElement(By.className("resolve-keep-a")).click();
    WebElement alert = Browser.awaitText(By.cssSelector("#conflict-list article[data-conflict-id='"
        + c.getString("conflict_id") + "'] .conf-status [role=alert]"), "409");
    assertTrue(alert.getText().contains(apiMessage), alert.getText() + " / " + apiMessage);
    assertEquals("kept_b", report(c.getString("conflict_id")).getString("resolution"), "nothing changed");
    assertTrue(article.findElement(By.className("resolve-keep-b")).isEnabled(), "the buttons are usable again");
  }

  @Test
  @DisplayName("In Chinese, Edit resolves with a text of one's own: a new version of B")
  void editInChinese() {
    String user = "u-console-edit-" + RUN;
    JsonObject c = contradiction(user, "我会开车", "我不会开车");
    Browser.signIn("zh", TestStack.API_KEY);
    WebElement article = openQueue(user, c);
    Browser.awaitText(By.cssSelector("main h2"), "审核队列");
    Screenshots.save("conflicts-zh");
    WebElement edit = article.findElement(By.className("resolve-edit"));
    assertEquals("改写…", edit.getText());
    edit.click();
    WebElement text = Browser.await(By.id("conf-" + c.getString("conflict_id") + "-content"));
    text.clear();
    text.sendKeys("我会开车，但是最近不开了");
    article.findElement(By.className("resolve-save")).click();
    Browser.awaitText(card(c), "已解决");
    JsonObject b = memory(c.getString("memory_b"));
    assertEquals("我会开车，但是最近不开了", b.getString("content"));
    assertEquals("content", report(c.getString("conflict_id")).getString("resolution"));
  }

  @Test
  @DisplayName("A conflict whose text holds markup shows it as text: no img element, no alert")
  void markupIsText() {
    String user = "u-console-markup-" + RUN;
    JsonObject c = contradiction(user, "我会开车 " + MARKUP, "我不会开车 " + MARKUP);
    Browser.signIn("en", TestStack.API_KEY);
    WebElement article = openQueue(user, c);
    assertEquals("我会开车 " + MARKUP, article.findElement(By.cssSelector(".content[data-side=a]")).getText());
    assertEquals("我不会开车 " + MARKUP, article.findElement(By.cssSelector(".content[data-side=b]")).getText());
    assertTrue(Browser.all(By.tagName("img")).isEmpty(), "no img element on the page");
    assertFalse(Browser.alertRaised(), "no alert");
  }
}
