package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import verticles.contracts.Structured;
import verticles.contracts.TaskStatus;
import verticles.contracts.Tasks;

/** Counts and storage bytes for the operators' stats, of one owner or of the whole database. */
final class StatsRepository {
  /** Per row beyond its text: ids, numbers, times and index entries. An estimate, as the row bytes are. */
  static final int ROW_OVERHEAD_BYTES = 64;

  private final Pool pool;

  StatsRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Counts and approximate bytes of one owner's rows (text lengths plus {@link #ROW_OVERHEAD_BYTES} per row), or of
   * the whole database when {@code user} is null (then bytes are InnoDB's data and index lengths, and distinct users
   * are counted).
   */
  Future<Structured.Stats> stats(String user, String character) {
    List<Object> args = new ArrayList<>();
    String where = "";
    if (user != null) {
      where = Sql.ownerWhere(character != null);
      args.add(user);
      if (character != null) {
        args.add(character);
      }
    }
    Tuple owner = Tuple.from(args);
    Future<long[]> profiles = countAndBytes("user_profiles", StatsQueries.PROFILE_BYTES, where, owner);
    Future<long[]> events = countAndBytes("user_events", StatsQueries.EVENT_BYTES, where, owner);
    Future<long[]> summaries = countAndBytes("conversation_summaries", StatsQueries.SUMMARY_BYTES, where, owner);
    Future<long[]> buffered = countAndBytes("buffered_messages", StatsQueries.BUFFERED_BYTES, where, owner);
    Future<long[]> taskBytes = countAndBytes("memory_generation_tasks", StatsQueries.TASK_BYTES, where, owner);
    Future<Tasks.Counts> tasks = run(pool, StatsQueries.tasksByStatus(where), owner).map(rs -> {
      Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
      rs.forEach(r -> counts.put(TaskStatus.of(r.getString("status")), r.getLong("n")));
      return new Tasks.Counts(counts);
    });
    Future<Long> users = user != null ? Future.succeededFuture((Long) null)
        : pool.query(StatsQueries.USERS).execute().map(rs -> rs.iterator().next().getLong(0));
    Future<Long> dbBytes = user != null ? Future.succeededFuture((Long) null)
        : pool.query(StatsQueries.DATABASE_BYTES).execute().map(rs -> rs.iterator().next().getNumeric(0).longValue());
    return Future.all(List.of(profiles, events, summaries, buffered, taskBytes, tasks, users, dbBytes)).map(x -> {
      long rowBytes = profiles.result()[1] + events.result()[1] + summaries.result()[1] + buffered.result()[1]
          + taskBytes.result()[1];
      return new Structured.Stats(users.result(), profiles.result()[0], events.result()[0], summaries.result()[0],
          buffered.result()[0], tasks.result(), dbBytes.result() != null ? dbBytes.result() : rowBytes);
    });
  }

  private Future<long[]> countAndBytes(String table, String textBytes, String where, Tuple owner) {
    return run(pool, StatsQueries.countAndBytes(table, textBytes, where), owner)
        .map(rs -> {
          Row r = rs.iterator().next();
          long n = r.getLong(0);
          return new long[] {n, r.getNumeric(1).longValue() + n * ROW_OVERHEAD_BYTES};
        });
  }
}
