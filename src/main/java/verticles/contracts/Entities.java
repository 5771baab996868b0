package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Entities, relations and events ({@code memory.entities.*}, {@code memory.relations.upsert},
 * {@code memory.events.create}). Every request names its owner: {@code user_id} (tenant-scoped; a story project's is
 * {@code tenant:project/{project_id}}) and {@code character_id}; an entity of another owner does not exist for it.
 * Entities, relations and events travel in the API's JSON shape.
 */
public final class Entities {
  /** The most hops a relation traversal takes. */
  public static final int MAX_HOPS = 3;

  private static final int DEFAULT_LIMIT = 50;
  private static final int DEFAULT_OFFSET = 0;
  private static final int DEFAULT_HOPS = 1;

  private Entities() {}

  private static int number(JsonObject j, String field, int min, int max, int dflt) {
    Integer v = Json.integer(j, field, min, max);
    return v == null ? dflt : v;
  }

  /** {@code memory.entities.create}: {@code entity} holds name, type and the optional fields. */
  public record Create(String userId, String characterId, JsonObject entity, String actor) implements Contract {
    public static Create fromJson(JsonObject j) {
      return new Create(Json.present(j, "user_id"), Json.present(j, "character_id"), j.getJsonObject("entity"),
          j.getString("actor"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("entity", entity)
          .put("actor", actor);
    }
  }

  /** {@code memory.entities.get}, {@code memory.entities.states}: one entity of the owner. */
  public record Ref(String userId, String characterId, String entityId) implements Contract {
    public static Ref fromJson(JsonObject j) {
      return new Ref(Json.present(j, "user_id"), Json.present(j, "character_id"), Json.present(j, "entity_id"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("entity_id", entityId);
    }
  }

  /** {@code memory.entities.list}: oldest first; {@code expand}: each with its relations. */
  public record Query(String userId, String characterId, String type, int limit, int offset, boolean expand)
      implements Contract {
    public static Query fromJson(JsonObject j) {
      return new Query(Json.present(j, "user_id"), Json.present(j, "character_id"), j.getString("type"),
          number(j, "limit", 1, 500, DEFAULT_LIMIT), number(j, "offset", 0, 100_000, DEFAULT_OFFSET), j.getBoolean("expand", false));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("type", type)
          .put("limit", limit).put("offset", offset).put("expand", expand);
    }
  }

  /** {@code memory.entities.state}: {@code update} holds state and the optional history fields. */
  public record StateUpdate(String userId, String characterId, String entityId, JsonObject update, String actor)
      implements Contract {
    public static StateUpdate fromJson(JsonObject j) {
      return new StateUpdate(Json.present(j, "user_id"), Json.present(j, "character_id"),
          Json.present(j, "entity_id"), j.getJsonObject("update"), j.getString("actor"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("entity_id", entityId)
          .put("update", update).put("actor", actor);
    }
  }

  /**
   * {@code memory.entities.relations}: the relations of {@code entityId} out to {@code hops} (1 to
   * {@link #MAX_HOPS}), or, with {@code otherId}, those between the two.
   */
  public record RelationQuery(String userId, String characterId, String entityId, String otherId, int hops)
      implements Contract {
    public static RelationQuery fromJson(JsonObject j) {
      return new RelationQuery(Json.present(j, "user_id"), Json.present(j, "character_id"),
          Json.present(j, "entity_id"), j.getString("other_id"), number(j, "hops", 1, MAX_HOPS, DEFAULT_HOPS));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("entity_id", entityId)
          .put("other_id", otherId).put("hops", hops);
    }
  }

  /** {@code memory.relations.upsert}: source_id, target_id, type, strength?, description?, appearance?. */
  public record RelationUpsert(String userId, String characterId, JsonObject relation) implements Contract {
    public static RelationUpsert fromJson(JsonObject j) {
      return new RelationUpsert(Json.present(j, "user_id"), Json.present(j, "character_id"),
          j.getJsonObject("relation"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("relation", relation);
    }
  }

  /** {@code memory.events.create}: type, summary and the optional fields. */
  public record EventCreate(String userId, String characterId, JsonObject event) implements Contract {
    public static EventCreate fromJson(JsonObject j) {
      return new EventCreate(Json.present(j, "user_id"), Json.present(j, "character_id"), j.getJsonObject("event"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("event", event);
    }
  }

  /** {@code memory.entities.events}: in time order, within [from, to] and involving {@code entityId} when given. */
  public record EventQuery(String userId, String characterId, String entityId, Long from, Long to, int limit)
      implements Contract {
    public static EventQuery fromJson(JsonObject j) {
      return new EventQuery(Json.present(j, "user_id"), Json.present(j, "character_id"), j.getString("entity_id"),
          j.getLong("from"), j.getLong("to"), number(j, "limit", 1, 1000, DEFAULT_LIMIT));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("entity_id", entityId)
          .put("from", from).put("to", to).put("limit", limit);
    }
  }

  /** One entity, relation or event. */
  public record Item(JsonObject item) implements Contract {
    public static Item fromJson(JsonObject j) {
      return new Item(j);
    }

    @Override
    public JsonObject toJson() {
      return item;
    }
  }

  /** A list of entities, states, relations or events; {@code entities}: id → name and type of those named. */
  public record Items(JsonArray items, JsonObject entities) implements Contract {
    public static Items fromJson(JsonObject j) {
      return new Items(j.getJsonArray("items", new JsonArray()), j.getJsonObject("entities"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("items", items).put("entities", entities);
    }
  }

  /** {@code memory.entities.cache-clear} (published): the entity to drop from every read cache. */
  public record CacheClear(String userId, String characterId, String entityId) implements Contract {
    public static CacheClear fromJson(JsonObject j) {
      return new CacheClear(j.getString("user_id"), j.getString("character_id"), j.getString("entity_id"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("entity_id", entityId);
    }
  }

  /**
   * {@code memory.chapters.apply}: a chapter's extraction ({@code summary, entity_updates, new_events,
   * relation_changes}, names not ids) applied for the write-back task {@code taskId}; {@code extractor} llm or rules.
   */
  public record Writeback(String taskId, String userId, String characterId, String chapterId, String extractor,
      JsonObject extraction) implements Contract {
    public static Writeback fromJson(JsonObject j) {
      return new Writeback(Json.required(j, "task_id"), Json.present(j, "user_id"), Json.present(j, "character_id"),
          Json.present(j, "chapter_id"), j.getString("extractor", "rules"), j.getJsonObject("extraction",
              new JsonObject()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("user_id", userId).put("character_id", characterId)
          .put("chapter_id", chapterId).put("extractor", extractor).put("extraction", extraction);
    }
  }

  /** {@code memory.chapters.get}: the latest write-back of a chapter. */
  public record Chapter(String userId, String characterId, String chapterId) implements Contract {
    public static Chapter fromJson(JsonObject j) {
      return new Chapter(Json.present(j, "user_id"), Json.present(j, "character_id"), Json.present(j, "chapter_id"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("chapter_id", chapterId);
    }
  }

  /**
   * {@code memory.entities.mentions}: what a chat task's extraction says of the user's people, pets and places
   * ({@code items}: {@code name?, mention?, type, aliases, relation?, state?, summary, source_msg_id}), applied for the
   * task {@code taskId} of session {@code sessionId} at {@code time} (epoch s).
   */
  public record Mentions(String taskId, String userId, String characterId, String sessionId, long time,
      JsonArray items) implements Contract {
    public static Mentions fromJson(JsonObject j) {
      return new Mentions(Json.required(j, "task_id"), Json.present(j, "user_id"), Json.present(j, "character_id"),
          j.getString("session_id"), j.getLong("time", 0L), j.getJsonArray("items", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("user_id", userId).put("character_id", characterId)
          .put("session_id", sessionId).put("time", time).put("items", items);
    }
  }

  /**
   * {@code memory.entities.recall}: the entities {@code text} names by any alias (reply: {@link Items}, each entity
   * with its relations, their other ends' states when {@code hops} is 1, and its latest {@code eventLimit} events).
   */
  public record Recall(String userId, String characterId, String text, int hops, int limit, int eventLimit)
      implements Contract {
    public static Recall fromJson(JsonObject j) {
      return new Recall(Json.present(j, "user_id"), Json.present(j, "character_id"), j.getString("text", ""),
          j.getInteger("hops", 1), j.getInteger("limit", 5), j.getInteger("event_limit", 3));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("text", text)
          .put("hops", hops).put("limit", limit).put("event_limit", eventLimit);
    }
  }
}
