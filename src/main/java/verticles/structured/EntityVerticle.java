package verticles.structured;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Entities;
import verticles.shared.Meters;

/**
 * Entities, relations and events in MySQL (V14), for companions and story projects: their writes (each an entity
 * memory's version too, so the index follows) and reads (entities through a read cache, {@code entities.cache_ttl_ms},
 * dropped on every instance after a change).
 */
public final class EntityVerticle extends VerticleBase {
  private Pool pool;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    pool = Mysql.pool(vertx, cfg.getJsonObject("mysql"));
    MeterRegistry registry = Meters.registry(cfg);
    Transactions tx = new Transactions(vertx, pool, registry);
    MemoryRepository memories = new MemoryRepository();
    IndexSync sync = new IndexSync(vertx, pool, memories,
        cfg.getJsonObject("index", new JsonObject()).getLong("write_timeout_ms", 15_000L) + 1_000L, registry);
    JsonObject entityCfg = cfg.getJsonObject("entities", new JsonObject());
    EntityCache cache = new EntityCache(entityCfg.getLong("cache_ttl_ms", 1_800_000L),
        entityCfg.getInteger("cache_max_entries", 10_000));
    EntityRepository repo = new EntityRepository();
    EntityWrites writes = new EntityWrites(tx, repo, memories, sync, owner -> {
      cache.drop(owner[0], owner[1], owner[2]);
      vertx.eventBus().publish(Addresses.ENTITIES_CACHE_CLEAR,
          new Entities.CacheClear(owner[0], owner[1], owner[2]).toJson());
      vertx.eventBus().publish(Addresses.CHANGES_POKE, verticles.contracts.Empty.INSTANCE.toJson());
    });
    EntityReads reads = new EntityReads(pool, repo, cache);
    // a write-back of the same chapter waits for the one running (the extractor's call allows four store timeouts)
    EntityWriteback writeback = new EntityWriteback(vertx, entityCfg.getLong("writeback_lock_timeout_ms", 60_000L), pool,
        repo, writes);
    EntityMentions mentions = new EntityMentions(pool, repo, writes);
    vertx.eventBus().<JsonObject>consumer(Addresses.ENTITIES_CACHE_CLEAR, msg -> {
      Entities.CacheClear c = Entities.CacheClear.fromJson(msg.body());
      cache.drop(c.userId(), c.characterId(), c.entityId());
    });
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.ENTITIES_CREATE, Entities.Create::fromJson, c -> writes.create(c.userId(),
            c.characterId(), c.entity(), c.actor(), "user").map(Entities.Item::new)),
        Bus.consume(vertx, Addresses.ENTITIES_STATE, Entities.StateUpdate::fromJson, u -> writes.updateState(
            u.userId(), u.characterId(), u.entityId(), u.update(), u.actor(), "user", null).map(Entities.Item::new)),
        Bus.consume(vertx, Addresses.RELATIONS_UPSERT, Entities.RelationUpsert::fromJson, r -> writes.upsertRelation(
            r.userId(), r.characterId(), r.relation(), null).map(Entities.Item::new)),
        Bus.consume(vertx, Addresses.EVENTS_CREATE, Entities.EventCreate::fromJson, e -> writes.createEvent(
            e.userId(), e.characterId(), e.event(), null).map(Entities.Item::new)),
        Bus.consume(vertx, Addresses.CHAPTERS_APPLY, Entities.Writeback::fromJson, writeback::apply),
        Bus.consume(vertx, Addresses.ENTITIES_MENTIONS, Entities.Mentions::fromJson, mentions::apply),
        Bus.consume(vertx, Addresses.CHAPTERS_GET, Entities.Chapter::fromJson, writeback::get),
        Bus.consume(vertx, Addresses.ENTITIES_GET, Entities.Ref::fromJson, reads::get),
        Bus.consume(vertx, Addresses.ENTITIES_LIST, Entities.Query::fromJson, reads::list),
        Bus.consume(vertx, Addresses.ENTITIES_STATES, Entities.Ref::fromJson, reads::states),
        Bus.consume(vertx, Addresses.ENTITIES_RELATIONS, Entities.RelationQuery::fromJson, reads::relations),
        Bus.consume(vertx, Addresses.ENTITIES_EVENTS, Entities.EventQuery::fromJson, reads::events)));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
