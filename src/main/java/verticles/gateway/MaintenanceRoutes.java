package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import verticles.bus.Addresses;
import verticles.contracts.Forgetting;

/**
 * {@code POST /v1/maintenance/cleanup} (seed {@code cleanup_expired}): soft-deletes the memories past their
 * {@code valid_to} and the expired context memories, and answers the counts. A key with the {@code operator} scope
 * cleans every tenant, one with {@code admin} its own tenant. The body is optional: {@code {"dry_run": true}} counts
 * without deleting.
 */
final class MaintenanceRoutes {
  private final Calls calls;

  MaintenanceRoutes(Calls calls) {
    this.calls = calls;
  }

  void cleanup(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      Buffer raw = ctx.body().buffer();
      boolean dryRun = raw != null && raw.length() > 0
          && calls.validator.validate("cleanup", RequestValidator.parse(raw)).getBoolean("dry_run", false);
      boolean everyTenant = Auth.key(ctx).allows(Scope.OPERATOR);
      String tenant = everyTenant ? null : Auth.tenant(ctx);
      return calls.request(Addresses.MAINTENANCE_CLEANUP, new Forgetting.Cleanup(tenant, null, null, dryRun),
              calls.admin, Forgetting.Cleaned::fromJson)
          .map(c -> c.toJson().put("scope", everyTenant ? "all tenants" : "tenant"));
    }, 200);
  }
}
