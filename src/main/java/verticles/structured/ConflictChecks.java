package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Conflicts;
import verticles.shared.ThrottledLog;

/**
 * The API's writes ask the conflict detector ({@code memory.conflicts.detect}) here: before an import (a
 * restatement is merged instead of stored), and after a committed correction, batch or transaction (the changed
 * memories judged against their owner's others: reports recorded, an outdated one resolved, in a transaction of its
 * own; a duplicate only reported, since the memory was written on purpose). Detection helps and never blocks: when
 * the detector fails or is late the write goes on, undetected.
 */
final class ConflictChecks {
  private static final Logger LOG = LoggerFactory.getLogger(ConflictChecks.class);
  private static final ThrottledLog AWAY = new ThrottledLog(LOG, 10_000);

  private final Vertx vertx;
  private final Pool pool;
  private final Transactions tx;
  private final MemoryRepository repo;
  private final ConflictWrites writes;
  private final IndexSync sync;
  private final ForgetRepository forgets;
  private final DeliveryOptions call;

  ConflictChecks(Vertx vertx, Pool pool, Transactions tx, MemoryRepository repo, ConflictWrites writes,
      IndexSync sync, ForgetRepository forgets) {
    this.vertx = vertx;
    this.pool = pool;
    this.tx = tx;
    this.repo = repo;
    this.writes = writes;
    this.sync = sync;
    this.forgets = forgets;
    this.call = new DeliveryOptions().setSendTimeout(writes.settings().timeoutMs() + 500);
  }

  /** The detector's findings for one owner's memories (each said at {@code at}, epoch seconds); none on failure. */
  Future<JsonArray> detect(String user, String character, List<MemoryState> states, long at) {
    List<JsonObject> memories = new ArrayList<>();
    for (MemoryState s : states) {
      memories.add(new JsonObject().put("id", s.id).put("memory_type", s.type).put("content", s.content)
          .put("timestamp", s.record().timestamp()).put("metadata", s.metadata).put("at", at));
    }
    if (!writes.settings().enabled() || memories.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    return Bus.request(vertx, Addresses.CONFLICTS_DETECT, new Conflicts.Detect(user, character, memories, List.of()),
            call, Conflicts.Detected::fromJson)
        .map(Conflicts.Detected::findings)
        .recover(e -> {
          AWAY.warn("detect", "Conflict detection skipped for a write of {} ({})", user, e.toString());
          return Future.succeededFuture(new JsonArray());
        });
  }

  /**
   * After a commit: the changed memories (those still active, not messages) judged as said now, the reports recorded
   * and resolved as configured, the index brought along. Returns the reports ({@code conflict_id, type, memory_a,
   * memory_b, resolved}); never fails.
   */
  Future<JsonArray> afterWrite(Collection<String> ids) {
    if (!writes.settings().enabled() || ids.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    long started = System.currentTimeMillis();
    long now = started / 1000;
    return repo.findAll(pool, List.copyOf(ids), false).compose(found -> {
      Map<List<String>, List<MemoryState>> byOwner = new LinkedHashMap<>();
      found.values().stream().filter(s -> !s.deleted() && !"message".equals(s.type))
          .forEach(s -> byOwner.computeIfAbsent(List.of(s.userId, s.characterId), k -> new ArrayList<>()).add(s));
      Future<JsonArray> all = Future.succeededFuture(new JsonArray());
      for (Map.Entry<List<String>, List<MemoryState>> owner : byOwner.entrySet()) {
        all = all.compose(sum -> detect(owner.getKey().get(0), owner.getKey().get(1), owner.getValue(), now)
            .compose(findings -> findings.isEmpty() ? Future.succeededFuture(sum)
                : record(findings, found, owner.getKey().get(0), owner.getKey().get(1), started).map(sum::addAll)));
      }
      return all;
    }).recover(e -> {
      AWAY.warn("record", "Conflicts of a write not recorded ({})", e.toString());
      return Future.succeededFuture(new JsonArray());
    });
  }

  /** In a transaction of its own; nothing when the owner's forget began meanwhile (its reports would outlive it). */
  private Future<JsonArray> record(JsonArray findings, Map<String, MemoryState> written, String user,
      String character, long startedMs) {
    return tx.run(c -> forgets.forgotten(c, null, user, character, startedMs).compose(gone -> gone
            ? Future.succeededFuture(new ConflictWrites.Recorded(List.of(), new JsonArray()))
            : writes.record(c, findings, written, false)))
        .compose(recorded -> sync.afterCommit(recorded.changed()).recover(e -> Future.succeededFuture())
            .map(recorded.reports()));
  }
}
