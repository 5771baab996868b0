package verticles.changes;

import io.vertx.core.json.JsonObject;
import verticles.contracts.Changes;
import verticles.shared.Tenants;

/**
 * The public shape of a change event on Kafka topic {@code memory_changes} and in webhook bodies:
 * {@code {event_id, event, memory_id, version, tenant, user_id, character_id, memory_type, hard, at, actor}}, with
 * the tenant apart from the client's own user id, and {@code at} in epoch milliseconds. A {@code forget} names no
 * memory (memory_id, version and memory_type null; character_id null when all the user's characters went).
 */
public final class ChangeEvents {
  /** The config section: {@code topic}, {@code poll_ms}, {@code batch_size}, {@code webhook_group}, webhooks. */
  public static final String SECTION = "change_events";
  public static final String DEFAULT_TOPIC = "memory_changes";

  private ChangeEvents() {}

  public static JsonObject section(JsonObject config) {
    return config.getJsonObject(SECTION, new JsonObject());
  }

  public static String topic(JsonObject config) {
    return section(config).getString("topic", DEFAULT_TOPIC);
  }

  /**
   * The record key: the memory id, so that one memory's events share a partition and keep their order; a forget,
   * which names no memory, is keyed by its owner ({@code forget:tenant:user_id}).
   */
  static String key(Changes.Event e) {
    return e.memoryId() != null ? e.memoryId() : "forget:" + e.userId();
  }

  static JsonObject value(Changes.Event e) {
    return new JsonObject()
        .put("event_id", e.eventId())
        .put("event", e.event())
        .put("memory_id", e.memoryId())
        .put("version", e.version())
        .put("tenant", Tenants.tenantOf(e.userId()))
        .put("user_id", Tenants.userOf(e.userId()))
        .put("character_id", e.characterId())
        .put("memory_type", e.memoryType())
        .put("hard", e.hard())
        .put("at", e.at())
        .put("actor", e.actor());
  }
}
