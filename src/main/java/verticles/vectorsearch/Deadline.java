package verticles.vectorsearch;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * When the caller of an index call stops waiting for it: the verticle runs each index call under the deadline of the
 * circuit breaker that guards it, and an engine that waits on the network (VikingDB) gives up when it passes, rather
 * than keep an index thread busy with retries nobody will read. Lucene never waits on anything, so it ignores it.
 *
 * <p>Scoped to the running thread ({@link #run}), so the {@link MemoryIndex} methods need no extra parameter.
 */
public final class Deadline {
  /** No deadline: what an index call outside {@link #run} sees. */
  public static final Deadline NONE = new Deadline(0);
  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  private final long atNanos;

  private Deadline(long atNanos) {
    this.atNanos = atNanos;
  }

  /** The deadline {@code ms} milliseconds from now. */
  public static Deadline in(long ms) {
    return new Deadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms));
  }

  /** The deadline of the index call running on this thread; {@link #NONE} when there is none. */
  public static Deadline current() {
    Deadline d = CURRENT.get();
    return d == null ? NONE : d;
  }

  /** Milliseconds left, 0 once passed; Long.MAX_VALUE for {@link #NONE}. */
  public long remainingMs() {
    if (this == NONE) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(atNanos - System.nanoTime()));
  }

  public boolean passed() {
    return remainingMs() == 0;
  }

  /** Runs {@code work} on this thread with this deadline as {@link #current()}. */
  public <T> T run(Callable<T> work) throws Exception {
    Deadline outer = CURRENT.get();
    CURRENT.set(this);
    try {
      return work.call();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }
}
