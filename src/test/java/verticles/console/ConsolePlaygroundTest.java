package verticles.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import verticles.TestStack;

/**
 * The recall playground, driven in headless chromium against the real embedded stack: two stored memories (one of
 * them markup), a recall with top_k 1 that returns one and cuts the other.
 */
@DisplayName("The web console's recall playground")
class ConsolePlaygroundTest {
  private static final String USER = "console-pg-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String CHARACTER = "c1";
  private static final String TOKEN = "pq" + UUID.randomUUID().toString().substring(0, 6);
  private static final String TEA = "Lin drinks jasmine tea at the " + TOKEN + " teahouse every Friday";
  private static final String MARKUP = "<img src=x onerror=alert(1)> at the " + TOKEN + " teahouse";
  private static final String MESSAGE = "What do I usually do at the " + TOKEN + " teahouse?";
  private static String teaId;
  private static String markupId;

  @BeforeAll
  static void memories() {
    Browser.driver(); // skips the class before the stack's data is made when there is no browser
    teaId = imported(TEA, 8);
    markupId = imported(MARKUP, 2);
  }

  private static String imported(String content, int importance) {
    HttpResponse<Buffer> r = Future.await(TestStack.post("/v1/memories", new JsonObject().put("user_id", USER)
        .put("character_id", CHARACTER).put("memory_type", "event").put("content", content)
        .put("importance", importance).put("timestamp", Instant.now().getEpochSecond() - 3600)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static void recallInThePage() {
    Browser.go("#/playground?user=" + USER + "&character=" + CHARACTER);
    WebElement message = Browser.await(By.id("pg-message"));
    assertEquals(USER, Browser.driver().findElement(By.id("pg-user")).getAttribute("value"));
    message.sendKeys(MESSAGE);
    WebElement topK = Browser.driver().findElement(By.id("pg-topk"));
    topK.clear();
    topK.sendKeys("1");
    Browser.driver().findElement(By.id("pg-type-event")).click();
    Browser.driver().findElement(By.id("pg-run")).click();
    Browser.await(By.id("pg-results"));
  }

  @Test
  @DisplayName("A recall shows the context block exactly as the API gives it to the chat model")
  void contextBlock() {
    Browser.signIn("en", TestStack.API_KEY);
    recallInThePage();
    String shown = (String) Browser.js("return document.getElementById('pg-context').textContent");
    assertTrue(shown.contains("jasmine tea"), shown);
    HttpResponse<Buffer> direct = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", USER)
        .put("character_id", CHARACTER).put("message", MESSAGE).put("force", true).put("top_k", 1)
        .put("types", new io.vertx.core.json.JsonArray().add("event"))));
    assertEquals(200, direct.statusCode(), direct.bodyAsString());
    assertEquals(direct.bodyAsJsonObject().getString("context"), shown, "the block as the chat model gets it");
    assertEquals("PRE", Browser.js("return document.getElementById('pg-context').tagName"));
  }

  @Test
  @DisplayName("A recall shows each stage's time and every candidate with its scores, the cut one with its reason")
  void stagesAndCandidates() {
    Browser.signIn("en", TestStack.API_KEY);
    recallInThePage();
    WebElement vector = Browser.await(By.cssSelector("#pg-timings tr[data-stage='vector_ms'] td.num"));
    assertTrue(vector.getText().matches("\\d+\\.\\d"), vector.getText());
    assertTrue(Browser.driver().findElement(By.cssSelector("#pg-timings tr.total")).getText().contains("took_ms"));
    assertTrue(Browser.driver().findElement(By.id("pg-intent")).getText().contains("yes"));

    WebElement kept = Browser.await(By.cssSelector("#pg-candidates tr[data-memory-id='" + teaId + "']"));
    assertEquals("kept", kept.getAttribute("data-outcome"), kept.getText());
    for (String score : new String[] {"score", "relevance", "recency", "importance"}) {
      String text = kept.findElement(By.cssSelector("td." + score)).getText();
      assertTrue(text.matches("\\d\\.\\d{3}"), score + ": " + text);
    }
    assertEquals("0.800", kept.findElement(By.cssSelector("td.importance")).getText());

    WebElement cut = Browser.await(By.cssSelector("#pg-candidates tr[data-memory-id='" + markupId + "']"));
    assertEquals("top_k", cut.getAttribute("data-outcome"));
    assertTrue(cut.getText().contains("cut: past top_k"), cut.getText());
    assertTrue(cut.findElement(By.cssSelector("td.content")).getText().startsWith(MARKUP), "markup shown as text");
    assertTrue(Browser.all(By.tagName("img")).isEmpty(), "no img element on the page");
    assertFalse(Browser.alertRaised(), "no alert");
    assertTrue(Browser.driver().findElement(By.id("pg-summary")).getText().contains("1 returned, 1 cut"),
        Browser.driver().findElement(By.id("pg-summary")).getText());
    Screenshots.save("playground-en");

    new Select(Browser.driver().findElement(By.id("lang-select"))).selectByValue("zh");
    Browser.awaitText(By.id("pg-summary"), "预算裁掉 1 条");
    Browser.awaitText(By.cssSelector("#pg-candidates tr[data-memory-id='" + markupId + "']"), "裁掉：超出 top_k");
    assertEquals(MESSAGE, Browser.driver().findElement(By.id("pg-message")).getAttribute("value"),
        "the form survives the switch");
    Screenshots.save("playground-zh");
  }
}
