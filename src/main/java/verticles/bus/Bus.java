package verticles.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.ThrottledLog;

/** Replying to event-bus requests: a result, or {@code message.fail(code, text)} with a code the gateway maps. */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);
  /** A store that is away fails every request for a while: one WARN per address and interval, the rest DEBUG. */
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private Bus() {}

  public static <T> void respond(Message<?> msg, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        Throwable t = ar.cause();
        int code = code(t);
        if (code == Failures.UNAVAILABLE) {
          AWAY.warn(msg.address(), "{} failed, a store is away: {}", msg.address(), t.toString());
        } else if (code >= 500) {
          LOG.warn("{} failed: {}", msg.address(), t.toString());
        }
        msg.fail(code, t.getMessage() == null ? t.toString() : t.getMessage());
      }
    });
  }

  /**
   * Registers {@code handler} at {@code address}: each request body goes in, the future's result is the reply and
   * its failure a {@code message.fail}. Returns the registration's completion, for a verticle's start().
   */
  public static Future<Void> consume(Vertx vertx, String address, Function<JsonObject, Future<?>> handler) {
    return vertx.eventBus().<JsonObject>consumer(address, msg -> {
      Future<?> result;
      try {
        result = handler.apply(msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      respond(msg, result);
    }).completion();
  }

  /**
   * The failure code for an exception: kept from a ReplyException that carries one, 400 for bad input, 503 when a
   * store or service is away ({@link Failures#unavailable}: open breakers, timeouts, lost connections, unanswered
   * requests, anywhere in the cause chain), else 500.
   */
  public static int code(Throwable t) {
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      return re.failureCode();
    }
    if (t instanceof IllegalArgumentException) {
      return Failures.BAD_REQUEST;
    }
    return Failures.unavailable(t) ? Failures.UNAVAILABLE : Failures.INTERNAL;
  }
}
