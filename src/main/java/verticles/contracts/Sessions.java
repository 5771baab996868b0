package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import verticles.shared.JsonNumbers;
import verticles.shared.Timestamps;

/** Chats reported turn by turn ({@code memory.messages.buffer}, {@code memory.sessions.*}): a task is cut later. */
public final class Sessions {
  private Sessions() {}

  /**
   * Refuses (400) messages whose {@code timestamp} is not an integer in the accepted window ({@link Timestamps}): such
   * a time either breaks every later read of its user or fails the task's MySQL write after its index write.
   * Returns the messages.
   */
  public static JsonArray requireTimes(JsonArray messages) {
    for (int i = 0; messages != null && i < messages.size(); i++) {
      Object v = messages.getValue(i) instanceof JsonObject m ? m.getValue("timestamp") : null;
      if (!JsonNumbers.integerWithin(v, Timestamps.MIN, Timestamps.MAX)) {
        throw new IllegalArgumentException("messages[" + i + "].timestamp must be " + Timestamps.WINDOW + ", got " + v);
      }
    }
    return messages;
  }

  /** {@code memory.messages.buffer}: turns of a running session. */
  public record Buffer(String userId, String characterId, String sessionId, JsonArray messages) implements Contract {
    public static Buffer fromJson(JsonObject j) {
      return new Buffer(j.getString("user_id"), j.getString("character_id"), j.getString("session_id"),
          requireTimes(j.getJsonArray("messages")));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("session_id", sessionId)
          .put("messages", messages);
    }
  }

  /**
   * @param task the task cut when the buffer reached its threshold or the session ended; null if none
   * @param duplicates messages of the request the session had accepted before (a client's retry), not buffered again
   * @param fresh the msg ids of the request's messages buffered now (the others were duplicates)
   */
  public record Buffered(long buffered, Tasks.Work task, int duplicates, List<String> fresh) implements Contract {
    public Buffered(long buffered, Tasks.Work task) {
      this(buffered, task, 0, List.of());
    }

    public static Buffered fromJson(JsonObject j) {
      JsonObject task = j.getJsonObject("task");
      return new Buffered(j.getLong("buffered", 0L), task == null ? null : Tasks.Work.fromJson(task),
          j.getInteger("duplicates", 0), Json.strings(j, "fresh"));
    }

    @Override
    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("buffered", buffered);
      if (task != null) {
        j.put("task", task.toJson());
      }
      if (duplicates > 0) {
        j.put("duplicates", duplicates);
      }
      if (!fresh.isEmpty()) {
        j.put("fresh", new JsonArray(fresh));
      }
      return j;
    }
  }

  /** {@code memory.sessions.end}: cut the session's buffered turns into a task. @param trigger session_end, idle */
  public record End(String userId, String characterId, String sessionId, String trigger) implements Contract {
    public static End fromJson(JsonObject j) {
      return new End(j.getString("user_id"), j.getString("character_id"), j.getString("session_id"),
          j.getString("trigger", "session_end"));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("session_id", sessionId)
          .put("trigger", trigger);
    }
  }

  /** {@code memory.sessions.idle}: cut the sessions quiet for this long; replies a {@link Tasks.Batch}. */
  public record Idle(long idleSeconds, int limit) implements Contract {
    public static Idle fromJson(JsonObject j) {
      return new Idle(j.getLong("idle_seconds"), j.getInteger("limit", 100));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("idle_seconds", idleSeconds).put("limit", limit);
    }
  }

  /** The reply of a session end: the task cut from its buffered turns, or null when nothing was buffered. */
  public record Cut(Tasks.Work task) implements Contract {
    public static Cut fromJson(JsonObject j) {
      JsonObject task = j.getJsonObject("task");
      return new Cut(task == null ? null : Tasks.Work.fromJson(task));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("task", task == null ? null : task.toJson());
    }
  }
}
