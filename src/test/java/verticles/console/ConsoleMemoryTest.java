package verticles.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import verticles.TestStack;

/**
 * The console's sign-in and memory views, driven in headless chromium against the real embedded stack: a user with
 * an archived conversation, a memory citing one of its messages, a memory holding markup, and a profile fact that
 * moved from 杭州 to 上海.
 */
@DisplayName("The web console's memory views")
class ConsoleMemoryTest {
  private static final String USER = "console-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String CHARACTER = "c1";
  private static final String SESSION = "s-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String TOKEN = "zq" + UUID.randomUUID().toString().substring(0, 6);
  private static final String MEMORY_TEXT = "Lin jogs around West Lake every Saturday morning " + TOKEN;
  private static final String MARKUP = "<img src=x onerror=alert(1)>";
  private static String memoryId;
  private static String markupId;

  @BeforeAll
  static void userWithAConversation() {
    Browser.driver(); // skips the class before the stack's data is made when there is no browser
    long now = Instant.now().getEpochSecond();
    JsonArray messages = new JsonArray();
    List<String> turns = List.of("Morning! I just got back from my run.", "Nice, where did you go?",
        "Around the lake, like every Saturday.", "That sounds lovely.");
    for (int i = 0; i < turns.size(); i++) {
      messages.add(new JsonObject().put("msg_id", "m" + (i + 1)).put("role", i % 2 == 0 ? "user" : "assistant")
          .put("content", turns.get(i)).put("timestamp", now - 600 + i * 10));
    }
    HttpResponse<Buffer> posted = Future.await(TestStack.post("/v1/sessions", new JsonObject().put("user_id", USER)
        .put("character_id", CHARACTER).put("session_id", SESSION).put("messages", messages)));
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    Future.await(TestStack.awaitTask(posted.bodyAsJsonObject().getString("task_id"), "completed"));
    // the archive is written right after the task completes: the console reads the conversation from it
    Future.await(TestStack.until(() -> TestStack.get("/v1/sessions/" + SESSION + "/archive?user_id=" + USER
        + "&character_id=" + CHARACTER), r -> r.statusCode() == 200, 60_000));

    memoryId = imported(new JsonObject().put("memory_type", "event").put("content", MEMORY_TEXT)
        .put("session_id", SESSION).put("source_msg_ids", new JsonArray().add("m3")).put("importance", 7));
    markupId = imported(new JsonObject().put("memory_type", "event").put("content", MARKUP));
    String city = imported(new JsonObject().put("memory_type", "profile").put("content", "用户住在杭州")
        .put("metadata", new JsonObject().put("profile_type", "basic").put("profile_key", "city")
            .put("profile_value", "杭州")));
    HttpResponse<Buffer> moved = Future.await(TestStack.http().patch(path(city)).putHeader("If-Match", "*")
        .sendJsonObject(new JsonObject().put("content", "用户住在上海").put("reason", "moved")
            .put("metadata", new JsonObject().put("profile_value", "上海"))));
    assertEquals(200, moved.statusCode(), moved.bodyAsString());
  }

  private static String imported(JsonObject memory) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", memory.put("user_id", USER)
        .put("character_id", CHARACTER).put("timestamp", Instant.now().getEpochSecond() - 60)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static String path(String id) {
    return "/v1/memories/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String hashOf(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("A wrong key is refused with the API's own message, and nothing is kept")
  void wrongKey() {
    Browser.openFresh("en", "#/signin");
    Browser.await(By.id("api-key")).sendKeys("not-a-key");
    Browser.driver().findElement(By.id("signin-submit")).click();
    WebElement status = Browser.awaitText(By.cssSelector("#signin-status [role=alert]"), "unknown API key");
    assertTrue(status.getText().contains("refused"), status.getText());
    assertNull(Browser.js("return sessionStorage.getItem('engram.console.key')"));
    assertTrue(Browser.all(By.id("sign-out")).isEmpty(), "not signed in");
  }

  @Test
  @DisplayName("Signing in lists the tenant's users; signing out forgets the key")
  void signInAndOut() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.awaitText(By.id("users-table"), USER);
    Browser.driver().findElement(By.id("sign-out")).click();
    Browser.await(By.id("api-key"));
    assertNull(Browser.js("return sessionStorage.getItem('engram.console.key')"));
  }

  @Test
  @DisplayName("A memory found by its text opens its source messages in the archived conversation")
  void findByTextAndOpenSources() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/memories?user=" + USER + "&character=" + CHARACTER);
    WebElement text = Browser.await(By.id("f-text"));
    text.sendKeys(TOKEN, Keys.ENTER);
    By card = By.cssSelector("#memory-list article[data-memory-id='" + memoryId + "']");
    WebElement found = Browser.await(card);
    assertEquals(1, Browser.all(By.cssSelector("#memory-list article")).size(), "only the memory with the text");
    assertTrue(found.getText().contains(MEMORY_TEXT), found.getText());
    assertTrue(found.getText().contains(SESSION), "its provenance: " + found.getText());
    Screenshots.save("memories-en");

