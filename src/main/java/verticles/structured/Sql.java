package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.mysqlclient.MySQLBatchException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** What the structured verticles and their repositories share. Times are stored as UTC (the pool's session zone). */
final class Sql {
  private Sql() {}

  static Future<RowSet<Row>> run(SqlClient c, String sql, Tuple args) {
    return c.preparedQuery(sql).execute(args);
  }

  /**
   * A batch; when statements of it fail, the failure names the first of them and its error (the client's own says
   * only "Error occurs during batch execution"), keeping the client's exception as its cause.
   */
  static Future<RowSet<Row>> batch(SqlClient c, String sql, List<Tuple> rows) {
    return c.preparedQuery(sql).executeBatch(rows).recover(e -> {
      if (e instanceof MySQLBatchException b && !b.getIterationError().isEmpty()) {
        int first = b.getIterationError().keySet().stream().min(Integer::compare).orElseThrow();
        return Future.failedFuture(new IllegalStateException("statement " + first + " of a batch of " + rows.size()
            + " failed: " + b.getIterationError().get(first).getMessage(), b));
      }
      return Future.failedFuture(e);
    });
  }

  static LocalDateTime utc(long epochSeconds) {
    return LocalDateTime.ofEpochSecond(epochSeconds, 0, ZoneOffset.UTC);
  }

  static Long epoch(LocalDateTime t) {
    return t == null ? null : t.toEpochSecond(ZoneOffset.UTC);
  }

  static long millis(LocalDateTime t) {
    return t.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  static JsonArray jsonArray(Object v) {
    return v == null ? new JsonArray() : new JsonArray(v.toString());
  }

  static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  /**
   * Appends the listing's owner scope: one user, or else every user of the tenant (the byte range of "tenant:"), or
   * else nothing (an operator's listing).
   */
  static void scope(StringBuilder where, List<Object> args, String user, String tenant) {
    if (user != null) {
      where.append(" AND user_id = ?");
      args.add(user);
    } else if (tenant != null) {
      where.append(" AND user_id >= ? AND user_id < ?");
      args.add(tenant + ":");
      args.add(tenant + ";");
    }
  }

  /** Appends {@code AND column = ?} when the filter is given. */
  static void equal(StringBuilder where, List<Object> args, String column, Object value) {
    if (value != null) {
      where.append(" AND ").append(column).append(" = ?");
      args.add(value);
    }
  }

  /** " WHERE user_id = ?", and " AND character_id = ?" when one character is meant. */
  static String ownerWhere(boolean byCharacter) {
    return byCharacter ? " WHERE user_id = ? AND character_id = ?" : " WHERE user_id = ?";
  }

  static Tuple ownerArgs(String user, String character) {
    return character == null ? Tuple.of(user) : Tuple.of(user, character);
  }
}
