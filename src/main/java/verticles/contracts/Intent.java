package verticles.contracts;

import io.vertx.core.json.JsonObject;

/** {@code memory.intent.detect} (IntentDetector): does this message need long-term memory, and of which kind? */
public final class Intent {
  private Intent() {}

  /** @param force recall whatever the message says (a "remember this?" button, a session start) */
  public record Request(String message, String recentContext, boolean force) implements Contract {

    public static Request fromJson(JsonObject j) {
      if (!(j.getValue("message") instanceof String message)) {
        throw new IllegalArgumentException("message (a string) is required");
      }
      return new Request(message, j.getValue("recent_context") instanceof String s ? s : null,
          Boolean.TRUE.equals(j.getValue("force")));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("message", message).put("recent_context", recentContext).put("force", force);
    }
  }

  /** @param recallType none, profile, event, history or mixed */
  public record Reply(boolean needRecall, String recallType, String searchQuery, double confidence) implements Contract {

    /** No intent could be had: recall only when forced, then of every kind. */
    public static Reply nothing(boolean force) {
      return new Reply(force, force ? "mixed" : "none", "", force ? 1.0 : 0.0);
    }

    public static Reply fromJson(JsonObject j) {
      return new Reply(j.getBoolean("need_recall", false), j.getString("recall_type", "none"),
          j.getString("search_query", ""), j.getDouble("confidence", 0.0));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("need_recall", needRecall).put("recall_type", recallType)
          .put("search_query", searchQuery).put("confidence", confidence);
    }
  }
}
