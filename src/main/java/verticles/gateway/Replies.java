package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Failures;
import verticles.shared.Tenants;
import verticles.shared.ThrottledLog;

/**
 * How every route answers: JSON bodies, errors as {@code {error:{code, field?, message}}}, and a failure of the
 * event bus mapped to its status. Also the check of integer query parameters the routes share (ids: {@link Ids}).
 */
final class Replies {
  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private Replies() {}

  /** Runs the action and answers its result with {@code status} (user ids made the client's again), or its failure. */
  static void handle(RoutingContext ctx, Callable<Future<JsonObject>> action, int status) {
    Future<JsonObject> result;
    try {
      result = action.call();
    } catch (Exception e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ApiKeys.Key key = Auth.key(ctx);
        json(ctx, status, key == null ? ar.result() : Tenants.outward(key.tenant(), ar.result()));
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  static void fail(RoutingContext ctx, Throwable t) {
    if (t instanceof RequestValidator.ValidationException v) {
      error(ctx, 400, "invalid_request", v.field, v.getMessage());

    } else if (t instanceof ReplyException re) {
      switch (re.failureType()) {
        case NO_HANDLERS, TIMEOUT -> error(ctx, 503, "unavailable", null, "service temporarily unavailable");
        default -> {
          int code = re.failureCode();
          // a failure with details (Failures.of with a JsonObject) names its own field and adds ids to the error
          JsonObject details = Failures.details(re);
          String message = details == null ? re.getMessage() : details.getString("message");
          String field = details == null ? null : details.getString("field");
          if (code == Failures.BAD_REQUEST) {
            error(ctx, 400, "invalid_request", field, message, details);
          } else if (code == Failures.NOT_FOUND) {
            error(ctx, 404, "not_found", field, message, details);
          } else if (code == Failures.CONFLICT) {
            error(ctx, 409, "conflict", field, message, details);
          } else if (code == Failures.LOCKED) {
            error(ctx, 409, "locked", field, message, details);
          } else if (code == Failures.GONE) {
            error(ctx, 410, "gone", field, message, details);
          } else if (code == Failures.PRECONDITION_FAILED) {
            error(ctx, 412, "version_mismatch", field == null ? "If-Match" : field, message, details);
          } else if (code == Failures.PRECONDITION_REQUIRED) {
            error(ctx, 428, "version_required", field == null ? "If-Match" : field, message, details);
          } else if (code == Failures.UNAVAILABLE) { // a store away fails every request: no WARN for each
            AWAY.warn("unavailable", "{} {} failed: {}", ctx.request().method(), ctx.request().path(), re.getMessage());
            error(ctx, 503, "unavailable", null, "a store is unavailable, try again later");
          } else {
            LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), re.getMessage());
            error(ctx, 503, "unavailable", null, "a store is unavailable, try again later");
          }
        }
      }
    } else if (Failures.unavailable(t)) {
      AWAY.warn("unavailable", "{} {} failed: {}", ctx.request().method(), ctx.request().path(), t.toString());
      error(ctx, 503, "unavailable", null, "a store is unavailable, try again later");
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
      error(ctx, 500, "internal", null, "internal error");
    }
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().headWritten() && !ctx.response().ended()) {
      ctx.response().reset(); // a streamed body cut short: the client sees it torn, never whole
      return;
    }
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
          .end(body.encode());
    }
  }

  static void error(RoutingContext ctx, int status, String code, String field, String message) {
    json(ctx, status, new JsonObject().put("error", errorBody(code, field, message)));
  }

  /** An error whose body also carries the failure's details (the ids it names), besides code, field and message. */
  static void error(RoutingContext ctx, int status, String code, String field, String message, JsonObject details) {
    JsonObject err = errorBody(code, field, message);
    if (details != null) {
      details.forEach(e -> {
        if (!err.containsKey(e.getKey()) && !"message".equals(e.getKey())) {
          err.put(e.getKey(), e.getValue());
        }
      });
    }
    json(ctx, status, new JsonObject().put("error", err));
  }

  /** {@code {code, field?, message}}: the error of an HTTP reply and of a WebSocket error frame alike. */
  static JsonObject errorBody(String code, String field, String message) {
    JsonObject err = new JsonObject().put("code", code).put("message", message);
    if (field != null) {
      err.put("field", field);
    }
    return err;
  }

  /**
   * An integer query parameter: ASCII digits only (no sign, fraction, exponent or other scripts' digits, all of which
   * {@code Integer.parseInt} would take in part), given once, within [min, max]; {@code dflt} when absent.
   */
  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    java.util.List<String> all = ctx.queryParams().getAll(name);
    if (all.isEmpty()) {
      return dflt;
    }
    String v = all.get(0);
    long n = all.size() == 1 && v.length() <= 10 && !v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')
        ? Long.parseLong(v) : Long.MIN_VALUE;
    if (n < min || n > max) {
      throw new RequestValidator.ValidationException(name, "must be an integer from " + min + " to " + max
          + ", given once" + (all.size() == 1 && v.length() <= 20 ? ", got '" + v + "'" : ""));
    }
    return (int) n;
  }
}
