package verticles.session;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import verticles.TestStack;
import verticles.embedded.Ports;
import verticles.gateway.GatewayVerticle;
import verticles.gateway.RateLimiter;
import verticles.intent.IntentDetectorVerticle;
import verticles.merger.MergerVerticle;

/**
 * A small node of its own (a Vert.x of its own, so its event bus is apart from the shared stack's): the gateway,
 * intent detection, recall's merger and session memory with the given {@code session_memory} settings, and no
 * long-term store at all (recall finds them all away).
 */
final class SessionNode implements AutoCloseable {
  final Vertx vertx;
  final JsonObject config;
  final WebClient client;

  private SessionNode(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.config = config;
    this.client = TestStack.client(vertx, config.getJsonObject("http").getInteger("port"), TestStack.API_KEY);
  }

  static SessionNode start(JsonObject sessionMemory) throws Exception {
    return start(sessionMemory, Vertx.vertx());
  }

  /** The node on a Vert.x of the caller's (a clustered one, say), which {@link #close} closes. */
  static SessionNode start(JsonObject sessionMemory, Vertx vertx) throws Exception {
    Path data = TestStack.scratch("session-node-");
    JsonObject cfg = TestStack.testConfig(data);
    cfg.getJsonObject("http").put("port", Ports.free());
    cfg.getJsonObject("session_memory").mergeIn(sessionMemory, true);
    cfg.getJsonObject("compression").put("track_accesses", false);
    cfg.getJsonObject("breakers").put("reset_timeout_ms", 3000); // open long enough for a test to see it open
    DeploymentOptions options = new DeploymentOptions().setConfig(cfg);
    Future.await(Future.all(vertx.deployVerticle(new SessionMemoryVerticle(), options),
        vertx.deployVerticle(new IntentDetectorVerticle(), options),
        vertx.deployVerticle(new MergerVerticle(), options)));
    Future.await(vertx.deployVerticle(new GatewayVerticle(new RateLimiter(100_000, 100_000)), options));
    return new SessionNode(vertx, cfg);
  }

  @Override
  public void close() {
    client.close();
    Future.await(vertx.close());
  }
}
