package verticles.outbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Kafka client settings from the "kafka" config section, and the topics Engram needs. */
public final class KafkaSetup {
  private KafkaSetup() {}

  public static Map<String, String> producer(JsonObject kafka) {
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", kafka.getString("bootstrap_servers"));
    p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    p.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("linger.ms", "2");
    // When the broker is away, fail a send within seconds; the outbox row stays pending and is republished.
    p.put("max.block.ms", String.valueOf(kafka.getInteger("max_block_ms", 3000)));
    p.put("request.timeout.ms", "3000");
    p.put("delivery.timeout.ms", String.valueOf(kafka.getInteger("delivery_timeout_ms", 8000)));
    p.put("reconnect.backoff.max.ms", "1000");
    return p;
  }

  public static Map<String, String> consumer(JsonObject kafka) {
    Map<String, String> c = new HashMap<>();
    c.put("bootstrap.servers", kafka.getString("bootstrap_servers"));
    c.put("group.id", kafka.getString("group_id", "memory-worker-group"));
    c.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    c.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("max.poll.records", "100");
    c.put("session.timeout.ms", String.valueOf(kafka.getInteger("session_timeout_ms", 10000)));
    c.put("heartbeat.interval.ms", "1000");
    c.put("reconnect.backoff.max.ms", "1000");
    return c;
  }

  /**
   * Creates the task topic and its DLQ when absent, and {@code others} (the change events' topic), each with the
   * task topic's partitions.
   */
  public static Future<Void> ensureTopics(Vertx vertx, JsonObject kafka, String... others) {
    Map<String, String> admin = Map.of("bootstrap.servers", kafka.getString("bootstrap_servers"));
    KafkaAdminClient client = KafkaAdminClient.create(vertx, admin);
    String topic = kafka.getString("topic");
    String dlq = kafka.getString("dlq_topic");
    int partitions = kafka.getInteger("partitions", 8);
    short replication = kafka.getInteger("replication", 1).shortValue();
    List<String> wanted = new java.util.ArrayList<>(List.of(topic, dlq));
    wanted.addAll(List.of(others));
    return client.listTopics()
        .compose(existing -> {
          List<NewTopic> missing = new java.util.ArrayList<>();
          for (String t : wanted) {
            if (!existing.contains(t)) {
              missing.add(new NewTopic(t, t.equals(dlq) ? 1 : partitions, replication));
            }
          }
          return missing.isEmpty() ? Future.<Void>succeededFuture() : client.createTopics(missing);
        })
        .eventually(client::close);
  }
}
