package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code memory.recall} (Merger): a chat message in, the memories it calls for and the context block out. */
public final class Recall {
  private Recall() {}

  /** The largest top_k and max_tokens a recall may ask (the API's schema says the same). */
  public static final int MAX_TOP_K = 100;
  public static final int MAX_TOKENS = 32_000;

  /**
   * @param topK null: the configured {@code recall.top_k}
   * @param maxTokens null: the configured {@code recall.max_tokens}
   * @param types memory types to search; empty: as the intent decides
   */
  public record Request(String userId, String characterId, String message, String recentContext, boolean force,
      Integer topK, Integer maxTokens, List<String> types) implements Contract {

    public static Request fromJson(JsonObject j) {
      return new Request(j.getString("user_id"), j.getString("character_id"), j.getString("message", ""),
          j.getString("recent_context"), j.getBoolean("force", false), Json.integer(j, "top_k", 1, MAX_TOP_K),
          Json.integer(j, "max_tokens", 1, MAX_TOKENS), Json.strings(j, "types"));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("user_id", userId).put("character_id", characterId).put("message", message)
          .put("recent_context", recentContext).put("force", force).put("types", Json.array(types));
      if (topK != null) {
        j.put("top_k", topK);
      }
      if (maxTokens != null) {
        j.put("max_tokens", maxTokens);
      }
      return j;
    }
  }

  /**
   * @param memories ranked memories, each with its score's ingredients and provenance (Ranker's output)
   * @param profiles the user's profile rows that were read
   * @param context the block the chat model receives
   * @param degraded stores that were missing: vector, embedding, mysql, intent, or recall (answered empty)
   * @param timings per-stage milliseconds; null when nothing was searched
   */
  public record Reply(Intent.Reply intent, JsonArray memories, JsonArray profiles, String context,
      List<String> degraded, long tookMs, JsonObject timings) implements Contract {

    /** The answer when recall failed as a whole: no long-term memory, and the chat goes on. */
    public static Reply empty(boolean needRecall, List<String> degraded, long tookMs) {
      return new Reply(Intent.Reply.nothing(needRecall), new JsonArray(), new JsonArray(), "", degraded, tookMs, null);
    }

    public static Reply fromJson(JsonObject j) {
      return new Reply(Intent.Reply.fromJson(j.getJsonObject("intent", new JsonObject())),
          j.getJsonArray("memories", new JsonArray()), j.getJsonArray("profiles", new JsonArray()),
          j.getString("context", ""), Json.strings(j, "degraded"), j.getLong("took_ms", 0L),
          j.getJsonObject("timings"));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("intent", intent.toJson()).put("memories", memories)
          .put("profiles", profiles).put("context", context).put("degraded", Json.array(degraded))
          .put("took_ms", tookMs);
      if (timings != null) {
        j.put("timings", timings);
      }
      return j;
    }
  }
}
