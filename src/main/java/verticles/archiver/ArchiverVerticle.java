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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Archive;
import verticles.contracts.Deleted;
import verticles.contracts.Empty;
import verticles.contracts.Forget;
import verticles.contracts.Memories;
import verticles.contracts.Owner;
import verticles.contracts.Tasks;
import verticles.shared.Breakers;
import verticles.shared.ThrottledLog;

/**
 * Writes the seed's conversation archive to object storage at
 * {@code conversations/{user}/{character}/{yyyy}/{mm}/{dd}/{session}.json} and records the path. A session cut into
 * several tasks accumulates in one archive (messages merged by msg_id): its read-merge-write holds the cluster-wide
 * lock of the archive's key, so tasks of one session finishing together, on any nodes, never lose each other's
 * messages. Failures are retried with backoff and never fail the memory task; while the object store's breaker is
 * open, archives wait for it without using up their tries. Also lists, deletes (forget) and writes exports under
 * {@code exports/{user}/}.
 */
public final class ArchiverVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiverVerticle.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private static final DeliveryOptions DB = new DeliveryOptions().setSendTimeout(5000);

  private final ObjectStore store;
  private int maxAttempts;
  private long backoffMs;
  private int maxWaiting;
  private long lockTimeoutMs;
  /** Archives now waiting out an open breaker (this instance's, on its event loop). */
  private int waiting;

  public ArchiverVerticle(ObjectStore store) {
    this.store = store;
  }

  @Override
  public Future<?> start() {
    JsonObject cfg = config().getJsonObject("archive", new JsonObject());
    maxAttempts = cfg.getInteger("max_attempts", 6);
    backoffMs = cfg.getLong("backoff_ms", 1000L);
    maxWaiting = cfg.getInteger("max_waiting", 1000);
    lockTimeoutMs = cfg.getLong("lock_timeout_ms", 10_000L);
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.ARCHIVE_WRITE, Memories.Write::fromJson,
            write -> attempt(write.task().toJson(), write.extraction(), 1).map(Archive.Archived::new)),
        Bus.consume(vertx, Addresses.ARCHIVE_USAGE, Archive.Usage::fromJson, this::usage),
        Bus.consume(vertx, Addresses.ARCHIVE_FORGET, Owner::required, this::forget),
        Bus.consume(vertx, Addresses.ARCHIVE_EXPORT, Archive.Export::fromJson, this::openExport),
        Bus.consume(vertx, Addresses.ARCHIVE_READ, Archive.Read::fromJson, new ArchiveReader(store)::read),
        // readiness: one existence check (a HEAD on S3) proves the store answers and accepts our credentials
        Bus.consume(vertx, Addresses.HEALTH_ARCHIVE, Empty::fromJson, x -> store.exists("health/probe")
            .map(y -> new JsonObject().put("store", store.describe())))));
  }

  /** The conversation prefix of a user (and character), with the trailing '/' so "u1" never matches "u10". */
  static String conversations(String user, String character) {
    return "conversations/" + user + "/" + (character == null ? "" : character + "/");
  }

  static String exports(String user) {
    return "exports/" + user + "/";
  }

  /**
   * A user's conversation archives and exports (a character's conversations only), or the whole store without a user.
   */
  private Future<Archive.Used> usage(Archive.Usage b) {
    String user = b.userId();
    String character = b.characterId();
    List<String> prefixes = user == null ? List.of("")
        : character == null ? List.of(conversations(user, null), exports(user)) : List.of(conversations(user, character));
    List<Future<List<ObjectStore.Entry>>> lists = prefixes.stream().map(store::entries).toList();
    return Future.all(lists).map(x -> {
      long bytes = 0;
      List<Archive.StoredObject> keys = new ArrayList<>();
      for (Future<List<ObjectStore.Entry>> f : lists) {
        for (ObjectStore.Entry e : f.result()) {
          bytes += e.size();
          keys.add(new Archive.StoredObject(e.key(), e.size()));
        }
      }
      return new Archive.Used(keys.size(), bytes, b.keys() ? keys : null);
    });
  }

  /**
   * The user's conversation archives (one character's when given) and the user's exports, which may hold any of
   * their characters.
   */
  private Future<Deleted> forget(Owner owner) {
    String user = owner.userId();
    return store.deletePrefix(conversations(user, owner.characterId()))
        .compose(archives -> store.deletePrefix(exports(user)).map(exports -> archives + exports))
        .map(n -> new Deleted(n));
  }

  /**
   * The seed's exports/{user}/full_export_{ts}.json, opened for a writer that sends it a page at a time
   * ({@link ExportSink}); a writer silent for {@code admin.store_timeout_ms} is taken for gone.
   */
  private Future<Archive.ExportSink> openExport(Archive.Export b) {
    String key = exports(b.userId()) + "full_export_" + b.exportedAtMs() + ".json";
    long idleMs = config().getJsonObject("admin", new JsonObject()).getLong("store_timeout_ms", 30_000L);
    return ExportSink.open(vertx, store, key, java.nio.file.Path.of(config().getString("data_dir", "./data"), "tmp",
        "exports"), idleMs);
  }

  /**
   * Archives with backoff, giving up after {@code max_attempts} failed tries. A try the open {@code object-storage}
   * breaker refused never reached the store and does not count; up to {@code max_waiting} archives wait that way
   * (their conversations are held in memory), a later one gives up at once.
   */
  private Future<String> attempt(JsonObject task, JsonObject extraction, int n) {
    return archive(task, extraction).recover(e -> {
      boolean refused = Breakers.shortCircuited(e);
      if (refused ? waiting >= maxWaiting : n >= maxAttempts) {
        LOG.error("Archiving task {} gave up after {} attempts{}: {}", task.getString("task_id"), n,
            refused ? " (" + waiting + " more wait for the object store)" : "", e.toString());
        return Future.failedFuture(e);
      }
      long delay = backoffMs * (1L << Math.min(n - 1, 6));
      if (refused) {
        AWAY.warn("refused", "Archiving task {} waits for the object store (breaker open), again in {} ms",
            task.getString("task_id"), delay);
        waiting++;
        return vertx.timer(delay).eventually(() -> {
          waiting--;
          return Future.succeededFuture();
        }).compose(x -> attempt(task, extraction, n));
      }
      LOG.warn("Archiving task {} failed ({}), retry {} in {} ms", task.getString("task_id"), e.toString(), n, delay);
      return vertx.timer(delay).compose(x -> attempt(task, extraction, n + 1));
    });
  }

  /**
   * Archives the task's conversation; null when its owner was forgotten. The owner is checked before the write and
   * again after it: a forget that deleted the archives in between must not find the object back, so then it goes.
   */
  Future<String> archive(JsonObject task, JsonObject extraction) {
    String key = key(task);
    return forgotten(task).compose(gone -> {
      if (gone) {
        LOG.info("Task {} not archived: its owner was forgotten", task.getString("task_id"));
        return Future.succeededFuture((String) null);
      }
      return merged(key, task, extraction)
          .compose(x -> forgotten(task))
          .compose(goneNow -> goneNow
              // the key ends in ".json": only this session's object (and the same owner's) can match it
              ? store.deletePrefix(key).map(n -> (String) null)
              : Bus.request(vertx, Addresses.ARCHIVE_PATH_SET, new Memories.ArchivePath(task.getString("task_id"), key),
                  DB, Tasks.Updated::fromJson).map(x -> key));
    });
  }

  /**
   * Reads the session's archive, merges the task's messages in and writes it back, holding the key's lock
   * ({@code engram.archive:{key}}; Hazelcast's in a cluster, so held across nodes, and freed if its node dies). A
   * lock not had within {@code archive.lock_timeout_ms} fails this try, which is retried like any other.
   */
  private Future<Void> merged(String key, JsonObject task, JsonObject extraction) {
    return vertx.sharedData().getLockWithTimeout("engram.archive:" + key, lockTimeoutMs)
        .compose(lock -> store.get(key)
            .map(existing -> new JsonObject(existing))
            .recover(e -> e instanceof ObjectStore.NotFound ? Future.succeededFuture(null) : Future.failedFuture(e))
            .compose(existing -> store.put(key, Buffer.buffer(merge(existing, task, extraction).encodePrettily()),
                "application/json; charset=utf-8"))
            .eventually(() -> {
              lock.release();
              return Future.succeededFuture();
            }));
  }

  private Future<Boolean> forgotten(JsonObject task) {
    return Bus.request(vertx, Addresses.FORGET_CHECK, new Forget.Check(task.getString("task_id"),
            task.getString("user_id"), task.getString("character_id"), null), DB, Forget.Checked::fromJson)
        .map(Forget.Checked::forgotten);
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
