package verticles.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Instant;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Deleted;
import verticles.contracts.Owner;
import verticles.contracts.SessionMemory;
import verticles.extractor.rules.Tone;
import verticles.shared.Breakers;
import verticles.shared.Meters;

/**
 * Short-term session memory ({@code memory.session-context.*}): the store chosen by {@code session_memory.store},
 * {@code embedded} (the node's shared data, or the cluster's Hazelcast map on a clustered node) or {@code redis}.
 *
 * <p>Metrics: {@code engram_session_memory_operations_total{op,result}}, op {@code get} or {@code update}, result
 * {@code ok}, {@code not_found} or {@code error}; the Redis store's breaker is {@code engram_circuit_breaker_state{name="redis"}}.
 */
public final class SessionMemoryVerticle extends VerticleBase {
  private SessionStore store;
  private MeterRegistry registry;

  @Override
  public Future<?> start() {
    JsonObject cfg = config().getJsonObject("session_memory", new JsonObject());
    long ttlMs = cfg.getLong("ttl_seconds", 86_400L) * 1000;
    int maxTurns = cfg.getInteger("max_turns", 10);
    if (ttlMs <= 0 || maxTurns < 1) {
      throw new IllegalArgumentException("session_memory.ttl_seconds and max_turns must be positive");
    }
    Future<SessionStore> made = switch (cfg.getString("store", "embedded")) {
      // a Hazelcast map proxy is made by asking the cluster: not on an event loop
      case "embedded" -> vertx instanceof VertxInternal v && v.clusterManager() instanceof HazelcastClusterManager hz
          ? vertx.executeBlocking(() -> hz.getHazelcastInstance().<String, String>getMap(EmbeddedSessionStore.MAP))
              .map(map -> new HazelcastSessionStore(vertx, map, context, ttlMs, maxTurns))
          : Future.succeededFuture(new EmbeddedSessionStore(vertx, ttlMs, maxTurns,
              cfg.getLong("lock_timeout_ms", 1000L)));
      case "redis" -> Future.succeededFuture(new RedisSessionStore(vertx, cfg.getJsonObject("redis", new JsonObject()),
          Breakers.create(vertx, config(), "redis", cfg.getLong("timeout_ms", 500L)), ttlMs, maxTurns));
      default -> throw new IllegalArgumentException("session_memory.store must be embedded or redis");
    };
    registry = Meters.registry(config());
    for (String op : new String[] {"get", "update"}) {
      for (String result : new String[] {"ok", "not_found", "error"}) {
        counter(op, result);
      }
    }
    return made.compose(chosen -> {
      store = chosen;
      return consumers();
    });
  }

  private Future<?> consumers() {
    return Future.all(
        Bus.consume(vertx, Addresses.SESSION_CONTEXT_GET, SessionMemory.Get::fromJson,
            key -> found(store.get(key), "get")),
        Bus.consume(vertx, Addresses.SESSION_CONTEXT_UPDATE, SessionMemory.Update::fromJson,
            update -> found(store.update(withTone(update), Instant.now().getEpochSecond()), "update")),
        Bus.consume(vertx, Addresses.SESSION_CONTEXT_FORGET, Owner::required,
            owner -> store.forget(owner.userId(), owner.characterId()).map(Deleted::new)));
  }

  /**
   * The message feed's update with the tone of its last user message (the sentiment rules: anxious, sad, excited,
   * positive, negative), unless it says nothing either way; an update that sets a tone itself keeps it.
   */
  static SessionMemory.Update withTone(SessionMemory.Update update) {
    if (!update.mode().equals("append") || update.fields().containsKey("emotional_tone")) {
      return update;
    }
    JsonArray turns = update.fields().getJsonArray("turns", new JsonArray());
    for (int i = turns.size() - 1; i >= 0; i--) {
      JsonObject turn = turns.getJsonObject(i);
      if ("user".equals(turn.getString("role"))) {
        String tone = Tone.of(turn.getString("content", ""));
        return tone == null ? update : new SessionMemory.Update(update.userId(), update.characterId(),
            update.sessionId(), update.mode(), update.fields().copy().put("emotional_tone", tone));
      }
    }
    return update;
  }

  /** A missing context is a 404 naming the session; each outcome is counted. */
  private Future<SessionMemory.Context> found(Future<SessionMemory.Context> context, String op) {
    return context.transform(ar -> {
      if (ar.failed()) {
        counter(op, "error").increment();
        return Future.failedFuture(ar.cause());
      }
      if (ar.result() == null) {
        counter(op, "not_found").increment();
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND,
            "no context for this session: never set, or expired after session_memory.ttl_seconds",
            new JsonObject().put("field", "session_id")));
      }
      counter(op, "ok").increment();
      return Future.succeededFuture(ar.result());
    });
  }

  private Counter counter(String op, String result) {
    return Counter.builder("engram_session_memory_operations").description("Session memory reads and updates")
        .tag("op", op).tag("result", result).register(registry);
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }
}
