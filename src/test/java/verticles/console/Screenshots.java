package verticles.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * The console's screenshots for the docs: written only when the test run is given a directory
 * ({@code -Dconsole.screenshots=docs/console}), so an ordinary run never writes into the tree.
 */
final class Screenshots {
  private static final int WIDTH = 1280;
  private static final int MAX_HEIGHT = 2400;

  private Screenshots() {}

  /** Whether this run was asked for screenshots. */
  static boolean wanted() {
    String dir = System.getProperty("console.screenshots");
    return dir != null && !dir.isBlank();
  }

  /** Saves the whole page (up to a height) as {@code <name>.png} when screenshots were asked for. */
  static void save(String name) {
    if (!wanted()) {
      return;
    }
    String dir = System.getProperty("console.screenshots");
    WebDriver d = Browser.driver();
    Dimension before = d.manage().window().getSize();
    long height = ((Number) Browser.js("return document.documentElement.scrollHeight")).longValue();
    d.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(MAX_HEIGHT, Math.max(900, height + 120))));
    Browser.js("window.scrollTo(0, 0)");
    try {
      Path target = Path.of(dir).resolve(name + ".png");
      Files.createDirectories(target.getParent());
      Files.write(target, ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the screenshot " + name, e);
    } finally {
      d.manage().window().setSize(before);
    }
  }
}
