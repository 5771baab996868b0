package verticles.structured;

import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import verticles.contracts.Lifecycle;

/**
 * The SQL of a memory list ({@code GET /v1/memories}): filters, newest first by creation then id, and a keyset
 * cursor (the last row's creation time in milliseconds and its id), so a page is stable while memories come and go.
 */
final class MemoryListing {
  /** Metadata keys a filter may name: they become a JSON path, so nothing that could escape one. */
  static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

  final String sql;
  final Tuple args;

  private MemoryListing(String sql, Tuple args) {
    this.sql = sql;
    this.args = args;
  }

  /** The statement for one page; it asks for one row more than the page, which says whether another follows. */
  static MemoryListing of(Lifecycle.Query q) {
    StringBuilder where = new StringBuilder();
    List<Object> args = new ArrayList<>();
    Sql.scope(where, args, q.userId(), q.tenant());
    Sql.equal(where, args, "character_id", q.characterId());
    Sql.equal(where, args, "memory_type", q.type());
    Sql.equal(where, args, "category", q.category());
    Sql.equal(where, args, "status", q.status());
    if (q.since() != null) {
      where.append(" AND created_at >= ?");
      args.add(MemoryState.utc(q.since()));
    }
    if (q.until() != null) {
      where.append(" AND created_at < ?");
      args.add(MemoryState.utc(q.until()));
    }
    for (String key : q.metadata().fieldNames()) {
      if (!METADATA_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("metadata key " + key + " must match " + METADATA_KEY.pattern());
      }
      // byte for byte, as ids compare
      where.append(" AND CAST(JSON_UNQUOTE(JSON_EXTRACT(metadata, ?)) AS BINARY) = CAST(? AS BINARY)");
      args.add("$.\"" + key + "\"");
      args.add(String.valueOf(q.metadata().getValue(key)));
    }
    if (q.cursor() != null) {
      Lifecycle.Cursor c = Lifecycle.Cursor.parse(q.cursor());
      LocalDateTime at = LocalDateTime.ofInstant(Instant.ofEpochMilli(c.createdAtMs()), ZoneOffset.UTC);
      where.append(" AND (created_at < ? OR (created_at = ? AND memory_id < ?))");
      args.add(at);
      args.add(at);
      args.add(c.memoryId());
    }
    args.add(q.limit() + 1);
    String sql = "SELECT " + MemoryQueries.COLUMNS + " FROM memories WHERE 1 = 1" + where
        + " ORDER BY created_at DESC, memory_id DESC LIMIT ?";
    return new MemoryListing(sql, Tuple.from(args));
  }
}
