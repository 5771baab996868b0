package verticles.merger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Entities;
import verticles.contracts.Forgetting;
import verticles.contracts.Intent;
import verticles.contracts.Recall;
import verticles.contracts.RecentContext;
import verticles.contracts.SessionMemory;
import verticles.contracts.Structured;
import verticles.contracts.VectorStore;
import verticles.shared.JsonNumbers;
import verticles.shared.Meters;
import verticles.shared.Retention;
import verticles.shared.SkippedRecords;
import verticles.shared.ThrottledLog;
import verticles.shared.Timestamps;

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

  /** A structured search that was not asked, or failed over: no rows of any kind. */
  private static final Structured.Found NOTHING = new Structured.Found(new JsonObject());

  private Ranker ranker;
  private ConversationCues cues;
  private JsonObject recall;
  private DeliveryOptions intentCall;
  private DeliveryOptions vectorCall;
  private DeliveryOptions mysqlCall;
  private MeterRegistry registry;
  private Timer latency;
  private DoubleConsumer recalled;
  private SkippedRecords skipped;
  private AccessLog accesses;
  private DeliveryOptions retentionCall;
  private DeliveryOptions sessionCall;

  @Override
  public Future<?> start() {
    recall = config().getJsonObject("recall");
    ranker = new Ranker(recall);
    cues = new ConversationCues(recall);
    // The stores enforce their own budgets with breakers; these outer timeouts only catch a missing or stuck verticle.
    intentCall = new DeliveryOptions().setSendTimeout(recall.getLong("intent_timeout_ms", 500L));
    vectorCall = new DeliveryOptions().setSendTimeout(recall.getLong("embedding_timeout_ms", 700L)
        + recall.getLong("index_timeout_ms", 600L) + 100);
    mysqlCall = new DeliveryOptions().setSendTimeout(recall.getLong("mysql_timeout_ms", 1000L) + 150);
    registry = Meters.registry(config());
    skipped = new SkippedRecords(registry);
    JsonObject compression = Retention.section(config());
    accesses = compression.getBoolean("track_accesses", true) ? new AccessLog(vertx, compression, registry) : null;
    sessionCall = new DeliveryOptions().setSendTimeout(config().getJsonObject("session_memory", new JsonObject())
        .getLong("recall_timeout_ms", 300L));
    retentionCall = new DeliveryOptions().setSendTimeout(recall.getLong("mysql_timeout_ms", 1000L) + 150);
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
    return Bus.consume(vertx, Addresses.RECALL, Recall.Request::fromJson, this::recall);
  }

  Future<Recall.Reply> recall(Recall.Request req) {
    long started = System.nanoTime();
    List<String> degraded = new ArrayList<>();
    String[] intentType = {"none"}; // the detector's answer, kept for the metrics even when recall then fails
    Future<JsonObject> session = session(req, degraded); // beside everything else, under its own short budget
    return intent(req, degraded).compose(intent -> {
      intentType[0] = intent.recallType();
      double intentMs = (System.nanoTime() - started) / 1e6;
      if (!intent.needRecall()) {
        return Future.succeededFuture(new Recall.Reply(intent, new JsonArray(), new JsonArray(), "", degraded,
            tookMs(started), null));
      }
      Cuts cuts = req.explain() ? new Cuts() : null;
      return conversation(req, session).compose(turns -> search(req, intent, cues.cues(req.message(), turns),
          degraded, started, cuts)).map(found -> new Recall.Reply(intent, found.memories(),
          found.profiles(), ContextFormatter.format(req.message(), found.profiles(), found.memories()), degraded,
          tookMs(started), found.timings().put("intent_ms", intentMs)).withCut(cuts == null ? null : cuts.toJson()));
    }).recover(e -> {
      LOG.warn("Recall failed as a whole (force={}), answering empty: {}", req.force(), e.toString());
      degraded.add("recall");
      return Future.succeededFuture(Recall.Reply.empty(req.force(), degraded, tookMs(started)));
    }).compose(reply -> session.map(context -> reply.withSession(context, tookMs(started)))).onSuccess(reply -> {
      record(reply, intentType[0], started);
      if (accesses != null) { // after the reply is sent (this handler runs before it), counted later in a batch
        vertx.runOnContext(v -> accesses.returned(reply.memories(), reply.profiles()));
      }
    });
  }

  @Override
  public Future<?> stop() {
    return accesses == null ? Future.succeededFuture() : accesses.close();
  }

  private static long tookMs(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }

  private void record(Recall.Reply reply, String intentType, long started) {
    List<String> degraded = reply.degraded();
    String status = degraded.contains("recall") ? "error" : degraded.isEmpty() ? "success" : "degraded";
    requests(intentType, status).increment();
    latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    if (!status.equals("error") && reply.intent().needRecall()) {
      recalled.accept(reply.memories().size());
    }
  }

  private Counter requests(String intentType, String status) {
    return Counter.builder("memory_recall_requests").description("Total memory recall requests")
        .tag("intent_type", intentType).tag("status", status).register(registry);
  }

  /**
   * The request's session context, or null (no session asked, none stored, or the session store late or away: then
   * {@code session} is degraded). It never fails, and never takes longer than {@code session_memory.recall_timeout_ms}.
   */
  private Future<JsonObject> session(Recall.Request req, List<String> degraded) {
    if (req.sessionId() == null) {
      return Future.succeededFuture();
    }
    return Bus.request(vertx, Addresses.SESSION_CONTEXT_GET, new SessionMemory.Get(req.userId(), req.characterId(),
            req.sessionId()), sessionCall, SessionMemory.Context::fromJson)
        .map(SessionMemory.Context::toJson)
        .recover(e -> {
          if (!(e instanceof ReplyException re && re.failureCode() == Failures.NOT_FOUND)) {
            degraded.add("session");
            DEGRADED.warn("session", "Recall without the session context: {}", e.toString());
          }
          return Future.succeededFuture();
        });
  }

  /** The conversation before the message: as the caller sent it, or else as the session holds it. */
  private static Future<List<RecentContext.Turn>> conversation(Recall.Request req, Future<JsonObject> session) {
    if (!req.recentContext().isEmpty() || req.sessionId() == null) {
      return Future.succeededFuture(req.recentContext().asTurns());
    }
    return session.map(context -> ConversationCues.turns(RecentContext.NONE, context));
  }

  private Future<Intent.Reply> intent(Recall.Request req, List<String> degraded) {
    boolean force = req.force();
    return Bus.request(vertx, Addresses.INTENT_DETECT, new Intent.Request(req.message(), req.recentContext().joined(),
            force),
            intentCall, Intent.Reply::fromJson)
        .recover(e -> {
          degraded.add("intent");
          LOG.warn("Intent detection failed ({}), {}", e.toString(), force ? "recalling anyway" : "skipping recall");
          // seed §6: no intent means no recall, unless the caller forces it
          return Future.succeededFuture(new Intent.Reply(force, force ? "mixed" : "none", req.message(),
              force ? 1.0 : 0.0));
        });
  }

  /** What the stores found, ranked: the memories, the profile rows read, and each stage's time. */
  private record Found(JsonArray memories, JsonArray profiles, JsonObject timings) {}

  private Future<Found> search(Recall.Request req, Intent.Reply intent, List<VectorStore.Cue> context,
      List<String> degraded, long started, Cuts cuts) {
    String type = intent.recallType();
    String user = req.userId();
    String character = req.characterId();
    int topK = req.topK() != null ? req.topK() : recall.getInteger("top_k", 5);
    int maxTokens = req.maxTokens() != null ? req.maxTokens() : recall.getInteger("max_tokens", 1000);
    List<String> asked = req.types();
    List<String> types = !asked.isEmpty() ? asked : switch (type) {
      case "event" -> List.of("event", "summary", "message");
      case "profile" -> List.of("profile", "message");
      default -> List.of(); // history, mixed: every type
    };
    // Events and summaries are in the vector index too, scored there against the message; MySQL's copies are read
    // only when the index is out (below). Profiles and upcoming dates come from MySQL alone.
    boolean eventsAsked = asked.isEmpty() || asked.contains("event");
    List<String> kinds = switch (type) {
      case "profile" -> List.of("profiles");
      case "event" -> eventsAsked ? List.of("upcoming") : List.of();
      case "history" -> List.of();
      default -> eventsAsked ? List.of("profiles", "upcoming") : List.of("profiles");
    };
    List<String> fallback = new ArrayList<>();
    if (asked.isEmpty() || asked.contains("summary")) {
      fallback.add("summaries");
    }
    if (eventsAsked && (type.equals("event") || type.equals("mixed"))) {
      fallback.add("events");
    }
    long fanOut = System.nanoTime();
    JsonObject timings = new JsonObject();
    Future<VectorStore.Hits> vector = Bus.request(vertx, Addresses.VECTOR_SEARCH, new VectorStore.Search(user,
            character, req.message(), types, Math.max(topK * 3, 12), context), vectorCall, VectorStore.Hits::fromJson)
        .onComplete(x -> {
          timings.put("vector_ms", (System.nanoTime() - fanOut) / 1e6);
          if (x.succeeded()) {
            timings.put("embed_ms", x.result().embedMs()).put("index_ms", x.result().indexMs());
          }
        });
    Future<Structured.Found> structured = kinds.isEmpty() ? Future.succeededFuture(NOTHING)
        : structured(user, character, kinds, mysqlCall)
            .onComplete(x -> timings.put("mysql_ms", (System.nanoTime() - fanOut) / 1e6));
    Future<Structured.Found> instead = Future.join(vector, structured).transform(x -> {
      long left = Math.min(mysqlCall.getSendTimeout(),
          recall.getLong("total_timeout_ms", 2000L) - (System.nanoTime() - started) / 1_000_000 - 50);
      if (vector.succeeded() || structured.failed() || left <= 0 || fallback.isEmpty()) {
        return Future.succeededFuture(NOTHING);
      }
      // without the index, MySQL's events and recent summaries stand in for semantic history
      return structured(user, character, fallback, new DeliveryOptions().setSendTimeout(left))
          .recover(e -> {
            degraded.add("mysql");
            return Future.succeededFuture(NOTHING);
          });
    });

    Future<Entities.Items> entities = entities(req, ConversationCues.withCues(req.message(), context))
        .onComplete(x -> timings.put("entities_ms", (System.nanoTime() - fanOut) / 1e6));
    return Future.join(instead, entities).transform(x -> {
      boolean zh = ContextFormatter.isChinese(req.message());
      List<Ranker.Candidate> candidates = new ArrayList<>();
      if (vector.succeeded()) {
        vector.result().hits().forEach(h -> admit(candidates, SkippedRecords.INDEX, () -> Ranker.fromHit((JsonObject) h)));
        degraded.addAll(vector.result().degraded());
      } else {
        degraded.add("vector");
        DEGRADED.warn("vector", "Recall without the vector index: {}", vector.cause().toString());
      }
      if (entities.succeeded()) {
        entities.result().items().forEach(e -> admit(candidates, SkippedRecords.MYSQL,
            () -> StructuredMemories.entity((JsonObject) e, zh)));
      } else {
        degraded.add("entities");
        DEGRADED.warn("entities", "Recall without the entities: {}", entities.cause().toString());
      }
      JsonArray profiles = new JsonArray();
      if (structured.succeeded()) {
        Structured.Found s = structured.result();
        profiles = s.kind("profiles");
        s.kind("upcoming").forEach(e -> admit(candidates, SkippedRecords.MYSQL,
            () -> StructuredMemories.upcoming((JsonObject) e, zh)));
        instead.result().kind("events").forEach(e -> admit(candidates, SkippedRecords.MYSQL,
            () -> StructuredMemories.event((JsonObject) e)));
        instead.result().kind("summaries").forEach(m -> admit(candidates, SkippedRecords.MYSQL,
            () -> StructuredMemories.summary((JsonObject) m)));
      } else {
        degraded.add("mysql");
        DEGRADED.warn("mysql", "Recall without MySQL: {}", structured.cause().toString());
      }
      JsonArray foundProfiles = profiles;
      return retention(candidates, started).map(kept -> new Found(new JsonArray(ranker.rank(candidates, kept,
          Instant.now().getEpochSecond(), topK, maxTokens, cuts)), foundProfiles, timings));
    });
  }

  /**
   * The candidates' retention, when the ranking weighs it ({@code recall.retention_weight} > 0): one MySQL read
   * behind the {@code mysql} breaker. Without it (weight 0, or MySQL away) every candidate counts as fully retained.
   */
  private Future<JsonObject> retention(List<Ranker.Candidate> candidates, long started) {
    long left = Math.min(retentionCall.getSendTimeout(),
        recall.getLong("total_timeout_ms", 2000L) - (System.nanoTime() - started) / 1_000_000 - 50);
    if (!ranker.weighsRetention() || candidates.isEmpty() || left <= 0) {
      return Future.succeededFuture(new JsonObject());
    }
    List<String> ids = candidates.stream().map(c -> c.memory().getString("id")).distinct().toList();
    return Bus.request(vertx, Addresses.ACCESS_RETENTION, new Forgetting.RetentionQuery(ids, null),
            new DeliveryOptions().setSendTimeout(left),
            Forgetting.Retentions::fromJson)
        .map(Forgetting.Retentions::retention)
        .recover(e -> {
          DEGRADED.warn("retention", "Ranking without retention: {}", e.toString());
          return Future.succeededFuture(new JsonObject());
        });
  }

  /**
   * Adds the candidate a hit or row makes, unless it cannot be one: then it is skipped, logged and counted, and the
   * user's other memories are still recalled. The stores skip such records themselves; this guards the context block
   * against a store that does not (an older node in a cluster).
   */
  private void admit(List<Ranker.Candidate> out, String source, Supplier<Ranker.Candidate> make) {
    Ranker.Candidate c;
    try {
      c = make.get();
    } catch (RuntimeException e) {
      skipped.skip(source, "recall candidate", e.toString());
      return;
    }
    Object timestamp = c.memory().getValue("timestamp");
    String defect = !JsonNumbers.integerWithin(timestamp, Long.MIN_VALUE, Long.MAX_VALUE)
        || !Timestamps.shown(((Number) timestamp).longValue()) ? "its timestamp " + timestamp + " is no date"
        : c.memory().getString("content") == null ? "it has no content" : null;
    if (defect != null) {
      skipped.skip(source, String.valueOf(c.memory().getValue("id")), defect);
      return;
    }
    out.add(c);
  }

  /**
   * The entities the message names by an alias (one MySQL query behind the {@code mysql} breaker, beside the other
   * reads): off with {@code recall.entities} false, or when the asked types leave out {@code entity}.
   */
  private Future<Entities.Items> entities(Recall.Request req, String text) {
    List<String> asked = req.types();
    if (!recall.getBoolean("entities", true) || (!asked.isEmpty() && !asked.contains("entity"))
        || req.message() == null || req.message().isBlank()) {
      return Future.succeededFuture(new Entities.Items(new JsonArray(), null));
    }
    return Bus.request(vertx, Addresses.ENTITIES_RECALL, new Entities.Recall(req.userId(), req.characterId(),
        text, recall.getInteger("entity_hops", 1), recall.getInteger("entity_limit", 3),
        recall.getInteger("entity_events", 3)), mysqlCall, Entities.Items::fromJson);
  }

  private Future<Structured.Found> structured(String user, String character, List<String> kinds,
      DeliveryOptions call) {
    return Bus.request(vertx, Addresses.STRUCTURED_SEARCH, Structured.Search.of(user, character, kinds,
        recall.getInteger("profile_limit", 20), recall.getInteger("upcoming_days", 7)), call, Structured.Found::fromJson);
  }

}
