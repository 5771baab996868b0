package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A recall's {@code recent_context}: the conversation before the message, as the caller sent it, either one text or a
 * list of turns {@code {role, name?, content}}. It goes on the bus in the form it came in.
 *
 * @param text the text form; null when the caller sent turns or nothing
 * @param turns the turn form, oldest first; empty when the caller sent a text or nothing
 */
public record RecentContext(String text, List<Turn> turns) {
  public static final RecentContext NONE = new RecentContext(null, List.of());

  /** One turn of the conversation. @param role user, assistant or system; null when unknown (a line of a text) */
  public record Turn(String role, String name, String content) {
    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("role", role).put("content", content);
      if (name != null) {
        j.put("name", name);
      }
      return j;
    }

    public boolean fromUser() {
      return role == null || role.equals("user");
    }
  }

  public RecentContext {
    turns = turns == null ? List.of() : List.copyOf(turns);
  }

  /** Reads the JSON value: null, a string, or an array of turn objects. */
  public static RecentContext fromJson(Object value) {
    if (value == null) {
      return NONE;
    }
    if (value instanceof String s) {
      return new RecentContext(s, List.of());
    }
    if (value instanceof JsonArray a) {
      List<Turn> turns = new ArrayList<>();
      for (Object o : a) {
        if (!(o instanceof JsonObject t) || !(t.getValue("content") instanceof String content)) {
          throw new IllegalArgumentException("recent_context: each turn is an object with a content string");
        }
        turns.add(new Turn(t.getString("role"), t.getString("name"), content));
      }
      return new RecentContext(null, turns);
    }
    throw new IllegalArgumentException("recent_context: a string or a list of turns");
  }

  /** The JSON value: the text, the turns, or null. */
  public Object toJson() {
    if (text != null) {
      return text;
    }
    if (turns.isEmpty()) {
      return null;
    }
    JsonArray a = new JsonArray();
    turns.forEach(t -> a.add(t.toJson()));
    return a;
  }

  public boolean isEmpty() {
    return (text == null || text.isBlank()) && turns.isEmpty();
  }

  /** The turns, or a text's non-blank lines as turns of an unknown speaker. */
  public List<Turn> asTurns() {
    if (text == null) {
      return turns;
    }
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> new Turn(null, null, l)).toList();
  }

  /** One text, a turn per line ("name: content" when the turn has a name), for the intent detector. */
  public String joined() {
    if (text != null) {
      return text;
    }
    if (turns.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (Turn t : turns) {
      out.append(out.length() == 0 ? "" : "\n").append(t.name() == null ? "" : t.name() + ": ").append(t.content());
    }
    return out.toString();
  }
}
