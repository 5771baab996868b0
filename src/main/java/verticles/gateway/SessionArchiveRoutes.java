package verticles.gateway;

import io.vertx.ext.web.RoutingContext;
import verticles.bus.Addresses;
import verticles.contracts.Archive;
import verticles.shared.Tenants;

/**
 * A session's archived conversation ({@code GET /v1/sessions/{session_id}/archive?user_id=&character_id=}), as the
 * Archiver wrote it to the object store: scoped to the caller's tenant, user and character; 404 until archived.
 */
final class SessionArchiveRoutes {
  private final Calls calls;

  SessionArchiveRoutes(Calls calls) {
    this.calls = calls;
  }

  void get(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String session = ctx.pathParam("session_id");
      Ids.check("session_id", session);
      String user = SessionContextRoutes.query(ctx, "user_id");
      String character = SessionContextRoutes.query(ctx, "character_id");
      String tenant = Auth.tenant(ctx);
      return calls.request(Addresses.ARCHIVE_READ, new Archive.Read(Tenants.inward(tenant, user), character, session),
          calls.store, Archive.Conversation::fromJson).map(c -> Tenants.outward(tenant, c.toJson()));
    }, 200);
  }
}
