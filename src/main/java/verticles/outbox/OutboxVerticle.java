package verticles.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.shared.Meters;

/**
 * Publishes task rows to Kafka. A row is written first (MySQL), then published here; rows that could not be
 * published (Kafka away) or whose retry is due are swept up periodically, so nothing is lost. Also cuts tasks from
 * idle sessions' buffered messages, and replays the DLQ on request.
 *
 * <p>The two sweeps run once per cluster, not once per node: only the instance holding the cluster-wide lock
 * {@value #LEADER_LOCK} sweeps. It keeps the lock until it stops; Hazelcast frees the lock of a member that dies,
 * and the next instance to ask takes over. Publishing a task handed over by the gateway runs everywhere.
 */
public final class OutboxVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxVerticle.class);
  private static final DeliveryOptions DB = new DeliveryOptions().setSendTimeout(5000);
  private static final int REQUEUE_CHUNK = 500;
  private static final long DLQ_READ_MS = 30_000;

  private KafkaProducer<String, String> producer;
  private String topic;
  private String dlqTopic;
  private JsonObject kafkaConfig;
  static final String LEADER_LOCK = "engram.outbox.leader";

  private boolean sweeping;
  private boolean cutting;
  private Lock leadership;
  private boolean asking;
  private long lockTimeoutMs;

  @Override
  public Future<?> start() {
    JsonObject kafka = config().getJsonObject("kafka");
    topic = kafka.getString("topic");
    producer = KafkaProducer.create(vertx, KafkaSetup.producer(kafka));
    JsonObject outbox = config().getJsonObject("outbox");
    JsonObject sessions = config().getJsonObject("sessions");
    lockTimeoutMs = config().getJsonObject("cluster", new JsonObject()).getLong("lock_timeout_ms", 1000L);
    MeterRegistry registry = Meters.registry(config());
    Gauge.builder("engram_outbox_leader", this, o -> o.leadership != null ? 1 : 0)
        .description("1 on the outbox instance that runs the cluster's sweeps")
        .strongReference(true)
        .register(registry);
    long unpublishedAfter = outbox.getLong("republish_after_ms", 10_000L);
    vertx.setPeriodic(outbox.getLong("republish_interval_ms", 5000L), id -> {
      if (leads()) {
        sweep(unpublishedAfter);
      }
    });
    long idle = sessions.getLong("idle_timeout_s", 1800L);
    vertx.setPeriodic(sessions.getLong("sweep_interval_s", 30L) * 1000, id -> {
      if (leads()) {
        cutIdle(idle);
      }
    });
    dlqTopic = kafka.getString("dlq_topic");
    kafkaConfig = kafka;
    return Future.all(
        Bus.consume(vertx, Addresses.OUTBOX_PUBLISH, task -> publishAll(List.of(task))
            .map(n -> new JsonObject().put("published", n))),
        Bus.consume(vertx, Addresses.DLQ_REPLAY, b -> replayDlq()));
  }

  /**
   * Re-publishes the tasks found in the DLQ topic that exist and are not completed, failed ones first reset to
   * pending with a fresh retry budget. Idempotent by task id: a task is requeued once per replay, and a completed
   * one is skipped (as its claim would skip it). Reads the topic from its start to its current end.
   */
  private Future<JsonObject> replayDlq() {
    return vertx.executeBlocking(this::readDlq, false).compose(read -> {
      List<String> ids = new ArrayList<>(read.taskIds());
      List<Future<JsonObject>> requeued = new ArrayList<>();
      for (int from = 0; from < ids.size(); from += REQUEUE_CHUNK) {
        requeued.add(vertx.eventBus().<JsonObject>request(Addresses.TASK_REQUEUE, new JsonObject()
            .put("task_ids", new JsonArray(ids.subList(from, Math.min(ids.size(), from + REQUEUE_CHUNK)))), DB)
            .map(m -> m.body()));
      }
      return Future.all(requeued).compose(x -> {
        List<JsonObject> tasks = new ArrayList<>();
        requeued.forEach(f -> f.result().getJsonArray("tasks").forEach(t -> tasks.add((JsonObject) t)));
        JsonArray replayed = new JsonArray();
        tasks.forEach(t -> replayed.add(t.getString("task_id")));
        LOG.info("DLQ replay: {} record(s), {} task(s) requeued", read.records(), tasks.size());
        // a task not published now stays pending and unpublished, and the sweep publishes it
        return publishAll(tasks).recover(e -> Future.succeededFuture(0)).map(published -> new JsonObject()
            .put("scanned", read.records())
            .put("replayed", tasks.size())
            .put("skipped", read.records() - tasks.size())
            .put("task_ids", replayed));
      });
    });
  }

  private record DlqContents(long records, Set<String> taskIds) {}

  /** Every record of the DLQ topic up to its end when the read began; malformed ones count but name no task. */
  private DlqContents readDlq() {
    Map<String, Object> props = new HashMap<>(KafkaSetup.consumer(kafkaConfig));
    props.remove("group.id"); // assigned partitions and no commits: the worker group's offsets are not touched
    long records = 0;
    Set<String> ids = new LinkedHashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = consumer.partitionsFor(dlqTopic, Duration.ofSeconds(5)).stream()
          .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(5));
      long deadline = System.currentTimeMillis() + DLQ_READ_MS;
      while (parts.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(5)) < end.get(p))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("DLQ not read to its end within " + DLQ_READ_MS + " ms");
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
            continue; // arrived during the replay: the next replay sees it
          }
          records++;
          try {
            String id = new JsonObject(r.value()).getString("task_id");
            if (id != null) {
              ids.add(id);
            }
          } catch (RuntimeException e) {
            // a malformed record names no task; it stays in the DLQ for a human
          }
        }
      }
    }
    return new DlqContents(records, ids);
  }

  /** Whether this instance runs the sweeps; if not, asks for the lock once more (one question at a time). */
  private boolean leads() {
    if (leadership == null && !asking) {
      asking = true;
      vertx.sharedData().getLockWithTimeout(LEADER_LOCK, lockTimeoutMs)
          .onSuccess(lock -> {
            leadership = lock;
            LOG.info("This outbox now runs the cluster's republish and idle-session sweeps");
          })
          .onComplete(x -> asking = false);
    }
    return leadership != null;
  }

  /** Publishes tasks and marks the ones that made it; returns how many did. */
  Future<Integer> publishAll(List<JsonObject> tasks) {
    List<Future<String>> sends = new ArrayList<>();
    for (JsonObject task : tasks) {
      String key = task.getString("user_id") + ":" + task.getString("character_id");
      sends.add(producer.send(KafkaProducerRecord.create(topic, key, task.encode()))
          .map(meta -> task.getString("task_id")));
    }
    return Future.join(sends).transform(ar -> {
      List<String> ok = new ArrayList<>();
      for (Future<String> f : sends) {
        if (f.succeeded()) {
          ok.add(f.result());
        } else {
          LOG.warn("Publishing a task failed, it stays pending for republish: {}", f.cause().toString());
        }
      }
      if (ok.isEmpty()) {
        return tasks.isEmpty() ? Future.succeededFuture(0)
            : Future.failedFuture(sends.get(0).cause());
      }
      return vertx.eventBus().<JsonObject>request(Addresses.TASK_MARK_PUBLISHED,
              new JsonObject().put("task_ids", new JsonArray(ok)), DB)
          .map(r -> ok.size());
    });
  }

  private void sweep(long unpublishedAfterMs) {
    if (sweeping) {
      return;
    }
    sweeping = true;
    vertx.eventBus().<JsonObject>request(Addresses.TASK_PENDING,
            new JsonObject().put("limit", 200).put("unpublished_after_ms", unpublishedAfterMs), DB)
        .compose(r -> {
          JsonArray tasks = r.body().getJsonArray("tasks");
          List<JsonObject> list = new ArrayList<>();
          tasks.forEach(t -> list.add((JsonObject) t));
          if (!list.isEmpty()) {
            LOG.info("Republishing {} pending task(s)", list.size());
          }
          return publishAll(list);
        })
        .onFailure(e -> LOG.debug("Outbox sweep did not finish: {}", e.toString()))
        .onComplete(x -> sweeping = false);
  }

  private void cutIdle(long idleSeconds) {
    if (cutting) {
      return;
    }
    cutting = true;
    vertx.eventBus().<JsonObject>request(Addresses.SESSIONS_IDLE, new JsonObject().put("idle_seconds", idleSeconds), DB)
        .compose(r -> {
          List<JsonObject> list = new ArrayList<>();
          r.body().getJsonArray("tasks").forEach(t -> list.add((JsonObject) t));
          return publishAll(list);
        })
        .onFailure(e -> LOG.debug("Idle-session sweep did not finish: {}", e.toString()))
        .onComplete(x -> cutting = false);
  }

  @Override
  public Future<?> stop() {
    if (leadership != null) {
      leadership.release(); // hand the sweeps over now rather than when the member leaves
      leadership = null;
    }
    return producer == null ? Future.succeededFuture() : producer.close();
  }
}
