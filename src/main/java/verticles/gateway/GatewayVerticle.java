package verticles.gateway;

import static verticles.gateway.Auth.require;
import static verticles.gateway.Auth.requireAny;
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
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: every {@code /v1} request is authenticated ({@link Auth}) and rate-limited ({@link RateLimiter})
 * before its body is read, then each route checks its own {@link Scope} and hands over to its family's handler;
 * the families talk to the rest of Engram over the event bus.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  /** The routing context's key for the request's time budget, in ms. */
  private static final String BUDGET = "engram.budget_ms";

  private final RateLimiter limiter;
  private final IngestGate ingestGate;
  private HttpServer server;
  /** Set when the node stops: readiness answers 503 while the requests in flight finish. */
  private volatile boolean stopping;

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
    long adminTimeout = http.getLong("admin_timeout_ms", 60_000L);
    Auth auth = new Auth(vertx, config().getJsonObject("auth", new JsonObject()));

    Router router = Router.router(vertx);
    // who is asking comes first: an unknown caller's body is never read
    router.route("/v1/*").handler(auth::authenticate).handler(limiter.handler());
    // a request that outlives its budget gets a 503 rather than a hung connection (the WebSocket lives on)
    // (export, forget, stats and the DLQ replay walk whole stores: they have the admin budget)
    TimeoutHandler normal = TimeoutHandler.create(requestTimeout, 503);
    TimeoutHandler admin = TimeoutHandler.create(adminTimeout, 503);
    router.routeWithRegex("^/v1/(?!ws$).*").handler(ctx -> {
      boolean walksStores = AdminRoutes.adminBudget(ctx.request().method(), ctx.request().path());
      ctx.put(BUDGET, walksStores ? adminTimeout : requestTimeout);
      (walksStores ? admin : normal).handle(ctx);
    });
    router.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    routes(router, new Calls(vertx, config()));
    router.get("/health/ready").handler(ctx -> {
      if (stopping) {
        Replies.json(ctx, 503, new JsonObject().put("status", "DOWN").put("reason", "the node is stopping"));
      } else {
        ctx.next();
      }
    });
    HealthRoutes.mount(router, vertx, config());
    router.errorHandler(413, ctx -> Replies.error(ctx, 413, "payload_too_large", "body",
        "request body is larger than " + bodyLimit + " bytes"));
    router.errorHandler(503, ctx -> Replies.error(ctx, 503, "unavailable", null,
        "the request took longer than " + ctx.get(BUDGET, requestTimeout) + " ms"));
    // a URL that cannot be decoded (GET /v1/users/%zz/stats) fails while routing, before any handler: one line
    router.errorHandler(400, ctx -> {
      LOG.info("400 for {} {}: {}", ctx.request().method(), printable(ctx.request().uri()),
          ctx.failure() == null ? "bad request" : ctx.failure().toString());
      Replies.error(ctx, 400, "invalid_request", "url", "the request URL is malformed (bad percent-encoding or path)");
    });
    router.errorHandler(404, ctx -> Replies.error(ctx, 404, "not_found", "path", "no such endpoint"));
    router.errorHandler(405, ctx -> Replies.error(ctx, 405, "method_not_allowed", "method", "method not allowed here"));
    router.errorHandler(500, ctx -> {
      LOG.error("Unhandled failure on {}", ctx.request().path(), ctx.failure());
      Replies.error(ctx, 500, "internal", null, "internal error");
    });

    // a connection that says nothing (or half a request head) is closed rather than held open
    HeaderDeadline headers = new HeaderDeadline(vertx, http.getLong("header_timeout_ms", 10_000L));
    // HTTP/1.1 only: the cleartext HTTP/2 sniffing holds a connection's first bytes before any handler sees it
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)
        .setIdleTimeout(http.getInteger("idle_timeout_s", 120)).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxWebSocketFrameSize(http.getInteger("ws_max_frame_bytes", 65_536))
        .setMaxWebSocketMessageSize(http.getInteger("ws_max_message_bytes", 262_144)));
    return server.connectionHandler(headers::connected)
        .requestHandler(request -> {
          headers.arrived(request);
          router.handle(request);
        })
        .listen(http.getInteger("port"), http.getString("host", "0.0.0.0"));
  }

  /** The API, one line a route: method, path, the scope it needs, the handler. */
  private void routes(Router router, Calls calls) {
    SessionContextRoutes contexts = new SessionContextRoutes(calls, config());
    IngestRoutes ingest = new IngestRoutes(calls, contexts);
    RecallRoutes recall = new RecallRoutes(calls);
    MemoryRoutes memories = new MemoryRoutes(calls);
    MemoryLifecycleRoutes memory = new MemoryLifecycleRoutes(calls);
    ConflictRoutes conflicts = new ConflictRoutes(calls);
    TaskRoutes tasks = new TaskRoutes(calls);
    TransactionRoutes transactions = new TransactionRoutes(calls, config().getJsonObject("transaction",
        new JsonObject()).getInteger("max_operations", 100));
    AdminRoutes admin = new AdminRoutes(calls);
    MaintenanceRoutes maintenance = new MaintenanceRoutes(calls);
    EntityRoutes entities = new EntityRoutes(calls);
    SessionArchiveRoutes archives = new SessionArchiveRoutes(calls);
    WebSocketProtocol ws = new WebSocketProtocol(calls.validator, recall, limiter, config().getJsonObject("http"));

    router.post("/v1/sessions").handler(require(MEMORY)).handler(ingestGate.handler()).handler(ingest::postSession);
    router.post("/v1/messages").handler(require(MEMORY)).handler(ingestGate.handler()).handler(ingest::postMessages);
    router.post("/v1/sessions/:session_id/end").handler(require(MEMORY)).handler(ingest::endSession);
    router.put("/v1/sessions/:session_id/context").handler(require(MEMORY)).handler(contexts::put);
    router.patch("/v1/sessions/:session_id/context").handler(require(MEMORY)).handler(contexts::patch);
    router.post("/v1/memories").handler(require(MEMORY)).handler(memories::postMemory);
    router.patch("/v1/memories/:memory_id").handler(require(MEMORY)).handler(memory::patch);
    router.delete("/v1/memories/:memory_id").handler(require(MEMORY)).handler(memory::delete);
    router.post("/v1/memories/:memory_id/restore").handler(require(MEMORY)).handler(memory::restore);
    router.post("/v1/conflicts/:conflict_id/resolve").handler(require(MEMORY)).handler(conflicts::resolve);
    router.post("/v1/memories/batch").handler(require(MEMORY)).handler(transactions::batch);
    router.post("/v1/transactions").handler(require(MEMORY)).handler(transactions::begin);
    router.post("/v1/transactions/:tx_id/operations").handler(require(MEMORY)).handler(transactions::stage);
    router.post("/v1/transactions/:tx_id/commit").handler(require(MEMORY)).handler(transactions::commit);
    router.post("/v1/transactions/:tx_id/rollback").handler(require(MEMORY)).handler(transactions::rollback);

    router.post("/v1/recall").handler(require(READ)).handler(recall::recall);
    router.get("/v1/ws").handler(require(READ)).handler(ws::upgrade);
    // entities (before the profile lists' /:kind, which would take "entities")
    router.get("/v1/users/:user_id/characters/:character_id/entities").handler(require(READ)).handler(entities::list);
    String companion = "/v1/users/:user_id/characters/:character_id/entities/:entity_id";
    router.get(companion).handler(require(READ)).handler(entities::get);
    router.get(companion + "/states").handler(require(READ)).handler(entities::states);
    router.get(companion + "/relations").handler(require(READ)).handler(entities::relations);
    router.get(companion + "/events").handler(require(READ)).handler(entities::events);
    router.get("/v1/users/:user_id/characters/:character_id/:kind").handler(require(READ)).handler(recall::list);
    router.get("/v1/sessions/:session_id/context").handler(require(READ)).handler(contexts::get);
    router.get("/v1/sessions/:session_id/archive").handler(require(READ)).handler(archives::get);
    router.get("/v1/tasks/:task_id").handler(require(READ)).handler(tasks::get);
    router.get("/v1/memories").handler(require(READ)).handler(memory::list);
    router.get("/v1/memories/:memory_id").handler(require(READ)).handler(memory::get);
    router.get("/v1/memories/:memory_id/history").handler(require(READ)).handler(memory::history);
    router.get("/v1/memories/:memory_id/compare").handler(require(READ)).handler(memory::compare);
    router.get("/v1/transactions/:tx_id").handler(require(READ)).handler(transactions::get);
    router.get("/v1/conflicts").handler(require(READ)).handler(conflicts::list);
    router.get("/v1/conflicts/:conflict_id").handler(require(READ)).handler(conflicts::get);

    // a story project's entities, relations and events
    String project = "/v1/projects/:project_id";
    router.post(project + "/entities").handler(require(MEMORY)).handler(entities::create);
    router.get(project + "/entities").handler(require(READ)).handler(entities::list);
    router.get(project + "/entities/:entity_id").handler(require(READ)).handler(entities::get);
    router.patch(project + "/entities/:entity_id/state").handler(require(MEMORY)).handler(entities::patchState);
    router.get(project + "/entities/:entity_id/states").handler(require(READ)).handler(entities::states);
    router.get(project + "/entities/:entity_id/relations").handler(require(READ)).handler(entities::relations);
    router.get(project + "/entities/:entity_id/events").handler(require(READ)).handler(entities::events);
    router.post(project + "/relations").handler(require(MEMORY)).handler(entities::upsertRelation);
    router.get(project + "/relations").handler(require(READ)).handler(entities::between);
    router.post(project + "/events").handler(require(MEMORY)).handler(entities::createEvent);
    router.get(project + "/events").handler(require(READ)).handler(entities::events);
    router.post(project + "/chapters/:chapter_id/writeback").handler(require(MEMORY)).handler(ingestGate.handler())
        .handler(entities::writeback);
    router.get(project + "/chapters/:chapter_id/writeback").handler(require(READ)).handler(entities::chapter);

    // a tenant's own users: export and forget are the users' rights, served with the memory scope
    router.post("/v1/users/:user_id/export").handler(require(MEMORY)).handler(admin::export);
    router.delete("/v1/users/:user_id").handler(require(MEMORY)).handler(admin::forget);
    router.delete("/v1/users/:user_id/characters/:character_id").handler(require(MEMORY)).handler(admin::forget);

    // a tenant's operators
    router.get("/v1/tasks").handler(require(ADMIN)).handler(tasks::list);
    router.post("/v1/tasks/:task_id/retry").handler(require(ADMIN)).handler(tasks::retry);
    router.get("/v1/users/:user_id/stats").handler(require(ADMIN)).handler(admin::userStats);
    // expired memories: a tenant's with admin, every tenant's with operator
    router.post("/v1/maintenance/cleanup").handler(requireAny(ADMIN, OPERATOR)).handler(maintenance::cleanup);

    // the cluster's operators: every tenant's totals and tasks
    router.get("/v1/stats").handler(require(OPERATOR)).handler(admin::stats);
    router.post("/v1/dlq/replay").handler(require(OPERATOR)).handler(admin::replayDlq);

    // public, no key and no scope: the console's static files (its pages call the routes above with the user's key)
    ConsoleRoutes.mount(router);
  }

  /** At most 200 characters of a client's text for a log line, controls escaped (a log line stays one line). */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder();
    text.codePoints().limit(200).forEach(c -> {
      if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return text.codePointCount(0, text.length()) > 200 ? sb + "…" : sb.toString();
  }

  /**
   * Stops accepting connections and lets the requests in flight finish, up to {@code shutdown.drain_timeout_ms}
   * (the stores are stopped only after this): a clean stop answers what it accepted.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    long drainMs = config().getJsonObject("shutdown", new JsonObject()).getLong("drain_timeout_ms", 10_000L);
    return server == null ? Future.succeededFuture() : server.shutdown(drainMs, TimeUnit.MILLISECONDS);
  }
}
