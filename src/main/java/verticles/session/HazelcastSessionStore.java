package verticles.session;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import verticles.contracts.SessionMemory;

/**
 * The embedded store on a clustered node: the cluster's Hazelcast map, each update one entry processor run on the
 * key's owner (an atomic read-modify-write that sets the TTL too). Vert.x's cluster-wide lock would not do: it is a
 * Hazelcast map lock owned by the worker thread that took it, so two updates of one node could both hold it.
 */
final class HazelcastSessionStore implements SessionStore {
  private final IMap<String, String> map;
  private final Vertx vertx;
  private final Context context;
  private final long ttlMs;
  private final int maxTurns;

  HazelcastSessionStore(Vertx vertx, IMap<String, String> map, Context context, long ttlMs, int maxTurns) {
    this.vertx = vertx;
    this.map = map;
    this.context = context;
    this.ttlMs = ttlMs;
    this.maxTurns = maxTurns;
  }

  @Override
  public Future<SessionMemory.Context> get(SessionMemory.Get key) {
    return Future.fromCompletionStage(map.getAsync(SessionStore.key(key)), context)
        .map(stored -> stored == null ? null : Contexts.context(key, new JsonObject(stored)));
  }

  @Override
  public Future<SessionMemory.Context> update(SessionMemory.Update update, long nowSeconds) {
    Apply apply = new Apply(update.toJson().encode(), maxTurns, nowSeconds, ttlMs);
    return Future.fromCompletionStage(map.submitToKey(SessionStore.key(update.key()), apply), context)
        .map(stored -> stored == null ? null : Contexts.context(update.key(), new JsonObject(stored)));
  }

  @Override
  public Future<Long> forget(String userId, String characterId) {
    KeyPrefix matching = new KeyPrefix(SessionStore.prefix(userId, characterId));
    return vertx.executeBlocking(() -> { // a query over the cluster's members: blocking
      Set<String> keys = map.keySet(matching);
      keys.forEach(map::delete);
      return (long) keys.size();
    });
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** The keys that start with a prefix, evaluated on the members that hold them. */
  record KeyPrefix(String prefix) implements Predicate<String, String> {
    @Override
    public boolean apply(Map.Entry<String, String> entry) {
      return entry.getKey().startsWith(prefix);
    }
  }

  /** The update, applied where the entry lives (and again, alike, on its backup): the stored form after it. */
  record Apply(String update, int maxTurns, long now, long ttlMs) implements EntryProcessor<String, String, String> {
    @Override
    public String process(Map.Entry<String, String> entry) {
      JsonObject next = Contexts.apply(entry.getValue() == null ? null : new JsonObject(entry.getValue()),
          SessionMemory.Update.fromJson(new JsonObject(update)), maxTurns, now);
      if (next == null) {
        return null;
      }
      String stored = next.encode();
      ((ExtendedMapEntry<String, String>) entry).setValue(stored, ttlMs, TimeUnit.MILLISECONDS);
      return stored;
    }
  }
}
