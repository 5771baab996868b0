package verticles.console;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import verticles.TestStack;

/**
 * The console's browser for tests: Debian's headless chromium driven through its chromedriver, started once per test
 * JVM (with a fresh profile) against the shared embedded stack ({@link TestStack}), quit when the JVM exits. A test
 * calling {@link #driver()} on a machine without chromium or chromedriver is skipped, saying so.
 */
public final class Browser {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** How long a page condition may take: the stack's first calls warm it up (model, index). */
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private static ChromeDriver driver;

  private Browser() {}

  /** The browser, started on first use; skips the calling test when chromium or chromedriver is missing. */
  public static synchronized WebDriver driver() {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the console's browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
            + "): apt-get install -y chromium chromium-driver");
    if (driver == null) {
      driver = start();
      ChromeDriver started = driver;
      Runtime.getRuntime().addShutdownHook(new Thread(started::quit, "console-browser-quit"));
    }
    return driver;
  }

  private static ChromeDriver start() {
    try {
      Path profile = TestStack.scratch("chromium-profile-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
      // an alert the page raises stays open for the test to see, instead of being dismissed by the next command
      options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
      return new ChromeDriver(service, options);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("no scratch directory for the browser profile", e);
    }
  }

  /** The console's address on the shared stack. */
  public static String base() {
    return "http://127.0.0.1:" + TestStack.engram().port() + "/console/";
  }

  /** Opens the console fresh at {@code hash} (e.g. {@code #/signin}) in {@code language}, signed out. */
  public static WebDriver openFresh(String language, String hash) {
    WebDriver d = driver();
    d.get(base() + "#/signin");
    js("sessionStorage.clear(); sessionStorage.setItem('engram.console.lang', arguments[0]);", language);
    d.get(base() + hash);
    d.navigate().refresh();
    return d;
  }

  /** Signs in with {@code key} through the sign-in form and waits for the users page. */
  public static void signIn(String language, String key) {
    openFresh(language, "#/signin");
    WebElement input = await(By.id("api-key"));
    input.sendKeys(key);
    driver().findElement(By.id("signin-submit")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("sign-out")));
  }

  /** Goes to a view of the signed-in console ({@code #/memories?user=…}). */
  public static void go(String hash) {
    driver().get(base() + hash);
  }

  public static WebDriverWait waiting() {
    return new WebDriverWait(driver(), PATIENCE);
  }

  /** Waits for an element to be visible and returns it. */
  public static WebElement await(By by) {
    return waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Waits until the element's text contains {@code text}. */
  public static WebElement awaitText(By by, String text) {
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    return driver().findElement(by);
  }

  public static List<WebElement> all(By by) {
    return driver().findElements(by);
  }

  public static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver()).executeScript(script, args);
  }

  /** Whether the page raised an alert (dismissing it, so the browser stays usable). */
  public static boolean alertRaised() {
    try {
      driver().switchTo().alert().dismiss();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }
}
