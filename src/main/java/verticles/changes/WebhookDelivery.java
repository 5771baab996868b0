package verticles.changes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Changes;
import verticles.contracts.Empty;
import verticles.shared.Breakers;
import verticles.shared.ThrottledLog;

/**
 * Delivers change events to one webhook: POSTs the event's JSON, signed ({@link Webhook#sign}), through the webhook's
 * circuit breaker {@code webhook:<name>}. A 2xx is delivered; anything else (another status, no answer in
 * {@code timeout_ms}) is tried again after {@link Webhook#backoff}, up to {@code max_attempts} failed tries, and then
 * dead-lettered ({@code webhook_dead_letters}, through the task store). A try the open breaker refused never reached
 * the webhook: it waits as a failure would, but does not count as one, so a burst of failures that opened the
 * breaker does not dead-letter the events behind it untried.
 *
 * <p>Counted in {@code engram_webhook_deliveries_total{webhook, outcome}}: {@code delivered}, {@code retry} (a failed
 * try, tried again), {@code dead_letter}.
 */
final class WebhookDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);
  private static final DeliveryOptions DB = new DeliveryOptions().setSendTimeout(5000);

  private final Vertx vertx;
  private final Webhook hook;
  private final WebClient client;
  private final CircuitBreaker breaker;
  private final Counter delivered;
  private final Counter retried;
  private final Counter deadLettered;

  WebhookDelivery(Vertx vertx, JsonObject config, Webhook hook, WebClient client, MeterRegistry registry) {
    this.vertx = vertx;
    this.hook = hook;
    this.client = client;
    // its own timeout past the request's, so the request's own timeout ends a hung call first
    this.breaker = Breakers.create(vertx, config, "webhook:" + hook.name(), hook.timeoutMs() + 1000);
    this.delivered = outcome(registry, "delivered");
    this.retried = outcome(registry, "retry");
    this.deadLettered = outcome(registry, "dead_letter");
  }

  private Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("engram_webhook_deliveries").description("Change events posted to webhooks, by outcome")
        .tag("webhook", hook.name()).tag("outcome", outcome).register(registry);
  }

  /**
   * Settles one Kafka record's event for this webhook: delivered, not wanted, or dead-lettered. Fails only when
   * {@code cancelled} says to stop (the partition went to another consumer, or the verticle stops): then the record
   * is not settled and its next owner delivers it.
   */
  Future<Void> deliver(String body, BooleanSupplier cancelled) {
    JsonObject event;
    try {
      event = new JsonObject(body);
    } catch (RuntimeException e) {
      LOG.warn("Webhook {}: a record of the change topic is no JSON object, skipped: {}", hook.name(), e.getMessage());
      return Future.succeededFuture();
    }
    if (!hook.wants(event.getString("event"), event.getString("tenant"))) {
      return Future.succeededFuture();
    }
    return attempt(body, event, 0, cancelled);
  }

  /** A try after {@code failed} failed ones. */
  private Future<Void> attempt(String body, JsonObject event, int failed, BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      return Future.failedFuture("delivery to webhook " + hook.name() + " cancelled");
    }
    Integer[] status = new Integer[1];
    return post(body, event, status).transform(ar -> {
      if (ar.succeeded()) {
        delivered.increment();
        return Future.succeededFuture();
      }
      boolean refused = Breakers.shortCircuited(ar.cause());
      int failures = refused ? failed : failed + 1;
      String error = status[0] != null ? "HTTP " + status[0] : ar.cause().toString();
      if (failures >= hook.maxAttempts()) {
        return deadLetter(body, event, failures, status[0], error, 0, cancelled);
      }
      if (!refused) {
        retried.increment();
      }
      long wait = hook.backoff(Math.max(1, failures));
      AWAY.warn(hook.name(), "Webhook {}: event {} not delivered ({}{}), trying again in {} ms", hook.name(),
          event.getValue("event_id"), error, refused ? ", breaker open" : ", try " + failures, wait);
      return vertx.timer(wait).compose(x -> attempt(body, event, failures, cancelled));
    });
  }

  /** One POST; {@code status} receives the answer's status, if any came. */
  private Future<Void> post(String body, JsonObject event, Integer[] status) {
    return Breakers.execute(breaker, abandoned -> {
      long timestamp = System.currentTimeMillis() / 1000;
      return client.postAbs(hook.url())
          .timeout(hook.timeoutMs())
          .putHeader("Content-Type", "application/json")
          .putHeader("X-Engram-Event", String.valueOf(event.getValue("event")))
          .putHeader("X-Engram-Event-Id", String.valueOf(event.getValue("event_id")))
          .putHeader("X-Engram-Timestamp", String.valueOf(timestamp))
          .putHeader("X-Engram-Signature", hook.sign(timestamp, body))
          .sendBuffer(Buffer.buffer(body))
          .onSuccess(r -> status[0] = r.statusCode())
          .expecting(HttpResponseExpectation.SC_SUCCESS)
          .mapEmpty();
    });
  }

  /** Records the dead letter (again and again while MySQL is away: the record stays unsettled until it is kept). */
  private Future<Void> deadLetter(String body, JsonObject event, int attempts, Integer status, String error,
      int tries, BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      return Future.failedFuture("dead letter for webhook " + hook.name() + " cancelled");
    }
    Changes.DeadLetter letter = new Changes.DeadLetter(hook.name(), event.getLong("event_id", 0L),
        event.getString("memory_id"), event.getString("tenant") == null ? event.getString("user_id")
            : event.getString("tenant") + ":" + event.getString("user_id"),
        event.getString("character_id"), body, attempts, status, error);
    return Bus.request(vertx, Addresses.CHANGES_DEAD_LETTER, letter, DB, Empty::fromJson).transform(ar -> {
      if (ar.succeeded()) {
        deadLettered.increment();
        LOG.warn("Webhook {}: event {} dead-lettered after {} failed tries (last: {})", hook.name(),
            letter.eventId(), attempts, error);
        return Future.succeededFuture();
      }
      long wait = Math.min(30_000L, 500L << Math.min(tries, 6));
      AWAY.warn(hook.name() + ":dlq", "Webhook {}: dead letter of event {} not recorded ({}), trying again in {} ms",
          hook.name(), letter.eventId(), ar.cause().toString(), wait);
      return vertx.timer(wait).compose(x -> deadLetter(body, event, attempts, status, error, tries + 1, cancelled));
    });
  }
}
