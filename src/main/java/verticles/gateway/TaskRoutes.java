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
import verticles.contracts.Admin;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;
import verticles.shared.Tenants;

/** Generation tasks: one task's status, a tenant's task list, a failed task's retry. */
final class TaskRoutes {
  private static final List<String> STATUSES = TaskStatus.STORED.stream().map(TaskStatus::wire).toList();

  private final Calls calls;

  TaskRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code GET /v1/tasks/{task_id}}. */
  void get(RoutingContext ctx) {
    String taskId = ctx.pathParam("task_id");
    Replies.handle(ctx, () -> {
      Ids.check("task_id", taskId);
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
        Ids.check("user_id", user);
      }
      int limit = Replies.intParam(ctx, "limit", 50, 1, Tasks.MAX_LIST);
      String tenant = Auth.tenant(ctx);
      Tasks.Query query = new Tasks.Query(status == null ? null : TaskStatus.of(status),
          user == null ? null : Tenants.inward(tenant, user), tenant, limit);
      return calls.request(Addresses.TASK_LIST, query, calls.store, Tasks.Rows::fromJson)
          .map(r -> {
            JsonArray tasks = new JsonArray();
            r.tasks().forEach(task -> tasks.add(view(task).put("user_id", task.userId())
                .put("character_id", task.characterId())));
            return new JsonObject().put("tasks", tasks).put("limit", limit);
          });
    }, 200);
  }

  /** {@code POST /v1/tasks/{task_id}/retry}: a failed task of the caller's tenant, its retry budget reset. */
  void retry(RoutingContext ctx) {
    String taskId = ctx.pathParam("task_id");
    Replies.handle(ctx, () -> {
      Ids.check("task_id", taskId);
      return owned(ctx, taskId)
          .compose(t -> calls.request(Addresses.ADMIN_RETRY, new Tasks.Id(taskId), calls.admin, Admin.Retried::fromJson))
          .map(Admin.Retried::toJson);
    }, 202);
  }

  /** The task row, or 404: task ids are global, and another tenant's task does not exist for this one. */
  private Future<Tasks.Row> owned(RoutingContext ctx, String taskId) {
    return calls.request(Addresses.TASK_GET, new Tasks.Id(taskId), calls.store, Tasks.Row::fromJson).compose(t -> t == null
        || !Tenants.owns(Auth.tenant(ctx), t.userId())
        ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Failures.NOT_FOUND, "no task " + taskId))
        : Future.succeededFuture(t));
  }

  private static JsonObject view(Tasks.Row t) {
    JsonObject out = new JsonObject().put("task_id", t.taskId()).put("status", t.status().wire())
        .put("retry_count", t.retryCount());
    if (t.errorMessage() != null) {
      out.put("error_message", t.errorMessage());
    }
    return out.put("session_id", t.sessionId()).put("created_at", t.createdAt()).put("completed_at", t.completedAt());
  }
}
