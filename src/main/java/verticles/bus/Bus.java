package verticles.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.contracts.Contract;
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
        msg.reply(ar.result() instanceof Contract c ? c.toJson() : ar.result());
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
    return vertx.eventBus().consumer(address, msg -> {
      Future<?> result;
      try {
        if (msg.body() != null && !(msg.body() instanceof JsonObject)) {
          throw new IllegalArgumentException("the body must be a JSON object");
        }
        result = handler.apply((JsonObject) msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      respond(msg, result);
    }).completion();
  }

  /**
   * Registers a typed handler at {@code address}: the body is read with {@code reader} (a contract's
   * {@code fromJson}; bad input it refuses is a 400), the handler's contract is the reply.
   */
  public static <Q> Future<Void> consume(Vertx vertx, String address, Function<JsonObject, Q> reader,
      Function<Q, Future<?>> handler) {
    return consume(vertx, address, body -> handler.apply(reader.apply(body == null ? new JsonObject() : body)));
  }

  /** Sends a contract and reads the reply with {@code reader}; a null reply (nothing found) reads as null. */
  public static <R> Future<R> request(Vertx vertx, String address, Contract body, DeliveryOptions options,
      Function<JsonObject, R> reader) {
    return vertx.eventBus().<JsonObject>request(address, body.toJson(), options)
        .map(m -> m.body() == null ? null : reader.apply(m.body()));
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
