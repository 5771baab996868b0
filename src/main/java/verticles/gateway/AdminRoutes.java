package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import verticles.bus.Addresses;
import verticles.bus.Failures;
import verticles.contracts.Admin;
import verticles.contracts.Archive;
import verticles.contracts.Empty;
import verticles.contracts.Forget;
import verticles.contracts.Outbox;
import verticles.contracts.Owner;
import verticles.shared.Tenants;

/** What operators and a tenant's users' rights ask for: stats, the DLQ replay, export and forget. */
final class AdminRoutes {
  private final Calls calls;

  /** Export, forget, stats, the DLQ replay and cleanup: the operations that get {@code http.admin_timeout_ms}. */
  private static final java.util.regex.Pattern ADMIN_PATHS = java.util.regex.Pattern.compile(
      "/v1/(stats|dlq/replay|maintenance/cleanup|users/[^/]+(/export|/stats|/characters/[^/]+)?)");

  AdminRoutes(Calls calls) {
    this.calls = calls;
  }

  /** Whether the request is one of the operations with the admin budget. */
  static boolean adminBudget(io.vertx.core.http.HttpMethod method, String path) {
    if (!ADMIN_PATHS.matcher(path).matches()) {
      return false; // the lists under /v1/users/{u}/characters/{c}/{kind} have one more segment
    }
    boolean userOnly = path.matches("/v1/users/[^/]+(/characters/[^/]+)?");
    return !userOnly || method == io.vertx.core.http.HttpMethod.DELETE;
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

  /**
   * {@code POST /v1/users/{user_id}/export}: {@code character_id} in the query or in an optional JSON body. The
   * document is streamed as the Admin writes it (chunked, its {@code path} first), so no node holds a large export
   * whole; it ends once the file is stored. A failure before the first byte is an error reply as usual; one after it
   * resets the connection, so a cut-off body is never taken for a whole export. A client that leaves makes the Admin
   * drop the file.
   */
  void export(RoutingContext ctx) {
    Owner owner;
    try {
      String character = ctx.queryParams().get("character_id");
      Buffer raw = ctx.body().buffer();
      if (raw != null && raw.length() > 0) {
        String inBody = calls.validator.validate("export", RequestValidator.parse(raw)).getString("character_id");
        if (character != null && inBody != null && !character.equals(inBody)) {
          throw new RequestValidator.ValidationException("character_id", "differs between the query and the body");
        }
        character = character != null ? character : inBody;
      }
      owner = owner(ctx, character);
    } catch (RuntimeException e) {
      Replies.fail(ctx, e);
      return;
    }
    HttpServerResponse response = ctx.response();
    String sink = Addresses.ADMIN_EXPORT + "." + UUID.randomUUID();
    // a chunk waiting for the client to read the last one; failed if the client leaves meanwhile
    io.vertx.core.eventbus.Message<?>[] waiting = new io.vertx.core.eventbus.Message<?>[1];
    ctx.addEndHandler(ar -> {
      if (ar.failed() && waiting[0] != null) {
        waiting[0].fail(Failures.GONE, "the client is gone");
        waiting[0] = null;
      }
    });
    MessageConsumer<JsonObject> chunks = ctx.vertx().eventBus().consumer(sink, msg -> {
      if (response.ended() || response.closed()) {
        msg.fail(Failures.GONE, "the client is gone");
        return;
      }
      if (!response.headWritten()) {
        response.setStatusCode(200).setChunked(true).putHeader("content-type", "application/json; charset=utf-8");
      }
      response.write(Archive.Chunk.fromJson(msg.body()).text());
      JsonObject taken = new Archive.Written(null, response.bytesWritten()).toJson();
      if (response.writeQueueFull()) { // the client reads slowly: the Admin waits, nothing piles up here
        waiting[0] = msg;
        response.drainHandler(v -> {
          waiting[0] = null;
          msg.reply(taken);
        });
      } else {
        msg.reply(taken);
      }
    });
    chunks.completion()
        .compose(x -> calls.request(Addresses.ADMIN_EXPORT, new Admin.ExportRequest(owner.userId(),
            owner.characterId(), Auth.tenant(ctx), sink), calls.admin, Archive.Written::fromJson))
        .onComplete(ar -> {
          chunks.unregister();
          if (ar.succeeded() && !response.ended() && !response.closed()) {
            response.end();
          } else if (ar.failed()) {
            Replies.fail(ctx, ar.cause()); // after the first byte: a reset (Replies.json)
          }
        });
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