    found.findElement(By.className("sources-link")).click();
    WebElement cited = Browser.await(By.cssSelector("#source-messages li.cited"));
    assertTrue(cited.getText().contains("Around the lake, like every Saturday."), cited.getText());
    assertEquals(4, Browser.all(By.cssSelector("#source-messages li")).size(), "the whole conversation");
    assertEquals(1, Browser.all(By.cssSelector("#source-messages li.cited")).size());
    // read from the archived conversation in the object store, not pieced together from message memories
    assertEquals("archive", Browser.await(By.id("source-messages")).getAttribute("data-source"));
    String origin = Browser.await(By.id("sources-origin")).getText();
    assertTrue(origin.startsWith("Archived conversation: conversations/") && origin.endsWith(SESSION + ".json"),
        origin);
    assertTrue(Browser.all(By.cssSelector("#source-messages li")).get(0).getText()
        .contains("Morning! I just got back from my run."), "in time order");
    Screenshots.save("sources-en");
  }

  @Test
  @DisplayName("Editing a memory makes a new version, shown in its history and side by side with the old one")
  void editAndCompare() {
    Browser.signIn("en", TestStack.API_KEY);
    String id = imported(new JsonObject().put("memory_type", "event")
        .put("content", "Lin adopted a grey cat, day " + SESSION));
    Browser.go("#/memory?id=" + hashOf(id));
    WebElement content = Browser.await(By.id("edit-content"));
    content.clear();
    content.sendKeys("Lin adopted a black cat, day " + SESSION);
    Browser.driver().findElement(By.id("edit-reason")).sendKeys("colour corrected");
    Browser.driver().findElement(By.id("edit-save")).click();
    Browser.awaitText(By.id("memory-status"), "Saved as version 2");
    WebElement v2 = Browser.await(By.cssSelector("#history-table tr[data-version='2']"));
    assertTrue(v2.getText().contains("black cat"), v2.getText());
    assertTrue(v2.getText().contains("colour corrected"), v2.getText());

    Browser.driver().findElement(By.id("compare-run")).click();
    Browser.await(By.id("compare-view"));
    assertTrue(Browser.driver().findElement(By.id("compare-a")).getText().contains("grey cat"));
    assertTrue(Browser.driver().findElement(By.id("compare-b")).getText().contains("black cat"));
    assertTrue(Browser.driver().findElement(By.cssSelector("#compare-view del")).getText().contains("grey"));
    assertTrue(Browser.driver().findElement(By.cssSelector("#compare-view ins")).getText().contains("black"));
    Screenshots.save("memory-en");
  }

  @Test
  @DisplayName("A stored memory holding markup shows as text: no img element, no alert")
  void markupIsText() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/memories?user=" + USER + "&character=" + CHARACTER + "&text=onerror");
    WebElement card = Browser.await(By.cssSelector("#memory-list article[data-memory-id='" + markupId + "'] .content"));
    assertEquals(MARKUP, card.getText());
    assertTrue(Browser.all(By.tagName("img")).isEmpty(), "no img element on the page");
    assertFalse(Browser.alertRaised(), "no alert");

    Browser.go("#/memory?id=" + hashOf(markupId));
    Browser.waiting().until(ExpectedConditions.textToBePresentInElementValue(By.id("edit-content"), MARKUP));
    assertEquals(MARKUP, Browser.driver().findElement(By.cssSelector("article.memory .content")).getText());
    assertTrue(Browser.all(By.tagName("img")).isEmpty(), "no img element on the page");
    assertFalse(Browser.alertRaised(), "no alert");
  }

  @Test
  @DisplayName("The profile shows each fact with its history, in Chinese when switched to it")
  void profileInChinese() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/profile?user=" + USER + "&character=" + CHARACTER);
    Browser.awaitText(By.cssSelector("#profile-table .fact-history"), "杭州 → 上海");
    Screenshots.save("profile-en");
    new Select(Browser.driver().findElement(By.id("lang-select"))).selectByValue("zh");
    Browser.awaitText(By.cssSelector("nav a[aria-current=page]"), "画像");
    Browser.awaitText(By.cssSelector("#profile-table thead"), "历史");
    assertEquals("zh", Browser.js("return sessionStorage.getItem('engram.console.lang')"));
    assertEquals("zh-CN", Browser.js("return document.documentElement.lang"));
    Screenshots.save("profile-zh");
    if (Screenshots.wanted()) { // the memory list in Chinese too, for the docs only
      Browser.go("#/memories?user=" + USER + "&character=" + CHARACTER);
      Browser.await(By.cssSelector("#memory-list article"));
      Screenshots.save("memories-zh");
    }
  }

  @Test
  @DisplayName("The console's files come with a strict content security policy and no sniffing, framing or referrer")
  void strictHeaders() {
    HttpResponse<Buffer> page = Future.await(TestStack.http().get("/console/").send());
    assertEquals(200, page.statusCode());
    String csp = page.getHeader("Content-Security-Policy");
    assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'")
        && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), csp);
    assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
    assertEquals("no-referrer", page.getHeader("Referrer-Policy"));
    assertFalse(page.bodyAsString().contains("<script>"), "no inline script");
    HttpResponse<Buffer> script = Future.await(TestStack.http().get("/console/js/app.js").send());
    assertEquals(200, script.statusCode());
    assertTrue(script.getHeader("Content-Type").contains("javascript"), script.getHeader("Content-Type"));
    assertEquals(csp, script.getHeader("Content-Security-Policy"));
  }
}
