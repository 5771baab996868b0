package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import verticles.bus.Addresses;
import verticles.contracts.Sessions;
import verticles.contracts.Tasks;

/** Conversations coming in: whole sessions, buffered messages, a session's end. Each may cut a generation task. */
final class IngestRoutes {
  private final Calls calls;
  private final SessionContextRoutes contexts;

  IngestRoutes(Calls calls, SessionContextRoutes contexts) {
    this.calls = calls;
    this.contexts = contexts;
  }

  /**
   * {@code POST /v1/sessions}: a whole finished session becomes one generation task, of the messages new to the
   * session. Sent again (a client's retry: the same session and msg ids) it adds nothing and answers the same task id.
   */
  void postSession(RoutingContext ctx) {
    calls.withBody(ctx, "sessions", body -> calls.request(Addresses.TASK_CREATE, Tasks.Create.fromJson(body),
            calls.store, Tasks.Accepted::fromJson)
        .map(accepted -> {
          if (accepted.task() != null) {
            calls.publish(accepted.task());
          }
          return new JsonObject().put("task_id", accepted.taskId()).put("session_id", accepted.sessionId())
              .put("duplicates", accepted.duplicates());
        }), 202);
  }

  /**
   * {@code POST /v1/messages}: buffered durably; a task is cut once the session has enough of them. Messages the
   * session accepted before (a retry) are not buffered again. Once buffered, they are appended to the session's
   * short-term context too (best effort, within {@code session_memory.feed_timeout_ms}; a retry of them all is not).
   * The reply waits for it, so that a client's next request reads its turns, in the order it sent them.
   */
  void postMessages(RoutingContext ctx) {
    calls.withBody(ctx, "messages", body -> calls.request(Addresses.MESSAGES_BUFFER, Sessions.Buffer.fromJson(body),
            calls.store, Sessions.Buffered::fromJson)
        .compose(r -> r.fresh().isEmpty() ? Future.succeededFuture(r) : contexts.feed(fresh(body, r.fresh())).map(r))
        .map(r -> {
          JsonObject out = new JsonObject().put("buffered", r.buffered()).put("duplicates", r.duplicates());
          if (r.task() != null) {
            calls.publish(r.task());
            out.put("task_id", r.task().taskId());
          }
          return out.put("session_id", body.getString("session_id"));
        }), 202);
  }

  /** The body with only the messages buffered now: a retry's repeated messages are no new turns. */
  private static JsonObject fresh(JsonObject body, java.util.List<String> ids) {
    JsonArray kept = new JsonArray();
    body.getJsonArray("messages").forEach(m -> {
      String id = ((JsonObject) m).getString("msg_id");
      if (id == null || ids.contains(id)) { // a message without a msg_id is always new
        kept.add(m);
      }
    });
    return body.copy().put("messages", kept);
  }

  /** {@code POST /v1/sessions/{session_id}/end}: what the session has buffered becomes a task now. */
  void endSession(RoutingContext ctx) {
    String session = ctx.pathParam("session_id");
    calls.withBody(ctx, "session_end", body -> {
      Ids.check("session_id", session);
      Sessions.End end = new Sessions.End(body.getString("user_id"), body.getString("character_id"), session,
          "session_end");
      return calls.request(Addresses.SESSION_END, end, calls.store, Sessions.Cut::fromJson).map(r -> {
        if (r.task() != null) {
          calls.publish(r.task());
        }
        return new JsonObject().put("session_id", session).put("task_id", r.task() == null ? null : r.task().taskId());
      });
    }, 202);
  }
}
