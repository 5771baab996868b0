package verticles.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verticles.bus.Addresses;
import verticles.contracts.Lifecycle;
import verticles.shared.Tenants;

/**
 * One memory's life over HTTP: read, list, correct ({@code If-Match}), delete (soft or hard), history, compare,
 * restore. Every request names the caller's tenant, so a memory of another tenant answers 404 whatever its id.
 */
final class MemoryLifecycleRoutes {
  private static final List<String> TYPES = List.of("summary", "event", "profile", "message", "entity");
  private static final List<String> CATEGORIES = List.of("fact", "preference", "context", "skill", "general");
  private static final List<String> STATUSES = List.of("active", "deleted");
  private static final Set<String> LIST_PARAMS = Set.of("user_id", "character_id", "type", "category", "status",
      "since", "until", "cursor", "limit");
  private static final Set<String> PATCHABLE = Set.of("content", "importance", "category", "metadata", "valid_to",
      "reason");
  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");
  /** An entity tag as this API writes it ({@code "3"}), or a bare, or a weak one. */
  private static final Pattern VERSION_TAG = Pattern.compile("^(?:W/)?\"?([0-9]{1,9})\"?$");

  private final Calls calls;

  MemoryLifecycleRoutes(Calls calls) {
    this.calls = calls;
  }

  /** {@code GET /v1/memories/{id}}; the reply's {@code ETag} is its version, for an {@code If-Match}. */
  void get(RoutingContext ctx) {
    Replies.handle(ctx, () -> calls.request(Addresses.MEMORY_GET, new Lifecycle.Get(memoryId(ctx), Auth.tenant(ctx)),
        calls.store, Lifecycle.Memory::fromJson).map(m -> tagged(ctx, m.memory())), 200);
  }

