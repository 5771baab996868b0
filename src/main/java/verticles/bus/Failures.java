package verticles.bus;

/** Failure codes carried by {@code message.fail(code, text)}; the gateway maps them to HTTP statuses. */
public final class Failures {
  private Failures() {}

  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int UNAVAILABLE = 503;
  public static final int INTERNAL = 500;
}
