package verticles.gateway;

import io.vertx.core.Vertx;
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
 *
 * <p>Text messages are assembled here from their frames ({@link TextMessages}) so that their bytes are checked: a
 * message that is not valid UTF-8 closes the socket with 1007 (RFC 6455), one over {@code ws_max_message_bytes}
 * with 1009. The server pings every half idle timeout, so a quiet socket whose client answers (every client does,
 * browsers included) outlives the connection idle timeout, and one whose peer is gone does not.
 */
final class WebSocketProtocol {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketProtocol.class);

  private final RequestValidator validator;
  private final RecallRoutes recall;
  private final RateLimiter limiter;
  private final int maxMessageBytes;
  private final long pingMs;

  WebSocketProtocol(RequestValidator validator, RecallRoutes recall, RateLimiter limiter, JsonObject http) {
    this.validator = validator;
    this.recall = recall;
    this.limiter = limiter;
    this.maxMessageBytes = http.getInteger("ws_max_message_bytes", 262_144);
    this.pingMs = http.getInteger("idle_timeout_s", 120) * 500L;
  }

  /** The route handler of {@code GET /v1/ws}. */
  void upgrade(RoutingContext ctx) {
    ApiKeys.Key key = Auth.key(ctx);
    String jwtUser = Auth.jwtUser(ctx);
    Vertx vertx = ctx.vertx();
    ctx.request().toWebSocket()
        .onSuccess(ws -> serve(vertx, ws, key, jwtUser))
        .onFailure(e -> LOG.debug("WebSocket upgrade refused: {}", e.toString()));
  }

  private void serve(Vertx vertx, ServerWebSocket ws, ApiKeys.Key key, String jwtUser) {
    TextMessages messages = new TextMessages(maxMessageBytes);
    ws.frameHandler(frame -> {
      TextMessages.Result result = messages.add(frame);
      switch (result.kind()) {
        case TEXT -> onFrame(ws, key, jwtUser, result.text());
        case BINARY -> error(ws, null, "invalid_request", "frame", "binary frames are not supported");
        case INVALID_UTF8 -> close(ws, (short) 1007, "text message is not valid UTF-8");
        case TOO_BIG -> close(ws, (short) 1009, "message too big");
        case PARTIAL -> { }
      }
    });
    if (pingMs > 0) {
      long pinger = vertx.setPeriodic(pingMs, id -> {
        if (!ws.isClosed()) {
          ws.writePing(Buffer.buffer());
        }
      });
      ws.closeHandler(v -> vertx.cancelTimer(pinger));
    }
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

  private static void close(ServerWebSocket ws, short status, String reason) {
    LOG.info("WebSocket closed with {}: {}", status, reason);
    if (!ws.isClosed()) {
      ws.close(status, reason);
    }
  }

  private static void error(ServerWebSocket ws, Object id, String code, String field, String message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(new JsonObject().put("type", "error").put("id", id)
          .put("error", Replies.errorBody(code, field, message)).encode());
    }
  }
}
