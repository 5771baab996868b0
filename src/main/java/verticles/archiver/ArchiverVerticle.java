package verticles.archiver;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.stores.ObjectStore;

/**
 * Writes the seed's conversation archive to object storage at
 * {@code conversations/{user}/{character}/{yyyy}/{mm}/{dd}/{session}.json} and records the path. A session cut into
 * several tasks accumulates in one archive (messages merged by msg_id). Failures are retried with backoff and never
 * fail the memory task.
 */
public final class ArchiverVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiverVerticle.class);

  private final ObjectStore store;
  private int maxAttempts;
  private long backoffMs;

  public ArchiverVerticle(ObjectStore store) {
    this.store = store;
  }

  @Override
  public Future<?> start() {
    JsonObject cfg = config().getJsonObject("archive", new JsonObject());
    maxAttempts = cfg.getInteger("max_attempts", 6);
    backoffMs = cfg.getLong("backoff_ms", 1000L);
    return Future.all(
        Bus.consume(vertx, Addresses.ARCHIVE_WRITE, body -> attempt(body.getJsonObject("task"),
            body.getJsonObject("extraction", new JsonObject()), 1)
            .map(path -> new JsonObject().put("archive_path", path))),
        // readiness: one existence check (a HEAD on S3) proves the store answers and accepts our credentials
        Bus.consume(vertx, Addresses.HEALTH_ARCHIVE, body -> store.exists("health/probe")
            .map(x -> new JsonObject().put("store", store.describe()))));
  }

  private Future<String> attempt(JsonObject task, JsonObject extraction, int n) {
    return archive(task, extraction).recover(e -> {
      if (n >= maxAttempts) {
        LOG.error("Archiving task {} gave up after {} attempts: {}", task.getString("task_id"), n, e.toString());
        return Future.failedFuture(e);
      }
      long delay = backoffMs * (1L << Math.min(n - 1, 6));
      LOG.warn("Archiving task {} failed ({}), retry {} in {} ms", task.getString("task_id"), e.toString(), n, delay);
      return vertx.timer(delay).compose(x -> attempt(task, extraction, n + 1));
    });
  }

  Future<String> archive(JsonObject task, JsonObject extraction) {
    String key = key(task);
    return store.get(key)
        .map(existing -> new JsonObject(existing))
        .recover(e -> e instanceof ObjectStore.NotFound ? Future.succeededFuture(null) : Future.failedFuture(e))
        .compose(existing -> store.put(key, Buffer.buffer(merge(existing, task, extraction).encodePrettily()),
            "application/json; charset=utf-8"))
        .compose(x -> vertx.eventBus().request(Addresses.ARCHIVE_PATH_SET,
            new JsonObject().put("task_id", task.getString("task_id")).put("path", key),
            new DeliveryOptions().setSendTimeout(5000)))
        .map(x -> key);
  }

  static String key(JsonObject task) {
    JsonArray messages = task.getJsonArray("messages", new JsonArray());
    long first = messages.isEmpty() ? Instant.now().getEpochSecond()
        : messages.getJsonObject(0).getLong("timestamp", Instant.now().getEpochSecond());
    ZonedDateTime day = Instant.ofEpochSecond(first).atZone(ZoneOffset.UTC);
    return String.format("conversations/%s/%s/%04d/%02d/%02d/%s.json", task.getString("user_id"),
        task.getString("character_id"), day.getYear(), day.getMonthValue(), day.getDayOfMonth(),
        task.getString("session_id"));
  }

  /** The seed's archive format; an earlier part of the same session keeps its messages. */
  static JsonObject merge(JsonObject existing, JsonObject task, JsonObject extraction) {
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    JsonArray all = new JsonArray();
    if (existing != null) {
      existing.getJsonArray("messages", new JsonArray()).forEach(m -> all.add(m));
    }
    task.getJsonArray("messages", new JsonArray()).forEach(m -> all.add(m));
    int anon = 0;
    for (Object o : all) {
      JsonObject m = (JsonObject) o;
      String id = m.getString("msg_id");
      byId.put(id == null ? "#" + anon++ + ":" + m.getLong("timestamp") + ":" + m.getString("content") : id, m);
    }
    JsonArray messages = new JsonArray();
    byId.values().stream().sorted((a, b) -> Long.compare(a.getLong("timestamp", 0L), b.getLong("timestamp", 0L)))
        .forEach(messages::add);
    JsonArray tasks = existing == null ? new JsonArray() : existing.getJsonArray("task_ids", new JsonArray());
    if (!tasks.contains(task.getString("task_id"))) {
      tasks.add(task.getString("task_id"));
    }
    long start = messages.isEmpty() ? 0 : messages.getJsonObject(0).getLong("timestamp", 0L);
    long end = messages.isEmpty() ? 0 : messages.getJsonObject(messages.size() - 1).getLong("timestamp", 0L);
    JsonObject summary = extraction.getJsonObject("summary");
    return new JsonObject()
        .put("session_id", task.getString("session_id"))
        .put("user_id", task.getString("user_id"))
        .put("character_id", task.getString("character_id"))
        .put("start_time", Instant.ofEpochSecond(start).toString())
        .put("end_time", Instant.ofEpochSecond(end).toString())
        .put("messages", messages)
        .put("summary", summary == null ? null : new JsonObject().put("text", summary.getString("text"))
            .put("topics", summary.getJsonArray("topics")).put("emotion", summary.getString("emotion")))
        .put("extracted_profiles", extraction.getJsonArray("profiles", new JsonArray()))
        .put("extracted_events", extraction.getJsonArray("events", new JsonArray()))
        .put("task_ids", tasks);
  }
}
