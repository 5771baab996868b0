package verticles.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
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

/** The operations view against the real embedded stack: one completed task, one recall, the store breakers. */
@DisplayName("The web console's operations view")
class ConsoleOpsTest {
  private static final String USER = "console-ops-" + UUID.randomUUID().toString().substring(0, 8);
  private static String taskId;

  @BeforeAll
  static void aTaskAndARecall() {
    Browser.driver(); // skips the class before the stack's data is made when there is no browser
    long now = Instant.now().getEpochSecond();
    HttpResponse<Buffer> posted = Future.await(TestStack.post("/v1/sessions", new JsonObject().put("user_id", USER)
        .put("character_id", "c1").put("messages", new JsonArray()
            .add(new JsonObject().put("msg_id", "m1").put("role", "user").put("content", "I moved to Suzhou last month.")
                .put("timestamp", now - 60)))));
    assertEquals(202, posted.statusCode(), posted.bodyAsString());
    taskId = posted.bodyAsJsonObject().getString("task_id");
    Future.await(TestStack.awaitTask(taskId, "completed"));
    HttpResponse<Buffer> recall = Future.await(TestStack.post("/v1/recall", new JsonObject().put("user_id", USER)
        .put("character_id", "c1").put("message", "Where do I live now?").put("force", true)));
    assertEquals(200, recall.statusCode(), recall.bodyAsString());
  }

  @Test
  @DisplayName("Operations shows task counts, a completed task in the list, the breakers' states and latency charts")
  void operations() {
    Browser.signIn("en", TestStack.API_KEY);
    Browser.go("#/ops?status=completed&user=" + USER);
    WebElement completed = Browser.await(By.cssSelector("#ops-task-counts tr[data-status='completed'] td"));
    assertTrue(Integer.parseInt(completed.getText()) >= 1, completed.getText());
    assertTrue(Browser.driver().findElement(By.cssSelector("#ops-task-counts tr[data-status='failed'] td")).getText()
        .matches("\\d+"));

    WebElement task = Browser.await(By.cssSelector("#ops-tasks tr[data-task-id='" + taskId + "']"));
    assertTrue(task.getText().contains("completed"), task.getText());
    assertTrue(task.getText().contains(USER), task.getText());
    assertTrue(task.findElements(By.cssSelector("button.retry")).isEmpty(), "only a failed task can be retried");

    WebElement mysql = Browser.await(By.cssSelector("#ops-breakers tr[data-breaker='mysql'] td"));
    assertEquals("closed", mysql.getText());
    assertTrue(mysql.getAttribute("class").contains("state-0"));

    WebElement chart = Browser.await(By.cssSelector("#ops-latency svg[data-metric='memory_recall_latency_seconds']"));
    assertFalse(chart.findElements(By.cssSelector("rect.bar")).isEmpty(), "one bar a bucket");
    assertTrue(Browser.js("return document.querySelector(\"#ops-latency svg[data-metric="
        + "'memory_recall_latency_seconds'] title\").textContent").toString().contains("memory_recall_latency_seconds"));
    Browser.await(By.id("ops-replay"));
    Screenshots.save("ops-en");

    new Select(Browser.driver().findElement(By.id("lang-select"))).selectByValue("zh");
    Browser.awaitText(By.cssSelector("#ops-breakers tr[data-breaker='mysql'] td"), "闭合");
    Browser.awaitText(By.id("ops-tasks-section"), "任务");
    Browser.await(By.cssSelector("#ops-latency svg rect.bar"));
    Screenshots.save("ops-zh");
  }

  @Test
  @DisplayName("A key without the operator scope sees why the stats are missing")
  void withoutOperatorScope() {
    Browser.signIn("en", TestStack.API_KEY_READ_ONLY);
    Browser.go("#/ops");
    Browser.awaitText(By.id("ops-stats-section"), "needs the operator scope");
    Browser.awaitText(By.id("ops-tasks-section"), "needs the admin scope");
  }
}
