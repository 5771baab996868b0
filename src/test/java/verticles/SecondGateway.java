package verticles;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import verticles.embedded.Ports;
import verticles.gateway.GatewayVerticle;
import verticles.gateway.RateLimiter;

/**
 * A second gateway on the shared test stack, with keys of its own: scopes and tenants the shared node's keys do
 * not have (a key with only {@code admin}, another tenant's operator). It reaches the same stores over the bus.
 */
final class SecondGateway {
  private final int port;
  private final String deployment;

  private SecondGateway(int port, String deployment) {
    this.port = port;
    this.deployment = deployment;
  }

  /**
   * Starts a gateway whose config {@code auth} is the shared node's with {@code auth} merged in (its {@code keys},
   * see {@link TestStack#key}, replace the node's); the default rate is off, a key's own rate holds.
   */
  static Future<SecondGateway> start(JsonObject auth) {
    return start(auth, verticles.gateway.IngestGate.open());
  }

  /** {@link #start(JsonObject)} with its own ingest gate. */
  static Future<SecondGateway> start(JsonObject auth, verticles.gateway.IngestGate gate) {
    JsonObject cfg = TestStack.engram().config().copy();
    int port = Ports.free();
    cfg.getJsonObject("http").put("port", port);
    cfg.getJsonObject("auth").mergeIn(auth, true);
    return TestStack.vertx().deployVerticle(new GatewayVerticle(new RateLimiter(0, 1), gate),
        new DeploymentOptions().setConfig(cfg)).map(id -> new SecondGateway(port, id));
  }

  int port() {
    return port;
  }

  WebClient client(String apiKey) {
    return TestStack.client(TestStack.vertx(), port, apiKey);
  }

  /**
   * Opens {@code /v1/ws} with the token (an API key or a JWT) as bearer, sends the frames and completes with one
   * reply per frame, in arrival order; fails as the upgrade does (an {@link io.vertx.core.http.UpgradeRejectedException}
   * carries the status and the error body).
   */
  Future<List<JsonObject>> ws(String token, List<JsonObject> frames) {
    WebSocketClient client = TestStack.vertx().createWebSocketClient();
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws")
            .addHeader("Authorization", "Bearer " + token))
        .compose(ws -> {
          Promise<List<JsonObject>> replies = Promise.promise();
          List<JsonObject> received = new ArrayList<>();
          ws.textMessageHandler(text -> {
            received.add(new JsonObject(text));
            if (received.size() == frames.size()) {
              replies.tryComplete(received);
            }
          });
          ws.closeHandler(v -> replies.tryFail("closed after " + received.size() + " replies: " + received));
          frames.forEach(f -> ws.writeTextMessage(f.encode()));
          return replies.future().eventually(() -> ws.close());
        })
        .eventually(client::close);
  }

  Future<Void> close() {
    return TestStack.vertx().undeploy(deployment);
  }
}
