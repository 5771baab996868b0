package verticles.structured;

import static verticles.structured.Sql.millis;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import verticles.contracts.Changes;

/**
 * The change outbox on its way out: the relay reads the oldest rows, publishes them and deletes what it published.
 * The rows are written by the memory writes themselves ({@link MemoryRepository}) and by a forget
 * ({@link #forget}), each in its own transaction. Also the webhooks' dead letters.
 */
final class ChangeRepository {
  private final Pool pool;

  ChangeRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Changes.Batch> pending(int limit) {
    return run(pool, ChangeQueries.PENDING, Tuple.of(limit)).map(rs -> {
      List<Changes.Event> events = new ArrayList<>();
      for (Row r : rs) {
        events.add(new Changes.Event(r.getLong("event_id"), r.getString("event"), r.getInteger("hard") == 1,
            r.getString("memory_id"), r.getInteger("version"), r.getString("user_id"), r.getString("character_id"),
            r.getString("memory_type"), r.getString("actor"), millis(r.getLocalDateTime("changed_at"))));
      }
      return new Changes.Batch(events);
    });
  }

  Future<Changes.Removed> published(List<Long> eventIds) {
    if (eventIds.isEmpty()) {
      return Future.succeededFuture(new Changes.Removed(0));
    }
    return run(pool, ChangeQueries.deletePublished(eventIds.size()), Tuple.from(new ArrayList<Object>(eventIds)))
        .map(rs -> new Changes.Removed(rs.rowCount()));
  }

  Future<Changes.Depth> depth() {
    return pool.query(ChangeQueries.DEPTH).execute().map(rs -> {
      Row r = rs.iterator().next();
      LocalDateTime oldest = r.getLocalDateTime(1);
      return new Changes.Depth(r.getLong(0), oldest == null ? null : millis(oldest));
    });
  }

  Future<Void> deadLetter(Changes.DeadLetter d) {
    return run(pool, ChangeQueries.DEAD_LETTER, Tuple.from(Arrays.asList(Sql.clip(d.webhook(), 64), d.eventId(),
        d.memoryId(), d.userId(), d.characterId(), d.body(), d.attempts(), d.lastStatus(),
        Sql.clip(d.lastError(), 1000), MemoryState.now()))).mapEmpty();
  }

  /** The owner's forget event, written on the caller's connection (inside the forget's transaction). */
  static Future<Void> forget(SqlClient c, String user, String character, String actor) {
    return run(c, ChangeQueries.INSERT_FORGET, Tuple.from(Arrays.asList(user, character, Sql.clip(actor, 64),
        MemoryState.now()))).mapEmpty();
  }
}
