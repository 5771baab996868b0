package verticles.outbox;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the dead-letter topic from its start to its end as of the read, for a replay. Blocking (a plain Kafka
 * consumer): run it on a worker thread. It takes assigned partitions and commits nothing, so the worker group's
 * offsets are not touched.
 */
final class DlqReader {
  private static final long READ_MS = 30_000;

  /** @param records every record read; malformed ones count but name no task */
  record Contents(long records, Set<String> taskIds) {}

  private final JsonObject kafkaConfig;
  private final String topic;

  DlqReader(JsonObject kafkaConfig, String topic) {
    this.kafkaConfig = kafkaConfig;
    this.topic = topic;
  }

  Contents read() {
    Map<String, Object> props = new HashMap<>(KafkaSetup.consumer(kafkaConfig));
    props.remove("group.id");
    long records = 0;
    Set<String> ids = new LinkedHashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(5));
      long deadline = System.currentTimeMillis() + READ_MS;
      while (parts.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(5)) < end.get(p))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("DLQ not read to its end within " + READ_MS + " ms");
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
    return new Contents(records, ids);
  }
}
