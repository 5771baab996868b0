package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.outbox.KafkaSetup;

/**
 * The seed's §7 metric families at {@code /metrics}, by exact name, labels and bucket bounds, after real traffic:
 * a session ingested to completion, a malformed task record dead-lettered, and recalls with and without memory.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("/metrics exports the seed's families with their labels and buckets, and they move with traffic")
class MetricsTest {
  static final List<Double> GENERATION_BUCKETS = List.of(1.0, 5.0, 10.0, 30.0, 60.0, 120.0);
  static final List<Double> RECALL_LATENCY_BUCKETS = List.of(0.1, 0.25, 0.5, 1.0, 2.0, 5.0);
  static final List<Double> RECALL_COUNT_BUCKETS = List.of(0.0, 1.0, 2.0, 3.0, 5.0, 10.0);
  static final List<Double> INDEX_BUCKETS = List.of(0.05, 0.1, 0.25, 0.5, 1.0, 2.0);

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /** One sample line: {@code name{labels} value}. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** A scrape, parsed: the samples and the declared type of each family. */
  record Scrape(List<Sample> samples, Map<String, String> types) {
    List<Sample> named(String name) {
      return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Sum of a family's samples whose labels include {@code match} (0 when there are none yet). */
    double sum(String name, Map<String, String> match) {
      return named(name).stream().filter(s -> s.labels().entrySet().containsAll(match.entrySet()))
          .mapToDouble(Sample::value).sum();
    }

    double value(String name) {
      List<Sample> found = named(name);
      return found.isEmpty() ? Double.NaN : found.get(0).value();
    }
  }

  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0) {
        Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
      }
      samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
    return new Scrape(samples, types);
  }

  static Future<Scrape> scrape() {
    return TestStack.get("/metrics").map(r -> {
      assertEquals(200, r.statusCode());
      return parse(r.bodyAsString());
    });
  }

  /**
   * Up to two minutes: a record behind one that an earlier test's MySQL stop left in the extractor's settle backoff
   * (up to 30 s between tries) waits its turn on the partition, and so does its dead letter.
   */
  static Future<Scrape> scrapeUntil(Predicate<Scrape> done) {
    return TestStack.until(MetricsTest::scrape, done, 120_000);
  }

  /** Every sample of the family carries exactly these label names. */
  static void assertLabels(Scrape s, String name, Set<String> labels) {
    assertFalse(s.named(name).isEmpty(), name + " is exported");
    s.named(name).forEach(x -> assertEquals(labels, x.labels().keySet(), name + " labels: " + x));
  }

  /** A histogram family: type histogram, and each series' {@code _bucket} bounds are exactly the seed's, plus +Inf. */
  static void assertHistogram(Scrape s, String family, Set<String> labels, List<Double> bounds) {
    assertEquals("histogram", s.types().get(family), family + " is a Prometheus histogram");
    Set<String> withLe = new TreeSet<>(labels);
    withLe.add("le");
    assertLabels(s, family + "_bucket", withLe);
    assertLabels(s, family + "_count", labels);
    assertLabels(s, family + "_sum", labels);
    Map<Map<String, String>, List<Double>> bySeries = new LinkedHashMap<>();
    for (Sample b : s.named(family + "_bucket")) {
      Map<String, String> series = new LinkedHashMap<>(b.labels());
      String le = series.remove("le");
      bySeries.computeIfAbsent(series, k -> new ArrayList<>()).add(le.equals("+Inf")
          ? Double.POSITIVE_INFINITY : Double.parseDouble(le));
    }
    List<Double> expected = new ArrayList<>(bounds);
    expected.add(Double.POSITIVE_INFINITY);
    bySeries.forEach((series, les) -> assertEquals(expected, les.stream().sorted().toList(),
        family + " buckets of " + series));
  }

  static Future<JsonObject> recall(String user, String message, boolean force) {
    return TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("message", message).put("force", force)).map(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return r.bodyAsJsonObject();
        });
  }

  @Test
  @DisplayName("After an ingest, a dead letter and recalls, every seed family and backlog gauge is there and moved")
  // several asynchronous steps, each with its own wait: the 30 s default fits the whole chain only on an idle machine
  @io.vertx.junit5.Timeout(value = 2, timeUnit = java.util.concurrent.TimeUnit.MINUTES)
  void familiesAfterTraffic(VertxTestContext ctx) {
    String user = "u-metrics-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 600;
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "c1").put("messages", new JsonArray()
        .add(new JsonObject().put("msg_id", "x1").put("role", "user").put("content", "我叫韩梅，我的生日是5月20日")
            .put("timestamp", ts))
        .add(new JsonObject().put("msg_id", "x2").put("role", "user").put("content", "我最喜欢吃草莓蛋糕")
            .put("timestamp", ts + 5)));
    JsonObject kafka = TestStack.engram().config().getJsonObject("kafka");
    KafkaProducer<String, String> producer = KafkaProducer.create(TestStack.vertx(), KafkaSetup.producer(kafka));
    Scrape[] before = new Scrape[1];
    // the backlog gauges are read every 300 ms in tests; wait for a first reading to compare against
    scrapeUntil(s -> !Double.isNaN(s.value("engram_dlq_records")))
        .compose(s -> {
          before[0] = s;
          return TestStack.post("/v1/sessions", session);
        })
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .compose(x -> producer.send(KafkaProducerRecord.create(kafka.getString("topic"), user + ":c1",
            "{not a task")))
        .compose(x -> recall(user, "你还记得我的生日吗", true))
        .compose(r -> {
          ctx.verify(() -> assertFalse(r.getJsonArray("memories").isEmpty(), r.encode()));
          return recall(user, "你好呀", false);
        })
        .compose(r -> {
          ctx.verify(() -> assertFalse(r.getJsonObject("intent").getBoolean("need_recall"), r.encode()));
          return recall(user, "我喜欢吃什么", true);
        })
        // the dead letter and the gauges settle asynchronously: wait for them, then check everything at once
        .compose(x -> scrapeUntil(s -> s.value("engram_dlq_records") >= before[0].value("engram_dlq_records") + 1
            && s.sum("memory_generation_tasks_total", Map.of("status", "failure"))
                >= before[0].sum("memory_generation_tasks_total", Map.of("status", "failure")) + 1))
        .eventually(producer::close)
        .onComplete(ctx.succeeding(s -> ctx.verify(() -> {
          Scrape b = before[0];
          // generation
          assertLabels(s, "memory_generation_tasks_total", Set.of("status"));
          assertEquals(Set.of("success", "failure", "retry"), statuses(s, "memory_generation_tasks_total"));
          assertTrue(s.sum("memory_generation_tasks_total", Map.of("status", "success"))
              >= b.sum("memory_generation_tasks_total", Map.of("status", "success")) + 1, "a completed task counts");
          assertHistogram(s, "memory_generation_latency_seconds", Set.of(), GENERATION_BUCKETS);
          assertTrue(s.value("memory_generation_latency_seconds_count")
              >= b.value("memory_generation_latency_seconds_count") + 1);

          // recall
          assertLabels(s, "memory_recall_requests_total", Set.of("intent_type", "status"));
          assertTrue(s.sum("memory_recall_requests_total", Map.of())
              >= b.sum("memory_recall_requests_total", Map.of()) + 3, "three recalls count");
          assertTrue(s.sum("memory_recall_requests_total", Map.of("intent_type", "none", "status", "success"))
              >= b.sum("memory_recall_requests_total", Map.of("intent_type", "none", "status", "success")) + 1,
              "a message needing no memory counts under intent_type none");
          assertHistogram(s, "memory_recall_latency_seconds", Set.of(), RECALL_LATENCY_BUCKETS);
          assertHistogram(s, "memory_recall_count", Set.of(), RECALL_COUNT_BUCKETS);
          assertTrue(s.value("memory_recall_count_count") >= b.value("memory_recall_count_count") + 2,
              "the two forced recalls observe how many memories they returned");
          assertTrue(s.value("memory_recall_count_sum") >= b.value("memory_recall_count_sum") + 1);

          // the vector store, under the seed's VikingDB names whatever the engine
          assertLabels(s, "vikingdb_operations_total", Set.of("operation", "status"));
          for (String op : List.of("upsert", "search")) {
            Map<String, String> ok = Map.of("operation", op, "status", "success");
            assertTrue(s.sum("vikingdb_operations_total", ok) > b.sum("vikingdb_operations_total", ok), op + " counts");
          }
          assertTrue(s.sum("vikingdb_operations_total", Map.of("operation", "delete")) >= 0);
          assertHistogram(s, "vikingdb_latency_seconds", Set.of("operation"), INDEX_BUCKETS);

          // backlog gauges and breakers
          assertLabels(s, "engram_outbox_depth", Set.of());
          assertTrue(s.value("engram_outbox_depth") >= 0);
          assertLabels(s, "engram_kafka_consumer_lag", Set.of("topic", "group"));
          assertTrue(s.value("engram_kafka_consumer_lag") >= 0);
          assertLabels(s, "engram_dlq_records", Set.of("topic"));
          assertEquals(kafka.getString("dlq_topic"), s.named("engram_dlq_records").get(0).labels().get("topic"));
          assertLabels(s, "engram_circuit_breaker_state", Set.of("name"));
          ctx.completeNow();
        })));
  }

  static Set<String> statuses(Scrape s, String name) {
    Set<String> out = new TreeSet<>();
    s.named(name).forEach(x -> out.add(x.labels().get("status")));
    return out;
  }
}
