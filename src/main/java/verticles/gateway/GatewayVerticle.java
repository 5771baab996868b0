package verticles.gateway;

import static verticles.gateway.Auth.require;
import static verticles.gateway.Scope.ADMIN;
import static verticles.gateway.Scope.MEMORY;
import static verticles.gateway.Scope.OPERATOR;
import static verticles.gateway.Scope.READ;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: every {@code /v1} request is authenticated ({@link Auth}) and rate-limited ({@link RateLimiter})
 * before its body is read, then each route checks its own {@link Scope} and hands over to its family's handler;
 * the families talk to the rest of Engram over the event bus.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private final RateLimiter limiter;
  private final IngestGate ingestGate;
  private HttpServer server;

  public GatewayVerticle(RateLimiter limiter) {
    this(limiter, IngestGate.open());
  }

  /**
   * @param limiter shared by the node's gateway instances, so the per-key rate holds per node
   * @param ingestGate shared likewise: new sessions and messages wait while the generation backlog is full
   */
  public GatewayVerticle(RateLimiter limiter, IngestGate ingestGate) {
    this.limiter = limiter;
    this.ingestGate = ingestGate;
  }

  @Override
  public Future<?> start() {
    JsonObject http = config().getJsonObject("http");
    long bodyLimit = http.getLong("body_limit_bytes", 262_144L);
    long requestTimeout = http.getLong("request_timeout_ms", 10_000L);
    Auth auth = new Auth(vertx, config().getJsonObject("auth", new JsonObject()));

    Router router = Router.router(vertx);
    // who is asking comes first: an unknown caller's body is never read
    router.route("/v1/*").handler(auth::authenticate).handler(limiter.handler());
    // a request that outlives its budget gets a 503 rather than a hung connection (the WebSocket lives on)
    router.routeWithRegex("^/v1/(?!ws$).*").handler(TimeoutHandler.create(requestTimeout, 503));
    router.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    routes(router, new Calls(vertx, config()));
    HealthRoutes.mount(router, vertx, config());
    router.errorHandler(413, ctx -> Replies.error(ctx, 413, "payload_too_large", "body",
        "request body is larger than " + bodyLimit + " bytes"));
    router.errorHandler(503, ctx -> Replies.error(ctx, 503, "unavailable", null,
        "the request took longer than " + requestTimeout + " ms"));
    router.errorHandler(404, ctx -> Replies.error(ctx, 404, "not_found", "path", "no such endpoint"));
    router.errorHandler(405, ctx -> Replies.error(ctx, 405, "method_not_allowed", "method", "method not allowed here"));
    router.errorHandler(500, ctx -> {
      LOG.error("Unhandled failure on {}", ctx.request().path(), ctx.failure());
      Replies.error(ctx, 500, "internal", null, "internal error");
    });

    server = vertx.createHttpServer(new HttpServerOptions()
        .setMaxWebSocketFrameSize(http.getInteger("ws_max_frame_bytes", 65_536))
        .setMaxWebSocketMessageSize(http.getInteger("ws_max_message_bytes", 262_144)));
    return server.requestHandler(router).listen(http.getInteger("port"), http.getString("host", "0.0.0.0"));
  }

  /** The API, one line a route: method, path, the scope it needs, the handler. */
  private void routes(Router router, Calls calls) {
    IngestRoutes ingest = new IngestRoutes(calls);
    RecallRoutes recall = new RecallRoutes(calls);
    MemoryRoutes memories = new MemoryRoutes(calls);
    TaskRoutes tasks = new TaskRoutes(calls);
    AdminRoutes admin = new AdminRoutes(calls);
    WebSocketProtocol ws = new WebSocketProtocol(calls.validator, recall, limiter);

    router.post("/v1/sessions").handler(require(MEMORY)).handler(ingestGate.handler()).handler(ingest::postSession);
    router.post("/v1/messages").handler(require(MEMORY)).handler(ingestGate.handler()).handler(ingest::postMessages);
    router.post("/v1/sessions/:session_id/end").handler(require(MEMORY)).handler(ingest::endSession);
    router.post("/v1/memories").handler(require(MEMORY)).handler(memories::postMemory);

    router.post("/v1/recall").handler(require(READ)).handler(recall::recall);
    router.get("/v1/ws").handler(require(READ)).handler(ws::upgrade);
    router.get("/v1/users/:user_id/characters/:character_id/:kind").handler(require(READ)).handler(recall::list);
    router.get("/v1/tasks/:task_id").handler(require(READ)).handler(tasks::get);

    // a tenant's own users: export and forget are the users' rights, served with the memory scope
    router.post("/v1/users/:user_id/export").handler(require(MEMORY)).handler(admin::export);
    router.delete("/v1/users/:user_id").handler(require(MEMORY)).handler(admin::forget);
    router.delete("/v1/users/:user_id/characters/:character_id").handler(require(MEMORY)).handler(admin::forget);

    // a tenant's operators
    router.get("/v1/tasks").handler(require(ADMIN)).handler(tasks::list);
    router.post("/v1/tasks/:task_id/retry").handler(require(ADMIN)).handler(tasks::retry);
    router.get("/v1/users/:user_id/stats").handler(require(ADMIN)).handler(admin::userStats);

    // the cluster's operators: every tenant's totals and tasks
    router.get("/v1/stats").handler(require(OPERATOR)).handler(admin::stats);
    router.post("/v1/dlq/replay").handler(require(OPERATOR)).handler(admin::replayDlq);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
