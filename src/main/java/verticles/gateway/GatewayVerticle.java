package verticles.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Failures;
import verticles.shared.Meters;
import verticles.shared.Tenants;
import verticles.shared.ThrottledLog;

/** The HTTP API: validation and limits here, everything else over the event bus. */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private RequestValidator validator;
  private DeliveryOptions storeCall;
  private DeliveryOptions recallCall;
  private DeliveryOptions adminCall;
  private HttpServer server;

  private static final String KEY = "engram.key";
  private static final String JWT_USER = "engram.jwt.user";

  private final RateLimiter limiter;
  private ApiKeys keys;
  private JWTAuth jwt;
  private String tenantClaim;

  /** @param limiter shared by the node's gateway instances, so the per-key rate holds per node */
  public GatewayVerticle(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<?> start() {
    JsonObject http = config().getJsonObject("http");
    JsonObject auth = config().getJsonObject("auth", new JsonObject());
    keys = new ApiKeys(auth.getJsonArray("keys", new JsonArray()));
    JsonObject jwtCfg = auth.getJsonObject("jwt", new JsonObject());
    if (!jwtCfg.getString("secret", "").isEmpty()) {
      jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
          .setAlgorithm(jwtCfg.getString("algorithm", "HS256")).setBuffer(jwtCfg.getString("secret")))
          .setJWTOptions(new io.vertx.ext.auth.JWTOptions().setIssuer(blankToNull(jwtCfg.getString("issuer", "")))));
      tenantClaim = jwtCfg.getString("tenant_claim", "tenant");
    }
    validator = new RequestValidator(http);
    storeCall = new DeliveryOptions().setSendTimeout(http.getLong("store_timeout_ms", 5000L));
    // export and forget walk every store of a user: longer than one store call
    adminCall = new DeliveryOptions().setSendTimeout(http.getLong("admin_timeout_ms", 60_000L));
    // the merger answers within its own total budget; this only guards against a missing merger
    recallCall = new DeliveryOptions().setSendTimeout(config().getJsonObject("recall").getLong("total_timeout_ms", 2000L) + 500);

    Router router = Router.router(vertx);
    // who is asking comes first: an unknown caller's body is never read
    router.route("/v1/*").handler(this::authenticate);
    // a request that outlives its budget gets a 503 rather than a hung connection (the WebSocket lives on)
    router.routeWithRegex("^/v1/(?!ws$).*").handler(TimeoutHandler.create(http.getLong("request_timeout_ms", 10_000L),
        503));
    router.route().handler(BodyHandler.create(false).setBodyLimit(http.getLong("body_limit_bytes", 262_144L)));
    router.post("/v1/sessions").handler(this::postSession);
    router.post("/v1/messages").handler(this::postMessages);
    router.post("/v1/sessions/:session_id/end").handler(this::endSession);
    router.get("/v1/tasks/:task_id").handler(this::getTask);
    router.get("/v1/users/:user_id/characters/:character_id/:kind").handler(this::list);
    router.post("/v1/memories").handler(this::postMemory);
    router.post("/v1/recall").handler(this::recall);
    // operators: tasks, the DLQ, stats, export and forget
    router.get("/v1/tasks").handler(this::listTasks);
    router.post("/v1/tasks/:task_id/retry").handler(this::retryTask);
    router.post("/v1/dlq/replay").handler(this::replayDlq);
    router.get("/v1/stats").handler(this::stats);
    router.get("/v1/users/:user_id/stats").handler(this::userStats);
    router.post("/v1/users/:user_id/export").handler(this::export);
    router.delete("/v1/users/:user_id").handler(this::forget);
    router.delete("/v1/users/:user_id/characters/:character_id").handler(this::forget);
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    // 200 {status: UP, checks} when every store answers, else 503 naming the failing checks (Readiness)
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(Readiness.create(vertx, config())));
    if (Meters.registry(config()) instanceof PrometheusMeterRegistry metrics) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    }
    router.get("/v1/ws").handler(ctx -> ctx.request().toWebSocket()
        .onSuccess(ws -> onWebSocket(ws, ctx.get(KEY), ctx.get(JWT_USER)))
        .onFailure(e -> LOG.debug("WebSocket upgrade refused: {}", e.toString())));
    router.errorHandler(413, ctx -> error(ctx, 413, "payload_too_large", "body", "request body is larger than "
        + http.getLong("body_limit_bytes", 262_144L) + " bytes"));
    router.errorHandler(503, ctx -> error(ctx, 503, "unavailable", null, "the request took longer than "
        + http.getLong("request_timeout_ms", 10_000L) + " ms"));
    router.errorHandler(404, ctx -> error(ctx, 404, "not_found", "path", "no such endpoint"));
    router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed", "method", "method not allowed here"));
    router.errorHandler(500, ctx -> {
      LOG.error("Unhandled failure on {}", ctx.request().path(), ctx.failure());
      error(ctx, 500, "internal", null, "internal error");
    });

    server = vertx.createHttpServer(new HttpServerOptions()
        .setMaxWebSocketFrameSize(http.getInteger("ws_max_frame_bytes", 65_536))
        .setMaxWebSocketMessageSize(http.getInteger("ws_max_message_bytes", 262_144)));
    return server.requestHandler(router).listen(http.getInteger("port"), http.getString("host", "0.0.0.0"));
  }

  // ---------------------------------------------------------------- who is asking

  /**
   * {@code Authorization: Bearer <key>} (or {@code ?access_token=} on the WebSocket, which browsers cannot give
   * headers): an API key of one tenant, or on the WebSocket a JWT whose {@code sub} is the user. Then the key's rate.
   */
  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
        : ctx.request().path().equals("/v1/ws") ? ctx.request().getParam("access_token") : null;
    if (token == null || token.isEmpty()) {
      unauthorized(ctx, "missing bearer token: send Authorization: Bearer <api key>");
      return;
    }
    ApiKeys.Key key = keys.find(token);
    if (key == null && jwt != null && ctx.request().path().equals("/v1/ws") && token.chars().filter(c -> c == '.')
        .count() == 2) {
      jwt.authenticate(new TokenCredentials(token)).onComplete(ar -> {
        String sub = ar.succeeded() ? ar.result().principal().getString("sub") : null;
        String tenant = ar.succeeded() ? ar.result().principal().getString(tenantClaim, "default") : null;
        if (sub == null || sub.isBlank() || tenant == null || !ApiKeys.TENANT.matcher(tenant).matches()) {
          unauthorized(ctx, "invalid token");
          return;
        }
        ctx.put(KEY, new ApiKeys.Key("jwt:" + tenant + ":" + sub, tenant, List.of("read"), Double.NaN, Double.NaN));
        ctx.put(JWT_USER, sub);
        limited(ctx);
      });
      return;
    }
    if (key == null) {
      unauthorized(ctx, "unknown API key");
      return;
    }
    ctx.put(KEY, key);
    limited(ctx);
  }

  private void limited(RoutingContext ctx) {
    ApiKeys.Key key = ctx.get(KEY);
    long wait = limiter.acquire(key.name(), key.ratePerSecond(), key.burst());
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", String.valueOf(wait));
      error(ctx, 429, "rate_limited", "Authorization", "too many requests for this key; retry after " + wait + " s");
      return;
    }
    ctx.next();
  }

  /** Answers 403 and returns false when the caller's key lacks the scope: it is known, but not allowed this. */
  private static boolean allowed(RoutingContext ctx, String scope) {
    if (((ApiKeys.Key) ctx.get(KEY)).allows(scope)) {
      return true;
    }
    error(ctx, 403, "forbidden", "Authorization", "this API key has no '" + scope + "' scope");
    return false;
  }

  private static void unauthorized(RoutingContext ctx, String why) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"engram\"");
    error(ctx, 401, "unauthorized", "Authorization", why);
  }

  private static String tenant(RoutingContext ctx) {
    return ((ApiKeys.Key) ctx.get(KEY)).tenant();
  }

  // ---------------------------------------------------------------- ingest

  private void postSession(RoutingContext ctx) {
    if (!allowed(ctx, "memory")) {
      return;
    }
    withBody(ctx, "sessions", body -> request(Addresses.TASK_CREATE, body, storeCall)
        .map(task -> {
          publish(task);
          return new JsonObject().put("task_id", task.getString("task_id")).put("session_id", task.getString("session_id"));
        }), 202);
  }

  private void postMessages(RoutingContext ctx) {
    if (!allowed(ctx, "memory")) {
      return;
    }
    withBody(ctx, "messages", body -> request(Addresses.MESSAGES_BUFFER, body, storeCall)
        .map(r -> {
          JsonObject out = new JsonObject().put("buffered", r.getLong("buffered"));
          JsonObject task = r.getJsonObject("task");
          if (task != null) {
            publish(task);
            out.put("task_id", task.getString("task_id"));
          }
          return out.put("session_id", body.getString("session_id"));
        }), 202);
  }

  private void endSession(RoutingContext ctx) {
    if (!allowed(ctx, "memory")) {
      return;
    }
    String session = ctx.pathParam("session_id");
    withBody(ctx, "session_end", body -> {
      checkId("session_id", session);
      return request(Addresses.SESSION_END, body.copy().put("session_id", session), storeCall).map(r -> {
        JsonObject task = r.getJsonObject("task");
        if (task != null) {
          publish(task);
        }
        return new JsonObject().put("session_id", session).put("task_id", task == null ? null : task.getString("task_id"));
      });
    }, 202);
  }

  /**
   * An already-extracted memory (an import, a correction, a benchmark's gold facts): embedded and indexed now,
   * searchable by the next recall. Its id is derived from owner, type, time and text, so posting it again replaces
   * it instead of adding a copy, and no request can name another owner's memory.
   */
  private void postMemory(RoutingContext ctx) {
    if (!allowed(ctx, "memory")) {
      return;
    }
    withBody(ctx, "memories", body -> {
      JsonObject record = new JsonObject()
          .put("id", memoryId(body))
          .put("user_id", body.getString("user_id"))
          .put("character_id", body.getString("character_id"))
          .put("memory_type", body.getString("memory_type"))
          .put("content", body.getString("content"))
          .put("timestamp", body.getLong("timestamp"))
          .put("importance", body.getInteger("importance", 5))
          .put("session_id", body.getString("session_id"))
          .put("source_msg_ids", body.getJsonArray("source_msg_ids", new JsonArray()))
          .put("metadata", body.getJsonObject("metadata", new JsonObject()));
      // created_at: a forget that starts while this is on its way refuses it
      return request(Addresses.VECTOR_UPSERT, new JsonObject().put("records", new JsonArray().add(record))
          .put("created_at", System.currentTimeMillis()), storeCall)
          .map(r -> record);
    }, 201);
  }

  private static String memoryId(JsonObject body) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      for (String part : List.of(body.getString("user_id"), body.getString("character_id"),
          body.getString("memory_type"), String.valueOf(body.getLong("timestamp")), body.getString("content"))) {
        sha.update(part.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "mem-" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The row is already durable; publishing is best effort here and retried by the outbox sweeper. */
  private void publish(JsonObject task) {
    vertx.eventBus().request(Addresses.OUTBOX_PUBLISH, task, storeCall)
        .onFailure(e -> LOG.debug("Task {} left for the outbox sweeper: {}", task.getString("task_id"), e.toString()));
  }

  private void getTask(RoutingContext ctx) {
    String taskId = ctx.pathParam("task_id");
    handle(ctx, () -> {
      checkId("task_id", taskId);
      return ownedTask(ctx, taskId).map(GatewayVerticle::taskView);
    }, 200);
  }

  /** The task row, or 404: task ids are global, and another tenant's task does not exist for this one. */
  private Future<JsonObject> ownedTask(RoutingContext ctx, String taskId) {
    return request(Addresses.TASK_GET, new JsonObject().put("task_id", taskId), storeCall).compose(t -> t == null
        || !Tenants.owns(tenant(ctx), t.getString("user_id"))
        ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Failures.NOT_FOUND, "no task " + taskId))
        : Future.succeededFuture(t));
  }

  private static JsonObject taskView(JsonObject t) {
    JsonObject out = new JsonObject().put("task_id", t.getString("task_id")).put("status", t.getString("status"))
        .put("retry_count", t.getInteger("retry_count"));
    if (t.getString("error_message") != null) {
      out.put("error_message", t.getString("error_message"));
    }
    return out.put("session_id", t.getString("session_id")).put("created_at", t.getLong("created_at"))
        .put("completed_at", t.getLong("completed_at"));
  }

  private void list(RoutingContext ctx) {
    String kind = ctx.pathParam("kind");
    handle(ctx, () -> {
      if (!kind.equals("profiles") && !kind.equals("events") && !kind.equals("summaries")) {
        throw new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Failures.NOT_FOUND, "no such collection " + kind);
      }
      checkId("user_id", ctx.pathParam("user_id"));
      checkId("character_id", ctx.pathParam("character_id"));
      int limit = intParam(ctx, "limit", 50, 1, 500);
      int offset = intParam(ctx, "offset", 0, 0, 1_000_000);
      return request(Addresses.USER_LIST, new JsonObject().put("kind", kind)
          .put("user_id", Tenants.inward(tenant(ctx), ctx.pathParam("user_id")))
          .put("character_id", ctx.pathParam("character_id")).put("limit", limit).put("offset", offset), storeCall)
          .map(r -> new JsonObject().put(kind, r.getJsonArray("items")).put("limit", limit).put("offset", offset));
    }, 200);
  }

  // ---------------------------------------------------------------- operators

  private static final List<String> TASK_STATUSES = List.of("pending", "processing", "completed", "failed");

  /** {@code GET /v1/tasks?status=&user_id=&limit=}: newest first. */
  private void listTasks(RoutingContext ctx) {
    if (!allowed(ctx, "admin")) {
      return;
    }
    handle(ctx, () -> {
      String status = ctx.queryParams().get("status");
      if (status != null && !TASK_STATUSES.contains(status)) {
        throw new RequestValidator.ValidationException("status", "must be one of " + String.join(", ", TASK_STATUSES));
      }
      String user = ctx.queryParams().get("user_id");
      if (user != null) {
        checkId("user_id", user);
      }
      int limit = intParam(ctx, "limit", 50, 1, 500);
      return request(Addresses.TASK_LIST, new JsonObject().put("status", status)
          .put("user_id", user == null ? null : Tenants.inward(tenant(ctx), user)).put("tenant", tenant(ctx))
          .put("limit", limit), storeCall)
          .map(r -> {
            JsonArray tasks = new JsonArray();
            r.getJsonArray("tasks").forEach(t -> {
              JsonObject task = (JsonObject) t;
              tasks.add(taskView(task).put("user_id", task.getString("user_id"))
                  .put("character_id", task.getString("character_id")));
            });
            return new JsonObject().put("tasks", tasks).put("limit", limit);
          });
    }, 200);
  }

  private void retryTask(RoutingContext ctx) {
    if (!allowed(ctx, "admin")) {
      return;
    }
    String taskId = ctx.pathParam("task_id");
    handle(ctx, () -> {
      checkId("task_id", taskId);
      return ownedTask(ctx, taskId)
          .compose(t -> request(Addresses.ADMIN_RETRY, new JsonObject().put("task_id", taskId), adminCall));
    }, 202);
  }

  /** Cluster-wide operator actions (every tenant's tasks and totals): the {@code operator} scope. */
  private void replayDlq(RoutingContext ctx) {
    if (!allowed(ctx, "operator")) {
      return;
    }
    handle(ctx, () -> request(Addresses.DLQ_REPLAY, new JsonObject(), adminCall), 200);
  }

  private void stats(RoutingContext ctx) {
    if (!allowed(ctx, "operator")) {
      return;
    }
    handle(ctx, () -> request(Addresses.ADMIN_STATS, new JsonObject(), adminCall), 200);
  }

  private void userStats(RoutingContext ctx) {
    if (!allowed(ctx, "admin")) {
      return;
    }
    handle(ctx, () -> request(Addresses.ADMIN_STATS, owner(ctx, ctx.queryParams().get("character_id")), adminCall),
        200);
  }

  /** {@code POST /v1/users/{user_id}/export}: {@code character_id} in the query or in an optional JSON body. */
  private void export(RoutingContext ctx) {
    if (!allowed(ctx, "memory")) {
      return;
    }
    handle(ctx, () -> {
      String character = ctx.queryParams().get("character_id");
      io.vertx.core.buffer.Buffer raw = ctx.body().buffer();
      if (raw != null && raw.length() > 0) {
        String inBody = validator.validate("export", RequestValidator.parse(raw)).getString("character_id");
        if (character != null && inBody != null && !character.equals(inBody)) {
          throw new RequestValidator.ValidationException("character_id", "differs between the query and the body");
        }
        character = character != null ? character : inBody;
      }
      return request(Addresses.ADMIN_EXPORT, owner(ctx, character).put("tenant", tenant(ctx)), adminCall);
    }, 200);
  }

  /** {@code DELETE /v1/users/{user_id}[/characters/{character_id}]}: erases the user (or one character) everywhere. */
  private void forget(RoutingContext ctx) {
    if (!allowed(ctx, "memory")) {
      return;
    }
    handle(ctx, () -> request(Addresses.ADMIN_FORGET, owner(ctx, ctx.pathParam("character_id")), adminCall), 200);
  }

  /** The path's user, scoped to the caller's tenant, and an optional character, both checked like every other id. */
  private static JsonObject owner(RoutingContext ctx, String character) {
    checkId("user_id", ctx.pathParam("user_id"));
    if (character != null) {
      checkId("character_id", character);
    }
    return new JsonObject().put("user_id", Tenants.inward(tenant(ctx), ctx.pathParam("user_id")))
        .put("character_id", character);
  }

  // ---------------------------------------------------------------- recall

  private void recall(RoutingContext ctx) {
    withBody(ctx, "recall", this::recallOrEmpty, 200);
  }

  /** Recall never fails the chat: whatever went wrong, the answer is "no long-term memory". */
  private Future<JsonObject> recallOrEmpty(JsonObject body) {
    return request(Addresses.RECALL, body, recallCall).recover(e -> {
      LOG.warn("Recall failed as a whole, answering empty: {}", e.toString());
      return Future.succeededFuture(new JsonObject()
          .put("intent", new JsonObject().put("need_recall", body.getBoolean("force", false)))
          .put("memories", new JsonArray()).put("profiles", new JsonArray()).put("context", "")
          .put("degraded", new JsonArray().add("recall")));
    });
  }

  /**
   * WebSocket recall: frames {@code {type:"recall", id, ...recall request}} answer {@code {type:"recall.result", id,
   * ...recall reply}}; a bad frame answers {@code {type:"error", id, error:{code, field, message}}} and the socket
   * stays open.
   */
  private void onWebSocket(ServerWebSocket ws, ApiKeys.Key key, String jwtUser) {
    ws.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = RequestValidator.parse(io.vertx.core.buffer.Buffer.buffer(text));
      } catch (RequestValidator.ValidationException e) {
        wsError(ws, null, "invalid_request", e.field, e.getMessage());
        return;
      }
      Object id = frame.getValue("id");
      if (!"recall".equals(frame.getString("type"))) {
        wsError(ws, id, "invalid_request", "type", "unknown frame type; expected \"recall\"");
        return;
      }
      JsonObject body = frame.copy();
      body.remove("type");
      body.remove("id");
      if (jwtUser != null) {
        // a token speaks for one user: the frame may omit it, and may not name another
        if (body.getValue("user_id") != null && !jwtUser.equals(body.getValue("user_id"))) {
          wsError(ws, id, "forbidden", "user_id", "this token may only recall for its own user");
          return;
        }
        body.put("user_id", jwtUser);
      }
      try {
        validator.validate("recall", body);
      } catch (RequestValidator.ValidationException e) {
        wsError(ws, id, "invalid_request", e.field, e.getMessage());
        return;
      }
      recallOrEmpty(Tenants.inward(key.tenant(), body)).onSuccess(result -> {
        if (!ws.isClosed()) {
          ws.writeTextMessage(Tenants.outward(key.tenant(), result).put("type", "recall.result").put("id", id)
              .encode());
        }
      });
    });
    ws.binaryMessageHandler(b -> wsError(ws, null, "invalid_request", "frame", "binary frames are not supported"));
    ws.exceptionHandler(e -> {
      if (e instanceof io.vertx.core.http.HttpClosedException) {
        return; // the client went away: nothing to answer
      }
      // a frame or message past the limits (or a broken frame) ends the socket with a status that says why
      boolean tooBig = e.getClass().getSimpleName().contains("TooLong") || String.valueOf(e.getMessage()).contains("too big")
          || String.valueOf(e.getMessage()).contains("max message size")
          || String.valueOf(e.getMessage()).contains("exceed");
      LOG.info("WebSocket closed after an error: {}", e.toString());
      if (!ws.isClosed()) {
        ws.close((short) (tooBig ? 1009 : 1002), tooBig ? "message too big" : "protocol error");
      }
    });
  }

  private static void wsError(ServerWebSocket ws, Object id, String code, String field, String message) {
    if (!ws.isClosed()) {
      JsonObject err = new JsonObject().put("code", code).put("message", message);
      if (field != null) {
        err.put("field", field);
      }
      ws.writeTextMessage(new JsonObject().put("type", "error").put("id", id).put("error", err).encode());
    }
  }

  // ---------------------------------------------------------------- plumbing

  private Future<JsonObject> request(String address, JsonObject body, DeliveryOptions options) {
    return vertx.eventBus().<JsonObject>request(address, body, options).map(Message::body);
  }

  /** Validates the body, scopes its user to the caller's tenant, runs the action. */
  private void withBody(RoutingContext ctx, String schema, Function<JsonObject, Future<JsonObject>> action, int status) {
    handle(ctx, () -> action.apply(Tenants.inward(tenant(ctx),
        validator.validate(schema, RequestValidator.parse(ctx.body().buffer())))), status);
  }

  private void handle(RoutingContext ctx, java.util.concurrent.Callable<Future<JsonObject>> action, int status) {
    Future<JsonObject> result;
    try {
      result = action.call();
    } catch (Exception e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ApiKeys.Key key = ctx.get(KEY);
        json(ctx, status, key == null ? ar.result() : Tenants.outward(key.tenant(), ar.result()));
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  private void fail(RoutingContext ctx, Throwable t) {
    if (t instanceof RequestValidator.ValidationException v) {
      error(ctx, 400, "invalid_request", v.field, v.getMessage());

    } else if (t instanceof ReplyException re) {
      switch (re.failureType()) {
        case NO_HANDLERS, TIMEOUT -> error(ctx, 503, "unavailable", null, "service temporarily unavailable");
        default -> {
          int code = re.failureCode();
          if (code == Failures.BAD_REQUEST) {
            error(ctx, 400, "invalid_request", null, re.getMessage());
          } else if (code == Failures.NOT_FOUND) {
            error(ctx, 404, "not_found", null, re.getMessage());
          } else if (code == Failures.CONFLICT) {
            error(ctx, 409, "conflict", null, re.getMessage());
          } else if (code == Failures.GONE) {
            error(ctx, 410, "gone", null, re.getMessage());
          } else if (code == Failures.UNAVAILABLE) { // a store away fails every request: no WARN for each
            AWAY.warn("unavailable", "{} {} failed: {}", ctx.request().method(), ctx.request().path(), re.getMessage());
            error(ctx, 503, "unavailable", null, "a store is unavailable, try again later");
          } else {
            LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), re.getMessage());
            error(ctx, 503, "unavailable", null, "a store is unavailable, try again later");
          }
        }
      }
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
      error(ctx, 500, "internal", null, "internal error");
    }
  }

  private static void checkId(String field, String value) {
    if (value == null || value.isEmpty() || value.length() > 64 || value.equals(".") || value.equals("..")
        || value.chars().anyMatch(c -> c < 0x20 || c == '/' || c == '\\')) {
      throw new RequestValidator.ValidationException(field, "must be 1-64 characters without '/', '\\' or control characters");
    }
  }

  private static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RequestValidator.ValidationException(name, "must be an integer between " + min + " and " + max);
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
          .end(body.encode());
    }
  }

  private static void error(RoutingContext ctx, int status, String code, String field, String message) {
    JsonObject err = new JsonObject().put("code", code).put("message", message);
    if (field != null) {
      err.put("field", field);
    }
    json(ctx, status, new JsonObject().put("error", err));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
