package verticles.merger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forgetting;
import verticles.shared.ThrottledLog;

/**
 * Every memory a recall returns counts an access (issue 14), recorded off the recall's path: a recall only adds its
 * ids to this buffer (a map update on the event loop); the buffer goes to {@code memory.access.record} every
 * {@code compression.access_flush_ms} or as soon as it holds {@code access_batch} ids, one flush at a time. A flush
 * that fails puts its accesses back (up to {@code access_max_buffered} ids; past that they are dropped and counted in
 * {@code engram_memory_accesses_dropped_total}): access counts steer forgetting, they are not worth a recall's time.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 60_000);

  private final Vertx vertx;
  private final int batch;
  private final int maxBuffered;
  private final DeliveryOptions call = new DeliveryOptions().setSendTimeout(10_000);
  private final Counter dropped;
  private final long timer;
  /** id → accesses since the last flush (hits, latest time). */
  private Map<String, Forgetting.Access> buffer = new LinkedHashMap<>();
  private Future<Void> flushing;

  AccessLog(Vertx vertx, JsonObject compression, MeterRegistry registry) {
    this.vertx = vertx;
    this.batch = compression.getInteger("access_batch", 5000);
    this.maxBuffered = compression.getInteger("access_max_buffered", 50_000);
    this.dropped = Counter.builder("engram_memory_accesses_dropped")
        .description("Accesses not recorded: the buffer was full while MySQL could not take them")
        .register(registry);
    long flushMs = compression.getLong("access_flush_ms", 10_000L);
    this.timer = vertx.setPeriodic(flushMs, flushMs, id -> flush());
  }

  /** The memories and profile facts a recall returned, each an access now. */
  void returned(JsonArray memories, JsonArray profiles) {
    long now = System.currentTimeMillis();
    memories.forEach(m -> add(((JsonObject) m).getString("id"), 1, now));
    profiles.forEach(p -> add(((JsonObject) p).getString("memory_id"), 1, now));
    if (buffer.size() >= batch) {
      flush();
    }
  }

  private void add(String id, int hits, long atMs) {
    if (id == null) {
      return;
    }
    Forgetting.Access before = buffer.get(id);
    if (before == null && buffer.size() >= maxBuffered) {
      dropped.increment(hits);
      return;
    }
    buffer.put(id, before == null ? new Forgetting.Access(id, hits, atMs)
        : new Forgetting.Access(id, before.hits() + hits, Math.max(before.atMs(), atMs)));
  }

  /** Sends what the buffer holds, unless a flush is on its way (the next one takes what came meanwhile). */
  Future<Void> flush() {
    if (flushing != null) {
      return flushing;
    }
    if (buffer.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Forgetting.Access> sent = new ArrayList<>(buffer.values());
    buffer = new LinkedHashMap<>();
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    flushing = done.future();
    Bus.request(vertx, Addresses.ACCESS_RECORD, new Forgetting.Accesses(sent), call, Forgetting.Recorded::fromJson)
        .onComplete(ar -> {
          flushing = null;
          if (ar.failed()) {
            AWAY.warn("flush", "Accesses of {} memories not recorded now, kept for the next flush: {}", sent.size(),
                ar.cause().toString());
            sent.forEach(a -> add(a.memoryId(), a.hits(), a.atMs()));
          }
          done.complete();
        });
    return done.future();
  }

  /** Stops the timer and sends what is left. */
  Future<Void> close() {
    vertx.cancelTimer(timer);
    return (flushing != null ? flushing : Future.<Void>succeededFuture()).compose(x -> flush());
  }
}
