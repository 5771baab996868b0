package verticles.merger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.shared.Meters;
import verticles.shared.ThrottledLog;

/**
 * Coordinates recall ({@code memory.recall}, seed §5.2 {@code _recall_impl}): asks the intent detector, then vector
 * search ∥ structured search according to the intent, each under its own budget; fuses, ranks, de-duplicates and
 * fits the token budget. A store that fails or is late only adds its name to {@code degraded}; recall never fails
 * the chat.
 *
 * <p>Metrics (seed §7): {@code memory_recall_requests_total{intent_type,status}} per recall, status {@code success},
 * {@code degraded} (some store missing) or {@code error} (answered empty because recall failed as a whole);
 * {@code memory_recall_latency_seconds}; {@code memory_recall_count}, the memories returned by recalls that searched.
 */
public final class MergerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MergerVerticle.class);
  /** A store that is away degrades every recall: one WARN per store and interval, the rest DEBUG. */
  private static final ThrottledLog DEGRADED = new ThrottledLog(LOG, 10_000);

  private Ranker ranker;
  private JsonObject recall;
  private DeliveryOptions intentCall;
  private DeliveryOptions vectorCall;
  private DeliveryOptions mysqlCall;
  private MeterRegistry registry;
  private Timer latency;
  private DoubleConsumer recalled;

  @Override
  public Future<?> start() {
    recall = config().getJsonObject("recall");
    ranker = new Ranker(recall);
    // The stores enforce their own budgets with breakers; these outer timeouts only catch a missing or stuck verticle.
    intentCall = new DeliveryOptions().setSendTimeout(recall.getLong("intent_timeout_ms", 500L));
    vectorCall = new DeliveryOptions().setSendTimeout(recall.getLong("embedding_timeout_ms", 700L)
        + recall.getLong("index_timeout_ms", 600L) + 100);
    mysqlCall = new DeliveryOptions().setSendTimeout(recall.getLong("mysql_timeout_ms", 1000L) + 150);
    registry = Meters.registry(config());
    latency = Meters.timer("memory_recall_latency", 0.1, 0.25, 0.5, 1, 2, 5)
        .description("Memory recall latency").register(registry);
    recalled = Meters.countHistogram(registry, "memory_recall_count", "Number of memories recalled",
        0, 1, 2, 3, 5, 10);
    // every label pair from the start, so a dashboard sees zeros rather than missing series
    for (String type : List.of("none", "profile", "event", "history", "mixed")) {
      for (String status : List.of("success", "degraded", "error")) {
        requests(type, status);
      }
    }
    return Bus.consume(vertx, Addresses.RECALL, this::recall);
  }

  Future<JsonObject> recall(JsonObject req) {
    long started = System.nanoTime();
    JsonArray degraded = new JsonArray();
    String message = req.getString("message", "");
    boolean force = req.getBoolean("force", false);
    String[] intentType = {"none"}; // the detector's answer, kept for the metrics even when recall then fails
    return intent(req, degraded).compose(intent -> {
      intentType[0] = intent.getString("recall_type", "none");
      double intentMs = (System.nanoTime() - started) / 1e6;
      if (!intent.getBoolean("need_recall", false)) {
        return Future.succeededFuture(reply(intent, new JsonArray(), new JsonArray(), "", degraded, started));
      }
      return search(req, intent, degraded, started).map(found -> {
        JsonArray memories = found.getJsonArray("memories");
        JsonArray profiles = found.getJsonArray("profiles");
        return reply(intent, memories, profiles, ContextFormatter.format(message, profiles, memories), degraded,
            started).put("timings", found.getJsonObject("timings").put("intent_ms", intentMs));
      });
    }).recover(e -> {
      LOG.warn("Recall failed as a whole (force={}), answering empty: {}", force, e.toString());
      degraded.add("recall");
      return Future.succeededFuture(reply(new JsonObject().put("need_recall", force), new JsonArray(),
          new JsonArray(), "", degraded, started));
    }).onSuccess(reply -> record(reply, intentType[0], started));
  }

  private void record(JsonObject reply, String intentType, long started) {
    JsonArray degraded = reply.getJsonArray("degraded");
    String status = degraded.contains("recall") ? "error" : degraded.isEmpty() ? "success" : "degraded";
    requests(intentType, status).increment();
    latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    if (!status.equals("error") && reply.getJsonObject("intent").getBoolean("need_recall", false)) {
      recalled.accept(reply.getJsonArray("memories").size());
    }
  }

  private Counter requests(String intentType, String status) {
    return Counter.builder("memory_recall_requests").description("Total memory recall requests")
        .tag("intent_type", intentType).tag("status", status).register(registry);
  }

  private Future<JsonObject> intent(JsonObject req, JsonArray degraded) {
    boolean force = req.getBoolean("force", false);
    JsonObject ask = new JsonObject().put("message", req.getString("message"))
        .put("recent_context", req.getString("recent_context")).put("force", force);
    return vertx.eventBus().<JsonObject>request(Addresses.INTENT_DETECT, ask, intentCall).map(Message::body)
        .recover(e -> {
          degraded.add("intent");
          LOG.warn("Intent detection failed ({}), {}", e.toString(), force ? "recalling anyway" : "skipping recall");
          // seed §6: no intent means no recall, unless the caller forces it
          return Future.succeededFuture(new JsonObject().put("need_recall", force)
              .put("recall_type", force ? "mixed" : "none").put("search_query", req.getString("message"))
              .put("confidence", force ? 1.0 : 0.0));
        });
  }

  private Future<JsonObject> search(JsonObject req, JsonObject intent, JsonArray degraded, long started) {
    String type = intent.getString("recall_type", "mixed");
    String user = req.getString("user_id");
    String character = req.getString("character_id");
    int topK = req.getInteger("top_k", recall.getInteger("top_k", 5));
    int maxTokens = req.getInteger("max_tokens", recall.getInteger("max_tokens", 1000));
    JsonArray asked = req.getJsonArray("types", new JsonArray());
    JsonArray types = !asked.isEmpty() ? asked : switch (type) {
      case "event" -> new JsonArray().add("event").add("summary").add("message");
      case "profile" -> new JsonArray().add("profile").add("message");
      default -> new JsonArray(); // history, mixed: every type
    };
    // Events and summaries are in the vector index too, scored there against the message; MySQL's copies are read
    // only when the index is out (below). Profiles and upcoming dates come from MySQL alone.
    boolean eventsAsked = asked.isEmpty() || asked.contains("event");
    JsonArray kinds = switch (type) {
      case "profile" -> new JsonArray().add("profiles");
      case "event" -> eventsAsked ? new JsonArray().add("upcoming") : new JsonArray();
      case "history" -> new JsonArray();
      default -> eventsAsked ? new JsonArray().add("profiles").add("upcoming") : new JsonArray().add("profiles");
    };
    JsonArray fallback = new JsonArray();
    if (asked.isEmpty() || asked.contains("summary")) {
      fallback.add("summaries");
    }
    if (eventsAsked && (type.equals("event") || type.equals("mixed"))) {
      fallback.add("events");
    }
    long fanOut = System.nanoTime();
    JsonObject timings = new JsonObject();
    Future<JsonObject> vector = vertx.eventBus().<JsonObject>request(Addresses.VECTOR_SEARCH, new JsonObject()
            .put("user_id", user).put("character_id", character).put("query", req.getString("message"))
            .put("types", types).put("top_k", Math.max(topK * 3, 12)), vectorCall)
        .map(Message::body)
        .onComplete(x -> {
          timings.put("vector_ms", (System.nanoTime() - fanOut) / 1e6);
          if (x.succeeded()) {
            timings.put("embed_ms", x.result().getDouble("embed_ms")).put("index_ms", x.result().getDouble("index_ms"));
          }
        });
    Future<JsonObject> structured = kinds.isEmpty() ? Future.succeededFuture(new JsonObject())
        : structured(user, character, kinds, mysqlCall)
            .onComplete(x -> timings.put("mysql_ms", (System.nanoTime() - fanOut) / 1e6));
    Future<JsonObject> instead = Future.join(vector, structured).transform(x -> {
      long left = Math.min(mysqlCall.getSendTimeout(),
          recall.getLong("total_timeout_ms", 2000L) - (System.nanoTime() - started) / 1_000_000 - 50);
      if (vector.succeeded() || structured.failed() || left <= 0 || fallback.isEmpty()) {
        return Future.succeededFuture(new JsonObject());
      }
      // without the index, MySQL's events and recent summaries stand in for semantic history
      return structured(user, character, fallback, new DeliveryOptions().setSendTimeout(left))
          .recover(e -> {
            degraded.add("mysql");
            return Future.succeededFuture(new JsonObject());
          });
    });

    return instead.transform(x -> {
      boolean zh = ContextFormatter.isChinese(req.getString("message"));
      List<Ranker.Candidate> candidates = new ArrayList<>();
      if (vector.succeeded()) {
        vector.result().getJsonArray("hits", new JsonArray())
            .forEach(h -> candidates.add(Ranker.fromHit((JsonObject) h)));
        vector.result().getJsonArray("degraded", new JsonArray()).forEach(degraded::add);
      } else {
        degraded.add("vector");
        DEGRADED.warn("vector", "Recall without the vector index: {}", vector.cause().toString());
      }
      JsonArray profiles = new JsonArray();
      if (structured.succeeded()) {
        JsonObject s = structured.result();
        profiles = s.getJsonArray("profiles", new JsonArray());
        s.getJsonArray("upcoming", new JsonArray())
            .forEach(e -> candidates.add(StructuredMemories.upcoming((JsonObject) e, zh)));
        instead.result().getJsonArray("events", new JsonArray())
            .forEach(e -> candidates.add(StructuredMemories.event((JsonObject) e)));
        instead.result().getJsonArray("summaries", new JsonArray())
            .forEach(m -> candidates.add(StructuredMemories.summary((JsonObject) m)));
      } else {
        degraded.add("mysql");
        DEGRADED.warn("mysql", "Recall without MySQL: {}", structured.cause().toString());
      }
      List<JsonObject> memories = ranker.rank(candidates, Instant.now().getEpochSecond(), topK, maxTokens);
      return Future.succeededFuture(new JsonObject().put("memories", new JsonArray(memories))
          .put("profiles", profiles).put("timings", timings));
    });
  }

  private Future<JsonObject> structured(String user, String character, JsonArray kinds, DeliveryOptions call) {
    return vertx.eventBus().<JsonObject>request(Addresses.STRUCTURED_SEARCH, new JsonObject()
            .put("user_id", user).put("character_id", character).put("kinds", kinds)
            .put("profile_limit", recall.getInteger("profile_limit", 20))
            .put("days", recall.getInteger("upcoming_days", 7)), call)
        .map(Message::body);
  }

  private static JsonObject reply(JsonObject intent, JsonArray memories, JsonArray profiles, String context,
      JsonArray degraded, long started) {
    return new JsonObject()
        .put("intent", intent)
        .put("memories", memories)
        .put("profiles", profiles)
        .put("context", context)
        .put("degraded", degraded)
        .put("took_ms", (System.nanoTime() - started) / 1_000_000);
  }
}
