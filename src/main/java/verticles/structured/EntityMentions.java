package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Entities;

/**
 * Companion extraction's entity writes, for one chat task: the people, pets and places a conversation names, through
 * the same {@link EntityWrites} as the story API. A name an entity already holds resolves to it (no duplicate), a bare
 * mention ("妹妹") by any name or alias; a new name creates one (with the aliases no other entity holds); a new state is a row of its history (with an event of the mention); a relation
 * joins the user's own entity (name {@value #SELF}, attribute {@code self}) to it. Replaying the task first removes
 * what its previous run wrote (states, events, relations carry the task id as their write-back), so it is idempotent.
 * An item that fails (a name another entity holds, say) is logged and the rest go on.
 */
final class EntityMentions {
  private static final Logger LOG = LoggerFactory.getLogger(EntityMentions.class);
  static final String SELF = "user";
  private static final String ACTOR = "extractor";
  private final Pool pool;
  private final EntityRepository repo;
  private final EntityWrites writes;

  EntityMentions(Pool pool, EntityRepository repo, EntityWrites writes) {
    this.pool = pool;
    this.repo = repo;
    this.writes = writes;
  }

  Future<Entities.Item> apply(Entities.Mentions m) {
    String user = m.userId();
    String character = m.characterId();
    String task = m.taskId();
    int[] applied = new int[1];
    Map<String, String> known = new HashMap<>();
    Future<Void> chain = writes.undoWriteback(user, character, task);
    for (Object o : m.items()) {
      JsonObject item = (JsonObject) o;
      chain = chain.compose(v -> one(m, item, known).map(x -> applied[0]++).<Void>mapEmpty().recover(e -> {
        LOG.info("Entity mention of task {} not applied ({}): {}", task, item.encode(), e.toString());
        return Future.succeededFuture();
      }));
    }
    return chain.map(v -> new Entities.Item(new JsonObject().put("task_id", task).put("applied", applied[0])
        .put("items", m.items().size())));
  }

  private Future<?> one(Entities.Mentions m, JsonObject item, Map<String, String> known) {
    String user = m.userId();
    String character = m.characterId();
    String name = item.getString("name");
    List<String> aliases = new ArrayList<>();
    item.getJsonArray("aliases", new JsonArray()).forEach(a -> aliases.add(String.valueOf(a)));
    // a name is resolved by itself (a second sister with another name is another entity, though both are 妹妹);
    // a bare mention by any of its words
    List<String> names = new ArrayList<>();
    if (name != null) {
      names.add(name);
    } else if (item.getString("mention") != null) {
      names.add(item.getString("mention"));
      names.addAll(aliases);
    }
    if (names.isEmpty()) {
      return Future.succeededFuture();
    }
    return resolve(user, character, names, 0, known).compose(id -> {
      if (id == null && name == null) {
        return Future.succeededFuture(); // a bare mention of an entity nobody named yet
      }
      Future<String> entity = id != null ? addAliases(user, character, id, aliases)
          : free(user, character, aliases).compose(free -> writes.create(user, character, new JsonObject()
              .put("name", name.strip()).put("type", item.getString("type", "person")).put("aliases", new JsonArray(free))
              .put("appearance", m.sessionId()), ACTOR, ACTOR).map(e -> e.getString("id")))
              .recover(e -> createdMeanwhile(e, user, character, name.strip()));
      return entity.compose(eid -> {
        known.put(EntityRepository.aliasKey(names.get(0)), eid);
        return state(m, eid, item).compose(x -> relation(m, eid, item, known));
      });
    });
  }

  /**
   * A name another task of the user created at the same time (its claim is a 409 here): that entity. Two sessions of
   * a new user, both naming 咪咪 (or both needing the user's own entity), then make one entity, not lose a mention.
   */
  private Future<String> createdMeanwhile(Throwable e, String user, String character, String name) {
    return Bus.code(e) != Failures.CONFLICT ? Future.failedFuture(e) : repo.resolve(pool, user, character, name)
        .compose(id -> id != null ? Future.succeededFuture(id) : Future.failedFuture(e));
  }

