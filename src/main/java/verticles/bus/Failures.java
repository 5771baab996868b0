package verticles.bus;

import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/** Failure codes carried by {@code message.fail(code, text)}; the gateway maps them to HTTP statuses. */
public final class Failures {
  private Failures() {}

  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  /** The owner was forgotten: a write of what they said before is refused, and the task is settled, not retried. */
  public static final int GONE = 410;
  /** The memory moved on since the version the caller names ({@code If-Match}). */
  public static final int PRECONDITION_FAILED = 412;
  /** A correction must name the version it corrects ({@code If-Match}). */
  public static final int PRECONDITION_REQUIRED = 428;
  /**
   * The memory is locked by a transaction, and stayed so for the caller's whole lock wait (HTTP 409, error code
   * {@code locked}); its details name the memory and the transaction.
   */
  public static final int LOCKED = 423;
  public static final int UNAVAILABLE = 503;
  public static final int INTERNAL = 500;

  /**
   * A failure carrying {@code code} and details for the caller beyond the text ({@code field}, the ids involved): its
   * message is the details as JSON, with the text under {@code message}; {@link #details} reads them back on the
   * other side of the bus.
   */
  public static ReplyException of(int code, String message, JsonObject details) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, details.copy().put("message", message).encode());
  }

  /** The details of a failure made by {@link #of(int, String, JsonObject)}, or null for a plain one. */
  public static JsonObject details(ReplyException e) {
    String text = e.getMessage();
    if (text == null || !text.startsWith("{\"")) {
      return null;
    }
    try {
      JsonObject details = new JsonObject(text);
      return details.getValue("message") instanceof String ? details : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  /** How deep a cause chain is followed: far enough for any wrapping we do, and safe against a cycle. */
  private static final int MAX_DEPTH = 8;

  /** A failure carrying {@code code}, for a future that {@code Bus.respond} turns into {@code message.fail}. */
  public static ReplyException of(int code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  /**
   * Whether {@code t}, or anything in its cause chain, says a store or service is away rather than that the request
   * is wrong or our code is: an open circuit breaker or a breaker's timeout, a refused, timed-out, reset or closed
   * connection (HTTP, SQL, any socket), a pool too busy to take the call or shut down, a host that does not resolve, or an
   * event-bus request nobody answered (no handler, or none in time). Decided by type, never by message text.
   */
  public static boolean unavailable(Throwable t) {
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof ReplyException re) {
        if (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.TIMEOUT) {
          return true;
        }
      } else if (t instanceof OpenCircuitException
          || t instanceof io.vertx.circuitbreaker.TimeoutException
          || t instanceof TimeoutException // HTTP and SQL clients' own timeouts
          || t instanceof SocketException // ConnectException (netty's ConnectTimeoutException too), connection reset
          || t instanceof ClosedChannelException
          || t instanceof UnknownHostException
          || t instanceof HttpClosedException
          || t instanceof StreamResetException
          || t instanceof ConnectionPoolTooBusyException
          || t instanceof ClosedConnectionException
          || t instanceof RejectedExecutionException // a pool that takes no more work: its node is stopping
          || t == NetSocketInternal.CLOSED_EXCEPTION) { // "Connection was closed": one shared instance
        return true;
      }
    }
    return false;
  }
}
