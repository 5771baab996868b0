package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Locale;
import java.util.regex.Pattern;
import verticles.contracts.Entities;

/**
 * Recall's entity read, one MySQL query: the owner's entities one of whose names occurs in the message (the SQL finds
 * aliases contained in the lower-cased text; here an English alias must also stand as a word, a Chinese one may sit
 * anywhere), each with its current state, its relations with the other end's name and (one hop) state, and its
 * latest events. The user's own entity ({@code attributes.self}) is never matched.
 */
final class EntityRecall {
  /** Aliases shorter than this never match: one Latin letter, or one Chinese character, names nothing reliably. */
  private static final int MIN_ALIAS = 2;

  private static final String SQL = "SELECT e.entity_id, e.name, e.aliases, e.entity_type, e.description,"
      + " e.current_state, e.importance, e.updated_at,"
      + " (SELECT JSON_ARRAYAGG(JSON_OBJECT('source_id', r.source_id, 'target_id', r.target_id, 'type',"
      + " r.relation_type, 'name', o.name, 'entity_type', o.entity_type, 'state', o.current_state))"
      + " FROM entity_relations r JOIN entities o ON o.entity_id = IF(r.source_id = e.entity_id, r.target_id,"
      + " r.source_id) WHERE r.user_id = e.user_id AND r.character_id = e.character_id"
      + " AND (r.source_id = e.entity_id OR r.target_id = e.entity_id)) AS relations,"
      + " (SELECT JSON_ARRAYAGG(JSON_OBJECT('summary', v.summary, 'real_time', UNIX_TIMESTAMP(v.real_time),"
      + " 'story_time', v.story_time_start, 'tags', v.tags) ORDER BY v.created_at DESC LIMIT ?)"
      + " FROM entity_events v JOIN entity_event_entities x ON x.event_id = v.event_id"
      + " WHERE x.entity_id = e.entity_id) AS events"
      + " FROM entities e WHERE e.user_id = ? AND e.character_id = ?"
      + " AND JSON_VALUE(e.attributes, '$.self') IS NULL"
      + " AND e.entity_id IN (SELECT a.entity_id FROM entity_aliases a WHERE a.user_id = ? AND a.character_id = ?"
      + " AND CHAR_LENGTH(a.alias_key) >= " + MIN_ALIAS + " AND LOCATE(a.alias_key, ?) > 0)"
      + " ORDER BY e.importance DESC, e.updated_at DESC LIMIT ?";

  private final Pool pool;

  EntityRecall(Pool pool) {
    this.pool = pool;
  }

  Future<Entities.Items> find(Entities.Recall q) {
    String text = q.text() == null ? "" : q.text().toLowerCase(Locale.ROOT);
    if (text.isBlank() || q.limit() <= 0) {
      return Future.succeededFuture(new Entities.Items(new JsonArray(), null));
    }
    // over-fetch: a contained English alias that is only part of a word is dropped below
    return run(pool, SQL, Tuple.of(Math.max(1, q.eventLimit()), q.userId(), q.characterId(), q.userId(),
        q.characterId(), text, q.limit() * 2)).map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            JsonObject e = entity(r, q.hops());
            if (out.size() < q.limit() && named(text, e)) {
              out.add(e);
            }
          }
          return new Entities.Items(out, null);
        });
  }

  private static JsonObject entity(Row r, int hops) {
    JsonArray relations = Sql.jsonArray(r.getValue("relations"));
    if (hops < 1) {
      relations.forEach(o -> ((JsonObject) o).remove("state"));
    }
    JsonArray events = Sql.jsonArray(r.getValue("events"));
    return new JsonObject().put("id", r.getString("entity_id")).put("name", r.getString("name"))
        .put("aliases", Sql.jsonArray(r.getValue("aliases"))).put("type", r.getString("entity_type"))
        .put("description", r.getString("description")).put("current_state", r.getString("current_state"))
        .put("importance", r.getInteger("importance")).put("updated_at", Sql.epoch(r.getLocalDateTime("updated_at")))
        .put("relations", relations).put("events", events);
  }

  /** The text names the entity: a Chinese name anywhere in it, a Latin one as a whole word (case folded). */
  static boolean named(String lowerText, JsonObject e) {
    java.util.List<String> names = new java.util.ArrayList<>();
    names.add(e.getString("name"));
    e.getJsonArray("aliases").forEach(a -> names.add(String.valueOf(a)));
    for (String n : names) {
      String key = EntityRepository.aliasKey(n);
      if (key.codePointCount(0, key.length()) < MIN_ALIAS || !lowerText.contains(key)) {
        continue;
      }
      if (key.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
          || Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(key) + "(?![\\p{L}\\p{N}])").matcher(lowerText)
              .find()) {
        return true;
      }
    }
    return false;
  }
}
