package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.shareddata.Lock;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Deleted;
import verticles.contracts.Empty;
import verticles.contracts.VectorStore;
import verticles.vectorsearch.MemoryRecord;

/**
 * Brings memories' index records to their MySQL state, after MySQL committed it. A write {@link #mark}s the memories
 * it changed in its own transaction ({@code memory_index_sync}, a counter per memory); once it committed,
 * {@link #apply} reads each marked memory as committed, upserts its active version or deletes its record, and clears
 * the mark at the count it read. Syncs of one memory take turns on a cluster-wide lock (Vert.x shared data:
 * Hazelcast when clustered), so the later one indexes the later state, on any node; writers never wait for a sync (the
 * sync holds no MySQL lock or connection while the index works), and a write that marks the memory again meanwhile
 * keeps its mark for its own sync. A crash, or an index away, between the commit and the sync leaves the mark, and
 * {@link #sweep} (at start, then every {@code index_sync.sweep_interval_ms}) finishes it: the index never holds a
 * change MySQL does not have, nor keeps one MySQL undid, for longer than a sweep.
 */
final class IndexSync {
  private static final Logger LOG = LoggerFactory.getLogger(IndexSync.class);
  /**
   * Fault injection for the crash test ({@code CommitCrashTest}): the system property names a file; while that file
   * holds a memory id, that memory's sync after its commit never runs (a file {@code <name>.held} says it got
   * there), so the test can SIGKILL the JVM in the window between the commit and the index write.
   */
  static final String HOLD_BEFORE_SYNC = "engram.fault.hold_before_index_sync";

  private static final String LOCK = "engram.index-sync.";

  private final Vertx vertx;
  private final Pool pool;
  private final MemoryRepository repo;
  private final DeliveryOptions indexCall;
  private final long lockTimeoutMs;
  private final Counter repaired;

  IndexSync(Vertx vertx, Pool pool, MemoryRepository repo, long indexTimeoutMs, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    this.repo = repo;
    this.indexCall = new DeliveryOptions().setSendTimeout(indexTimeoutMs);
    this.lockTimeoutMs = 2 * indexTimeoutMs; // a sync of the memory ahead of this one is at most an index write
    this.repaired = Counter.builder("engram_index_sync_repaired")
        .description("Memories whose index record the sweeper brought to MySQL's state after their write's own sync"
            + " did not (a crash, or the index away)")
        .register(registry);
  }

  /** In the writer's transaction: these memories' index records are to follow what it commits. */
  Future<Void> mark(SqlClient c, Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    LocalDateTime now = MemoryState.now();
    List<Tuple> rows = new ArrayList<>();
    new TreeSet<>(ids).forEach(id -> rows.add(Tuple.of(id, now))); // in id order, as the sync locks them
    return batch(c, IndexSyncQueries.MARK, rows).mapEmpty();
  }

  /** After the writer's commit: the sync of its memories, before it replies. */
  Future<Void> afterCommit(Collection<String> ids) {
    String fault = System.getProperty(HOLD_BEFORE_SYNC);
    if (fault != null && held(Path.of(fault), ids)) {
      return Promise.<Void>promise().future();
    }
    return apply(ids);
  }

  private static boolean held(Path fault, Collection<String> ids) {
    try {
      if (Files.exists(fault) && ids.contains(Files.readString(fault).strip())) {
        LOG.error("Holding the index sync of {} after its commit ({} is set)", ids, HOLD_BEFORE_SYNC);
        Files.writeString(Path.of(fault + ".held"), String.join("\n", ids));
        return true;
      }
    } catch (IOException e) {
      LOG.error("Fault file {} unreadable: {}", fault, e.toString());
    }
    return false;
  }

