package verticles.merger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import verticles.contracts.RecentContext;
import verticles.contracts.VectorStore;

/**
 * What of the conversation before the message shapes recall's search. A companion is rarely asked "do you remember":
 * the memory a reply needs is implied by the last few turns, so the newest turns join the message in the dense
 * query, each weighted less the further back it is ({@code recall.context_weight} for the turn just before,
 * times {@code recall.context_decay} per turn back, {@code recall.context_turns} at most; the companion's own turns
 * count {@code recall.assistant_weight} of a user's). The message always weighs most: a question that is clear on its
 * own is still answered by what it says.
 */
final class ConversationCues {
  private final int maxTurns;
  private final double weight;
  private final double decay;
  private final double assistantWeight;

  ConversationCues(JsonObject recall) {
    maxTurns = Math.max(0, Math.min(VectorStore.Search.MAX_CONTEXT, recall.getInteger("context_turns", 3)));
    weight = recall.getDouble("context_weight", 0.5);
    decay = recall.getDouble("context_decay", 0.5);
    assistantWeight = recall.getDouble("assistant_weight", 0.5);
  }

  /** The turns the caller sent, or else the session's turns (as session memory holds them: oldest first). */
  static List<RecentContext.Turn> turns(RecentContext sent, JsonObject session) {
    if (!sent.isEmpty() || session == null) {
      return sent.asTurns();
    }
    List<RecentContext.Turn> out = new ArrayList<>();
    JsonArray turns = session.getJsonArray("turns", new JsonArray());
    for (Object o : turns) {
      if (o instanceof JsonObject t && t.getValue("content") instanceof String content) {
        out.add(new RecentContext.Turn(t.getString("role"), t.getString("name"), content));
      }
    }
    return out;
  }

  /**
   * The weighted turns for the dense query, newest first. The message itself is left out when the conversation
   * already ends with it (session memory is fed the message before the recall that answers it).
   */
  List<VectorStore.Cue> cues(String message, List<RecentContext.Turn> turns) {
    List<VectorStore.Cue> out = new ArrayList<>();
    double w = weight;
    String said = message == null ? "" : message.strip();
    boolean first = true;
    for (int i = turns.size() - 1; i >= 0 && out.size() < maxTurns && w > 0; i--) {
      String text = turns.get(i).content().strip();
      boolean echo = first && text.equals(said);
      first = false;
      if (text.isEmpty() || echo) {
        continue;
      }
      double turnWeight = turns.get(i).fromUser() ? w : w * assistantWeight;
      if (turnWeight > 0) {
        out.add(new VectorStore.Cue(text, Math.min(1, turnWeight)));
      }
      w *= decay;
    }
    return out;
  }

  /** The message with the cued turns, where the entities it names are looked for ("我妹妹…" two turns back). */
  static String withCues(String message, List<VectorStore.Cue> cues) {
    StringBuilder out = new StringBuilder(message == null ? "" : message);
    cues.forEach(c -> out.append('\n').append(c.text()));
    return out.toString();
  }
}