  /** The first of these names an entity holds, or null. */
  private Future<String> resolve(String user, String character, List<String> names, int i, Map<String, String> known) {
    if (i == names.size()) {
      return Future.succeededFuture();
    }
    String cached = known.get(EntityRepository.aliasKey(names.get(i)));
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return repo.resolve(pool, user, character, names.get(i))
        .compose(id -> id != null ? Future.succeededFuture(id) : resolve(user, character, names, i + 1, known));
  }

  /** The aliases no entity holds yet (one another entity holds stays its). */
  private Future<List<String>> free(String user, String character, List<String> aliases) {
    List<String> out = new ArrayList<>();
    Future<Void> done = Future.succeededFuture();
    for (String a : aliases) {
      done = done.compose(x -> repo.resolve(pool, user, character, a).map(id -> {
        if (id == null) {
          out.add(a);
        }
        return null;
      }));
    }
    return done.map(out);
  }

  private Future<String> addAliases(String user, String character, String id, List<String> aliases) {
    return free(user, character, aliases).compose(free -> free.isEmpty() ? Future.succeededFuture(id)
        : writes.addAliases(user, character, id, free, ACTOR).map(id));
  }

  /** A new state: a row of history and an event of the sentence that said it; the same state again: nothing. */
  private Future<?> state(Entities.Mentions m, String id, JsonObject item) {
    String state = item.getString("state");
    if (state == null) {
      return Future.succeededFuture();
    }
    String user = m.userId();
    String character = m.characterId();
    return repo.find(pool, user, character, id, false).compose(e -> e == null || state.equals(e.getString(
        "current_state")) ? Future.succeededFuture() : writes.updateState(user, character, id, new JsonObject()
            .put("state", state).put("appearance", m.sessionId()).put("event_summary", item.getString("summary")),
            ACTOR, ACTOR, m.taskId())
        .compose(x -> writes.createEvent(user, character, new JsonObject().put("type", "mention")
            .put("summary", Sql.clip(String.valueOf(item.getString("summary")), 1000)).put("real_time", m.time())
            .put("entity_ids", new JsonArray().add(id)).put("appearance", m.sessionId())
            .put("tags", tags(item)), m.taskId())));
  }

  /** The chat's provenance rides in the event's tags ({@code msg:<id>}), so recall can cite the turn. */
  private static JsonArray tags(JsonObject item) {
    JsonArray tags = new JsonArray().add("chat");
    if (item.getString("source_msg_id") != null) {
      tags.add("msg:" + item.getString("source_msg_id"));
    }
    return tags;
  }

  /** The relation user → entity, from the user's own entity (created on first need). */
  private Future<?> relation(Entities.Mentions m, String id, JsonObject item, Map<String, String> known) {
    String type = item.getString("relation");
    if (type == null) {
      return Future.succeededFuture();
    }
    String user = m.userId();
    String character = m.characterId();
    return resolve(user, character, List.of(SELF), 0, known)
        .compose(self -> self != null ? Future.succeededFuture(self) : writes.create(user, character, new JsonObject()
            .put("name", SELF).put("type", "person").put("description", "the user")
            .put("attributes", new JsonObject().put("self", true)), ACTOR, ACTOR).map(e -> e.getString("id"))
            .recover(e -> createdMeanwhile(e, user, character, SELF)))
        .compose(self -> {
          known.put(SELF, self);
          return self.equals(id) ? Future.succeededFuture() : writes.upsertRelation(user, character, new JsonObject()
              .put("source_id", self).put("target_id", id).put("type", type).put("strength", 0.8)
              .put("description", Sql.clip(String.valueOf(item.getString("summary")), 1000)).put("appearance", m.sessionId()), m.taskId());
        });
  }
}
