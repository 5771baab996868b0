package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.List;
import verticles.bus.Addresses;
import verticles.contracts.Empty;

/**
 * The procedures of {@code GET /health/ready}: the node can serve its API only when every store answers. A gateway
 * may run without the stores (cluster roles), so each store is probed over the event bus at the health address its
 * owning verticle answers ({@code memory.health.*}), within {@code health.timeout_ms}. A store that does not answer,
 * fails, or that no node serves is DOWN with the reason in its {@code data.error}.
 */
final class Readiness {
  private Readiness() {}

  /** Check id → health address of the verticle that owns the store. */
  private static final List<String[]> STORES = List.of(
      new String[] {"mysql", Addresses.HEALTH_MYSQL},
      new String[] {"kafka", Addresses.HEALTH_KAFKA},
      new String[] {"index", Addresses.HEALTH_INDEX},
      new String[] {"embedding", Addresses.HEALTH_EMBEDDING},
      new String[] {"object_storage", Addresses.HEALTH_ARCHIVE});

  static HealthChecks create(Vertx vertx, JsonObject config) {
    long timeoutMs = config.getJsonObject("health", new JsonObject()).getLong("timeout_ms", 1000L);
    DeliveryOptions probe = new DeliveryOptions().setSendTimeout(timeoutMs);
    HealthChecks checks = HealthChecks.create(vertx);
    // the procedures' own timeout only backs up the probe's: a probe always completes, UP or DOWN with a reason
    long procedureTimeout = timeoutMs + 1000;
    for (String[] store : STORES) {
      checks.register(store[0], procedureTimeout, p -> probe(vertx, store[1], probe, timeoutMs).onComplete(p));
    }
    checks.register("cluster", procedureTimeout, p -> p.complete(cluster(vertx)));
    return checks;
  }

  private static Future<Status> probe(Vertx vertx, String address, DeliveryOptions options, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(address, Empty.INSTANCE.toJson(), options)
        .map(reply -> Status.OK(reply.body()))
        .otherwise(e -> Status.KO(new JsonObject().put("error", reason(e, address, timeoutMs))));
  }

  private static String reason(Throwable e, String address, long timeoutMs) {
    if (e instanceof ReplyException re) {
      return switch (re.failureType()) {
        case NO_HANDLERS -> "no node serves " + address;
        case TIMEOUT -> "no answer from " + address + " within " + timeoutMs + " ms";
        default -> re.getMessage();
      };
    }
    return e.toString();
  }

  /** Clustered: this node is an active member of the cluster it joined. Single node: nothing to check. */
  private static Status cluster(Vertx vertx) {
    if (!vertx.isClustered()) {
      return Status.OK(new JsonObject().put("clustered", false));
    }
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    List<String> nodes = manager.getNodes();
    JsonObject data = new JsonObject().put("clustered", true).put("node_id", manager.getNodeId())
        .put("members", nodes.size());
    if (!manager.isActive() || !nodes.contains(manager.getNodeId())) {
      return Status.KO(data.put("error", "this node is not an active member of its cluster"));
    }
    return Status.OK(data);
  }
}
