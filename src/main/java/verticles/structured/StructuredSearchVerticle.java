package verticles.structured;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.shared.Breakers;

/**
 * Answers reads of a user's memory rows in MySQL: recall's structured search, the user lists, export pages and stats,
 * and the MySQL readiness probe. Stateless, pooled. Tasks and the message buffer are {@link TaskStoreVerticle}'s,
 * memory writes and forgetting {@link MemoryWriteVerticle}'s.
 */
public final class StructuredSearchVerticle extends VerticleBase {
  /** The kinds {@code memory.structured.search} answers, one reply array each. */
  static final List<String> KINDS = List.of("profiles", "events", "upcoming", "summaries");

  /** The seed's users are in China; "today" is decided in their zone unless the request says otherwise. */
  private static final String DEFAULT_TZ = "Asia/Shanghai";

  private Pool pool;
  private MemoryReadRepository repo;
  private CircuitBreaker mysqlBreaker;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    repo = new MemoryReadRepository(pool);
    StatsRepository stats = new StatsRepository(pool);
    mysqlBreaker = Breakers.create(vertx, cfg, "mysql", cfg.getJsonObject("recall").getLong("mysql_timeout_ms", 1000L));

    return Future.all(List.of(
        // readiness: the pool can reach MySQL now (not through the breaker, which may still be open)
        Bus.consume(vertx, Addresses.HEALTH_MYSQL, b -> repo.ping().map(x -> new JsonObject())),
        Bus.consume(vertx, Addresses.USER_LIST, this::list),
        Bus.consume(vertx, Addresses.STRUCTURED_EXPORT, b -> repo.exportRows(b.getString("kind"), Sql.owner(b),
            b.getString("character_id"), b.getLong("after_id", 0L), b.getInteger("limit", 500))
            .map(a -> new JsonObject().put("items", a))),
        Bus.consume(vertx, Addresses.STRUCTURED_STATS, b -> stats.stats(b.getString("user_id"),
            b.getString("character_id"))),
        // recall's reads go through the "mysql" breaker: a down or slow MySQL fails them fast
        Bus.consume(vertx, Addresses.STRUCTURED_SEARCH, b -> mysqlBreaker.<JsonObject>execute(() -> search(b)))));
  }

  private Future<JsonObject> list(JsonObject b) {
    String user = b.getString("user_id");
    String character = b.getString("character_id");
    int limit = b.getInteger("limit", 50);
    int offset = b.getInteger("offset", 0);
    Future<JsonArray> rows = switch (b.getString("kind")) {
      case "profiles" -> repo.profiles(user, character, limit);
      case "events" -> repo.events(user, character, limit, offset);
      case "summaries" -> repo.summaries(user, character, limit, offset);
      default -> Future.failedFuture(new IllegalArgumentException("unknown kind " + b.getString("kind")));
    };
    return rows.map(a -> new JsonObject().put("items", a));
  }

  /**
   * The structured half of recall for one user + character: profiles, events by importance, dated events coming up in
   * the next days, and the latest summaries, as {@code kinds} asks (default: profiles). The kinds run in parallel.
   */
  private Future<JsonObject> search(JsonObject b) {
    String user = b.getString("user_id");
    String character = b.getString("character_id");
    if (user == null || user.isBlank() || character == null || character.isBlank()) {
      throw new IllegalArgumentException("user_id and character_id are required");
    }
    JsonArray kinds = b.getJsonArray("kinds", new JsonArray().add("profiles"));
    for (Object kind : kinds) {
      if (!KINDS.contains(kind)) {
        throw new IllegalArgumentException("unknown kind " + kind + "; expected one of " + KINDS);
      }
    }
    Map<String, Future<JsonArray>> parts = new LinkedHashMap<>();
    for (Object kind : kinds) {
      parts.computeIfAbsent((String) kind, k -> switch (k) {
        case "profiles" -> repo.profiles(user, character, count(b, "profile_limit", 20));
        case "events" -> repo.events(user, character, b.getInteger("min_importance", 5),
            count(b, "event_limit", 10), 0);
        case "upcoming" -> upcoming(user, character, b);
        default -> repo.summaries(user, character, count(b, "summary_limit", 3), 0);
      });
    }
    return Future.all(List.copyOf(parts.values())).map(x -> {
      JsonObject reply = new JsonObject();
      parts.forEach((kind, rows) -> reply.put(kind, rows.result()));
      return reply;
    });
  }

  /**
   * Dated events in the next {@code days} days from the user's today (in {@code tz}), each with next_date and
   * days_until, soonest first. SQL picks the candidates; UpcomingDates does the calendar.
   */
  private Future<JsonArray> upcoming(String user, String character, JsonObject b) {
    int days = b.getInteger("days", 7);
    // a year at most: each event is reported once, at its next occurrence
    if (days < 0 || days > 366) {
      throw new IllegalArgumentException("days must be between 0 and 366");
    }
    int limit = count(b, "upcoming_limit", 10);
    long now = b.getLong("now", Instant.now().getEpochSecond());
    LocalDate today = UpcomingDates.today(now, UpcomingDates.zone(b.getString("tz", DEFAULT_TZ)));
    return repo.datedEvents(user, character, UpcomingDates.RECURRING, today, today.plusDays(days)).map(rows -> {
      List<JsonObject> due = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        JsonObject e = rows.getJsonObject(i);
        UpcomingDates.next(e.getString("event_type"), LocalDate.parse(e.getString("event_date")), today, days)
            .ifPresent(next -> due.add(e.put("next_date", next.toString())
                .put("days_until", UpcomingDates.daysUntil(today, next))));
      }
      // stable sort: same-day events keep the SQL order, most important first
      due.sort(Comparator.comparingInt(e -> e.getInteger("days_until")));
      return new JsonArray(new ArrayList<>(due.subList(0, Math.min(limit, due.size()))));
    });
  }

  private static int count(JsonObject b, String field, int fallback) {
    int n = b.getInteger(field, fallback);
    if (n < 0) {
      throw new IllegalArgumentException(field + " must not be negative");
    }
    return n;
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
