package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Tenants;

/**
 * Recall over {@code /v1/ws}: frames {@code {type:"recall", id, ...recall request}} answer {@code {type:
 * "recall.result", id, ...recall reply}}; a bad frame answers {@code {type:"error", id, error:{code, field,
 * message}}} and the socket stays open. The upgrade passed authentication and the {@code read} scope like any route;
 * each frame then counts against the key's rate as a request would.
 */
final class WebSocketProtocol {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketProtocol.class);

  private final RequestValidator validator;
  private final RecallRoutes recall;
  private final RateLimiter limiter;

  WebSocketProtocol(RequestValidator validator, RecallRoutes recall, RateLimiter limiter) {
    this.validator = validator;
    this.recall = recall;
    this.limiter = limiter;
  }

  /** The route handler of {@code GET /v1/ws}. */
  void upgrade(RoutingContext ctx) {
    ApiKeys.Key key = Auth.key(ctx);
    String jwtUser = Auth.jwtUser(ctx);
    ctx.request().toWebSocket()
        .onSuccess(ws -> serve(ws, key, jwtUser))
        .onFailure(e -> LOG.debug("WebSocket upgrade refused: {}", e.toString()));
  }

  private void serve(ServerWebSocket ws, ApiKeys.Key key, String jwtUser) {
    ws.textMessageHandler(text -> onFrame(ws, key, jwtUser, text));
    ws.binaryMessageHandler(b -> error(ws, null, "invalid_request", "frame", "binary frames are not supported"));
    ws.exceptionHandler(e -> {
      if (e instanceof HttpClosedException) {
        return; // the client went away: nothing to answer
      }
      // a frame or message past the limits (or a broken frame) ends the socket with a status that says why
      boolean tooBig = e.getClass().getSimpleName().contains("TooLong") || String.valueOf(e.getMessage()).contains("too big")
          || String.valueOf(e.getMessage()).contains("max message size")
          || String.valueOf(e.getMessage()).contains("exceed");
      LOG.info("WebSocket closed after an error: {}", e.toString());
      if (!ws.isClosed()) {
        ws.close((short) (tooBig ? 1009 : 1002), tooBig ? "message too big" : "protocol error");
      }
    });
  }

  private void onFrame(ServerWebSocket ws, ApiKeys.Key key, String jwtUser, String text) {
    JsonObject frame;
    try {
      frame = RequestValidator.parse(Buffer.buffer(text));
    } catch (RequestValidator.ValidationException e) {
      error(ws, null, "invalid_request", e.field, e.getMessage());
      return;
    }
    Object id = frame.getValue("id");
    if (!"recall".equals(frame.getString("type"))) {
      error(ws, id, "invalid_request", "type", "unknown frame type; expected \"recall\"");
      return;
    }
    long wait = limiter.acquire(key);
    if (wait > 0) {
      error(ws, id, "rate_limited", "Authorization", "too many requests for this key; retry after " + wait + " s");
      return;
    }
    JsonObject body = frame.copy();
    body.remove("type");
    body.remove("id");
    if (jwtUser != null) {
      // a token speaks for one user: the frame may omit it, and may not name another
      if (body.getValue("user_id") != null && !jwtUser.equals(body.getValue("user_id"))) {
        error(ws, id, "forbidden", "user_id", "this token may only recall for its own user");
        return;
      }
      body.put("user_id", jwtUser);
    }
    try {
      validator.validate("recall", body);
    } catch (RequestValidator.ValidationException e) {
      error(ws, id, "invalid_request", e.field, e.getMessage());
      return;
    }
    recall.recallOrEmpty(Tenants.inward(key.tenant(), body)).onSuccess(result -> {
      if (!ws.isClosed()) {
        ws.writeTextMessage(Tenants.outward(key.tenant(), result).put("type", "recall.result").put("id", id).encode());
      }
    });
  }

  private static void error(ServerWebSocket ws, Object id, String code, String field, String message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(new JsonObject().put("type", "error").put("id", id)
          .put("error", Replies.errorBody(code, field, message)).encode());
    }
  }
}
