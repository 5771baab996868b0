package verticles.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import verticles.bus.Addresses;
import verticles.contracts.Conflicts;
import verticles.shared.Tenants;

/**
 * The review of conflicts between memories: {@code GET /v1/conflicts} (cursor-paged, newest first),
 * {@code GET /v1/conflicts/{id}}, {@code POST /v1/conflicts/{id}/resolve}. Every request names the caller's tenant:
 * a conflict of another tenant's memories answers 404.
 */
final class ConflictRoutes {
  private static final Set<String> LIST_PARAMS = Set.of("user_id", "character_id", "status", "type", "cursor",
      "limit");
  private static final List<String> CHOICES = List.of("strategy", "keep", "content");

  private final Calls calls;

  ConflictRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code GET /v1/conflicts?user_id&character_id&status=open|resolved&type&cursor&limit}. */
  void list(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      MultiMap q = ctx.queryParams();
      for (String name : q.names()) {
        if (!LIST_PARAMS.contains(name)) {
          throw new RequestValidator.ValidationException(name, "unknown parameter; filters are " + LIST_PARAMS);
        }
      }
      String user = q.get("user_id");
      if (user != null) {
        Ids.check("user_id", user);
      }
      String character = q.get("character_id");
      if (character != null) {
        Ids.check("character_id", character);
      }
      String cursor = q.get("cursor");
      if (cursor != null && !cursor.matches("[0-9]{1,18}")) {
        throw new RequestValidator.ValidationException("cursor", "is not a cursor this API gave out");
      }
      String tenant = Auth.tenant(ctx);
      Conflicts.Query query = new Conflicts.Query(tenant, user == null ? null : Tenants.inward(tenant, user),
          character, oneOf(q, "status", Conflicts.STATUSES), oneOf(q, "type", Conflicts.TYPES), cursor,
          Replies.intParam(ctx, "limit", 50, 1, 500));
      return calls.request(Addresses.CONFLICTS_LIST, query, calls.store, Conflicts.Page::fromJson)
          .map(Conflicts.Page::toJson);
    }, 200);
  }

  /** {@code GET /v1/conflicts/{id}}. */
  void get(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.CONFLICTS_GET, new Conflicts.Get(conflictId(ctx),
        Auth.tenant(ctx)), calls.store, Conflicts.Report::fromJson).map(Conflicts.Report::toJson), 200);
  }

  /**
   * {@code POST /v1/conflicts/{id}/resolve} {@code {strategy | keep: "a"|"b" | content, reason?}}: exactly one
   * choice; the resolution is written through versions (the loser closed and soft-deleted, restorable).
   */
  void resolve(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String id = conflictId(ctx);
      JsonObject body = calls.validator.validate("conflict_resolve", RequestValidator.parse(ctx.body().buffer()));
      for (String field : body.fieldNames()) {
        if (!CHOICES.contains(field) && !field.equals("reason")) {
          throw new RequestValidator.ValidationException(field, "unknown field; give one of strategy, keep or"
              + " content, and a reason");
        }
      }
      List<String> chosen = body.fieldNames().stream().filter(CHOICES::contains).toList(); // in the body's order
      if (chosen.size() != 1) {
        throw new RequestValidator.ValidationException(chosen.isEmpty() ? "body" : chosen.get(1), "give exactly one"
            + " of strategy (timestamp_first, confidence_first, merge), keep (\"a\" or \"b\") or content");
      }
      return calls.request(Addresses.CONFLICTS_RESOLVE, new Conflicts.Resolve(id, Auth.tenant(ctx),
          body.getString("strategy"), body.getString("keep"), body.getString("content"), body.getString("reason"),
          MemoryRoutes.actor(ctx)), calls.write, Conflicts.Report::fromJson).map(Conflicts.Report::toJson);
    }, 200);
  }

  private static String conflictId(RoutingContext ctx) {
    String id = ctx.pathParam("conflict_id");
    if (id == null || !id.matches("[A-Za-z0-9_\\-]{1,64}")) {
      throw new RequestValidator.ValidationException("conflict_id", "must be 1-64 letters, digits, '_' or '-'");
    }
    return id;
  }

  private static String oneOf(MultiMap q, String name, List<String> allowed) {
    String v = q.get(name);
    if (v != null && !allowed.contains(v)) {
      throw new RequestValidator.ValidationException(name, "must be one of " + String.join(", ", allowed));
    }
    return v;
  }
}
