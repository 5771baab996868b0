package verticles.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Empty;
import verticles.contracts.Outbox;
import verticles.contracts.Sessions;
import verticles.contracts.Tasks;
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

  private KafkaProducer<String, String> producer;
  private String topic;
  private DlqReader dlq;
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
    dlq = new DlqReader(kafka, kafka.getString("dlq_topic"));
    return Future.all(
        Bus.consume(vertx, Addresses.OUTBOX_PUBLISH, Tasks.Work::fromJson, task -> publishAll(List.of(task))
            .map(Outbox.Published::new)),
        Bus.consume(vertx, Addresses.DLQ_REPLAY, Empty::fromJson, x -> replayDlq()));
  }

  /**
   * Re-publishes the tasks found in the DLQ topic that exist and are not completed, failed ones first reset to
   * pending with a fresh retry budget. Idempotent by task id: a task is requeued once per replay, and a completed
   * one is skipped (as its claim would skip it). Reads the topic from its start to its current end.
   */
  private Future<Outbox.Replayed> replayDlq() {
    return vertx.executeBlocking(dlq::read, false).compose(read -> {
      List<String> ids = new ArrayList<>(read.taskIds());
      List<Future<Tasks.Batch>> requeued = new ArrayList<>();
      for (int from = 0; from < ids.size(); from += REQUEUE_CHUNK) {
        requeued.add(Bus.request(vertx, Addresses.TASK_REQUEUE,
            new Tasks.Ids(ids.subList(from, Math.min(ids.size(), from + REQUEUE_CHUNK))), DB, Tasks.Batch::fromJson));
      }
      return Future.all(requeued).compose(x -> {
        List<Tasks.Work> tasks = new ArrayList<>();
        requeued.forEach(f -> tasks.addAll(f.result().tasks()));
        LOG.info("DLQ replay: {} record(s), {} task(s) requeued", read.records(), tasks.size());
        // a task not published now stays pending and unpublished, and the sweep publishes it
        return publishAll(tasks).recover(e -> Future.succeededFuture(0)).map(published -> new Outbox.Replayed(
            read.records(), tasks.size(), read.records() - tasks.size(),
            tasks.stream().map(Tasks.Work::taskId).toList()));
      });
    });
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
  Future<Integer> publishAll(List<Tasks.Work> tasks) {
    List<Future<String>> sends = new ArrayList<>();
    for (Tasks.Work task : tasks) {
      String key = task.userId() + ":" + task.characterId();
      sends.add(producer.send(KafkaProducerRecord.create(topic, key, task.toJson().encode())).map(meta -> task.taskId()));
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
      return Bus.request(vertx, Addresses.TASK_MARK_PUBLISHED, new Tasks.Ids(ok), DB, Tasks.Updated::fromJson)
          .map(r -> ok.size());
    });
  }

  private void sweep(long unpublishedAfterMs) {
    if (sweeping) {
      return;
    }
    sweeping = true;
    Bus.request(vertx, Addresses.TASK_PENDING, new Tasks.Due(200, unpublishedAfterMs), DB, Tasks.Batch::fromJson)
        .compose(due -> {
          if (!due.tasks().isEmpty()) {
            LOG.info("Republishing {} pending task(s)", due.tasks().size());
          }
          return publishAll(due.tasks());
        })
        .onFailure(e -> LOG.debug("Outbox sweep did not finish: {}", e.toString()))
        .onComplete(x -> sweeping = false);
  }

  private void cutIdle(long idleSeconds) {
    if (cutting) {
      return;
    }
    cutting = true;
    Bus.request(vertx, Addresses.SESSIONS_IDLE, new Sessions.Idle(idleSeconds, 100), DB, Tasks.Batch::fromJson)
        .compose(cut -> publishAll(cut.tasks()))
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
