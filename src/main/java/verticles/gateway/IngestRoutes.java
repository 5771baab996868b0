package verticles.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import verticles.bus.Addresses;

/** Conversations coming in: whole sessions, buffered messages, a session's end. Each may cut a generation task. */
final class IngestRoutes {
  private final Calls calls;

  IngestRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code POST /v1/sessions}: a whole finished session becomes one generation task. */
  void postSession(RoutingContext ctx) {
    calls.withBody(ctx, "sessions", body -> calls.request(Addresses.TASK_CREATE, body, calls.store)
        .map(task -> {
          calls.publish(task);
          return new JsonObject().put("task_id", task.getString("task_id")).put("session_id", task.getString("session_id"));
        }), 202);
  }

  /** {@code POST /v1/messages}: buffered durably; a task is cut once the session has enough of them. */
  void postMessages(RoutingContext ctx) {
    calls.withBody(ctx, "messages", body -> calls.request(Addresses.MESSAGES_BUFFER, body, calls.store)
        .map(r -> {
          JsonObject out = new JsonObject().put("buffered", r.getLong("buffered"));
          JsonObject task = r.getJsonObject("task");
          if (task != null) {
            calls.publish(task);
            out.put("task_id", task.getString("task_id"));
          }
          return out.put("session_id", body.getString("session_id"));
        }), 202);
  }

  /** {@code POST /v1/sessions/{session_id}/end}: what the session has buffered becomes a task now. */
  void endSession(RoutingContext ctx) {
    String session = ctx.pathParam("session_id");
    calls.withBody(ctx, "session_end", body -> {
      Replies.checkId("session_id", session);
      return calls.request(Addresses.SESSION_END, body.copy().put("session_id", session), calls.store).map(r -> {
        JsonObject task = r.getJsonObject("task");
        if (task != null) {
          calls.publish(task);
        }
        return new JsonObject().put("session_id", session).put("task_id", task == null ? null : task.getString("task_id"));
      });
    }, 202);
  }
}
