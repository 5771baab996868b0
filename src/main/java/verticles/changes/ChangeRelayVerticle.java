package verticles.changes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Changes;
import verticles.contracts.Empty;
import verticles.outbox.KafkaSetup;
import verticles.shared.Meters;
import verticles.shared.ThrottledLog;

/**
 * Publishes the change outbox ({@code memory_change_outbox}) to Kafka topic {@code memory_changes}, oldest event
 * first, keyed by memory id, and deletes the rows that Kafka acknowledged. Only the relay holding the cluster-wide
 * lock {@value #LOCK} publishes (a Vert.x shared-data lock: Hazelcast's when clustered, a local one otherwise); it
 * keeps it until it stops, and another node's relay takes over at its next poll when it dies.
 *
 * <p>It drains when poked ({@code memory.changes.poke}, published by the memory writer after each write) and every
 * {@code change_events.poll_ms}. A memory's events are sent one after the other, each only once the one before it
 * was acknowledged, and a failed send stops that memory's sends for this round: so a memory's events reach its
 * partition in event_id order, never reordered by a retry. Delivery is at-least-once: a relay that dies between
 * Kafka's acknowledgement and the rows' delete publishes those events again (the same event_ids); consumers drop an
 * event_id they have seen. Nothing is lost: a row leaves the outbox only once Kafka has it.
 */
