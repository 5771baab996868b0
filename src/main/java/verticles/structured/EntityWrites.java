package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Failures;
import verticles.vectorsearch.MemoryRecord;

/**
 * The writes of entities, states, relations and events: each one MySQL transaction. An entity's change is also a
 * version of its memory ({@code entity:{id}}, type entity: name, aliases, description, state) written through
 * {@link MemoryRepository#write} and marked for {@link IndexSync}, so its history, change events and index record
 * follow the one memory model; the index is brought along after the commit, and the read cache dropped.
 */
final class EntityWrites {
  private static final Logger LOG = LoggerFactory.getLogger(EntityWrites.class);
  private final Transactions tx;
  private final EntityRepository repo;
  private final MemoryRepository memories;
  private final IndexSync sync;
  /** Called with (owner user, character, entity id) after a change committed: the read caches drop it. */
  private final Consumer<String[]> changed;

  EntityWrites(Transactions tx, EntityRepository repo, MemoryRepository memories, IndexSync sync,
      Consumer<String[]> changed) {
    this.tx = tx;
    this.repo = repo;
    this.memories = memories;
    this.sync = sync;
    this.changed = changed;
  }

  static String memoryId(String entityId) {
    return "entity:" + entityId;
  }

  /** A new entity ({@code name, type, aliases?, description?, attributes?, importance?, current_state?}). */
  Future<JsonObject> create(String user, String character, JsonObject req, String actor, String source) {
    JsonObject e = new JsonObject().put("id", "ent-" + UUID.randomUUID())
        .put("project_id", req.getString("project_id")).put("name", req.getString("name").strip())
        .put("aliases", req.getJsonArray("aliases", new JsonArray()).copy()).put("type", req.getString("type"))
        .put("description", req.getString("description"))
        .put("attributes", req.getJsonObject("attributes", new JsonObject()).copy())
        .put("importance", req.getInteger("importance", 5)).put("current_state", req.getString("current_state"))
        .put("last_appearance", req.getString("appearance"));
    // a state given at create is the first row of its history (an undone write-back falls back to it)
    return committed(user, character, e.getString("id"), c -> repo.insert(c, user, character, e)
        .compose(x -> e.getString("current_state") == null ? Future.succeededFuture()
            : repo.addState(c, user, character, e.getString("id"), new JsonObject()
                .put("state", e.getString("current_state")).put("appearance", e.getString("last_appearance")), null))
        .compose(x -> repo.find(c, user, character, e.getString("id"), false))
        .compose(stored -> remember(c, user, character, stored, "create", actor, source).map(stored)));
  }

