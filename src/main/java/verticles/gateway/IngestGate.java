package verticles.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Empty;
import verticles.contracts.Tasks;

/**
 * Ingest admission, shared by a node's gateway instances. While the generation backlog (pending and processing tasks,
 * cluster-wide) is at {@code sessions.max_backlog}, new sessions and messages are answered 429 with
 * {@code Retry-After}: accepting work faster than the workers finish it only grows a queue, and its cost (parsing,
 * inserts, publishing) comes out of the cores a chat's recall needs. The backlog is read once a second; 0 turns the
 * gate off. While the task store cannot be read, the gate stays open: the writes behind it fail on their own.
 */
public final class IngestGate {
  private static final Logger LOG = LoggerFactory.getLogger(IngestGate.class);
  private static final long RETRY_AFTER_S = 2;

  private final long maxBacklog;
  private volatile long backlog;
  private boolean polling;

  public IngestGate(long maxBacklog) {
    this.maxBacklog = maxBacklog;
  }

  /** A gate that admits everything. */
  public static IngestGate open() {
    return new IngestGate(0);
  }

  /** Starts reading the backlog every {@code intervalMs}; returns the timer's id. */
  public long start(Vertx vertx, long intervalMs) {
    if (maxBacklog <= 0) {
      return -1;
    }
    DeliveryOptions call = new DeliveryOptions().setSendTimeout(Math.max(500, intervalMs));
    return vertx.setPeriodic(intervalMs, id -> {
      if (polling) {
        return;
      }
      polling = true;
      Bus.request(vertx, Addresses.TASK_OUTBOX_DEPTH, Empty.INSTANCE, call, Tasks.Depth::fromJson)
          .onComplete(ar -> {
            polling = false;
            long was = backlog;
            backlog = ar.succeeded() ? ar.result().backlog() : 0;
            if ((was >= maxBacklog) != (backlog >= maxBacklog)) {
              LOG.info("Ingest {}: generation backlog {} (bound {})", backlog >= maxBacklog ? "throttled" : "open",
                  backlog, maxBacklog);
            }
          });
    });
  }

  /** The route handler: new work goes on, or is answered 429 while the backlog is at its bound. */
  public Handler<RoutingContext> handler() {
    return ctx -> {
      if (maxBacklog > 0 && backlog >= maxBacklog) {
        ctx.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_S));
        Replies.error(ctx, 429, "ingest_backlog", null, "the node has " + backlog
            + " conversations waiting for memory generation; retry after " + RETRY_AFTER_S + " s");
        return;
      }
      ctx.next();
    };
  }

  /** The last reading of the backlog. */
  public long backlog() {
    return backlog;
  }
}
