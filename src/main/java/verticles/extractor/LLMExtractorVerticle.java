package verticles.extractor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.conflicts.ConflictSettings;
import verticles.contracts.Entities;
import verticles.contracts.Memories;
import verticles.contracts.Sessions;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;
import verticles.contracts.VectorStore;
import verticles.extractor.rules.RuleExtractor;
import verticles.outbox.KafkaSetup;
import verticles.vectorsearch.MemoryRecord;
import verticles.shared.Breakers;
import verticles.shared.MemoryIds;
import verticles.shared.Meters;
import verticles.shared.ThrottledLog;

/**
 * A member of the Kafka consumer group {@code memory-worker-group}: per task, extract (summary ∥ profiles ∥ events),
 * embed and index, write MySQL (idempotently by task id), then hand the conversation to the Archiver.
 *
 * <p>Offsets are committed explicitly, per partition, up to the highest contiguously finished record; in-flight
 * records are bounded per partition by pausing that partition only. A failed task goes back to the outbox with a
 * later attempt time (so it never blocks its partition); once its retries are spent it is marked failed and sent
 * to the DLQ topic. A task whose extraction the open {@code llm} breaker refused spends no retry: its record waits
 * and is tried again, as while MySQL is away.
 *
 * <p>Metrics (seed §7): {@code memory_generation_tasks_total{status}} counts settled attempts: {@code success}
 * (completed), {@code retry} (failed, rescheduled) and {@code failure} (failed for good, or a record that cannot be a
 * task; both go to the DLQ); {@code memory_generation_latency_seconds} times claim → completed.
 */
