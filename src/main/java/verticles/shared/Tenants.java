package verticles.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Tenant isolation by name: inside Engram a user is {@code tenant:user_id}. Every store (MySQL rows, index, archive
 * paths, Kafka keys, caches) is keyed by that, so a key of one tenant cannot name another tenant's user by any id,
 * filter or metadata field: ids and filters are scoped on the way in, and the prefix is taken off on the way out.
 * Tenant names never contain ':', so the tenant ends at the first ':' and no client id (which may hold one) can name
 * another tenant's user.
 */
public final class Tenants {
  private Tenants() {}

  public static String inward(String tenant, String userId) {
    return tenant + ":" + userId;
  }

  /** The body with its {@code user_id} scoped to the tenant. */
  public static JsonObject inward(String tenant, JsonObject body) {
    String user = body.getString("user_id");
    return user == null ? body : body.copy().put("user_id", inward(tenant, user));
  }

  /** The tenant of an internal user id (before its first ':'), or null when it has none. */
  public static String tenantOf(String internalUserId) {
    int colon = internalUserId == null ? -1 : internalUserId.indexOf(':');
    return colon < 0 ? null : internalUserId.substring(0, colon);
  }

  /** The client's own user id inside an internal one (after its first ':'). */
  public static String userOf(String internalUserId) {
    int colon = internalUserId == null ? -1 : internalUserId.indexOf(':');
    return colon < 0 ? internalUserId : internalUserId.substring(colon + 1);
  }

  /** Whether an internal user id belongs to the tenant. */
  public static boolean owns(String tenant, String internalUserId) {
    return internalUserId != null && internalUserId.startsWith(tenant + ":");
  }

  /** A reply with every {@code user_id} of this tenant back in the client's terms, however deep. */
  public static JsonObject outward(String tenant, JsonObject reply) {
    JsonObject out = reply.copy();
    strip(tenant, out);
    return out;
  }

  private static void strip(String tenant, Object node) {
    if (node instanceof JsonObject o) {
      for (String field : o.fieldNames()) {
        Object v = o.getValue(field);
        if ("user_id".equals(field) && v instanceof String s && owns(tenant, s)) {
          o.put(field, s.substring(tenant.length() + 1));
        } else if (!"metadata".equals(field)) { // the client's own data comes back as it was given
          strip(tenant, v);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> strip(tenant, v));
    }
  }
}
