package verticles.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Failure codes carried by {@code message.fail(code, text)}; the gateway maps them to HTTP statuses. */
public final class Failures {
  private Failures() {}

  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  /** The owner was forgotten: a write of what they said before is refused, and the task is settled, not retried. */
  public static final int GONE = 410;
  public static final int UNAVAILABLE = 503;
  public static final int INTERNAL = 500;

  /** A failure carrying {@code code}, for a future that {@code Bus.respond} turns into {@code message.fail}. */
  public static ReplyException of(int code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }
}
