package verticles.session;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.List;
import verticles.bus.Failures;
import verticles.contracts.SessionMemory;

/**
 * The embedded store of a single node: Vert.x shared data. Entries expire with the map's TTL; an update holds the
 * session's lock around its read and write, so concurrent updates never lose a turn. (A clustered node uses
 * {@link HazelcastSessionStore}.)
 */
final class EmbeddedSessionStore implements SessionStore {
  static final String MAP = "engram.session-memory";

  private final Vertx vertx;
  private final Future<AsyncMap<String, String>> map;
  private final long ttlMs;
  private final int maxTurns;
  private final long lockTimeoutMs;

  EmbeddedSessionStore(Vertx vertx, long ttlMs, int maxTurns, long lockTimeoutMs) {
    this.vertx = vertx;
    this.map = vertx.sharedData().getLocalAsyncMap(MAP);
    this.ttlMs = ttlMs;
    this.maxTurns = maxTurns;
    this.lockTimeoutMs = lockTimeoutMs;
  }

  @Override
  public Future<SessionMemory.Context> get(SessionMemory.Get key) {
    return map.compose(m -> m.get(SessionStore.key(key)))
        .map(stored -> stored == null ? null : Contexts.context(key, new JsonObject(stored)));
  }

  @Override
  public Future<SessionMemory.Context> update(SessionMemory.Update update, long nowSeconds) {
    String key = SessionStore.key(update.key());
    return vertx.sharedData().getLocalLockWithTimeout(MAP + ":" + key, lockTimeoutMs)
        .recover(e -> Future.failedFuture(Failures.of(Failures.UNAVAILABLE, "the session is busy: its lock was not"
            + " free within session_memory.lock_timeout_ms (" + e.getMessage() + ")")))
        .compose(lock -> map
        .compose(m -> m.get(key).compose(stored -> {
          JsonObject next = Contexts.apply(stored == null ? null : new JsonObject(stored), update, maxTurns,
              nowSeconds);
          return next == null ? Future.succeededFuture((SessionMemory.Context) null)
              : m.put(key, next.encode(), ttlMs).map(v -> Contexts.context(update.key(), next));
        }))
        .eventually(() -> {
          lock.release();
          return Future.succeededFuture();
        }));
  }

  @Override
  public Future<Long> forget(String userId, String characterId) {
    String prefix = SessionStore.prefix(userId, characterId);
    return map.compose(m -> m.keys().compose(keys -> {
      List<Future<String>> removed = keys.stream().filter(k -> k.startsWith(prefix)).map(m::remove).toList();
      return Future.all(removed).map(x -> (long) removed.size());
    }));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
