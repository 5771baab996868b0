package verticles.shared;

/**
 * The times Engram accepts and shows, as epoch seconds (UTC). What it accepts (a message's or a memory's time) is what
 * every store can hold: MySQL's TIMESTAMP columns run from 1970-01-01T00:00:01Z to 2038-01-19T03:14:07Z (0 is their
 * "zero date"). What recall shows is wider: any time with a four-digit year, so a record stored before these checks
 * existed is still recalled, and only one that no date can show (say -9223372036854775808) is skipped.
 */
public final class Timestamps {
  /** 1970-01-01T00:00:01Z. */
  public static final long MIN = 1L;
  /** 2038-01-19T03:14:07Z. */
  public static final long MAX = 2_147_483_647L;
  /** The accepted window in words, for error messages and logs. */
  public static final String WINDOW = "epoch seconds from " + MIN + " (1970-01-01T00:00:01Z) to " + MAX
      + " (2038-01-19T03:14:07Z)";

  /** 0000-01-01T00:00:00Z. */
  private static final long FIRST_SHOWN = -62_167_219_200L;
  /** 9999-12-31T23:59:59Z. */
  private static final long LAST_SHOWN = 253_402_300_799L;

  private Timestamps() {}

  /** Whether a message or memory may carry this time. */
  public static boolean accepted(long epochSeconds) {
    return epochSeconds >= MIN && epochSeconds <= MAX;
  }

  /** Whether recall can show a stored record of this time (as a date with a four-digit year). */
  public static boolean shown(long epochSeconds) {
    return epochSeconds >= FIRST_SHOWN && epochSeconds <= LAST_SHOWN;
  }
}
