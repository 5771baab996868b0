package verticles.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.admin.AdminVerticle;
import verticles.archiver.ArchiverVerticle;
import verticles.archiver.LocalObjectStore;
import verticles.archiver.ObjectStore;
import verticles.archiver.S3ObjectStore;
import verticles.changes.ChangeEvents;
import verticles.changes.ChangeRelayVerticle;
import verticles.changes.WebhookVerticle;
import verticles.embedded.EmbeddedKafka;
import verticles.embedded.EmbeddedMariaDb;
import verticles.extractor.Extractor;
import verticles.forgetting.ForgettingVerticle;
import verticles.extractor.LLMExtractorVerticle;
import verticles.conflicts.ConflictSettings;
import verticles.conflicts.ConflictVerticle;
import verticles.extractor.OpenAiExtractor;
import verticles.extractor.rules.RuleExtractor;
import verticles.gateway.GatewayVerticle;
import verticles.gateway.IngestGate;
import verticles.gateway.RateLimiter;
import verticles.intent.IntentDetectorVerticle;
import verticles.merger.MergerVerticle;
import verticles.outbox.BacklogVerticle;
import verticles.outbox.KafkaSetup;
import verticles.outbox.OutboxVerticle;
import verticles.session.SessionMemoryVerticle;
import verticles.shared.Breakers;
import verticles.shared.Meters;
import verticles.shared.SkippedRecords;
import verticles.structured.EntityVerticle;
import verticles.structured.MemoryWriteVerticle;
import verticles.structured.Mysql;
import verticles.structured.RetentionVerticle;
import verticles.structured.StructuredSearchVerticle;
import verticles.structured.TaskStoreVerticle;
import verticles.vectorsearch.HybridScorer;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.VectorSearchVerticle;
import verticles.vectorsearch.embedding.Embedder;
import verticles.vectorsearch.embedding.BilingualEmbedder;
import verticles.vectorsearch.embedding.OnnxEmbedder;
import verticles.vectorsearch.embedding.OpenAiEmbedder;
import verticles.vectorsearch.lucene.LuceneMemoryIndex;
import verticles.vectorsearch.vikingdb.VikingDbMemoryIndex;

/**
 * One Engram node: the embedded stores it is configured to run, a Vert.x instance and every verticle. The embedded
 * parts start only when their external twin is not configured.
 */
