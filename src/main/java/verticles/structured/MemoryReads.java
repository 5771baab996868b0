package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Failures;
import verticles.contracts.Lifecycle;
import verticles.shared.Tenants;

/** Reads of single memories: one memory, a filtered list, its history, two versions compared. */
final class MemoryReads {
  private final Pool pool;
  private final MemoryRepository repo = new MemoryRepository();

  MemoryReads(Pool pool) {
    this.pool = pool;
  }

  /**
   * The memory, or 404 when it does not exist for the caller: absent, erased, or of another tenant (a memory id alone
   * never reaches another tenant's memory).
   */
  static Future<MemoryState> owned(Future<MemoryState> found, String id, String tenant) {
    return found.compose(s -> s == null || tenant != null && !Tenants.owns(tenant, s.userId)
        ? Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no memory " + id))
        : Future.succeededFuture(s));
  }

  Future<Lifecycle.Memory> get(Lifecycle.Get g) {
    return owned(repo.find(pool, g.memoryId(), false), g.memoryId(), g.tenant())
        .map(s -> new Lifecycle.Memory(s.toJson()));
  }

  Future<Lifecycle.Page> list(Lifecycle.Query q) {
    MemoryListing listing = MemoryListing.of(q);
    return run(pool, listing.sql, listing.args).map(rs -> {
      List<MemoryState> rows = new ArrayList<>();
      for (Row r : rs) {
        rows.add(MemoryState.from(r));
      }
      boolean more = rows.size() > q.limit();
      List<MemoryState> page = more ? rows.subList(0, q.limit()) : rows;
      JsonArray memories = new JsonArray();
      page.forEach(s -> memories.add(s.toJson()));
      MemoryState last = page.isEmpty() ? null : page.get(page.size() - 1);
      return new Lifecycle.Page(memories, more ? new Lifecycle.Cursor(last.createdAtMs(), last.id).token() : null);
    });
  }

  Future<Lifecycle.History> history(Lifecycle.HistoryQuery h) {
    return owned(repo.find(pool, h.memoryId(), false), h.memoryId(), h.tenant())
        .compose(s -> repo.history(pool, h.memoryId(), h.afterVersion(), h.limit()))
        .map(versions -> new Lifecycle.History(h.memoryId(), versions));
  }

  Future<Lifecycle.Comparison> compare(Lifecycle.Compare c) {
    String id = c.memoryId();
    return owned(repo.find(pool, id, false), id, c.tenant())
        .compose(s -> Future.all(version(pool, id, c.a()), version(pool, id, c.b())))
        .map(both -> {
          MemoryState a = both.resultAt(0);
          MemoryState b = both.resultAt(1);
          return new Lifecycle.Comparison(id, c.a(), c.b(), VersionDiff.changes(a, b),
              VersionDiff.text(a.content, b.content, "version " + c.a(), "version " + c.b()));
        });
  }

  private Future<MemoryState> version(SqlClient c, String id, int version) {
    return repo.version(c, id, version).compose(v -> v == null
        ? Future.failedFuture(Failures.of(Failures.NOT_FOUND, "memory " + id + " has no version " + version))
        : Future.succeededFuture(v));
  }
}