  /**
   * A state change ({@code state, appearance?, story_time?, attribute_changes?, event_summary?, aliases?}): a row of
   * history, then the entity's current state, attributes (merged) and last appearance; new aliases are added.
   */
  Future<JsonObject> updateState(String user, String character, String id, JsonObject update, String actor,
      String source, String writeback) {
    return committed(user, character, id, c -> repo.find(c, user, character, id, true).compose(e -> {
      if (e == null) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no entity " + id,
            new JsonObject().put("field", "entity_id").put("entity_id", id)));
      }
      JsonArray aliases = e.getJsonArray("aliases");
      List<String> added = new ArrayList<>();
      for (Object a : update.getJsonArray("aliases", new JsonArray())) {
        if (!aliases.contains(a) && !a.equals(e.getString("name"))) {
          aliases.add(a);
          added.add((String) a);
        }
      }
      e.getJsonObject("attributes").mergeIn(update.getJsonObject("attribute_changes", new JsonObject()));
      String full = overfull(e);
      if (full != null) {
        return Future.failedFuture(Failures.of(Failures.BAD_REQUEST, "an entity holds at most " + MAX_ALIASES
            + " aliases and " + MAX_ATTRIBUTES + " attributes", new JsonObject().put("field", full)));
      }
      e.put("current_state", update.getString("state"));
      if (update.getString("appearance") != null) {
        e.put("last_appearance", update.getString("appearance"));
      }
      return repo.addState(c, user, character, id, update, writeback)
          .compose(x -> repo.update(c, user, character, e, added))
          .compose(x -> repo.find(c, user, character, id, false))
          .compose(stored -> remember(c, user, character, stored, "update", actor, source).map(stored));
    }));
  }

  /** New aliases of an entity (each claimed; one another entity holds is a 409), its memory a new version. */
  Future<JsonObject> addAliases(String user, String character, String id, List<String> names, String actor) {
    return committed(user, character, id, c -> repo.find(c, user, character, id, true).compose(e -> {
      if (e == null) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no entity " + id,
            new JsonObject().put("field", "entity_id").put("entity_id", id)));
      }
      List<String> added = new ArrayList<>();
      for (String a : names) {
        if (!e.getJsonArray("aliases").contains(a) && !a.equals(e.getString("name"))) {
          e.getJsonArray("aliases").add(a);
          added.add(a);
        }
      }
      if (overfull(e) != null) {
        return Future.failedFuture(Failures.of(Failures.BAD_REQUEST, "an entity holds at most " + MAX_ALIASES
            + " aliases", new JsonObject().put("field", "aliases")));
      }
      return repo.update(c, user, character, e, added)
          .compose(x -> repo.find(c, user, character, id, false))
          .compose(stored -> remember(c, user, character, stored, "update", actor, actor).map(stored));
    }));
  }

  /** Totals an entity may reach over its updates (each request is capped too): its memory text stays readable. */
  static final int MAX_ALIASES = 100;
  static final int MAX_ATTRIBUTES = 200;

  /** The field past its total, or null. */
  private static String overfull(JsonObject e) {
    return e.getJsonArray("aliases").size() > MAX_ALIASES ? "aliases"
        : e.getJsonObject("attributes").size() > MAX_ATTRIBUTES ? "attribute_changes" : null;
  }

  /** A relation upserted by (source, target, type); both ends must be the owner's entities. */
  Future<JsonObject> upsertRelation(String user, String character, JsonObject rel, String writeback) {
    if (rel.getString("source_id").equals(rel.getString("target_id"))) {
      return Future.failedFuture(Failures.of(Failures.BAD_REQUEST, "a relation joins two entities; source_id and"
          + " target_id are the same", new JsonObject().put("field", "target_id")));
    }
    return tx.run(c -> known(c, user, character, rel.getString("source_id"), "source_id")
        .compose(x -> known(c, user, character, rel.getString("target_id"), "target_id"))
        .compose(x -> repo.upsertRelation(c, user, character, rel, writeback)));
  }

  /** A new event; its entities and location must be the owner's. */
  Future<JsonObject> createEvent(String user, String character, JsonObject req, String writeback) {
    JsonObject ev = req.copy().put("id", "evt-" + UUID.randomUUID());
    return tx.run(c -> {
      Future<Void> checks = Future.succeededFuture();
      JsonArray ids = ev.getJsonArray("entity_ids", new JsonArray());
      for (int i = 0; i < ids.size(); i++) {
        String field = "entity_ids[" + i + "]";
        String id = ids.getString(i);
        checks = checks.compose(x -> known(c, user, character, id, field));
      }
      if (ev.getString("location_id") != null) {
        checks = checks.compose(x -> known(c, user, character, ev.getString("location_id"), "location_id"));
      }
      return checks.compose(x -> repo.insertEvent(c, user, character, ev, writeback))
          .compose(x -> repo.event(c, user, character, ev.getString("id")));
    });
  }

  /** What a previous write-back of the chapter wrote, removed; entities whose state went take their latest left. */
  Future<Void> undoWriteback(String user, String character, String chapter) {
    return tx.run(c -> repo.undoWriteback(c, user, character, chapter).compose(touched -> {
      Future<Void> done = Future.succeededFuture();
      for (String id : touched) {
        done = done.compose(x -> restate(c, user, character, id));
      }
      return done.map(touched);
    })).compose(touched -> sync.afterCommit(touched.stream().map(EntityWrites::memoryId).toList())
        .recover(e -> {
          LOG.warn("Index sync after a write-back's undo failed (the sweeper finishes it): {}", e.toString());
          return Future.succeededFuture();
        })
        .onSuccess(x -> touched.forEach(id -> changed.accept(new String[] {user, character, id}))));
  }

  private Future<Void> restate(SqlClient c, String user, String character, String id) {
    return repo.find(c, user, character, id, true).compose(e -> e == null ? Future.succeededFuture()
        : repo.latestState(c, user, character, id).compose(latest -> {
          e.put("current_state", latest == null ? null : latest.getString("state"));
          e.put("last_appearance", latest == null ? null : latest.getString("appearance"));
          return repo.update(c, user, character, e, List.of())
              .compose(x -> repo.find(c, user, character, id, false))
              .compose(stored -> remember(c, user, character, stored, "update", "system", "system"));
        }));
  }

  private Future<Void> known(SqlClient c, String user, String character, String id, String field) {
    return repo.find(c, user, character, id, false).compose(e -> e != null ? Future.succeededFuture()
        : Future.failedFuture(Failures.of(Failures.NOT_FOUND, "no entity " + id + " here",
            new JsonObject().put("field", field).put("entity_id", id))));
  }

  /** One transaction of an entity's change, then its index record and the caches. */
  private Future<JsonObject> committed(String user, String character, String id,
      java.util.function.Function<io.vertx.sqlclient.SqlConnection, Future<JsonObject>> work) {
    return tx.run(work).compose(e -> sync.afterCommit(List.of(memoryId(id)))
        .map(e.put("indexed", true))
        .recover(err -> {
          LOG.warn("Index sync of entity {} failed after its commit (the sweeper finishes it): {}", id, err.toString());
          return Future.succeededFuture(e.put("indexed", false));
        })
        .onSuccess(x -> changed.accept(new String[] {user, character, id})));
  }

  /** The entity's memory brought to the entity: a new version when its text, importance or metadata differ. */
  private Future<Void> remember(SqlClient c, String user, String character, JsonObject e, String op, String actor,
      String source) {
    String id = memoryId(e.getString("id"));
    JsonObject metadata = new JsonObject().put("entity_id", e.getString("id")).put("entity_type", e.getString("type"))
        .put("name", e.getString("name")).put("aliases", e.getJsonArray("aliases"))
        .put("project_id", e.getString("project_id"));
    return memories.find(c, id, true).compose(before -> {
      MemoryState after;
      if (before == null) {
        MemoryRecord r = new MemoryRecord(id, null, user, character, "entity", text(e), e.getLong("created_at"),
            e.getInteger("importance"), null, List.of(), metadata, null);
        after = MemoryState.of(r, "fact", 1.0, source, MemoryState.now());
      } else {
        after = before.copy();
        after.content = text(e);
        after.importance = Math.max(1, Math.min(10, e.getInteger("importance")));
        after.metadata = metadata;
        after.status = "active";
        if (after.changedFrom(before).isEmpty()) {
          return Future.succeededFuture();
        }
      }
      return memories.write(c, before, after, before == null ? "create" : op, "entity " + op, actor, false)
          .compose(x -> sync.mark(c, List.of(id)));
    });
  }

  /** What the entity is found by: name and aliases, description, current state (seed 003 §3). */
  static String text(JsonObject e) {
    StringBuilder b = new StringBuilder(e.getString("name"));
    JsonArray aliases = e.getJsonArray("aliases");
    if (!aliases.isEmpty()) {
      b.append(" (").append(String.join(", ", aliases.stream().map(String::valueOf).toList())).append(')');
    }
    for (String field : List.of("description", "current_state")) {
      String v = e.getString(field);
      if (v != null && !v.isBlank()) {
        b.append('\n').append(v);
      }
    }
    return b.toString();
  }
}
