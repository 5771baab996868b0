package verticles.structured;

import static verticles.structured.Sql.jsonArray;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import verticles.bus.Failures;

/**
 * Entities, their aliases, states, relations and events (V14), each read and written for one owner (user id and
 * character id; a story project's owner is {@link #projectOwner}). Runs on the caller's connection, so a caller's
 * writes commit together. Entities come and go as JSON in the API's shape.
 */
final class EntityRepository {
  private static final int DUPLICATE_KEY = 1062;
  /** The character id of a story project's owner. */
  static final String PROJECT_CHARACTER = "_project";

  /** A story project's owner user id: a client's user id cannot hold '/', so it names no user. */
  static String projectOwner(String tenant, String projectId) {
    return tenant + ":project/" + projectId;
  }

  /** The project of a story project's owner user id, or null for a companion's. */
  static String projectOf(String owner) {
    int colon = owner.indexOf(':'); // the tenant ends at the first ':'
    return owner.startsWith("project/", colon + 1) ? owner.substring(colon + 1 + "project/".length()) : null;
  }

  /** A name as resolution compares it: case folded (English), otherwise exact (Chinese has no case). */
  static String aliasKey(String name) {
    return name.strip().toLowerCase(Locale.ROOT);
  }

  Future<JsonObject> find(SqlClient c, String user, String character, String id, boolean lock) {
    return run(c, lock ? EntityQueries.LOCK : EntityQueries.GET, Tuple.of(id, user, character))
        .map(rs -> rs.size() == 0 ? null : entity(rs.iterator().next()));
  }

