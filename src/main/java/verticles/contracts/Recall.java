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
   * @param recentContext the conversation before the message (as text or turns); it shapes the search
   * @param sessionId the chat's session: its short-term context comes back beside the memories; null: none
   * @param explain the reply also lists what the ranking cut ({@link Reply#cut})
   */
  public record Request(String userId, String characterId, String message, RecentContext recentContext,
      boolean force, Integer topK, Integer maxTokens, List<String> types, String sessionId, boolean explain)
      implements Contract {

    public Request(String userId, String characterId, String message, RecentContext recentContext, boolean force,
        Integer topK, Integer maxTokens, List<String> types, String sessionId) {
      this(userId, characterId, message, recentContext, force, topK, maxTokens, types, sessionId, false);
    }

    public Request {
      recentContext = recentContext == null ? RecentContext.NONE : recentContext;
    }

    public static Request fromJson(JsonObject j) {
      return new Request(j.getString("user_id"), j.getString("character_id"), j.getString("message", ""),
          RecentContext.fromJson(j.getValue("recent_context")), j.getBoolean("force", false),
          Json.integer(j, "top_k", 1, MAX_TOP_K), Json.integer(j, "max_tokens", 1, MAX_TOKENS), Json.strings(j, "types"),
          j.getString("session_id"), j.getBoolean("explain", false));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("user_id", userId).put("character_id", characterId).put("message", message)
          .put("recent_context", recentContext.toJson()).put("force", force).put("types", Json.array(types));
      if (topK != null) {
        j.put("top_k", topK);
      }
      if (maxTokens != null) {
        j.put("max_tokens", maxTokens);
      }
      if (sessionId != null) {
        j.put("session_id", sessionId);
      }
      if (explain) {
        j.put("explain", true);
      }
      return j;
    }
  }

  /**
   * @param memories ranked memories, each with its score's ingredients and provenance (Ranker's output)
   * @param profiles the user's profile rows that were read
   * @param context the block the chat model receives
   * @param degraded stores that were missing: vector, embedding, mysql, intent, session, or recall (answered empty)
   * @param timings per-stage milliseconds; null when nothing was searched
   * @param session the request's session context ({@code SessionMemory.Context}); null when none was asked, there
   *     is none, or the session store did not answer in time (then {@code degraded} names {@code session})
   * @param cut with {@code explain}: the candidates the ranking left out, each with its scores and reason; else null
   */
  public record Reply(Intent.Reply intent, JsonArray memories, JsonArray profiles, String context,
      List<String> degraded, long tookMs, JsonObject timings, JsonObject session, JsonArray cut) implements Contract {

    public Reply(Intent.Reply intent, JsonArray memories, JsonArray profiles, String context, List<String> degraded,
        long tookMs, JsonObject timings, JsonObject session) {
      this(intent, memories, profiles, context, degraded, tookMs, timings, session, null);
    }

    public Reply(Intent.Reply intent, JsonArray memories, JsonArray profiles, String context, List<String> degraded,
        long tookMs, JsonObject timings) {
      this(intent, memories, profiles, context, degraded, tookMs, timings, null);
    }

    /** This reply with the session context beside it, and the time taken with it. */
    public Reply withSession(JsonObject context, long tookMs) {
      return new Reply(intent, memories, profiles, this.context, degraded, tookMs, timings, context, cut);
    }

    /** This reply with what the ranking cut (null: not asked). */
    public Reply withCut(JsonArray cut) {
      return new Reply(intent, memories, profiles, context, degraded, tookMs, timings, session, cut);
    }

    /** The answer when recall failed as a whole: no long-term memory, and the chat goes on. */
    public static Reply empty(boolean needRecall, List<String> degraded, long tookMs) {
      return new Reply(Intent.Reply.nothing(needRecall), new JsonArray(), new JsonArray(), "", degraded, tookMs, null);
    }

    public static Reply fromJson(JsonObject j) {
      return new Reply(Intent.Reply.fromJson(j.getJsonObject("intent", new JsonObject())),
          j.getJsonArray("memories", new JsonArray()), j.getJsonArray("profiles", new JsonArray()),
          j.getString("context", ""), Json.strings(j, "degraded"), j.getLong("took_ms", 0L),
          j.getJsonObject("timings"), j.getJsonObject("session"), j.getJsonArray("cut"));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("intent", intent.toJson()).put("memories", memories)
          .put("profiles", profiles).put("context", context).put("degraded", Json.array(degraded))
          .put("took_ms", tookMs);
      if (timings != null) {
        j.put("timings", timings);
      }
      if (session != null) {
        j.put("session", session);
      }
      if (cut != null) {
        j.put("cut", cut);
      }
      return j;
    }
  }
}
