package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verticles.bus.Failures;
import verticles.contracts.Entities;

/** The reads of entities (one through the cache), their states, relations (out to a few hops) and events. */
final class EntityReads {
  /** The most relations one traversal returns. */
  private static final int MAX_RELATIONS = 500;
  private final Pool pool;
  private final EntityRepository repo;
  private final EntityCache cache;

  EntityReads(Pool pool, EntityRepository repo, EntityCache cache) {
    this.pool = pool;
    this.repo = repo;
    this.cache = cache;
  }

  Future<Entities.Item> get(Entities.Ref ref) {
    return entity(ref.userId(), ref.characterId(), ref.entityId()).map(Entities.Item::new);
  }

  private Future<JsonObject> entity(String user, String character, String id) {
    JsonObject cached = cache.get(user, character, id);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return repo.find(pool, user, character, id, false).compose(e -> {
      if (e == null) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no entity " + id,
            new JsonObject().put("field", "entity_id").put("entity_id", id)));
      }
      cache.put(user, character, id, e);
      return Future.succeededFuture(e);
    });
  }

  /** The owner's entities; {@code expand}: each with its relations (one hop). */
  Future<Entities.Items> list(Entities.Query q) {
    return repo.list(pool, q.userId(), q.characterId(), q.type(), q.limit(), q.offset()).compose(items -> {
      if (!q.expand() || items.isEmpty()) {
        return Future.succeededFuture(new Entities.Items(items, null));
      }
      List<String> ids = items.stream().map(o -> ((JsonObject) o).getString("id")).toList();
      return repo.relations(pool, q.userId(), q.characterId(), ids, MAX_RELATIONS).map(rels -> {
        for (Object o : items) {
          JsonObject e = (JsonObject) o;
          JsonArray own = new JsonArray();
          for (Object r : rels) {
            JsonObject rel = (JsonObject) r;
            if (e.getString("id").equals(rel.getString("source_id"))
                || e.getString("id").equals(rel.getString("target_id"))) {
              own.add(rel);
            }
          }
          e.put("relations", own);
        }
        return new Entities.Items(items, null);
      });
    });
  }

  Future<Entities.Items> states(Entities.Ref ref) {
    return entity(ref.userId(), ref.characterId(), ref.entityId())
        .compose(e -> repo.states(pool, ref.userId(), ref.characterId(), ref.entityId(), 1000))
        .map(states -> new Entities.Items(states, null));
  }

  /**
   * The entity's relations out to {@code hops} (each with the {@code hop} it was found at), or those between it and
   * {@code otherId}; {@code entities} names every entity they reach.
   */
  Future<Entities.Items> relations(Entities.RelationQuery q) {
    String user = q.userId();
    String character = q.characterId();
    Future<JsonObject> start = entity(user, character, q.entityId());
    if (q.otherId() != null) {
      return start.compose(a -> entity(user, character, q.otherId()).recover(e -> Future.failedFuture(
              verticles.bus.Bus.code(e) == Failures.NOT_FOUND ? Failures.of(Failures.NOT_FOUND, "no entity " + q.otherId(),
                  new JsonObject().put("field", "between").put("entity_id", q.otherId())) : e)))
          .compose(b -> repo.between(pool, user, character, q.entityId(), q.otherId()))
          .compose(rels -> named(user, character, rels));
    }
    Map<String, JsonObject> found = new LinkedHashMap<>();
    Set<String> seen = new LinkedHashSet<>(List.of(q.entityId()));
    return start.compose(e -> hop(user, character, List.of(q.entityId()), 1, q.hops(), seen, found))
        .compose(x -> named(user, character, new JsonArray(new ArrayList<>(found.values()))));
  }

  private Future<Void> hop(String user, String character, List<String> frontier, int hop, int hops, Set<String> seen,
      Map<String, JsonObject> found) {
    if (frontier.isEmpty() || hop > hops || found.size() >= MAX_RELATIONS) {
      return Future.succeededFuture();
    }
    return repo.relations(pool, user, character, frontier, MAX_RELATIONS).compose(rels -> {
      List<String> next = new ArrayList<>();
      for (Object o : rels) {
        JsonObject r = (JsonObject) o;
        String key = r.getString("source_id") + '\u0000' + r.getString("target_id") + '\u0000' + r.getString("type");
        if (!found.containsKey(key)) {
          found.put(key, r.put("hop", hop));
        }
        for (String end : List.of(r.getString("source_id"), r.getString("target_id"))) {
          if (seen.add(end)) {
            next.add(end);
          }
        }
      }
      return hop(user, character, next, hop + 1, hops, seen, found);
    });
  }

  /** The relations with {@code entities}: id → {name, type} of every end. */
  private Future<Entities.Items> named(String user, String character, JsonArray rels) {
    Set<String> ids = new LinkedHashSet<>();
    rels.forEach(o -> {
      ids.add(((JsonObject) o).getString("source_id"));
      ids.add(((JsonObject) o).getString("target_id"));
    });
    JsonObject names = new JsonObject();
    Future<Void> done = Future.succeededFuture();
    for (String id : ids) {
      done = done.compose(x -> entity(user, character, id).map(e -> {
        names.put(id, new JsonObject().put("name", e.getString("name")).put("type", e.getString("type")));
        return (Void) null;
      }).recover(e -> Future.succeededFuture()));
    }
    return done.map(x -> new Entities.Items(rels, names));
  }

  /** Events in time order; with an entity, those involving it (the entity must be the owner's). */
  Future<Entities.Items> events(Entities.EventQuery q) {
    Future<?> known = q.entityId() == null ? Future.succeededFuture()
        : entity(q.userId(), q.characterId(), q.entityId());
    return known.compose(x -> repo.events(pool, q.userId(), q.characterId(), q.entityId(), q.from(), q.to(),
        q.limit())).map(events -> new Entities.Items(events, null));
  }
}