public final class LLMExtractorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LLMExtractorVerticle.class);
  /** While a store or the model is away every record waits: one WARN per interval says so, not one per record. */
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private final Extractor extractor;
  private KafkaConsumer<String, String> consumer;
  private KafkaProducer<String, String> dlqProducer;
  private final Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private int maxInFlight;
  /** Records this instance works on at once, over all its partitions: bounds its LLM calls and memory. */
  private int maxInFlightTotal;
  private int inFlightTotal;
  private boolean pausedAll;
  /** Set by stop(): completed when the last record in flight settles. */
  private io.vertx.core.Promise<Void> drained;
  private final java.util.Set<TopicPartition> assigned = new java.util.HashSet<>();
  private MemoryRecords.MessageIndexing messageIndexing;
  private String dlqTopic;
  private DeliveryOptions storeCall;
  private DeliveryOptions writebackCall;
  /** The trigger of a chapter's write-back task (POST /v1/projects/{p}/chapters/{c}/writeback). */
  public static final String WRITEBACK = "writeback";
  private TaskConflicts conflicts;
  private Counter succeeded;
  private Counter retried;
  private Counter failed;
  private Timer latency;

  public LLMExtractorVerticle(Extractor extractor) {
    this.extractor = extractor;
  }

  @Override
  public Future<?> start() {
    JsonObject kafka = config().getJsonObject("kafka");
    JsonObject cfg = config().getJsonObject("extractor");
    maxInFlight = cfg.getInteger("max_in_flight_per_partition", 8);
    maxInFlightTotal = cfg.getInteger("max_in_flight", 32);
    messageIndexing = MemoryRecords.MessageIndexing.from(cfg);
    dlqTopic = kafka.getString("dlq_topic");
    storeCall = new DeliveryOptions().setSendTimeout(cfg.getLong("store_timeout_ms", 30_000L));
    // a write-back applies each item in a transaction of its own, each entity's index record brought along
    writebackCall = new DeliveryOptions().setSendTimeout(4 * cfg.getLong("store_timeout_ms", 30_000L));
    conflicts = new TaskConflicts(vertx, ConflictSettings.from(config()));
    MeterRegistry registry = Meters.registry(config());
    succeeded = tasks(registry, "success");
    retried = tasks(registry, "retry");
    failed = tasks(registry, "failure");
    latency = Meters.timer("memory_generation_latency", 1, 5, 10, 30, 60, 120)
        .description("Memory generation latency, task claimed to completed").register(registry);
    dlqProducer = KafkaProducer.create(vertx, KafkaSetup.producer(kafka));
    consumer = KafkaConsumer.create(vertx, KafkaSetup.consumer(kafka));
    consumer.partitionsRevokedHandler(parts -> {
      parts.forEach(this::forget);
      assigned.removeAll(parts);
    });
    consumer.partitionsAssignedHandler(parts -> {
      parts.forEach(this::forget);
      assigned.addAll(parts);
      if (pausedAll) {
        consumer.pause(parts); // still at the instance's limit
      }
    });
    consumer.exceptionHandler(e -> LOG.warn("Kafka consumer: {}", e.toString()));
    consumer.handler(this::onRecord);
    return consumer.subscribe(kafka.getString("topic"));
  }

  private static Counter tasks(MeterRegistry registry, String status) {
    return Counter.builder("memory_generation_tasks").description("Total memory generation tasks")
        .tag("status", status).register(registry);
  }

  private void forget(TopicPartition tp) {
    // Records of a revoked partition that are still running finish, but their commits are dropped:
    // the new owner replays them and the writes are idempotent.
    trackers.remove(tp);
    paused.remove(tp);
  }

  private void onRecord(KafkaConsumerRecord<String, String> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    PartitionTracker tracker = trackers.computeIfAbsent(tp, k -> new PartitionTracker());
    tracker.started(record.offset());
    if (tracker.inFlight() >= maxInFlight && paused.add(tp)) {
      consumer.pause(tp);
    }
    if (++inFlightTotal >= maxInFlightTotal && !pausedAll) {
      pausedAll = true;
      consumer.pause(Set.copyOf(assigned));
    }
    settle(record, tp, tracker, 0)
        .onComplete(x -> {
          inFlightTotal--;
          if (drained != null && inFlightTotal == 0) {
            drained.tryComplete();
          }
          if (pausedAll && inFlightTotal < maxInFlightTotal) {
            pausedAll = false;
            Set<TopicPartition> resume = new java.util.HashSet<>(assigned);
            resume.removeAll(paused); // those wait for their own records to finish
            consumer.resume(resume);
          }
        })
        .onSuccess(x -> finished(tp, tracker, record.offset()));
  }

  /** Processes a record until it is settled; while the stores are away it waits and tries again. */
  private Future<Void> settle(KafkaConsumerRecord<String, String> record, TopicPartition tp, PartitionTracker tracker,
      int attempt) {
    return process(record).recover(e -> {
      if (trackers.get(tp) != tracker) {
        return Future.failedFuture(e); // partition moved to another worker, which replays the record
      }
      long delay = Math.min(30_000L, 500L << Math.min(attempt, 6));
      AWAY.warn("settle", "Task record {}@{} not settled ({}), trying again in {} ms", tp, record.offset(),
          e.toString(), delay);
      return vertx.timer(delay).compose(x -> settle(record, tp, tracker, attempt + 1));
    });
  }

  private void finished(TopicPartition tp, PartitionTracker tracker, long offset) {
    if (trackers.get(tp) != tracker) {
      return; // partition was revoked meanwhile
    }
    long commit = tracker.done(offset);
    if (commit >= 0) {
      consumer.commit(Map.of(tp, new OffsetAndMetadata(commit, "")))
          .onFailure(e -> LOG.warn("Commit of {}@{} failed (rebalance?): {}", tp, commit, e.toString()));
    }
    if (paused.contains(tp) && tracker.inFlight() < maxInFlight) {
      paused.remove(tp);
      if (!pausedAll) { // else the instance-wide resume brings it back
        consumer.resume(tp);
      }
    }
  }

  /** Settles one record: completed, skipped, rescheduled or dead-lettered. Fails only if even that was impossible. */
  private Future<Void> process(KafkaConsumerRecord<String, String> record) {
    JsonObject task;
    try {
      task = new JsonObject(record.value());
      if (task.getString("task_id") == null || task.getJsonArray("messages") == null) {
        throw new DecodeException("task_id and messages are required");
      }
    } catch (RuntimeException e) {
      LOG.warn("Malformed task record at {}-{}@{}, sent to the DLQ: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return deadLetter(record.key(), record.value(), "malformed task: " + e.getMessage())
          .onSuccess(x -> failed.increment());
    }
    String taskId = task.getString("task_id");
    return Bus.request(vertx, Addresses.TASK_CLAIM, new Tasks.Claim(taskId, task.getString("user_id"),
            task.getString("character_id")), storeCall, Tasks.Row::fromJson)
        .compose(claim -> {
          if (claim == null) {
            return deadLetter(record.key(), record.value(), "unknown task " + taskId).onSuccess(x -> failed.increment());
          }
          if (claim.status() != TaskStatus.PROCESSING) {
            // forgotten: the owner was forgotten after the task was made; it is settled, not dead-lettered
            LOG.debug("Task {} already {}, skipped", taskId, claim.status().wire());
            return Future.succeededFuture();
          }
          try {
            // checked before anything is written: a time MySQL cannot hold failed the task's MySQL write after its
            // index write, on every retry, and left index records that no MySQL row backs
            Sessions.requireTimes(task.getJsonArray("messages"));
          } catch (IllegalArgumentException e) {
            return settleFailure(task, record, "invalid task: " + e.getMessage(), true);
          }
          long claimed = System.nanoTime();
          return (WRITEBACK.equals(task.getString("trigger")) ? writeback(task) : run(task))
              .onSuccess(x -> {
                succeeded.increment();
                latency.record(System.nanoTime() - claimed, TimeUnit.NANOSECONDS);
              })
              .recover(e -> Bus.code(e) == Failures.GONE ? forgotten(taskId)
                  // an open breaker never let the call reach its service: the attempt says nothing about the task,
                  // so it keeps its retries and the record waits (as while MySQL is away) until the service returns
                  : Breakers.shortCircuited(e) ? Future.failedFuture(e)
                  : settleFailure(task, record, e.getMessage() == null ? e.toString() : e.getMessage(), false));
        });
  }

  /** A write refused because the owner was forgotten meanwhile: nothing to retry, and no copy for the DLQ. */
  private Future<Void> forgotten(String taskId) {
    LOG.info("Task {} dropped: its owner was forgotten while it ran", taskId);
    return Future.succeededFuture();
  }

  /**
   * A chapter's write-back: the chapter is the task's one message (its {@code msg_id} the chapter id), extracted by
   * the model when one is configured, else by the rule fallback, and applied by the entity store.
   */
  private Future<Void> writeback(JsonObject task) {
    JsonObject chapter = task.getJsonArray("messages").getJsonObject(0);
    String content = chapter.getString("content", "");
    boolean llm = extractor instanceof OpenAiExtractor;
    Future<JsonObject> extracted = extractor instanceof OpenAiExtractor ai ? ai.chapter(content)
        : vertx.executeBlocking(() -> Chapters.rules(content), false);
    return extracted.compose(x -> Bus.request(vertx, Addresses.CHAPTERS_APPLY, new Entities.Writeback(
            task.getString("task_id"), task.getString("user_id"), task.getString("character_id"),
            chapter.getString("msg_id"), llm ? "llm" : "rules", x), writebackCall, Entities.Item::fromJson))
        .mapEmpty();
  }

  private Future<Void> run(JsonObject task) {
    long started = System.nanoTime();
    // The rule extractor is pure CPU (milliseconds for long sessions): keep it off the event loop.
    Future<JsonObject> extracted = extractor instanceof RuleExtractor rules
        ? vertx.executeBlocking(() -> rules.extractNow(task), false)
        : extractor.extract(task);
    Tasks.Work work = Tasks.Work.fromJson(task);
    return extracted
        .compose(extraction -> mentions(task, extraction).map(extraction))
        .compose(extraction -> {
          List<MemoryRecord> records = MemoryRecords.from(task, extraction, messageIndexing);
          return indexable(work.taskId(), records)
              .compose(indexed -> conflicts.detect(work, indexed, records).compose(findings -> {
                // a restatement of a stored memory is merged into it, so it is not indexed on its own
                Set<String> merged = TaskConflicts.merged(findings, work.taskId());
                List<MemoryRecord> kept = indexed.stream().filter(r -> !merged.contains(r.id())).toList();
                return Bus.request(vertx, Addresses.VECTOR_UPSERT, new VectorStore.Upsert(work.taskId(), null, kept),
                        storeCall, VectorStore.Upserted::fromJson)
                    .compose(x -> Bus.request(vertx, Addresses.MEMORIES_WRITE, new Memories.Write(work, extraction,
                        records, findings), storeCall, Memories.Written::fromJson));
              }))
              .map(x -> extraction);
        })
        .map(extraction -> {
          LOG.debug("Task {} completed in {} ms", work.taskId(), (System.nanoTime() - started) / 1_000_000);
          // Archiving is retried by the Archiver and never fails the task.
          vertx.eventBus().send(Addresses.ARCHIVE_WRITE, new Memories.Write(work, extraction).toJson());
          return null;
        });
  }

  /**
   * The people, pets and places the conversation names, applied by the entity store before the task's memories are
   * written: a failure fails the task, whose replay first undoes what this run wrote.
   */
  private Future<Void> mentions(JsonObject task, JsonObject extraction) {
    JsonArray items = extraction.getJsonArray("entities");
    if (items == null || items.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray messages = task.getJsonArray("messages");
    long time = messages.isEmpty() ? 0L : messages.getJsonObject(messages.size() - 1).getLong("timestamp", 0L);
    return Bus.request(vertx, Addresses.ENTITIES_MENTIONS, new Entities.Mentions(task.getString("task_id"),
        task.getString("user_id"), task.getString("character_id"), task.getString("session_id"), time, items),
        writebackCall, Entities.Item::fromJson).mapEmpty();
  }

  /**
   * The records to index: all that the task says once, and of its keyed records (profile facts, recurring events)
   * those that MySQL will store as new memories or new versions. A fact stated again, or one the user deleted, keeps
   * the version the index has.
   */
  private Future<List<MemoryRecord>> indexable(String taskId, List<MemoryRecord> records) {
    List<MemoryRecord> keyed = records.stream().filter(r -> MemoryIds.keyed(r.id(), taskId)).toList();
    if (keyed.isEmpty()) {
      return Future.succeededFuture(records);
    }
    return Bus.request(vertx, Addresses.MEMORIES_TRIAGE, new Memories.Triage(taskId, keyed), storeCall,
        Memories.Triaged::fromJson).map(triaged -> {
          List<MemoryRecord> out = new ArrayList<>(records.stream()
              .filter(r -> !MemoryIds.keyed(r.id(), taskId)).toList());
          out.addAll(triaged.records());
          return out;
        });
  }

  /**
   * A failed attempt: rescheduled, or (retries spent, or {@code permanent}) failed for good, its index records removed
   * and the record dead-lettered.
   */
  private Future<Void> settleFailure(JsonObject task, KafkaConsumerRecord<String, String> record, String reason,
      boolean permanent) {
    String taskId = task.getString("task_id");
    return Bus.request(vertx, Addresses.TASK_FAIL, new Tasks.Fail(taskId, extractor.name() + ": " + reason, permanent),
            storeCall, Tasks.Failed::fromJson)
        .compose(r -> {
          if (r == null) {
            return forgotten(taskId); // the row is gone: only a forget deletes task rows
          }
          if (r.status() == TaskStatus.FAILED) {
            failed.increment(); // counted once: MySQL now says failed, and a replay of the record is skipped
            LOG.warn("Task {} failed for good, sent to the DLQ: {}", taskId, reason);
            return removeIndexRecords(taskId).transform(x -> deadLetter(record.key(), record.value(), reason));
          }
          if (r.status() == TaskStatus.PENDING) {
            retried.increment(); // not when a replay of the task completed meanwhile
          }
          LOG.info("Task {} failed ({}), retry scheduled", taskId, reason);
          return Future.<Void>succeededFuture();
        });
  }

  /**
   * A task that failed for good wrote no MySQL rows (its write is one transaction that also completes it), so what an
   * earlier attempt put in the index goes too: an empty write of the task replaces all its records by none. Should
   * the index be away, the records stay until the task is replayed or its owner forgotten.
   */
  private Future<Void> removeIndexRecords(String taskId) {
    return Bus.request(vertx, Addresses.VECTOR_UPSERT, new VectorStore.Upsert(taskId, null, List.of()), storeCall,
            VectorStore.Upserted::fromJson)
        .<Void>mapEmpty()
        .onFailure(e -> LOG.warn("Task {} failed for good; its index records stay: {}", taskId, e.toString()));
  }

  private Future<Void> deadLetter(String key, String value, String reason) {
    KafkaProducerRecord<String, String> r = KafkaProducerRecord.create(dlqTopic, key, value);
    r.addHeader("error", reason == null ? "" : reason);
    return dlqProducer.send(r).mapEmpty();
  }

  /**
   * Takes no more records and lets those in flight settle, up to {@code shutdown.drain_timeout_ms}, so that a clean
   * stop leaves no task half-written; then closes the consumer (what did not settle is replayed by the next owner).
   */
  @Override
  public Future<?> stop() {
    long drainMs = config().getJsonObject("shutdown", new JsonObject()).getLong("drain_timeout_ms", 10_000L);
    drained = io.vertx.core.Promise.promise();
    if (consumer != null) {
      consumer.pause(); // the records fetched but not handed over stay uncommitted
    }
    if (inFlightTotal == 0) {
      drained.tryComplete();
    }
    return drained.future().timeout(drainMs, TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("Stopping with {} task records still in flight after {} ms; they will be replayed", inFlightTotal,
              drainMs);
          return Future.succeededFuture();
        })
        .compose(x -> Future.join(consumer == null ? Future.succeededFuture() : consumer.close(),
            dlqProducer == null ? Future.succeededFuture() : dlqProducer.close()));
  }
}
