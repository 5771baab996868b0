package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Contract;
import verticles.contracts.Tasks;
import verticles.shared.Tenants;

/** What the route families share: the request validator and the event-bus calls, each with its budget. */
final class Calls {
  private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

  private final Vertx vertx;
  final RequestValidator validator;
  /** One store's answer. */
  final DeliveryOptions store;
  /**
   * A memory's write waits for its row lock and its index write (behind ingest's batches on the index's writer): up to
   * the request's own timeout, which answers 503 first.
   */
  final DeliveryOptions write;
  /** Export and forget walk every store of a user: longer than one store call. */
  final DeliveryOptions admin;
  /** The merger answers within its own total budget; this only guards against a missing merger. */
  final DeliveryOptions recall;

  Calls(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    JsonObject http = config.getJsonObject("http");
    validator = new RequestValidator(http);
    store = new DeliveryOptions().setSendTimeout(http.getLong("store_timeout_ms", 5000L));
    write = new DeliveryOptions().setSendTimeout(http.getLong("request_timeout_ms", 10_000L) + 1000);
    admin = new DeliveryOptions().setSendTimeout(http.getLong("admin_timeout_ms", 60_000L));
    recall = new DeliveryOptions().setSendTimeout(config.getJsonObject("recall").getLong("total_timeout_ms", 2000L)
        + 500);
  }

  <R> Future<R> request(String address, Contract body, DeliveryOptions options, Function<JsonObject, R> reader) {
    return Bus.request(vertx, address, body, options, reader);
  }

  /** The row is already durable; publishing is best effort here and retried by the outbox sweeper. */
  void publish(Tasks.Work task) {
    vertx.eventBus().request(Addresses.OUTBOX_PUBLISH, task.toJson(), store)
        .onFailure(e -> LOG.debug("Task {} left for the outbox sweeper: {}", task.taskId(), e.toString()));
  }

  /** Validates the body, scopes its user to the caller's tenant, runs the action and answers its result. */
  void withBody(RoutingContext ctx, String schema, Function<JsonObject, Future<JsonObject>> action, int status) {
    Replies.handle(ctx, () -> action.apply(Tenants.inward(Auth.tenant(ctx),
        validator.validate(schema, RequestValidator.parse(ctx.body().buffer())))), status);
  }
}
