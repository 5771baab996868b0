package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.contracts.SessionMemory;
import verticles.shared.Tenants;

/**
 * A session's short-term context ({@code /v1/sessions/{session_id}/context}), scoped to the caller's tenant, user and
 * character; and the message feed, which appends the turns of {@code POST /v1/messages} to it.
 */
final class SessionContextRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(SessionContextRoutes.class);
  private static final List<String> BODY_FIELDS = List.of("user_id", "character_id", "turns", "active_entities",
      "current_location", "emotional_tone");

  private final Calls calls;
  /** The feed waits this long at most: a slow session store never holds up a message's acceptance. */
  private final DeliveryOptions feed;
  private final int maxTurns;

  SessionContextRoutes(Calls calls, JsonObject config) {
    this.calls = calls;
    JsonObject cfg = config.getJsonObject("session_memory", new JsonObject());
    this.feed = new DeliveryOptions().setSendTimeout(cfg.getLong("feed_timeout_ms", 200L));
    this.maxTurns = cfg.getInteger("max_turns", 10);
  }

  /** {@code GET /v1/sessions/{session_id}/context?user_id=&character_id=}: 404 when unknown or expired. */
  void get(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String session = ctx.pathParam("session_id");
      Ids.check("session_id", session);
      String user = query(ctx, "user_id");
      String character = query(ctx, "character_id");
      return calls.request(Addresses.SESSION_CONTEXT_GET, new SessionMemory.Get(
          Tenants.inward(Auth.tenant(ctx), user), character, session), calls.store, SessionMemory.Context::fromJson)
          .map(SessionMemory.Context::toJson);
    }, 200);
  }

  /** {@code PUT /v1/sessions/{session_id}/context}: the context becomes exactly the body's fields. */
  void put(RoutingContext ctx) {
    update(ctx, "replace");
  }

  /** {@code PATCH .../context}: the body's fields over the stored ones (null clears one), its turns appended. */
  void patch(RoutingContext ctx) {
    update(ctx, "merge");
  }

  private void update(RoutingContext ctx, String mode) {
    String session = ctx.pathParam("session_id");
    calls.withBody(ctx, "session_context", body -> {
      Ids.check("session_id", session);
      for (String field : body.fieldNames()) {
        if (!BODY_FIELDS.contains(field)) {
          throw new RequestValidator.ValidationException(field, "is not a field of a session context (one of "
              + BODY_FIELDS + ")");
        }
      }
      JsonObject fields = new JsonObject();
      for (String field : SessionMemory.FIELDS) {
        if (body.containsKey(field)) {
          fields.put(field, body.getValue(field));
        }
      }
      if (body.getJsonArray("turns") != null) {
        fields.put("turns", turns(body.getJsonArray("turns"), "at"));
      }
      return calls.request(Addresses.SESSION_CONTEXT_UPDATE, new SessionMemory.Update(body.getString("user_id"),
              body.getString("character_id"), session, mode, fields), calls.store, SessionMemory.Context::fromJson)
          .map(SessionMemory.Context::toJson);
    }, 200);
  }

  /**
   * Appends a {@code POST /v1/messages} body's messages (already validated and tenant-scoped) to its session's
   * context, creating it: best effort, never failing, done within {@code session_memory.feed_timeout_ms}.
   */
  Future<Void> feed(JsonObject messagesBody) {
    JsonArray messages = messagesBody.getJsonArray("messages");
    JsonArray last = new JsonArray();
    for (int i = Math.max(0, messages.size() - maxTurns); i < messages.size(); i++) {
      last.add(messages.getJsonObject(i));
    }
    SessionMemory.Update append = new SessionMemory.Update(messagesBody.getString("user_id"),
        messagesBody.getString("character_id"), messagesBody.getString("session_id"), "append",
        new JsonObject().put("turns", turns(last, "timestamp")));
    return calls.request(Addresses.SESSION_CONTEXT_UPDATE, append, feed, SessionMemory.Context::fromJson)
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.debug("Session memory not fed for session {}: {}", messagesBody.getString("session_id"), e.toString());
          return Future.succeededFuture();
        });
  }

  /** Turns as stored: role, content, name when given, and the time ({@code timeField}, else now). */
  private static JsonArray turns(JsonArray given, String timeField) {
    long now = Instant.now().getEpochSecond();
    JsonArray out = new JsonArray();
    for (int i = 0; i < given.size(); i++) {
      JsonObject t = given.getJsonObject(i);
      JsonObject turn = new JsonObject().put("role", t.getString("role")).put("content", t.getString("content"));
      if (t.getString("name") != null) {
        turn.put("name", t.getString("name"));
      }
      out.add(turn.put("at", t.getLong(timeField, now)));
    }
    return out;
  }

  /** A required query parameter, given once, that is an id. */
  static String query(RoutingContext ctx, String name) {
    List<String> all = ctx.queryParams().getAll(name);
    if (all.size() != 1) {
      throw new RequestValidator.ValidationException(name, all.isEmpty() ? "is required (a query parameter)"
          : "must be given once");
    }
    Ids.check(name, all.get(0));
    return all.get(0);
  }
}
