package verticles;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.ConsumerGroupState;
import verticles.outbox.KafkaSetup;

/**
 * What tests need from Kafka: a topic's end offsets, waiting until the worker group has settled (committed) every
 * record up to such offsets, and the records a topic holds past given offsets.
 */
final class KafkaProbe {
  private KafkaProbe() {}

  /** The end offset of every partition of {@code topic}. */
  static Future<Map<Integer, Long>> ends(Vertx vertx, JsonObject kafka, String topic) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers",
        kafka.getString("bootstrap_servers")));
    return admin.describeTopics(List.of(topic))
        .compose(d -> {
          Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
          d.get(topic).getPartitions().forEach(p -> specs.put(new TopicPartition(topic, p.getPartition()),
              OffsetSpec.LATEST));
          return admin.listOffsets(specs);
        })
        .map(offsets -> {
          Map<Integer, Long> out = new HashMap<>();
          for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : offsets.entrySet()) {
            out.put(e.getKey().getPartition(), e.getValue().getOffset());
          }
          return out;
        })
        .eventually(admin::close);
  }

  /**
   * Waits until the worker group has committed every partition of the task topic up to its end now: every record
   * published so far is settled (completed, skipped, rescheduled or dead-lettered), since commits are contiguous.
   */
  static Future<Void> awaitSettled(Vertx vertx, JsonObject kafka) {
    String topic = kafka.getString("topic");
    return ends(vertx, kafka, topic).compose(ends -> TestStack.until(() -> committed(vertx, kafka),
        committed -> ends.entrySet().stream().allMatch(e -> e.getValue() == 0
            || committed.getOrDefault(e.getKey(), 0L) >= e.getValue()), 60_000)).mapEmpty();
  }

  /**
   * Waits until the worker group is stable with {@code members} consumers that share every partition of the task
   * topic. A node's extractors join one after the other, and each join revokes and reassigns the partitions: a record
   * fetched before that is fetched again by its new owner while its first run may still be going, so a test that
   * needs each task run once publishes only after this.
   */
  static Future<Void> awaitAssigned(Vertx vertx, JsonObject kafka, int members) {
    String group = kafka.getString("group_id");
    int partitions = kafka.getInteger("partitions");
    return TestStack.until(() -> describe(vertx, kafka, group), g -> g.getState() == ConsumerGroupState.STABLE
        && g.getMembers().size() == members
        && g.getMembers().stream().allMatch(m -> !m.getAssignment().getTopicPartitions().isEmpty())
        && g.getMembers().stream().mapToInt(m -> m.getAssignment().getTopicPartitions().size()).sum() == partitions,
        60_000).mapEmpty();
  }

  private static Future<ConsumerGroupDescription> describe(Vertx vertx, JsonObject kafka, String group) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers",
        kafka.getString("bootstrap_servers")));
    return admin.describeConsumerGroups(List.of(group)).map(groups -> groups.get(group)).eventually(admin::close);
  }

  private static Future<Map<Integer, Long>> committed(Vertx vertx, JsonObject kafka) {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers",
        kafka.getString("bootstrap_servers")));
    return admin.listConsumerGroupOffsets(kafka.getString("group_id"))
        .map(offsets -> {
          Map<Integer, Long> out = new HashMap<>();
          offsets.forEach((tp, om) -> {
            if (tp.getTopic().equals(kafka.getString("topic"))) {
              out.put(tp.getPartition(), om.getOffset());
            }
          });
          return out;
        })
        .eventually(admin::close);
  }

  /** The values of the records of {@code topic} from {@code from} (partition → offset) to its end. */
  static Future<List<String>> valuesSince(Vertx vertx, JsonObject kafka, String topic, Map<Integer, Long> from) {
    return ends(vertx, kafka, topic).compose(ends -> vertx.executeBlocking(() -> {
      Map<String, Object> props = new HashMap<>(KafkaSetup.consumer(kafka));
      props.remove("group.id");
      List<String> values = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
        List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
        ends.keySet().forEach(p -> parts.add(new org.apache.kafka.common.TopicPartition(topic, p)));
        consumer.assign(parts);
        parts.forEach(p -> consumer.seek(p, from.getOrDefault(p.partition(), 0L)));
        long deadline = System.currentTimeMillis() + 30_000;
        while (parts.stream().anyMatch(p -> consumer.position(p) < ends.get(p.partition()))) {
          if (System.currentTimeMillis() > deadline) {
            throw new AssertionError("could not read " + topic + " to its end");
          }
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.offset() < ends.get(r.partition())) {
              values.add(r.value());
            }
          }
        }
      }
      return values;
    }));
  }
}
