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

/** Owns MySQL: reads and writes of profiles, events, summaries, tasks and the message buffer. Stateless, pooled. */
public final class StructuredSearchVerticle extends VerticleBase {
  /** The kinds {@code memory.structured.search} answers, one reply array each. */
  static final List<String> KINDS = List.of("profiles", "events", "upcoming", "summaries");

  /** The seed's users are in China; "today" is decided in their zone unless the request says otherwise. */
  private static final String DEFAULT_TZ = "Asia/Shanghai";

  private Pool pool;
  private MemoryRepository repo;
  private CircuitBreaker mysqlBreaker;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    repo = new MemoryRepository(pool);
    mysqlBreaker = Breakers.create(vertx, cfg, "mysql", cfg.getJsonObject("recall").getLong("mysql_timeout_ms", 1000L));
    JsonObject extractor = cfg.getJsonObject("extractor");
    int maxRetries = extractor.getInteger("max_retries", 3);
    long backoffMs = extractor.getLong("retry_backoff_ms", 2000L);
    int threshold = cfg.getJsonObject("sessions").getInteger("message_threshold", 20);

    return Future.all(List.of(
        Bus.consume(vertx, Addresses.TASK_CREATE, b -> repo.createTask(b, maxRetries)),
        Bus.consume(vertx, Addresses.TASK_GET, b -> repo.getTask(b.getString("task_id"))),
        Bus.consume(vertx, Addresses.TASK_CLAIM, b -> repo.claimTask(b.getString("task_id"), b.getString("user_id"),
            b.getString("character_id"))),
        Bus.consume(vertx, Addresses.TASK_FAIL, b -> repo.failTask(b.getString("task_id"), b.getString("error"),
            backoffMs, b.getBoolean("permanent", false))),
        Bus.consume(vertx, Addresses.TASK_COUNTS, b -> repo.taskCounts()),
        Bus.consume(vertx, Addresses.TASK_OUTBOX_DEPTH, b -> repo.outboxDepth()
            .map(n -> new JsonObject().put("depth", n))),
        // readiness: the pool can reach MySQL now (not through the breaker, which may still be open)
        Bus.consume(vertx, Addresses.HEALTH_MYSQL, b -> pool.query("SELECT 1").execute().map(rs -> new JsonObject())),
        Bus.consume(vertx, Addresses.TASK_PENDING, b -> repo.duePendingTasks(b.getInteger("limit", 100),
            b.getLong("unpublished_after_ms", 10_000L)).map(a -> new JsonObject().put("tasks", a))),
        Bus.consume(vertx, Addresses.TASK_MARK_PUBLISHED, b -> repo.markPublished(
            b.getJsonArray("task_ids").stream().map(String::valueOf).toList())
            .map(n -> new JsonObject().put("updated", n))),
        Bus.consume(vertx, Addresses.MEMORIES_WRITE, b -> retryingDeadlocks(() -> repo.writeMemories(
            b.getJsonObject("task"), b.getJsonObject("extraction")), DEADLOCK_ATTEMPTS)),
        Bus.consume(vertx, Addresses.ARCHIVE_PATH_SET, b -> repo.setArchivePath(b.getString("task_id"),
            b.getString("path")).map(n -> new JsonObject().put("updated", n))),
        Bus.consume(vertx, Addresses.USER_LIST, this::list),
        Bus.consume(vertx, Addresses.MESSAGES_BUFFER, b -> repo.bufferMessages(b, threshold, maxRetries)),
        Bus.consume(vertx, Addresses.SESSION_END, b -> repo.endSession(b.getString("user_id"),
            b.getString("character_id"), b.getString("session_id"), b.getString("trigger", "session_end"),
            maxRetries)),
        Bus.consume(vertx, Addresses.SESSIONS_IDLE, this::cutIdleSessions),
        Bus.consume(vertx, Addresses.TASK_LIST, b -> repo.listTasks(b.getString("status"), b.getString("user_id"), b.getString("tenant"),
            b.getInteger("limit", 50)).map(a -> new JsonObject().put("tasks", a))),
        Bus.consume(vertx, Addresses.TASK_RETRY, b -> repo.retryTask(b.getString("task_id"))),
        Bus.consume(vertx, Addresses.TASK_REQUEUE, b -> repo.requeueTasks(
            b.getJsonArray("task_ids", new JsonArray()).stream().map(String::valueOf).toList())),
        Bus.consume(vertx, Addresses.STRUCTURED_EXPORT, b -> repo.exportRows(b.getString("kind"), owner(b),
            b.getString("character_id"), b.getLong("after_id", 0L), b.getInteger("limit", 500))
            .map(a -> new JsonObject().put("items", a))),
        Bus.consume(vertx, Addresses.STRUCTURED_STATS, b -> repo.stats(b.getString("user_id"),
            b.getString("character_id"))),
        Bus.consume(vertx, Addresses.FORGET_TOMBSTONE, b -> repo.tombstone(owner(b), b.getString("character_id"))
            .map(at -> new JsonObject().put("forgotten_at", at))),
        Bus.consume(vertx, Addresses.FORGET_TASKS, b -> repo.forgetTasks(owner(b), b.getString("character_id"))),
        Bus.consume(vertx, Addresses.FORGET_ROWS, b -> repo.forgetRows(owner(b), b.getString("character_id"))),
        Bus.consume(vertx, Addresses.FORGET_CHECK, b -> repo.forgotten(pool, b.getString("task_id"),
            b.getString("user_id"), b.getString("character_id"), b.getLong("created_at"))
            .map(gone -> new JsonObject().put("forgotten", gone))),
        // recall's reads go through the "mysql" breaker: a down or slow MySQL fails them fast
        Bus.consume(vertx, Addresses.STRUCTURED_SEARCH, b -> mysqlBreaker.<JsonObject>execute(() -> search(b)))));
  }

  /** The user a forget, an export or stats are about: required, since a missing one would mean everybody. */
  private static String owner(JsonObject b) {
    String user = b.getString("user_id");
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("user_id is required");
    }
    return user;
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

  private Future<JsonObject> cutIdleSessions(JsonObject b) {
    int maxRetries = config().getJsonObject("extractor").getInteger("max_retries", 3);
    return repo.idleSessions(b.getLong("idle_seconds"), b.getInteger("limit", 100))
        .compose(sessions -> {
          List<Future<JsonObject>> cuts = new ArrayList<>();
          for (int i = 0; i < sessions.size(); i++) {
            JsonObject s = sessions.getJsonObject(i);
            cuts.add(repo.endSession(s.getString("user_id"), s.getString("character_id"), s.getString("session_id"),
                "idle", maxRetries));
          }
          return Future.all(cuts).map(x -> {
            JsonArray tasks = new JsonArray();
            cuts.forEach(f -> {
              if (f.result().getJsonObject("task") != null) {
                tasks.add(f.result().getJsonObject("task"));
              }
            });
            return new JsonObject().put("tasks", tasks);
          });
        });
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StructuredSearchVerticle.class);
  private static final int DEADLOCK_ATTEMPTS = 5;

  /**
   * Runs a transaction again when InnoDB picked it as a deadlock victim (1213) or its lock wait timed out (1205):
   * tasks of one user running side by side lock the same profile rows, and the task's own retry budget is for real
   * failures, not for this.
   */
  private <T> Future<T> retryingDeadlocks(java.util.function.Supplier<Future<T>> transaction, int attemptsLeft) {
    return transaction.get().recover(e -> {
      boolean lockConflict = e instanceof io.vertx.mysqlclient.MySQLException m
          && (m.getErrorCode() == 1213 || m.getErrorCode() == 1205);
      if (!lockConflict || attemptsLeft <= 1) {
        return Future.failedFuture(e);
      }
      long backoff = 10 + java.util.concurrent.ThreadLocalRandom.current().nextLong(40L << (DEADLOCK_ATTEMPTS - attemptsLeft));
      LOG.debug("Deadlock on a memory write, again in {} ms", backoff);
      return vertx.timer(backoff).compose(x -> retryingDeadlocks(transaction, attemptsLeft - 1));
    });
  }
}
