package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The change outbox ({@code memory.changes.*}): rows of {@code memory_change_outbox} on their way to Kafka topic
 * {@code memory_changes}, and the webhooks' dead letters. A poke ({@code memory.changes.poke}, published) is
 * {@link Empty}.
 */
public final class Changes {
  private Changes() {}

  /** {@code memory.changes.pending}: the oldest waiting rows, in event_id order. */
  public record Due(int limit) implements Contract {
    public static Due fromJson(JsonObject j) {
      Integer limit = Json.integer(j, "limit", 1, 10_000);
      return new Due(limit == null ? 100 : limit);
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("limit", limit);
    }
  }

  /**
   * One outbox row, as stored: {@code userId} is {@code tenant:user_id}. For a forget, {@code memoryId},
   * {@code version} and {@code memoryType} are null, and {@code characterId} is null when all characters went.
   *
   * @param at epoch milliseconds of the change
   */
  public record Event(long eventId, String event, boolean hard, String memoryId, Integer version, String userId,
      String characterId, String memoryType, String actor, long at) implements Contract {

    public static Event fromJson(JsonObject j) {
      return new Event(j.getLong("event_id", 0L), j.getString("event"), j.getBoolean("hard", false),
          j.getString("memory_id"), j.getInteger("version"), j.getString("user_id"), j.getString("character_id"),
          j.getString("memory_type"), j.getString("actor"), j.getLong("at", 0L));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("event_id", eventId).put("event", event).put("hard", hard).put("memory_id", memoryId)
          .put("version", version).put("user_id", userId).put("character_id", characterId)
          .put("memory_type", memoryType).put("actor", actor).put("at", at);
    }
  }

  /** The reply of {@code memory.changes.pending}. */
  public record Batch(List<Event> events) implements Contract {
    public static Batch fromJson(JsonObject j) {
      return new Batch(Json.objects(j, "events").stream().map(Event::fromJson).toList());
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("events", new JsonArray(events.stream().map(Event::toJson).toList()));
    }
  }

  /** {@code memory.changes.published}: rows now on Kafka, to delete. */
  public record Ids(List<Long> eventIds) implements Contract {
    public static Ids fromJson(JsonObject j) {
      JsonArray a = j.getJsonArray("event_ids", new JsonArray());
      if (!a.stream().allMatch(v -> v instanceof Integer || v instanceof Long)) {
        throw new IllegalArgumentException("event_ids must be integers");
      }
      return new Ids(a.stream().map(v -> ((Number) v).longValue()).toList());
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("event_ids", Json.array(eventIds));
    }
  }

  /** The reply of {@code memory.changes.published}: rows deleted. */
  public record Removed(int removed) implements Contract {
    public static Removed fromJson(JsonObject j) {
      return new Removed(j.getInteger("removed", 0));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("removed", removed);
    }
  }

  /**
   * The reply of {@code memory.changes.depth}: rows waiting, and the time of the oldest (epoch milliseconds; null
   * when none waits).
   */
  public record Depth(long waiting, Long oldestAt) implements Contract {
    public static Depth fromJson(JsonObject j) {
      return new Depth(j.getLong("waiting", 0L), j.getLong("oldest_at"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("waiting", waiting).put("oldest_at", oldestAt);
    }
  }

  /**
   * {@code memory.changes.dead-letter}: an event a webhook refused {@code attempts} times.
   *
   * @param userId the stored form, {@code tenant:user_id}
   * @param lastStatus the last HTTP status, null when there was no answer
   */
  public record DeadLetter(String webhook, long eventId, String memoryId, String userId, String characterId,
      String body, int attempts, Integer lastStatus, String lastError) implements Contract {

    public static DeadLetter fromJson(JsonObject j) {
      return new DeadLetter(Json.required(j, "webhook"), j.getLong("event_id", 0L), j.getString("memory_id"),
          Json.required(j, "user_id"), j.getString("character_id"), Json.required(j, "body"),
          j.getInteger("attempts", 0), j.getInteger("last_status"), j.getString("last_error"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("webhook", webhook).put("event_id", eventId).put("memory_id", memoryId)
          .put("user_id", userId).put("character_id", characterId).put("body", body).put("attempts", attempts)
          .put("last_status", lastStatus).put("last_error", lastError);
    }
  }
}
