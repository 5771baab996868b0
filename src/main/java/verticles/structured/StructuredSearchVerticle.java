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
import verticles.contracts.Conflicts;
import verticles.contracts.Empty;
import verticles.contracts.Entities;
import verticles.contracts.Lifecycle;
import verticles.contracts.Owner;
import verticles.contracts.Structured;
import verticles.shared.Breakers;
import verticles.shared.Meters;
import verticles.shared.SkippedRecords;

/**
 * Answers reads of a user's memory rows in MySQL: recall's structured search, the user lists, export pages and stats,
 * single memories (one, a filtered list, history, versions compared), and the MySQL readiness probe. Stateless, pooled. Tasks and the message buffer are {@link TaskStoreVerticle}'s,
 * memory writes and forgetting {@link MemoryWriteVerticle}'s.
 */
public final class StructuredSearchVerticle extends VerticleBase {
  /** The seed's users are in China; "today" is decided in their zone unless the request says otherwise. */
  private static final String DEFAULT_TZ = "Asia/Shanghai";

  private Pool pool;
  private MemoryReadRepository repo;
  private CircuitBreaker mysqlBreaker;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    repo = new MemoryReadRepository(pool, new SkippedRecords(Meters.registry(cfg)));
    StatsRepository stats = new StatsRepository(pool);
    MemoryReads memories = new MemoryReads(pool);
    ConflictReview conflicts = new ConflictReview(pool);
    EntityRecall entities = new EntityRecall(pool);
    mysqlBreaker = Breakers.create(vertx, cfg, "mysql", cfg.getJsonObject("recall").getLong("mysql_timeout_ms", 1000L));

    return Future.all(List.of(
        // readiness: the pool can reach MySQL now (not through the breaker, which may still be open)
        Bus.consume(vertx, Addresses.HEALTH_MYSQL, Empty::fromJson, x -> repo.ping().map(Empty.INSTANCE)),
        Bus.consume(vertx, Addresses.USER_LIST, Structured.Page::fromJson, this::list),
        Bus.consume(vertx, Addresses.STRUCTURED_EXPORT, Structured.ExportPage::fromJson, page -> repo.exportRows(
            page.kind(), page.userId(), page.characterId(), page.afterId(), page.limit()).map(Structured.Items::new)),
        Bus.consume(vertx, Addresses.STRUCTURED_STATS, Owner::fromJson,
            owner -> stats.stats(owner.userId(), owner.characterId())),
        Bus.consume(vertx, Addresses.MEMORY_GET, Lifecycle.Get::fromJson, memories::get),
        Bus.consume(vertx, Addresses.CONFLICTS_LIST, Conflicts.Query::fromJson, conflicts::list),
        Bus.consume(vertx, Addresses.CONFLICTS_GET, Conflicts.Get::fromJson, conflicts::get),
        Bus.consume(vertx, Addresses.MEMORY_LIST, Lifecycle.Query::fromJson, memories::list),
        Bus.consume(vertx, Addresses.MEMORY_HISTORY, Lifecycle.HistoryQuery::fromJson, memories::history),
        Bus.consume(vertx, Addresses.MEMORY_COMPARE, Lifecycle.Compare::fromJson, memories::compare),
        // recall's reads go through the "mysql" breaker: a down or slow MySQL fails them fast
        Bus.consume(vertx, Addresses.STRUCTURED_SEARCH, Structured.Search::fromJson,
            search -> mysqlBreaker.<Structured.Found>execute(() -> search(search))),
        Bus.consume(vertx, Addresses.ENTITIES_RECALL, Entities.Recall::fromJson,
            q -> mysqlBreaker.<Entities.Items>execute(() -> entities.find(q)))));
  }

  private Future<Structured.Items> list(Structured.Page page) {
    String user = page.userId();
    String character = page.characterId();
    Future<JsonArray> rows = switch (String.valueOf(page.kind())) {
      case "profiles" -> repo.profiles(user, character, page.limit());
      case "events" -> repo.events(user, character, page.limit(), page.offset());
      case "summaries" -> repo.summaries(user, character, page.limit(), page.offset());
      default -> Future.failedFuture(new IllegalArgumentException("unknown kind " + page.kind()));
    };
    return rows.map(Structured.Items::new);
  }

  /**
   * The structured half of recall for one user + character: profiles, events by importance, dated events coming up in
   * the next days, and the latest summaries, as {@code kinds} asks (default: profiles). The kinds run in parallel.
   */
  private Future<Structured.Found> search(Structured.Search q) {
    String user = q.userId();
    String character = q.characterId();
    Map<String, Future<JsonArray>> parts = new LinkedHashMap<>();
    for (String kind : q.kinds()) {
      parts.computeIfAbsent(kind, k -> switch (k) {
        case "profiles" -> repo.profiles(user, character, q.profileLimit());
        case "events" -> repo.events(user, character, q.minImportance(), q.eventLimit(), 0);
        case "upcoming" -> upcoming(q);
        default -> repo.summaries(user, character, q.summaryLimit(), 0);
      });
    }
    return Future.all(List.copyOf(parts.values())).map(x -> {
      JsonObject reply = new JsonObject();
      parts.forEach((kind, rows) -> reply.put(kind, rows.result()));
      return new Structured.Found(reply);
    });
  }

  /**
   * Dated events in the next {@code days} days from the user's today (in {@code tz}), each with next_date and
   * days_until, soonest first. SQL picks the candidates; UpcomingDates does the calendar.
   */
  private Future<JsonArray> upcoming(Structured.Search q) {
    int days = q.days();
    // a year at most: each event is reported once, at its next occurrence
    if (days < 0 || days > 366) {
      throw new IllegalArgumentException("days must be between 0 and 366");
    }
    int limit = q.upcomingLimit();
    long now = q.now() != null ? q.now() : Instant.now().getEpochSecond();
    LocalDate today = UpcomingDates.today(now, UpcomingDates.zone(q.tz() != null ? q.tz() : DEFAULT_TZ));
    return repo.datedEvents(q.userId(), q.characterId(), UpcomingDates.RECURRING, today, today.plusDays(days)).map(rows -> {
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

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
