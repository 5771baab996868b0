package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Failures;
import verticles.contracts.Recall;
import verticles.contracts.Structured;
import verticles.shared.Tenants;

/** Reading memories: recall (also the WebSocket's, through {@link #recallOrEmpty}) and the stored lists. */
final class RecallRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(RecallRoutes.class);

  private final Calls calls;

  RecallRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code POST /v1/recall}. */
  void recall(RoutingContext ctx) {
    calls.withBody(ctx, "recall", this::recallOrEmpty, 200);
  }

  /** Recall never fails the chat: whatever went wrong, the answer is "no long-term memory". */
  Future<JsonObject> recallOrEmpty(JsonObject body) {
    Recall.Request request = Recall.Request.fromJson(body);
    long started = System.nanoTime();
    return calls.request(Addresses.RECALL, request, calls.recall, Recall.Reply::fromJson).recover(e -> {
      LOG.warn("Recall failed as a whole, answering empty: {}", e.toString());
      return Future.succeededFuture(Recall.Reply.empty(request.force(), List.of("recall"),
          (System.nanoTime() - started) / 1_000_000));
    }).map(Recall.Reply::toJson);
  }

  /** {@code GET /v1/users/{user_id}/characters/{character_id}/profiles|events|summaries?limit=&offset=}. */
  void list(RoutingContext ctx) {
    String kind = ctx.pathParam("kind");
    Replies.handle(ctx, () -> {
      if (!kind.equals("profiles") && !kind.equals("events") && !kind.equals("summaries")) {
        throw new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Failures.NOT_FOUND, "no such collection " + kind);
      }
      Ids.check("user_id", ctx.pathParam("user_id"));
      Ids.check("character_id", ctx.pathParam("character_id"));
      int limit = Replies.intParam(ctx, "limit", 50, 1, Structured.MAX_PAGE);
      int offset = Replies.intParam(ctx, "offset", 0, 0, Structured.MAX_OFFSET);
      Structured.Page page = new Structured.Page(kind, Tenants.inward(Auth.tenant(ctx), ctx.pathParam("user_id")),
          ctx.pathParam("character_id"), limit, offset);
      return calls.request(Addresses.USER_LIST, page, calls.store, Structured.Items::fromJson)
          .map(r -> new JsonObject().put(kind, r.items()).put("limit", limit).put("offset", offset));
    }, 200);
  }
}