public final class Engram implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engram.class);
  private static final String ZH_MODEL = "bge-small-zh-v15-q";
  private static final String EN_MODEL = "bge-small-en-v15-q";

  private final JsonObject config;
  private EmbeddedMariaDb mariaDb;
  private EmbeddedKafka kafka;
  private Vertx vertx;
  private MemoryIndex index;
  private Embedder embedder;
  private ObjectStore objectStore;
  private CircuitBreaker llmBreaker;
  private PrometheusMeterRegistry metrics;
  private Roles roles = Roles.all();
  /** The deployment of the change relay (worker nodes), which a test stops and starts again. */
  private String changeRelay;
  /** Deployment ids per tier, in start order: the stores' verticles, their producers and consumers, the API. */
  private final List<List<String>> tiers = new ArrayList<>();

  private Engram(JsonObject config) {
    this.config = config;
  }

  /** Starts everything; blocks until the node serves. Call from a plain thread, not an event loop. */
  public static Engram start(JsonObject config) throws Exception {
    Engram e = new Engram(config.copy());
    try {
      e.boot();
    } catch (Exception ex) {
      e.close();
      throw ex;
    }
    return e;
  }

  private void boot() throws Exception {
    long t0 = System.nanoTime();
    Path data = Path.of(config.getString("data_dir", "./data")).toAbsolutePath();
    Files.createDirectories(data);
    config.put("data_dir", data.toString());
    JsonObject http = config.getJsonObject("http");
    if (http.getInteger("port", 0) == 0) {
      http.put("port", verticles.embedded.Ports.free()); // every gateway instance must share one known port
    }
    JsonObject mysql = config.getJsonObject("mysql");
    JsonObject kafkaCfg = config.getJsonObject("kafka");
    JsonObject clusterCfg = config.getJsonObject("cluster", new JsonObject());
    boolean clustered = clusterCfg.getBoolean("enabled", false);
    roles = clustered ? Roles.parse(clusterCfg.getString("roles", "all")) : Roles.all();
    if (roles.has(Roles.GATEWAY)) {
      ApiKeySetup.prepare(config, data); // before any store starts: production without keys fails at once
    }

    // The two embedded servers take seconds each; start them side by side.
    Thread dbThread = null;
    Exception[] dbError = new Exception[1];
    if (roles.usesMysql() && mysql.getBoolean("embedded", true)) {
      mariaDb = new EmbeddedMariaDb(data.resolve("mysql"), mysql.getInteger("port", 0), mysql.getString("database"));
      dbThread = new Thread(() -> {
        try {
          mariaDb.start();
        } catch (Exception ex) {
          dbError[0] = ex;
        }
      }, "mariadb-start");
      dbThread.start();
      mysql.put("host", "127.0.0.1").put("port", mariaDb.port()).put("user", "root").put("password", "");
    }
    if (roles.has(Roles.WORKER) && kafkaCfg.getBoolean("embedded", true)) {
      kafka = new EmbeddedKafka(data.resolve("kafka"), kafkaCfg.getInteger("port", 0));
      kafka.start();
      kafkaCfg.put("bootstrap_servers", kafka.bootstrapServers());
    }
    if (dbThread != null) {
      dbThread.join();
      if (dbError[0] != null) {
        throw dbError[0];
      }
    }

    // One registry per node (tests run several nodes in one JVM), found by name from any verticle.
    String registryName = "engram-" + java.util.UUID.randomUUID();
    metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    config.put("metrics_registry", registryName);
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setRegistryName(registryName));
    io.vertx.core.VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics));
    if (clustered) {
      options.getEventBusOptions().setHost(blankToNull(clusterCfg.getString("host", "")))
          .setClusterPublicHost(blankToNull(clusterCfg.getString("public_address", "")));
      vertx = Future.await(builder.with(options).withClusterManager(ClusterConfig.manager(clusterCfg))
          .buildClustered());
    } else {
      vertx = builder.with(options).build();
    }
    if (roles.has(Roles.INDEX)) {
      if (clustered && "lucene".equals(config.getJsonObject("index").getString("type", "lucene"))) {
        ownLuceneIndex(clusterCfg);
      }
      embedder = Future.await(vertx.executeBlocking(() -> createEmbedder()));
      index = createIndex(data);
    }
    if (roles.has(Roles.WORKER)) {
      objectStore = createObjectStore(data);
      Future.await(KafkaSetup.ensureTopics(vertx, kafkaCfg, ChangeEvents.topic(config)));
    }
    if (roles.usesMysql()) {
      Future.await(Mysql.migrate(vertx, mysql)); // Flyway takes a database lock, so nodes may migrate side by side
    }

    // Stores' verticles first, then their callers: consumers and producers, then the API.
    JsonObject n = config.getJsonObject("instances", new JsonObject());
    List<Future<String>> stores = new ArrayList<>();
    if (roles.usesMysql()) {
      stores.add(deploy(StructuredSearchVerticle::new, n.getInteger("structured", 1)));
      stores.add(deploy(TaskStoreVerticle::new, n.getInteger("tasks", 1)));
      stores.add(deploy(MemoryWriteVerticle::new, n.getInteger("writer", 1)));
      stores.add(deploy(EntityVerticle::new, n.getInteger("entities", 1)));
      stores.add(deploy(RetentionVerticle::new, n.getInteger("retention", 1)));
      // the memory writer's and the extractor's conflict detector: stores nothing, asks the index (and the LLM)
      CircuitBreaker judge = ConflictSettings.from(config).llmJudged(config)
          ? llmBreaker() : null;
      stores.add(deploy(() -> new ConflictVerticle(judge), n.getInteger("conflicts", 1)));
    }
    if (roles.has(Roles.INDEX)) {
      stores.add(deploy(() -> new VectorSearchVerticle(embedder, index), n.getInteger("vector", 1)));
    }
    if (roles.has(Roles.WORKER)) {
      stores.add(deploy(() -> new ArchiverVerticle(objectStore), n.getInteger("archiver", 1)));
    }
    if (roles.has(Roles.RECALL)) {
      stores.add(deploy(IntentDetectorVerticle::new, n.getInteger("intent", 1)));
      stores.add(deploy(MergerVerticle::new, n.getInteger("merger", 2)));
    }
    if (roles.has(Roles.GATEWAY) || roles.has(Roles.RECALL)) {
      // its callers' nodes: the embedded store is the cluster's shared map, Redis is reached from anywhere
      stores.add(deploy(SessionMemoryVerticle::new, n.getInteger("session_memory", 1)));
    }
    tiers.add(Future.await(Future.all(stores)).list());
    if (roles.has(Roles.WORKER)) {
      tiers.add(Future.await(Future.all(List.of(
          deploy(OutboxVerticle::new, n.getInteger("outbox", 1)),
          deploy(ChangeRelayVerticle::new, n.getInteger("change_relay", 1)).onSuccess(id -> changeRelay = id),
          deploy(WebhookVerticle::new, n.getInteger("webhooks", 1)),
          deploy(BacklogVerticle::new, 1), // node-wide gauges: one per node
          deploy(() -> new ForgettingVerticle(modelConfigured() ? llmBreaker() : null), 1), // one sweep per cluster
          deploy(() -> new LLMExtractorVerticle(createExtractor()), n.getInteger("extractor", 2))))).list());
    }
    if (roles.has(Roles.GATEWAY)) {
      tiers.add(List.of(Future.await(deploy(AdminVerticle::new, n.getInteger("admin", 1)))));
      int gateways = n.getInteger("gateway", 0);
      JsonObject auth = config.getJsonObject("auth");
      RateLimiter limiter = new RateLimiter(auth.getDouble("rate_limit_per_s", 5000.0),
          auth.getDouble("rate_limit_burst", 10_000.0));
      JsonObject sessions = config.getJsonObject("sessions");
      IngestGate gate = new IngestGate(sessions.getLong("max_backlog", 1000L));
      gate.start(vertx, sessions.getLong("backlog_poll_ms", 1000L));
      tiers.add(List.of(Future.await(deploy(() -> new GatewayVerticle(limiter, gate),
          gateways > 0 ? gateways : Runtime.getRuntime().availableProcessors()))));
    }
    LOG.info("Engram {} node with roles {} {}(data in {}, started in {} ms)", clustered ? "clustered" : "single",
        roles, roles.has(Roles.GATEWAY) ? "listening on http://" + http.getString("host") + ":" + port() + " " : "",
        data, (System.nanoTime() - t0) / 1_000_000);
  }

  /** The API's tier first, the stores' last; each step waits for its own drain and a little more, no longer. */
  private Future<String> deploy(Supplier<? extends io.vertx.core.Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances).setConfig(config));
  }

  private Embedder createEmbedder() {
    JsonObject cfg = config.getJsonObject("embedding");
    return switch (cfg.getString("provider", "onnx")) {
      case "onnx" -> onnxEmbedder(cfg.getString("model", BilingualEmbedder.NAME));
      case "openai" -> new OpenAiEmbedder(vertx, cfg);
      default -> throw new IllegalArgumentException("embedding.provider must be onnx or openai");
    };
  }

  /**
   * One ONNX model, or for {@code "auto"} the Chinese and the English model, each text embedded by its language's. An
   * engine that holds one vector per record (VikingDB: its collection has one dimension) gets the Chinese model alone.
   */
  private Embedder onnxEmbedder(String model) {
    if (!BilingualEmbedder.NAME.equals(model)) {
      return new OnnxEmbedder(vertx, model);
    }
    if ("vikingdb".equals(config.getJsonObject("index").getString("type", "lucene"))) {
      LOG.info("embedding.model auto with index.type vikingdb: one vector per record, the Chinese model for all texts");
      return new OnnxEmbedder(vertx, ZH_MODEL);
    }
    return new BilingualEmbedder(new OnnxEmbedder(vertx, ZH_MODEL), new OnnxEmbedder(vertx, EN_MODEL));
  }

  private Extractor createExtractor() {
    JsonObject cfg = config.getJsonObject("extractor");
    return switch (cfg.getString("type", "rules")) {
      case "rules" -> new RuleExtractor();
      case "openai" -> new OpenAiExtractor(vertx, cfg.getJsonObject("llm"), llmBreaker());
      default -> throw new IllegalArgumentException("extractor.type must be rules or openai");
    };
  }

  /** Whether an OpenAI-compatible model is configured (the extractor's): compression then asks it too. */
  private boolean modelConfigured() {
    return "openai".equals(config.getJsonObject("extractor").getString("type", "rules"));
  }

  /** The node's one {@code llm} breaker, shared by its extractor instances (they call the same endpoint). */
  private synchronized CircuitBreaker llmBreaker() {
    if (llmBreaker == null) {
      llmBreaker = Breakers.create(vertx, config, "llm",
          config.getJsonObject("extractor").getJsonObject("llm").getLong("timeout_ms", 30_000L));
    }
    return llmBreaker;
  }

  /**
   * A local Lucene index serves the whole cluster from one node: two index nodes would each hold part of the
   * memories, since the event bus spreads writes over them. So an index node first takes the cluster-wide lock
   * {@code engram.index.lucene}; a second one waits (a replacement, while the cluster notices its predecessor
   * died) and then refuses to start. For several index nodes, use a shared engine ({@code index.type vikingdb}).
   */
  private void ownLuceneIndex(JsonObject clusterCfg) throws Exception {
    long waitMs = clusterCfg.getLong("index_lock_wait_ms", 60_000L);
    try {
      Future.await(vertx.sharedData().getLockWithTimeout("engram.index.lucene", waitMs));
    } catch (Exception e) {
      throw new IllegalStateException("another node already runs the index role on a local Lucene index (waited "
          + waitMs + " ms for cluster lock engram.index.lucene); run one index node, or set index.type vikingdb", e);
    }
  }

  private MemoryIndex createIndex(Path data) {
    JsonObject cfg = config.getJsonObject("index");
    SkippedRecords skipped = new SkippedRecords(Meters.registry(config)); // the registry every verticle reports to
    return switch (cfg.getString("type", "lucene")) {
      case "lucene" -> new LuceneMemoryIndex(data.resolve("index"), embedder.dimensions(), cfg, skipped);
      case "vikingdb" -> new VikingDbMemoryIndex(embedder.dimension(), cfg.getJsonObject("vikingdb", new JsonObject()),
          new HybridScorer(cfg, skipped));
      default -> throw new IllegalArgumentException("index.type must be lucene or vikingdb");
    };
  }

  private ObjectStore createObjectStore(Path data) {
    JsonObject cfg = config.getJsonObject("object_store");
    return switch (cfg.getString("type", "local")) {
      case "local" -> new LocalObjectStore(vertx, data.resolve("archive"));
      case "s3" -> new S3ObjectStore(vertx, cfg,
          Breakers.create(vertx, config, "object-storage", cfg.getLong("timeout_ms", 10_000L)));
      default -> throw new IllegalArgumentException("object_store.type must be local or s3");
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  public Roles roles() {
    return roles;
  }

  public int port() {
    return config.getJsonObject("http").getInteger("port");
  }

  public Vertx vertx() {
    return vertx;
  }

  public JsonObject config() {
    return config;
  }

  public EmbeddedMariaDb mariaDb() {
    return mariaDb;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** The change relay's deployment id on a worker node, else null. */
  public String changeRelayDeployment() {
    return changeRelay;
  }

  public MemoryIndex index() {
    return index;
  }

  public Embedder embedder() {
    return embedder;
  }

  public ObjectStore objectStore() {
    return objectStore;
  }

  /**
   * Stops in the order that lets work in flight finish: the API first (no new connections, readiness 503, the
   * requests in flight answered, up to {@code shutdown.drain_timeout_ms}), then the task consumers (their records in
   * flight settled, as long again at most), then the stores' verticles, the embedding model, Vert.x, the index and
   * the embedded servers last.
   */
  @Override
  public void close() {
    long drainMs = config.getJsonObject("shutdown", new JsonObject()).getLong("drain_timeout_ms", 10_000L);
    Shutdown stop = new Shutdown();
    if (vertx != null) {
      stop.then(() -> Shutdown.undeployTiers(vertx, tiers, drainMs));
    }
    List<Embedder> models = embedder instanceof BilingualEmbedder both ? List.of(both.chinese(), both.english())
        : embedder == null ? List.of() : List.of(embedder);
    for (Embedder model : models) {
      if (model instanceof OnnxEmbedder onnx) {
        stop.then(() -> onnx.close(drainMs)); // its callers are gone: what it still runs is theirs
      }
    }
    if (vertx != null) {
      stop.then(() -> Future.await(vertx.close()));
    }
    if (index != null) {
      stop.then(index::close);
    }
    if (kafka != null) {
      stop.then(kafka::stop);
    }
    if (mariaDb != null) {
      stop.then(mariaDb::stop);
    }
    stop.run();
    LOG.info("Engram stopped");
  }
}
