package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Failures;
import verticles.shared.Tenants;

/** Generation tasks: one task's status, a tenant's task list, a failed task's retry. */
final class TaskRoutes {
  private static final List<String> STATUSES = List.of("pending", "processing", "completed", "failed");

  private final Calls calls;

  TaskRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code GET /v1/tasks/{task_id}}. */
  void get(RoutingContext ctx) {
    String taskId = ctx.pathParam("task_id");
    Replies.handle(ctx, () -> {
      Replies.checkId("task_id", taskId);
      return owned(ctx, taskId).map(TaskRoutes::view);
    }, 200);
  }

  /** {@code GET /v1/tasks?status=&user_id=&limit=}: the caller's tenant's tasks, newest first. */
  void list(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String status = ctx.queryParams().get("status");
      if (status != null && !STATUSES.contains(status)) {
        throw new RequestValidator.ValidationException("status", "must be one of " + String.join(", ", STATUSES));
      }
      String user = ctx.queryParams().get("user_id");
      if (user != null) {
        Replies.checkId("user_id", user);
      }
      int limit = Replies.intParam(ctx, "limit", 50, 1, 500);
      String tenant = Auth.tenant(ctx);
      return calls.request(Addresses.TASK_LIST, new JsonObject().put("status", status)
          .put("user_id", user == null ? null : Tenants.inward(tenant, user)).put("tenant", tenant)
          .put("limit", limit), calls.store)
          .map(r -> {
            JsonArray tasks = new JsonArray();
            r.getJsonArray("tasks").forEach(t -> {
              JsonObject task = (JsonObject) t;
              tasks.add(view(task).put("user_id", task.getString("user_id"))
                  .put("character_id", task.getString("character_id")));
            });
            return new JsonObject().put("tasks", tasks).put("limit", limit);
          });
    }, 200);
  }

  /** {@code POST /v1/tasks/{task_id}/retry}: a failed task of the caller's tenant, its retry budget reset. */
  void retry(RoutingContext ctx) {
    String taskId = ctx.pathParam("task_id");
    Replies.handle(ctx, () -> {
      Replies.checkId("task_id", taskId);
      return owned(ctx, taskId)
          .compose(t -> calls.request(Addresses.ADMIN_RETRY, new JsonObject().put("task_id", taskId), calls.admin));
    }, 202);
  }

  /** The task row, or 404: task ids are global, and another tenant's task does not exist for this one. */
  private Future<JsonObject> owned(RoutingContext ctx, String taskId) {
    return calls.request(Addresses.TASK_GET, new JsonObject().put("task_id", taskId), calls.store).compose(t -> t == null
        || !Tenants.owns(Auth.tenant(ctx), t.getString("user_id"))
        ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Failures.NOT_FOUND, "no task " + taskId))
        : Future.succeededFuture(t));
  }

  private static JsonObject view(JsonObject t) {
    JsonObject out = new JsonObject().put("task_id", t.getString("task_id")).put("status", t.getString("status"))
        .put("retry_count", t.getInteger("retry_count"));
    if (t.getString("error_message") != null) {
      out.put("error_message", t.getString("error_message"));
    }
    return out.put("session_id", t.getString("session_id")).put("created_at", t.getLong("created_at"))
        .put("completed_at", t.getLong("completed_at"));
  }
}