  Future<JsonArray> list(SqlClient c, String user, String character, String type, int limit, int offset) {
    Tuple args = type == null ? Tuple.of(user, character, limit, offset) : Tuple.of(user, character, type, limit, offset);
    return run(c, type == null ? EntityQueries.LIST : EntityQueries.LIST_TYPE, args).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(entity(r)));
      return out;
    });
  }

  /** A new entity (its {@code id} set by the caller), its name and aliases claimed for resolution. */
  Future<Void> insert(SqlClient c, String user, String character, JsonObject e) {
    LocalDateTime now = MemoryState.now();
    return claim(c, user, character, e.getString("id"), names(e))
        .compose(x -> run(c, EntityQueries.INSERT, Tuple.from(Arrays.asList(e.getString("id"), user, character,
            e.getString("project_id"), e.getString("name"), e.getJsonArray("aliases").encode(), e.getString("type"),
            e.getString("description"), e.getJsonObject("attributes").encode(), e.getInteger("importance"),
            e.getString("current_state"), e.getString("last_appearance"), now, now))))
        .mapEmpty();
  }

  /** The entity's mutable fields written back; new aliases claimed. */
  Future<Void> update(SqlClient c, String user, String character, JsonObject e, Collection<String> newAliases) {
    return claim(c, user, character, e.getString("id"), newAliases)
        .compose(x -> run(c, EntityQueries.UPDATE, Tuple.from(Arrays.asList(e.getJsonArray("aliases").encode(),
            e.getString("description"), e.getJsonObject("attributes").encode(), e.getInteger("importance"),
            e.getString("current_state"), e.getString("last_appearance"), MemoryState.now(), e.getString("id"), user,
            character))))
        .mapEmpty();
  }

  /** The entity a name or alias resolves to, or null. */
  Future<String> resolve(SqlClient c, String user, String character, String name) {
    return run(c, EntityQueries.RESOLVE, Tuple.of(user, character, aliasKey(name)))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getString(0));
  }

  /** Each name for this entity; one another entity holds is a 409 naming it. */
  private Future<Void> claim(SqlClient c, String user, String character, String id, Collection<String> names) {
    Future<Void> done = Future.succeededFuture();
    for (String key : keys(names)) {
      done = done.compose(x -> run(c, EntityQueries.RESOLVE, Tuple.of(user, character, key)).compose(rs -> {
        if (rs.size() == 0) {
          // a concurrent claim of the same name commits first: its duplicate key is the same conflict
          return run(c, EntityQueries.INSERT_ALIAS, Tuple.of(user, character, key, id)).<Void>mapEmpty()
              .recover(e -> Future.failedFuture(e instanceof MySQLException m && m.getErrorCode() == DUPLICATE_KEY
                  ? Failures.of(Failures.CONFLICT, "the name '" + key + "' was just claimed by another entity",
                      new JsonObject().put("field", "aliases")) : e));
        }
        String holder = rs.iterator().next().getString(0);
        return holder.equals(id) ? Future.succeededFuture()
            : Future.failedFuture(Failures.of(Failures.CONFLICT, "the name '" + key + "' is already entity " + holder,
                new JsonObject().put("field", "aliases").put("entity_id", holder)));
      }));
    }
    return done;
  }

  private static Set<String> keys(Collection<String> names) {
    Set<String> out = new LinkedHashSet<>();
    names.forEach(n -> out.add(aliasKey(n)));
    return out;
  }

  static List<String> names(JsonObject e) {
    List<String> out = new ArrayList<>();
    out.add(e.getString("name"));
    e.getJsonArray("aliases").forEach(a -> out.add((String) a));
    return out;
  }

  Future<Void> addState(SqlClient c, String user, String character, String id, JsonObject s, String writeback) {
    return run(c, EntityQueries.INSERT_STATE, Tuple.from(Arrays.asList(id, user, character,
        s.getString("appearance"), s.getLong("story_time"), s.getString("state"),
        s.getJsonObject("attribute_changes", new JsonObject()).encode(), s.getString("event_summary"), writeback,
        MemoryState.now()))).mapEmpty();
  }

  Future<JsonArray> states(SqlClient c, String user, String character, String id, int limit) {
    return run(c, EntityQueries.STATES, Tuple.of(id, user, character, limit)).map(rs -> {
      JsonArray out = new JsonArray();
      for (Row r : rs) {
        out.add(new JsonObject().put("seq", r.getLong("id")).put("appearance", r.getString("appearance_id"))
            .put("story_time", r.getLong("story_time")).put("state", r.getString("state"))
            .put("attribute_changes", new JsonObject(r.getValue("attribute_changes").toString()))
            .put("event_summary", r.getString("event_summary")).put("writeback", r.getString("writeback_id"))
            .put("at", Sql.epoch(r.getLocalDateTime("at"))));
      }
      return out;
    });
  }

  /** The latest state row left of an entity ({@code state}, {@code appearance}), or null. */
  Future<JsonObject> latestState(SqlClient c, String user, String character, String id) {
    return run(c, EntityQueries.LATEST_STATE, Tuple.of(id, user, character)).map(rs -> rs.size() == 0 ? null
        : new JsonObject().put("state", rs.iterator().next().getString("state"))
            .put("appearance", rs.iterator().next().getString("appearance_id")));
  }

  /** Creates or updates the relation keyed by (owner, source, target, type); returns it as stored. */
  Future<JsonObject> upsertRelation(SqlClient c, String user, String character, JsonObject rel, String writeback) {
    LocalDateTime now = MemoryState.now();
    String appearance = rel.getString("appearance");
    return run(c, EntityQueries.UPSERT_RELATION, Tuple.from(Arrays.asList(user, character, rel.getString("source_id"),
        rel.getString("target_id"), rel.getString("type"), rel.getDouble("strength", 0.5), rel.getString("description"),
        appearance, appearance, writeback, now, now, rel.getDouble("strength")))) // an upsert without one keeps it
        .compose(x -> run(c, EntityQueries.RELATION, Tuple.of(user, character, rel.getString("source_id"),
            rel.getString("target_id"), rel.getString("type"))))
        .map(rs -> relation(rs.iterator().next()));
  }

  /** The relations touching any of these entities, up to {@code limit}. */
  Future<JsonArray> relations(SqlClient c, String user, String character, List<String> ids, int limit) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    List<Object> args = new ArrayList<>(List.of(user, character));
    args.addAll(ids);
    args.addAll(ids);
    args.add(limit);
    return run(c, EntityQueries.touching(ids.size()), Tuple.from(args)).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(relation(r)));
      return out;
    });
  }

  Future<JsonArray> between(SqlClient c, String user, String character, String a, String b) {
    return run(c, EntityQueries.BETWEEN, Tuple.of(user, character, a, b, b, a)).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(relation(r)));
      return out;
    });
  }

  /** A new event (its {@code id} set by the caller) with the entities it involves. */
  Future<Void> insertEvent(SqlClient c, String user, String character, JsonObject ev, String writeback) {
    Long real = ev.getLong("real_time");
    List<Tuple> involved = new ArrayList<>();
    ev.getJsonArray("entity_ids", new JsonArray()).forEach(id -> involved.add(Tuple.of(ev.getString("id"), id, user,
        character)));
    return run(c, EntityQueries.INSERT_EVENT, Tuple.from(Arrays.asList(ev.getString("id"), user, character,
        ev.getString("appearance"), ev.getLong("story_time_start"), ev.getLong("story_time_end"),
        real == null ? null : Sql.utc(real), ev.getString("type"), ev.getString("summary"), ev.getString("description"),
        ev.getString("location_id"), ev.getInteger("importance", 5), ev.getJsonArray("tags", new JsonArray()).encode(),
        writeback, MemoryState.now())))
        .compose(x -> involved.isEmpty() ? Future.succeededFuture() : Sql.batch(c, EntityQueries.INSERT_EVENT_ENTITY,
            involved))
        .mapEmpty();
  }

  /** Events in story (or real) time order, in [from, to] when given, involving {@code entity} when given. */
  Future<JsonArray> events(SqlClient c, String user, String character, String entity, Long from, Long to, int limit) {
    List<Object> args = new ArrayList<>();
    if (entity != null) {
      args.add(entity);
    }
    args.add(user);
    args.add(character);
    boolean timed = from != null || to != null;
    if (timed) {
      args.add(from == null ? Long.MIN_VALUE : from);
      args.add(to == null ? Long.MAX_VALUE : to);
    }
    args.add(limit);
    String sql = timed ? EntityQueries.events(entity != null) : EntityQueries.eventsUntimed(entity != null);
    return run(c, sql, Tuple.from(args)).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(event(r)));
      return out;
    });
  }

  Future<JsonObject> event(SqlClient c, String user, String character, String id) {
    return run(c, EntityQueries.EVENT, Tuple.of(id, user, character))
        .map(rs -> rs.size() == 0 ? null : event(rs.iterator().next()));
  }

  private static JsonObject event(Row r) {
    return new JsonObject().put("id", r.getString("event_id")).put("appearance", r.getString("appearance_id"))
        .put("story_time_start", r.getLong("story_time_start")).put("story_time_end", r.getLong("story_time_end"))
        .put("real_time", Sql.epoch(r.getLocalDateTime("real_time"))).put("type", r.getString("event_type"))
        .put("summary", r.getString("summary")).put("description", r.getString("description"))
        .put("entity_ids", jsonArray(r.getValue("involved"))).put("location_id", r.getString("location_id"))
        .put("importance", r.getInteger("importance")).put("tags", jsonArray(r.getValue("tags")))
        .put("created_at", Sql.epoch(r.getLocalDateTime("created_at")));
  }

  /**
   * Removes what a previous write-back of {@code chapter} wrote: its states, events and the relations it created;
   * returns the entities whose states went (their current state is to be taken again from what is left).
   */
  Future<List<String>> undoWriteback(SqlClient c, String user, String character, String chapter) {
    Tuple args = Tuple.of(user, character, chapter);
    List<String> touched = new ArrayList<>();
    return run(c, EntityQueries.WRITEBACK_STATE_ENTITIES, args)
        .compose(rs -> {
          rs.forEach(r -> touched.add(r.getString(0)));
          return run(c, EntityQueries.DELETE_WRITEBACK_STATES, args);
        })
        .compose(x -> run(c, EntityQueries.DELETE_WRITEBACK_EVENT_ENTITIES, args))
        .compose(x -> run(c, EntityQueries.DELETE_WRITEBACK_EVENTS, args))
        .compose(x -> run(c, EntityQueries.DELETE_WRITEBACK_RELATIONS, args))
        .map(touched);
  }

  static JsonObject entity(Row r) {
    return new JsonObject().put("id", r.getString("entity_id")).put("project_id", r.getString("project_id"))
        .put("name", r.getString("name")).put("aliases", jsonArray(r.getValue("aliases")))
        .put("type", r.getString("entity_type")).put("description", r.getString("description"))
        .put("attributes", new JsonObject(r.getValue("attributes").toString()))
        .put("importance", r.getInteger("importance")).put("current_state", r.getString("current_state"))
        .put("last_appearance", r.getString("last_appearance_id"))
        .put("created_at", Sql.epoch(r.getLocalDateTime("created_at")))
        .put("updated_at", Sql.epoch(r.getLocalDateTime("updated_at")));
  }

  private static JsonObject relation(Row r) {
    return new JsonObject().put("source_id", r.getString("source_id")).put("target_id", r.getString("target_id"))
        .put("type", r.getString("relation_type")).put("strength", r.getBigDecimal("strength").doubleValue())
        .put("description", r.getString("description")).put("first_appearance", r.getString("first_appearance_id"))
        .put("last_appearance", r.getString("last_appearance_id"))
        .put("created_at", Sql.epoch(r.getLocalDateTime("created_at")))
        .put("updated_at", Sql.epoch(r.getLocalDateTime("updated_at")));
  }
}