public final class ChangeRelayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeRelayVerticle.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);
  private static final DeliveryOptions DB = new DeliveryOptions().setSendTimeout(5000);
  static final String LOCK = "engram.changes.relay";

  private KafkaProducer<String, String> producer;
  private String topic;
  private int batchSize;
  private long lockTimeoutMs;
  private MeterRegistry registry;
  private final Map<String, Counter> published = new LinkedHashMap<>();
  private Lock leadership;
  private boolean asking;
  private boolean stopping;
  /** The drain running now (null: none), and whether a poke came in meanwhile. */
  private Future<Void> running;
  private boolean again;
  private boolean readingDepth;
  private final List<Long> timers = new ArrayList<>();
  private Gauges gauges;

  /**
   * What the node's gauges show. One per registry (node), whichever relay instance registered the gauges first, so
   * that several instances, or a relay deployed again, all report through the same gauges.
   */
  private static final class Gauges {
    final AtomicInteger leading = new AtomicInteger();
    volatile double waiting = Double.NaN;
    volatile double lagSeconds = Double.NaN;
  }

  private static final Map<MeterRegistry, Gauges> NODES = new WeakHashMap<>();

  private static synchronized Gauges gauges(MeterRegistry registry) {
    return NODES.computeIfAbsent(registry, r -> {
      Gauges g = new Gauges();
      Gauge.builder("engram_change_relay_leader", g, x -> x.leading.get())
          .description("1 on the node whose change relay publishes the cluster's change events").strongReference(true)
          .register(r);
      Gauge.builder("engram_change_outbox_depth", g, x -> x.waiting)
          .description("Change events waiting in the outbox to be published").strongReference(true).register(r);
      Gauge.builder("engram_change_outbox_lag_seconds", g, x -> x.lagSeconds)
          .description("Age of the oldest change event waiting in the outbox (0 when none waits)")
          .strongReference(true).register(r);
      return g;
    });
  }

  @Override
  public Future<?> start() {
    JsonObject cfg = ChangeEvents.section(config());
    topic = ChangeEvents.topic(config());
    batchSize = cfg.getInteger("batch_size", 200);
    lockTimeoutMs = config().getJsonObject("cluster", new JsonObject()).getLong("lock_timeout_ms", 1000L);
    producer = KafkaProducer.create(vertx, KafkaSetup.producer(config().getJsonObject("kafka")));
    registry = Meters.registry(config());
    gauges = gauges(registry);
    timers.add(vertx.setPeriodic(cfg.getLong("poll_ms", 500L), id -> drain()));
    long depthMs = config().getJsonObject("metrics", new JsonObject()).getLong("backlog_interval_ms", 15_000L);
    timers.add(vertx.setPeriodic(1, depthMs, id -> readDepth()));
    return vertx.eventBus().consumer(Addresses.CHANGES_POKE, m -> drain()).completion();
  }

  /** Drains the outbox unless a drain runs (then it runs once more after it) or another relay leads. */
  private void drain() {
    if (stopping || !leads()) {
      return;
    }
    if (running != null) {
      again = true;
      return;
    }
    again = false;
    running = round().onComplete(ar -> {
      running = null;
      if (ar.failed()) {
        AWAY.warn("drain", "Change events not published now, tried again at the next poll: {}", ar.cause().toString());
      } else if (again) {
        drain();
      }
    });
  }

  /** One batch: read, publish, delete what Kafka has; again at once while batches come full and all went out. */
  private Future<Void> round() {
    return Bus.request(vertx, Addresses.CHANGES_PENDING, new Changes.Due(batchSize), DB, Changes.Batch::fromJson)
        .compose(batch -> {
          if (batch.events().isEmpty()) {
            return Future.succeededFuture(false);
          }
          return publish(batch.events()).compose(sent -> Bus.request(vertx, Addresses.CHANGES_PUBLISHED,
                  new Changes.Ids(sent.eventIds()), DB, Changes.Removed::fromJson)
              .compose(x -> sent.failure() != null ? Future.<Boolean>failedFuture(sent.failure())
                  : Future.succeededFuture(batch.events().size() >= batchSize && !stopping)));
        })
        .compose(more -> more ? round() : Future.succeededFuture());
  }

  /** What a round got onto Kafka, and the first failure if a send failed. */
  private record Sent(List<Long> eventIds, Throwable failure) {}

  /** Sends the events, each memory's in order and one at a time, the memories side by side. */
  private Future<Sent> publish(List<Changes.Event> events) {
    Map<String, List<Changes.Event>> byKey = new LinkedHashMap<>();
    for (Changes.Event e : events) {
      byKey.computeIfAbsent(ChangeEvents.key(e), k -> new ArrayList<>()).add(e);
    }
    List<Long> sent = new ArrayList<>();
    List<Future<Void>> chains = new ArrayList<>();
    for (List<Changes.Event> one : byKey.values()) {
      chains.add(sendInOrder(one, 0, sent));
    }
    return Future.join(chains).transform(x -> {
      Throwable failure = chains.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(null);
      return Future.succeededFuture(new Sent(sent, failure));
    });
  }

  private Future<Void> sendInOrder(List<Changes.Event> events, int i, List<Long> sent) {
    if (i == events.size()) {
      return Future.succeededFuture();
    }
    Changes.Event e = events.get(i);
    String value = ChangeEvents.value(e).encode();
    return producer.send(KafkaProducerRecord.create(topic, ChangeEvents.key(e), value)).compose(meta -> {
      sent.add(e.eventId());
      published.computeIfAbsent(e.event(), ev -> Counter.builder("engram_change_events_published")
          .description("Change events published to Kafka (a repeat after a crash counts again)")
          .tag("event", ev).register(registry)).increment();
      return sendInOrder(events, i + 1, sent);
    });
  }

  /** Whether this instance relays; if not, asks for the lock once more (one question at a time). */
  private boolean leads() {
    if (leadership == null && !asking) {
      asking = true;
      vertx.sharedData().getLockWithTimeout(LOCK, lockTimeoutMs)
          .onSuccess(lock -> {
            if (stopping) {
              lock.release();
              return;
            }
            leadership = lock;
            gauges.leading.incrementAndGet();
            LOG.info("This change relay now publishes the cluster's change events to {}", topic);
            drain();
          })
          .onComplete(x -> asking = false);
    }
    return leadership != null;
  }

  /** The outbox's depth and its oldest row's age, for the gauges (every relay reads them: they are the cluster's). */
  private void readDepth() {
    if (readingDepth) {
      return;
    }
    readingDepth = true;
    Bus.request(vertx, Addresses.CHANGES_DEPTH, Empty.INSTANCE, DB, Changes.Depth::fromJson)
        .onSuccess(d -> {
          gauges.waiting = d.waiting();
          gauges.lagSeconds = d.oldestAt() == null ? 0
              : Math.max(0, System.currentTimeMillis() - d.oldestAt()) / 1000.0;
        })
        .onFailure(e -> {
          gauges.waiting = Double.NaN;
          gauges.lagSeconds = Double.NaN;
        })
        .onComplete(x -> readingDepth = false);
  }

  /** Lets a drain in flight finish (a few seconds at most), so that what Kafka has leaves the outbox too. */
  @Override
  public Future<?> stop() {
    stopping = true;
    timers.forEach(vertx::cancelTimer);
    Future<Void> inFlight = running == null ? Future.succeededFuture()
        : running.recover(e -> Future.succeededFuture());
    Promise<Void> done = Promise.promise();
    inFlight.timeout(10, TimeUnit.SECONDS).onComplete(x -> {
      if (leadership != null) {
        leadership.release(); // hand over now rather than when the member leaves
        leadership = null;
        gauges.leading.decrementAndGet();
      }
      producer.close().onComplete(y -> done.complete());
    });
    return done.future();
  }
}
