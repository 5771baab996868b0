package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import verticles.bus.Addresses;
import verticles.contracts.Admin;
import verticles.contracts.Empty;
import verticles.contracts.Forget;
import verticles.contracts.Outbox;
import verticles.contracts.Owner;
import verticles.shared.Tenants;

/** What operators and a tenant's users' rights ask for: stats, the DLQ replay, export and forget. */
final class AdminRoutes {
  private final Calls calls;

  AdminRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code POST /v1/dlq/replay}: cluster-wide, every tenant's dead-lettered tasks. */
  void replayDlq(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.DLQ_REPLAY, Empty.INSTANCE, calls.admin, Outbox.Replayed::fromJson)
        .map(Outbox.Replayed::toJson), 200);
  }

  /** {@code GET /v1/stats}: cluster-wide totals. */
  void stats(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.ADMIN_STATS, new Owner(null, null), calls.admin,
        Admin.Stats::fromJson).map(Admin.Stats::toJson), 200);
  }

  /** {@code GET /v1/users/{user_id}/stats?character_id=}. */
  void userStats(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.ADMIN_STATS, owner(ctx, ctx.queryParams().get("character_id")),
        calls.admin, Admin.Stats::fromJson).map(Admin.Stats::toJson), 200);
  }

  /** {@code POST /v1/users/{user_id}/export}: {@code character_id} in the query or in an optional JSON body. */
  void export(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String character = ctx.queryParams().get("character_id");
      Buffer raw = ctx.body().buffer();
      if (raw != null && raw.length() > 0) {
        String inBody = calls.validator.validate("export", RequestValidator.parse(raw)).getString("character_id");
        if (character != null && inBody != null && !character.equals(inBody)) {
          throw new RequestValidator.ValidationException("character_id", "differs between the query and the body");
        }
        character = character != null ? character : inBody;
      }
      Owner owner = owner(ctx, character);
      return calls.request(Addresses.ADMIN_EXPORT, new Admin.ExportRequest(owner.userId(), owner.characterId(),
          Auth.tenant(ctx)), calls.admin, export -> export);
    }, 200);
  }

  /** {@code DELETE /v1/users/{user_id}[/characters/{character_id}]}: erases the user (or one character) everywhere. */
  void forget(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.ADMIN_FORGET, owner(ctx, ctx.pathParam("character_id")),
        calls.admin, Forget.Forgotten::fromJson).map(Forget.Forgotten::toJson), 200);
  }

  /** The path's user, scoped to the caller's tenant, and an optional character, both checked like every other id. */
  private static Owner owner(RoutingContext ctx, String character) {
    Ids.check("user_id", ctx.pathParam("user_id"));
    if (character != null) {
      Ids.check("character_id", character);
    }
    return new Owner(Tenants.inward(Auth.tenant(ctx), ctx.pathParam("user_id")), character);
  }
}
