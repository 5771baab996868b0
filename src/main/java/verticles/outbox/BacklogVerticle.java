package verticles.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Empty;
import verticles.contracts.Tasks;
import verticles.shared.Meters;

/**
 * Watches the generation backlog from a worker node, and answers Kafka's readiness probe
 * ({@code memory.health.kafka}). Every {@code metrics.backlog_interval_ms} it reads three gauges:
 * {@code engram_outbox_depth} (pending task rows not yet handed to Kafka),
 * {@code engram_kafka_consumer_lag{topic,group}} (task records the worker group has not committed) and
 * {@code engram_dlq_records{topic}} (records kept in the DLQ topic). They describe the cluster, not the node, so every
 * worker node reports the same values; one that could not be read is NaN. Deploy one instance per node: a second
 * one's gauges would not register.
 *
 * <p>A reading that has not finished within {@link #READING_DEADLINE_MS} is given up (its gauges NaN) so the next one
 * can start: the Vert.x Kafka admin client never completes a {@code describeTopics} that meets a partition without a
 * leader (its conversion of the leader throws inside Kafka's callback), which happens for a moment after every broker
 * restart. Waiting for such a reading froze the gauges at their last values for the life of the node.
 */
public final class BacklogVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogVerticle.class);
  /** Past the admin client's own 3 s limit per call (two calls in a row), within the default 15 s interval. */
  static final long READING_DEADLINE_MS = 10_000;

  private KafkaAdminClient admin;
  private String topic;
  private String dlqTopic;
  private String group;
  private DeliveryOptions storeCall;
  private boolean polling;
  private volatile double outboxDepth = Double.NaN;
  private volatile double consumerLag = Double.NaN;
  private volatile double dlqRecords = Double.NaN;

  @Override
  public Future<?> start() {
    JsonObject kafka = config().getJsonObject("kafka");
    topic = kafka.getString("topic");
    dlqTopic = kafka.getString("dlq_topic");
    group = kafka.getString("group_id", "memory-worker-group");
    // Short client timeouts: a probe must fail within seconds when the brokers are away, not after a minute.
    admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", kafka.getString("bootstrap_servers"),
        "request.timeout.ms", "2000", "default.api.timeout.ms", "3000", "reconnect.backoff.max.ms", "1000"));
    long interval = config().getJsonObject("metrics", new JsonObject()).getLong("backlog_interval_ms", 15_000L);
    storeCall = new DeliveryOptions().setSendTimeout(Math.min(interval, 5000L));

    MeterRegistry registry = Meters.registry(config());
    Gauge.builder("engram_outbox_depth", this, v -> v.outboxDepth)
        .description("Pending generation tasks not yet published to Kafka").strongReference(true).register(registry);
    Gauge.builder("engram_kafka_consumer_lag", this, v -> v.consumerLag).tag("topic", topic).tag("group", group)
        .description("Task records not yet committed by the worker group").strongReference(true).register(registry);
    Gauge.builder("engram_dlq_records", this, v -> v.dlqRecords).tag("topic", dlqTopic)
        .description("Records in the dead-letter topic").strongReference(true).register(registry);
    vertx.setPeriodic(1, interval, id -> poll());
    return Bus.consume(vertx, Addresses.HEALTH_KAFKA, Empty::fromJson, b -> admin.describeCluster().compose(c -> c.getNodes().isEmpty()
        ? Future.failedFuture(new IllegalStateException("the Kafka cluster has no live broker"))
        : Future.succeededFuture(new JsonObject().put("cluster_id", c.getClusterId())
            .put("brokers", c.getNodes().size()))));
  }

  private void poll() {
    if (polling) {
      return; // the previous poll is still waiting for a store that is away
    }
    polling = true;
    Future<Long> depth = Bus.request(vertx, Addresses.TASK_OUTBOX_DEPTH, Empty.INSTANCE, storeCall, Tasks.Depth::fromJson)
        .map(Tasks.Depth::depth);
    Future<long[]> kafka = kafkaBacklog().timeout(READING_DEADLINE_MS, TimeUnit.MILLISECONDS);
    Future.join(depth, kafka).onComplete(x -> {
      outboxDepth = depth.succeeded() ? depth.result() : Double.NaN;
      consumerLag = kafka.succeeded() ? kafka.result()[0] : Double.NaN;
      dlqRecords = kafka.succeeded() ? kafka.result()[1] : Double.NaN;
      if (x.failed()) {
        LOG.debug("Backlog gauges partly unknown: {}", x.cause().toString());
      }
      polling = false;
    });
  }

  /** {consumer lag of the task topic, records in the DLQ}: end offsets against commits and beginnings. */
  private Future<long[]> kafkaBacklog() {
    return admin.describeTopics(List.of(topic, dlqTopic)).compose(topics -> {
      List<TopicPartition> partitions = new ArrayList<>();
      topics.forEach((name, description) -> description.getPartitions()
          .forEach(p -> partitions.add(new TopicPartition(name, p.getPartition()))));
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      partitions.forEach(tp -> {
        latest.put(tp, OffsetSpec.LATEST);
        earliest.put(tp, OffsetSpec.EARLIEST);
      });
      Future<Map<TopicPartition, ListOffsetsResultInfo>> ends = admin.listOffsets(latest);
      Future<Map<TopicPartition, ListOffsetsResultInfo>> starts = admin.listOffsets(earliest);
      Future<Map<TopicPartition, OffsetAndMetadata>> committed = admin.listConsumerGroupOffsets(group);
      return Future.all(ends, starts, committed).map(x -> {
        long lag = 0;
        long dlq = 0;
        for (TopicPartition tp : partitions) {
          long end = ends.result().get(tp).getOffset();
          long start = starts.result().get(tp).getOffset();
          if (tp.getTopic().equals(topic)) {
            // a partition the group never committed is read from its beginning (auto.offset.reset earliest)
            OffsetAndMetadata done = committed.result().get(tp);
            lag += Math.max(0, end - (done == null ? start : Math.max(start, done.getOffset())));
          } else {
            dlq += end - start;
          }
        }
        return new long[] {lag, dlq};
      });
    });
  }

  @Override
  public Future<?> stop() {
    return admin == null ? Future.succeededFuture() : admin.close();
  }
}
