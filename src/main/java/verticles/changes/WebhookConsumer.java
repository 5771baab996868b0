package verticles.changes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.outbox.KafkaSetup;

/**
 * One webhook's reader of topic {@code memory_changes}: a member of the webhook's own consumer group
 * ({@code <change_events.webhook_group>.<name>}), which delivers each partition's records one at a time, in offset
 * order, and commits a record's offset only once it is settled (delivered, not wanted, or dead-lettered). So a
 * memory's events reach the webhook in order, and a record is never skipped: a consumer that stops or loses the
 * partition leaves it uncommitted for the next owner, which delivers it again (at-least-once; receivers drop an
 * {@code X-Engram-Event-Id} they have seen). A partition with {@value #MAX_QUEUED} records waiting is paused.
 */
final class WebhookConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookConsumer.class);
  static final int MAX_QUEUED = 64;

  /** A partition's records waiting, in order; replaced when the partition is assigned again. */
  private static final class Lane {
    final TopicPartition tp;
    final ArrayDeque<KafkaConsumerRecord<String, String>> queue = new ArrayDeque<>();
    boolean busy;
    boolean paused;
    boolean gone;

    Lane(TopicPartition tp) {
      this.tp = tp;
    }
  }

  private final Webhook hook;
  private final WebhookDelivery delivery;
  private final KafkaConsumer<String, String> consumer;
  private final String topic;
  private final Map<TopicPartition, Lane> lanes = new HashMap<>();
  private boolean stopping;

  WebhookConsumer(Vertx vertx, JsonObject config, Webhook hook, WebhookDelivery delivery) {
    this.hook = hook;
    this.delivery = delivery;
    this.topic = ChangeEvents.topic(config);
    Map<String, String> props = KafkaSetup.consumer(config.getJsonObject("kafka"));
    props.put("group.id", hook.group(config));
    props.put("max.poll.records", String.valueOf(MAX_QUEUED));
    consumer = KafkaConsumer.create(vertx, props);
  }

  Future<Void> start() {
    consumer.partitionsRevokedHandler(parts -> parts.forEach(this::drop));
    consumer.partitionsAssignedHandler(parts -> parts.forEach(tp -> {
      drop(tp);
      lanes.put(tp, new Lane(tp));
    }));
    consumer.exceptionHandler(e -> LOG.warn("Webhook {}: Kafka consumer: {}", hook.name(), e.toString()));
    consumer.handler(this::onRecord);
    return consumer.subscribe(topic);
  }

  /** A partition gone: what it was doing is abandoned uncommitted, and its next owner delivers it. */
  private void drop(TopicPartition tp) {
    Lane lane = lanes.remove(tp);
    if (lane != null) {
      lane.gone = true;
      lane.queue.clear();
    }
  }

  private void onRecord(KafkaConsumerRecord<String, String> record) {
    Lane lane = lanes.get(new TopicPartition(record.topic(), record.partition()));
    if (lane == null) {
      return; // fetched before its partition was revoked: its next owner reads it from the committed offset
    }
    lane.queue.add(record);
    if (lane.queue.size() >= MAX_QUEUED && !lane.paused) {
      lane.paused = true;
      consumer.pause(lane.tp);
    }
    if (!lane.busy) {
      next(lane);
    }
  }

  /** Delivers the lane's next record, then commits past it and goes on; one record of a partition at a time. */
  private void next(Lane lane) {
    KafkaConsumerRecord<String, String> record = lane.queue.poll();
    if (record == null || lane.gone || stopping) {
      lane.busy = false;
      return;
    }
    lane.busy = true;
    if (lane.paused && lane.queue.size() < MAX_QUEUED / 2) {
      lane.paused = false;
      consumer.resume(lane.tp);
    }
    delivery.deliver(record.value(), () -> lane.gone || stopping).onComplete(ar -> {
      if (ar.failed() || lane.gone || stopping) {
        lane.busy = false;
        return; // not settled here: the partition's next owner delivers it again
      }
      consumer.commit(Map.of(lane.tp, new OffsetAndMetadata(record.offset() + 1, "")))
          .onFailure(e -> LOG.warn("Webhook {}: commit of {}@{} failed (rebalance?): {}", hook.name(), lane.tp,
              record.offset(), e.toString()));
      next(lane);
    });
  }

  Future<Void> stop() {
    stopping = true;
    Set.copyOf(lanes.keySet()).forEach(this::drop);
    return consumer.close();
  }
}
