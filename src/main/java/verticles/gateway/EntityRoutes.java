package verticles.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Entities;
import verticles.contracts.Tasks;
import verticles.shared.Tenants;

/**
 * Entities, relations and events over HTTP, for a story project ({@code /v1/projects/{project_id}/...}) and, read
 * only, for a companion ({@code /v1/users/{user_id}/characters/{character_id}/entities...}). Both are owners inside
 * the caller's tenant: a project is the owner {@code tenant:project/{project_id}} (no user id holds '/'), so another
 * tenant's or another project's entity is 404 whatever its id.
 */
final class EntityRoutes {
  private static final String PROJECT_CHARACTER = "_project";
  private static final long MAX_STORY_TIME = 9_007_199_254_740_991L;

  private final Calls calls;

  EntityRoutes(Calls calls) {
    this.calls = calls;
  }

  /** The owner (tenant-scoped user id, character id) the path names. */
  private static String[] owner(RoutingContext ctx) {
    String tenant = Auth.tenant(ctx);
    String project = ctx.pathParam("project_id");
    if (project != null) {
      Ids.check("project_id", project);
      return new String[] {tenant + ":project/" + project, PROJECT_CHARACTER};
    }
    Ids.check("user_id", ctx.pathParam("user_id"));
    Ids.check("character_id", ctx.pathParam("character_id"));
    return new String[] {Tenants.inward(tenant, ctx.pathParam("user_id")), ctx.pathParam("character_id")};
  }

  private static String entityId(RoutingContext ctx) {
    String id = ctx.pathParam("entity_id");
    Ids.check("entity_id", id);
    return id;
  }

  private JsonObject body(RoutingContext ctx, String schema) {
    return calls.validator.validate(schema, RequestValidator.parse(ctx.body().buffer()));
  }

