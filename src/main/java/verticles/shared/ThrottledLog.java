package verticles.shared;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A WARN that would repeat on every request while a store is away (an open breaker fails each call at once): logged
 * once per interval and key, naming how many like it were held back; the ones in between go to DEBUG. The state
 * change itself is logged by {@link Breakers}, so nothing is lost but the flood.
 */
public final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    long lastWarn;
    boolean warned;
    long heldBack;
  }

  public ThrottledLog(Logger log, long intervalMs) {
    this.log = log;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
  }

  /** {@code key} groups the repeats (an address, a store); keep it to a small fixed set. */
  public void warn(String key, String format, Object... args) {
    Window w = windows.computeIfAbsent(key, k -> new Window());
    long now = System.nanoTime();
    long heldBack;
    synchronized (w) {
      if (w.warned && now - w.lastWarn < intervalNanos) {
        w.heldBack++;
        log.debug(format, args);
        return;
      }
      heldBack = w.heldBack;
      w.heldBack = 0;
      w.lastWarn = now;
      w.warned = true;
    }
    if (heldBack == 0) {
      log.warn(format, args);
    } else {
      Object[] more = java.util.Arrays.copyOf(args, args.length + 1);
      more[args.length] = heldBack;
      log.warn(format + " ({} more like it since the last such warning)", more);
    }
  }
}