  /**
   * {@code GET /v1/memories?user_id&character_id&type&category&status&since&until&cursor&limit&metadata.<key>=<value>},
   * newest first; {@code next_cursor} fetches the next page.
   */
  void list(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      MultiMap q = ctx.queryParams();
      JsonObject metadata = new JsonObject();
      for (String name : q.names()) {
        if (name.startsWith("metadata.")) {
          String key = name.substring("metadata.".length());
          if (!METADATA_KEY.matcher(key).matches()) {
            throw new RequestValidator.ValidationException(name, "a metadata key is 1-64 letters, digits, '_' or '-'");
          }
          String value = q.get(name);
          if (value.length() > 256) {
            throw new RequestValidator.ValidationException(name, "longer than 256 characters");
          }
          metadata.put(key, value);
        } else if (!LIST_PARAMS.contains(name)) {
          throw new RequestValidator.ValidationException(name, "unknown parameter; filters are " + LIST_PARAMS
              + " and metadata.<key>");
        }
      }
      if (metadata.size() > 10) {
        throw new RequestValidator.ValidationException("metadata", "at most 10 metadata filters");
      }
      String user = q.get("user_id");
      if (user != null) {
        Ids.check("user_id", user);
      }
      String character = q.get("character_id");
      if (character != null) {
        Ids.check("character_id", character);
      }
      String cursor = q.get("cursor");
      if (cursor != null) {
        try {
          Lifecycle.Cursor.parse(cursor);
        } catch (IllegalArgumentException e) {
          throw new RequestValidator.ValidationException("cursor", e.getMessage());
        }
      }
      String tenant = Auth.tenant(ctx);
      Lifecycle.Query query = new Lifecycle.Query(tenant, user == null ? null : Tenants.inward(tenant, user), character,
          oneOf(q, "type", TYPES), oneOf(q, "category", CATEGORIES), oneOf(q, "status", STATUSES),
          epoch(q, "since"), epoch(q, "until"), cursor, Replies.intParam(ctx, "limit", 50, 1, 500), metadata);
      return calls.request(Addresses.MEMORY_LIST, query, calls.store, Lifecycle.Page::fromJson)
          .map(Lifecycle.Page::toJson);
    }, 200);
  }

  /**
   * {@code PATCH /v1/memories/{id}} {@code {content?, importance?, category?, metadata?, valid_to?, reason}} with
   * {@code If-Match: <version>}: 412 when the memory moved on, 428 without If-Match.
   */
  void patch(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String id = memoryId(ctx);
      Integer ifMatch = ifMatch(ctx);
      JsonObject body = calls.validator.validate("memory_patch", RequestValidator.parse(ctx.body().buffer()));
      for (String field : body.fieldNames()) {
        if (!PATCHABLE.contains(field)) {
          throw new RequestValidator.ValidationException(field, "cannot be corrected; a correction may change "
              + "content, importance, category, metadata and valid_to");
        }
      }
      JsonObject changes = body.copy();
      changes.remove("reason");
      if (changes.isEmpty()) {
        throw new RequestValidator.ValidationException("body", "names nothing to change");
      }
      boolean any = "*".equals(ctx.request().getHeader("If-Match"));
      return calls.request(Addresses.MEMORY_UPDATE, new Lifecycle.Update(id, Auth.tenant(ctx), ifMatch, !any, changes,
          body.getString("reason"), actor(ctx)), calls.write, Lifecycle.Memory::fromJson)
          .map(m -> tagged(ctx, m.memory()));
    }, 200);
  }

  /** {@code DELETE /v1/memories/{id}[?hard=true][&reason=]}; an If-Match, when sent, is checked. */
  void delete(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String id = memoryId(ctx);
      String hard = ctx.queryParams().get("hard");
      if (hard != null && !hard.equals("true") && !hard.equals("false")) {
        throw new RequestValidator.ValidationException("hard", "must be true or false");
      }
      String reason = ctx.queryParams().get("reason");
      if (reason != null && (reason.isBlank() || reason.length() > 500)) {
        throw new RequestValidator.ValidationException("reason", "must be 1-500 characters");
      }
      return calls.request(Addresses.MEMORY_DELETE, new Lifecycle.Delete(id, Auth.tenant(ctx), ifMatch(ctx),
          "true".equals(hard), reason, actor(ctx)), calls.write, Lifecycle.Deleted::fromJson)
          .map(Lifecycle.Deleted::toJson);
    }, 200);
  }

  /** {@code GET /v1/memories/{id}/history?after_version=&limit=}: versions, oldest first. */
  void history(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      int after = Replies.intParam(ctx, "after_version", 0, 0, Integer.MAX_VALUE);
      int limit = Replies.intParam(ctx, "limit", 100, 1, 1000);
      return calls.request(Addresses.MEMORY_HISTORY, new Lifecycle.HistoryQuery(memoryId(ctx), Auth.tenant(ctx),
          after, limit), calls.store, Lifecycle.History::fromJson).map(h -> new JsonObject().put("id", h.memoryId())
          .put("versions", h.versions()));
    }, 200);
  }

  /** {@code GET /v1/memories/{id}/compare?a=&b=}: the fields that differ and a diff of the content. */
  void compare(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String id = memoryId(ctx);
      for (String v : List.of("a", "b")) {
        if (ctx.queryParams().get(v) == null) {
          throw new RequestValidator.ValidationException(v, "is required: the version to compare");
        }
      }
      int a = Replies.intParam(ctx, "a", 0, 1, Integer.MAX_VALUE);
      int b = Replies.intParam(ctx, "b", 0, 1, Integer.MAX_VALUE);
      return calls.request(Addresses.MEMORY_COMPARE, new Lifecycle.Compare(id, Auth.tenant(ctx), a, b), calls.store,
          Lifecycle.Comparison::fromJson).map(c -> c.toJson().put("id", c.memoryId()));
    }, 200);
  }

  /** {@code POST /v1/memories/{id}/restore} {@code {version, reason}}: a new version equal to that one. */
  void restore(RoutingContext ctx) {
    Replies.handle(ctx, () -> {
      String id = memoryId(ctx);
      Integer ifMatch = ifMatch(ctx);
      JsonObject body = calls.validator.validate("memory_restore", RequestValidator.parse(ctx.body().buffer()));
      return calls.request(Addresses.MEMORY_RESTORE, new Lifecycle.Restore(id, Auth.tenant(ctx), ifMatch,
          body.getInteger("version"), body.getString("reason"), actor(ctx)), calls.write, Lifecycle.Memory::fromJson)
          .map(m -> tagged(ctx, m.memory()));
    }, 200);
  }

  /** The path's memory id: 1-255 characters without control characters. */
  private static String memoryId(RoutingContext ctx) {
    String id = ctx.pathParam("memory_id");
    if (id == null || id.isEmpty() || id.length() > 255 || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new RequestValidator.ValidationException("memory_id", "must be 1-255 characters without control characters");
    }
    return id;
  }

  /** The version an {@code If-Match} names; null when absent or {@code *} (any version). */
  private static Integer ifMatch(RoutingContext ctx) {
    String header = ctx.request().getHeader("If-Match");
    if (header == null || header.strip().equals("*")) {
      return null;
    }
    Matcher m = VERSION_TAG.matcher(header.strip());
    if (!m.matches()) {
      throw new RequestValidator.ValidationException("If-Match", "must be a version this API gave out, like \"3\"");
    }
    return Integer.parseInt(m.group(1));
  }

  private static String actor(RoutingContext ctx) {
    ApiKeys.Key key = Auth.key(ctx);
    return key == null ? "api" : key.name();
  }

  private static JsonObject tagged(RoutingContext ctx, JsonObject memory) {
    ctx.response().putHeader("ETag", "\"" + memory.getInteger("version") + "\"");
    return memory;
  }

  private static String oneOf(MultiMap q, String name, List<String> allowed) {
    String v = q.get(name);
    if (v != null && !allowed.contains(v)) {
      throw new RequestValidator.ValidationException(name, "must be one of " + String.join(", ", allowed));
    }
    return v;
  }

  private static Long epoch(MultiMap q, String name) {
    String v = q.get(name);
    if (v == null) {
      return null;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0 || n > 253_402_300_799L) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RequestValidator.ValidationException(name, "must be a time in epoch seconds");
    }
  }
}
