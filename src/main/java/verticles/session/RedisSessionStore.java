package verticles.session;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Failures;
import verticles.contracts.SessionMemory;
import verticles.shared.Breakers;

/**
 * The Redis store: a session is a hash (its fields) and a list (its turns), both under the session's hash tag so they
 * share a cluster slot. Every update is one Lua script (append, trim, set, expire, read back), so concurrent updates
 * from any node never lose a turn; every call goes through the {@code redis} breaker.
 */
final class RedisSessionStore implements SessionStore {
  /**
   * One update: ARGV mode, ttl ms, max turns, now, the number of fields to set and to clear, the turns counted but
   * not sent, then the pairs to set, the fields to clear and the turns. Replies the context after it, or 0 for a
   * merge on a missing session.
   */
  private static final String UPDATE = """
      local mode = ARGV[1]
      if mode == 'merge' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      if mode == 'replace' then redis.call('DEL', KEYS[1], KEYS[2]) end
      local nset, nclear, i = tonumber(ARGV[5]), tonumber(ARGV[6]), 8
      for _ = 1, nset do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
      for _ = 1, nclear do redis.call('HDEL', KEYS[1], ARGV[i]); i = i + 1 end
      local added = #ARGV - i + 1
      if added > 0 then redis.call('RPUSH', KEYS[2], unpack(ARGV, i, #ARGV)) end
      redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
      redis.call('HINCRBY', KEYS[1], 'turns_total', added + tonumber(ARGV[7]))
      redis.call('HSET', KEYS[1], 'updated_at', ARGV[4])
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[2], ARGV[2])
      return {redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
      """;
  private static final String GET = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      return {redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
      """;

  private final Redis client;
  private final RedisAPI api;
  private final CircuitBreaker breaker;
  private final long ttlMs;
  private final int maxTurns;

  RedisSessionStore(Vertx vertx, JsonObject redis, CircuitBreaker breaker, long ttlMs, int maxTurns) {
    RedisOptions options = new RedisOptions().setConnectionString(redis.getString("url", "redis://127.0.0.1:6379"))
        .setMaxPoolSize(redis.getInteger("max_pool_size", 8))
        .setMaxPoolWaiting(redis.getInteger("max_pool_waiting", 64));
    options.getNetClientOptions().setConnectTimeout(redis.getInteger("connect_timeout_ms", 1000));
    this.client = Redis.createClient(vertx, options);
    this.api = RedisAPI.api(client);
    this.breaker = breaker;
    this.ttlMs = ttlMs;
    this.maxTurns = maxTurns;
  }

  @Override
  public Future<SessionMemory.Context> get(SessionMemory.Get key) {
    List<String> args = new ArrayList<>(List.of(GET, "2", hashKey(key), listKey(key)));
    return away(Breakers.execute(breaker, abandoned -> api.eval(args))).map(r -> read(key, r));
  }

  /**
   * An error Redis answers (OOM, LOADING, READONLY, BUSY, MASTERDOWN, TRYAGAIN: our scripts are constant, so any
   * error is the server's state) is the store away: 503, as an open breaker is.
   */
  private static <T> Future<T> away(Future<T> call) {
    return call.recover(e -> Future.failedFuture(Failures.unavailable(e) || e instanceof ReplyException ? e
        : Failures.of(Failures.UNAVAILABLE, "redis: " + e.getMessage())));
  }

  @Override
  public Future<SessionMemory.Context> update(SessionMemory.Update update, long nowSeconds) {
    SessionMemory.Get key = update.key();
    JsonObject fields = update.fields();
    List<String> set = new ArrayList<>();
    List<String> clear = new ArrayList<>();
    for (String field : List.of("active_entities", "current_location", "emotional_tone")) {
      Object v = fields.getValue(field);
      if (v != null) {
        set.add(field);
        set.add(v instanceof JsonArray a ? a.encode() : v.toString());
      } else if (fields.containsKey(field)) {
        clear.add(field);
      }
    }
    JsonArray turns = fields.getJsonArray("turns", new JsonArray());
    // only the last max_turns can be kept: the others are counted, not sent
    int skipped = Math.max(0, turns.size() - maxTurns);
    List<String> args = new ArrayList<>(List.of(UPDATE, "2", hashKey(key), listKey(key), update.mode(),
        Long.toString(ttlMs), Integer.toString(maxTurns), Long.toString(nowSeconds),
        Integer.toString(set.size() / 2), Integer.toString(clear.size()), Integer.toString(skipped)));
    args.addAll(set);
    args.addAll(clear);
    for (int i = skipped; i < turns.size(); i++) {
      args.add(turns.getJsonObject(i).encode());
    }
    return away(Breakers.execute(breaker, abandoned -> api.eval(args))).map(r -> read(key, r));
  }

  @Override
  public Future<Long> forget(String userId, String characterId) {
    String match = "{" + glob(SessionStore.prefix(userId, characterId)) + "*";
    return away(scan("0", match, 0L));
  }

  /** One SCAN page of the user's keys deleted, then the next page; counts the sessions (their hashes). */
  private Future<Long> scan(String cursor, String match, long sessions) {
    return Breakers.execute(breaker, abandoned -> api.scan(List.of(cursor, "MATCH", match, "COUNT", "500")))
        .compose(page -> {
          List<String> keys = new ArrayList<>();
          page.get(1).forEach(k -> keys.add(k.toString()));
          long found = sessions + keys.stream().filter(k -> k.endsWith("}:h")).count();
          Future<?> deleted = keys.isEmpty() ? Future.succeededFuture()
              : Breakers.execute(breaker, abandoned -> api.unlink(keys));
          String next = page.get(0).toString();
          return deleted.compose(x -> next.equals("0") ? Future.succeededFuture(found) : scan(next, match, found));
        });
  }

  /** The text as a glob that matches it literally. */
  private static String glob(String text) {
    StringBuilder sb = new StringBuilder();
    for (char c : text.toCharArray()) {
      if ("*?[]\\".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static SessionMemory.Context read(SessionMemory.Get key, Response r) {
    if (r == null || r.type() != ResponseType.MULTI) { // 0: no such session
      return null;
    }
    JsonObject stored = new JsonObject();
    Response hash = r.get(0);
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      String field = hash.get(i).toString();
      String value = hash.get(i + 1).toString();
      switch (field) {
        case "active_entities" -> stored.put(field, new JsonArray(value));
        case "turns_total", "updated_at" -> stored.put(field, Long.parseLong(value));
        default -> stored.put(field, value);
      }
    }
    JsonArray turns = new JsonArray();
    Response list = r.get(1);
    for (int i = 0; i < list.size(); i++) {
      turns.add(new JsonObject(list.get(i).toString()));
    }
    return Contexts.context(key, stored.put("turns", turns));
  }

  /** {@code engram:session:{ids}:h}: the hash tag puts a session's two keys in one slot of a Redis cluster. */
  private static String hashKey(SessionMemory.Get key) {
    return "{" + SessionStore.key(key) + "}:h";
  }

  private static String listKey(SessionMemory.Get key) {
    return "{" + SessionStore.key(key) + "}:t";
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