  /** {@code POST /v1/projects/{p}/entities} {@code {name, type, aliases?, description?, attributes?, ...}}: 201. */
  void create(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      JsonObject body = body(ctx, "entity_create");
      notBlank(body, "name");
      aliases(body);
      body.put("project_id", ctx.pathParam("project_id"));
      return calls.request(Addresses.ENTITIES_CREATE, new Entities.Create(o[0], o[1], body, MemoryRoutes.actor(ctx)),
          calls.write, Entities.Item::fromJson).map(Entities.Item::toJson);
    }, 201);
  }

  /** {@code GET .../entities?type=&limit=&offset=}; a companion's each with its relations. */
  void list(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String type = ctx.queryParams().get("type");
      if (type != null && !List.of("person", "pet", "place", "item", "organisation", "character", "location")
          .contains(type)) {
        throw new RequestValidator.ValidationException("type", "one of person, pet, place, item, organisation,"
            + " character, location");
      }
      boolean expand = ctx.pathParam("project_id") == null || "relations".equals(ctx.queryParams().get("expand"));
      int limit = Replies.intParam(ctx, "limit", 50, 1, 500);
      int offset = Replies.intParam(ctx, "offset", 0, 0, 100_000);
      return calls.request(Addresses.ENTITIES_LIST, new Entities.Query(o[0], o[1], type, limit, offset, expand),
          calls.store, Entities.Items::fromJson).map(r -> new JsonObject().put("entities", r.items())
          .put("limit", limit).put("offset", offset));
    }, 200);
  }

  /** {@code GET .../entities/{id}}. */
  void get(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      return calls.request(Addresses.ENTITIES_GET, new Entities.Ref(o[0], o[1], entityId(ctx)), calls.store,
          Entities.Item::fromJson).map(Entities.Item::toJson);
    }, 200);
  }

  /** {@code PATCH .../entities/{id}/state} {@code {state, appearance?, story_time?, attribute_changes?, ...}}. */
  void patchState(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String id = entityId(ctx);
      JsonObject body = body(ctx, "entity_state");
      notBlank(body, "state");
      aliases(body);
      return calls.request(Addresses.ENTITIES_STATE, new Entities.StateUpdate(o[0], o[1], id, body,
          MemoryRoutes.actor(ctx)), calls.write, Entities.Item::fromJson).map(Entities.Item::toJson);
    }, 200);
  }

  /** {@code GET .../entities/{id}/states}: the history, oldest first. */
  void states(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      return calls.request(Addresses.ENTITIES_STATES, new Entities.Ref(o[0], o[1], entityId(ctx)), calls.store,
          Entities.Items::fromJson).map(r -> new JsonObject().put("states", r.items()));
    }, 200);
  }

  /** {@code GET .../entities/{id}/relations?hops=1..3}: each with the hop it was found at; entities names the ends. */
  void relations(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String id = entityId(ctx);
      int hops = Replies.intParam(ctx, "hops", 1, 1, Entities.MAX_HOPS);
      return calls.request(Addresses.ENTITIES_RELATIONS, new Entities.RelationQuery(o[0], o[1], id, null, hops),
          calls.store, Entities.Items::fromJson).map(EntityRoutes::relationsJson);
    }, 200);
  }

  /** {@code GET /v1/projects/{p}/relations?between=a,b}: the relations between two entities, either way. */
  void between(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String between = ctx.queryParams().get("between");
      String[] ids = between == null ? new String[0] : between.split(",", -1);
      if (ids.length != 2) {
        throw new RequestValidator.ValidationException("between", "two entity ids, comma-separated: between=a,b");
      }
      Ids.check("between", ids[0]);
      Ids.check("between", ids[1]);
      return calls.request(Addresses.ENTITIES_RELATIONS, new Entities.RelationQuery(o[0], o[1], ids[0], ids[1], 1),
          calls.store, Entities.Items::fromJson).map(EntityRoutes::relationsJson);
    }, 200);
  }

  /** {@code POST /v1/projects/{p}/relations} {@code {source_id, target_id, type, strength?, description?}}. */
  void upsertRelation(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      JsonObject body = body(ctx, "relation_upsert");
      notBlank(body, "type");
      Object strength = body.getValue("strength");
      if (strength != null && !(strength instanceof Number n && Double.isFinite(n.doubleValue())
          && n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
        throw new RequestValidator.ValidationException("strength", "must be a number from 0 to 1");
      }
      return calls.request(Addresses.RELATIONS_UPSERT, new Entities.RelationUpsert(o[0], o[1], body), calls.write,
          Entities.Item::fromJson).map(Entities.Item::toJson);
    }, 200);
  }

  /** {@code POST /v1/projects/{p}/events} {@code {type, summary, story_time_start?, entity_ids?, ...}}: 201. */
  void createEvent(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      JsonObject body = body(ctx, "event_create");
      notBlank(body, "type");
      notBlank(body, "summary");
      Long start = body.getLong("story_time_start");
      Long end = body.getLong("story_time_end");
      if (start != null && end != null && end < start) {
        throw new RequestValidator.ValidationException("story_time_end", "is before story_time_start");
      }
      return calls.request(Addresses.EVENTS_CREATE, new Entities.EventCreate(o[0], o[1], body), calls.write,
          Entities.Item::fromJson).map(Entities.Item::toJson);
    }, 201);
  }

  /** {@code GET /v1/projects/{p}/events?from=&to=&entity=&limit=} and {@code GET .../entities/{id}/events}. */
  void events(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String entity = ctx.pathParam("entity_id") != null ? entityId(ctx) : ctx.queryParams().get("entity");
      if (entity != null) {
        Ids.check(ctx.pathParam("entity_id") != null ? "entity_id" : "entity", entity);
      }
      Long from = storyTime(ctx, "from");
      Long to = storyTime(ctx, "to");
      if (from != null && to != null && to < from) {
        throw new RequestValidator.ValidationException("to", "is before from");
      }
      int limit = Replies.intParam(ctx, "limit", 100, 1, 1000);
      boolean fromQuery = ctx.pathParam("entity_id") == null;
      return calls.request(Addresses.ENTITIES_EVENTS, new Entities.EventQuery(o[0], o[1], entity, from, to, limit),
          calls.store, Entities.Items::fromJson).map(r -> new JsonObject().put("events", r.items()))
          .recover(e -> Future.failedFuture(fromQuery && Bus.code(e) == Failures.NOT_FOUND
              ? Failures.of(Failures.NOT_FOUND, "no entity " + entity, new JsonObject().put("field", "entity")) : e));
    }, 200);
  }

  /**
   * {@code POST /v1/projects/{p}/chapters/{chapter_id}/writeback} {@code {content}}: 202 with the task that extracts
   * the chapter (summary, entity updates, new events, relation changes) and applies it, replacing what a previous
   * write-back of the chapter did. The chapter is the task's one message; its id is the chapter id.
   */
  void writeback(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String chapter = ctx.pathParam("chapter_id");
      Ids.check("chapter_id", chapter);
      JsonObject body = body(ctx, "chapter_writeback");
      JsonArray messages = new JsonArray().add(new JsonObject().put("msg_id", chapter).put("role", "user")
          .put("content", body.getString("content")).put("timestamp", java.time.Instant.now().getEpochSecond()));
      return calls.request(Addresses.TASK_CREATE, new Tasks.Create(o[0], o[1], null, "writeback", messages),
          calls.store, Tasks.Accepted::fromJson).map(accepted -> {
            calls.publish(accepted.task());
            return new JsonObject().put("task_id", accepted.taskId()).put("chapter_id", chapter)
                .put("status", "pending");
          });
    }, 202);
  }

  /** {@code GET /v1/projects/{p}/chapters/{chapter_id}/writeback}: the latest write-back's summary and outcome. */
  void chapter(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String[] o = owner(ctx);
      String chapter = ctx.pathParam("chapter_id");
      Ids.check("chapter_id", chapter);
      return calls.request(Addresses.CHAPTERS_GET, new Entities.Chapter(o[0], o[1], chapter), calls.store,
          Entities.Item::fromJson).map(Entities.Item::toJson);
    }, 200);
  }

  private static JsonObject relationsJson(Entities.Items r) {
    return new JsonObject().put("relations", r.items()).put("entities", r.entities() == null ? new JsonObject()
        : r.entities());
  }

  private static Long storyTime(RoutingContext ctx, String name) {
    List<String> all = ctx.queryParams().getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    try {
      long n = Long.parseLong(all.get(0));
      if (all.size() == 1 && Math.abs(n) <= MAX_STORY_TIME) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new RequestValidator.ValidationException(name, "must be an integer (story time, or epoch seconds), given"
        + " once");
  }

  private static void notBlank(JsonObject body, String field) {
    if (body.getString(field) != null && body.getString(field).isBlank()) {
      throw new RequestValidator.ValidationException(field, "must not be blank");
    }
  }

  private static void aliases(JsonObject body) {
    JsonArray aliases = body.getJsonArray("aliases");
    for (int i = 0; aliases != null && i < aliases.size(); i++) {
      if (aliases.getString(i).isBlank()) {
        throw new RequestValidator.ValidationException("aliases[" + i + "]", "must not be blank");
      }
    }
  }
}