  /** Each marked memory's index record brought to its committed state, and its mark cleared; unmarked ids are left. */
  Future<Void> apply(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> sorted = List.copyOf(new TreeSet<>(ids));
    return locked(sorted, 0, new ArrayList<>(), () -> run(pool, IndexSyncQueries.marks(sorted.size()),
        Tuple.from(new ArrayList<Object>(sorted))).compose(rs -> {
          Map<String, Integer> marks = new LinkedHashMap<>();
          rs.forEach(r -> marks.put(r.getString("memory_id"), r.getInteger("seq")));
          if (marks.isEmpty()) {
            return Future.succeededFuture(); // another sync did it meanwhile
          }
          List<String> marked = List.copyOf(marks.keySet());
          List<Tuple> clear = new ArrayList<>();
          marks.forEach((id, seq) -> clear.add(Tuple.of(id, seq)));
          return repo.findAll(pool, marked, false)
              .compose(stored -> index(marked, stored))
              .compose(x -> batch(pool, IndexSyncQueries.CLEAR, clear))
              .mapEmpty();
        }));
  }

  /** Runs {@code work} holding the sync lock of every id, taken in id order (no two syncs wait for each other). */
  private Future<Void> locked(List<String> ids, int i, List<Lock> held, Supplier<Future<Void>> work) {
    if (i == ids.size()) {
      return work.get().eventually(() -> {
        held.forEach(Lock::release);
        return Future.succeededFuture();
      });
    }
    return vertx.sharedData().getLockWithTimeout(LOCK + ids.get(i), lockTimeoutMs)
        .recover(e -> {
          held.forEach(Lock::release);
          return Future.failedFuture(e);
        })
        .compose(lock -> {
          held.add(lock);
          return locked(ids, i + 1, held, work);
        });
  }

  /** Marks older than {@code graceMs} (their writer's own sync should have cleared them), up to {@code limit}. */
  Future<Integer> sweep(long graceMs, int limit) {
    LocalDateTime before = MemoryState.now().minusNanos(graceMs * 1_000_000L);
    return run(pool, IndexSyncQueries.STALE, Tuple.of(before, limit)).compose(rs -> {
      List<String> ids = new ArrayList<>();
      rs.forEach(r -> ids.add(r.getString(0)));
      if (ids.isEmpty()) {
        return Future.succeededFuture(0);
      }
      LOG.info("Bringing the index records of {} memories to their MySQL state (left by a crash or an index away)",
          ids.size());
      return apply(ids).onSuccess(x -> repaired.increment(ids.size())).map(ids.size());
    });
  }

  /**
   * The index to the stored states: the active ones upserted (embedded again), the deleted and erased ones removed.
   * An owner forgotten meanwhile refuses the upsert (410): its records go, as the forget wants.
   */
  private Future<Void> index(List<String> ids, Map<String, MemoryState> stored) {
    Map<List<String>, List<MemoryState>> active = new LinkedHashMap<>();
    List<String> removed = new ArrayList<>();
    boolean erased = false;
    for (String id : ids) {
      MemoryState s = stored.get(id);
      if (s == null || s.deleted()) {
        removed.add(id);
        erased |= s == null;
      } else {
        active.computeIfAbsent(List.of(s.userId, s.characterId), k -> new ArrayList<>()).add(s);
      }
    }
    List<Future<?>> writes = new ArrayList<>();
    for (List<MemoryState> owned : active.values()) {
      long createdAt = owned.stream().mapToLong(MemoryState::createdAtMs).max().orElseThrow();
      List<MemoryRecord> records = owned.stream().map(MemoryState::record).toList();
      writes.add(Bus.request(vertx, Addresses.VECTOR_UPSERT, new VectorStore.Upsert(null, createdAt, records),
              indexCall, VectorStore.Upserted::fromJson)
          .<Void>mapEmpty()
          .recover(e -> Bus.code(e) == Failures.GONE
              ? delete(records.stream().map(MemoryRecord::id).toList()).mapEmpty() : Future.failedFuture(e)));
    }
    if (!removed.isEmpty()) {
      writes.add(delete(removed));
    }
    boolean dropCaches = erased;
    return Future.all(writes).onSuccess(x -> {
      if (dropCaches) { // an erased memory leaves no cached result behind either
        vertx.eventBus().publish(Addresses.VECTOR_CACHE_CLEAR, Empty.INSTANCE.toJson());
      }
    }).mapEmpty();
  }

  private Future<Deleted> delete(List<String> ids) {
    return Bus.request(vertx, Addresses.VECTOR_DELETE_IDS, new VectorStore.Ids(ids), indexCall, Deleted::fromJson);
  }
}
