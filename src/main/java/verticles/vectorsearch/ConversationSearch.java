package verticles.vectorsearch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verticles.contracts.VectorStore;

/**
 * Recall's index search when the conversation before the message is known ({@code recall.context_fusion}):
 * <ul>
 *   <li>{@code max} (default): two searches, the message alone and the conversation (the dense query joined by the
 *       turns' weighted vectors, the keyword query by their words); each record keeps the better of its two scores,
 *       the conversation's times {@code recall.context_query_weight}. A question clear on its own keeps its answer,
 *       and a vague follow-up ("你帮我出出主意吧") is answered by what the conversation is about.
 *   <li>{@code mean}: the same two searches, each record scored (own + weight · conversation) / (1 + weight).
 *   <li>{@code vector}: one search with the joined dense query and the message's own words.
 * </ul>
 * {@code max} measured best on MemDaily asked in a conversation (docs/benchmarks.md).
 */
final class ConversationSearch {
  private ConversationSearch() {}

  /** The dense query's two forms: the message's vector, and the one joined by the turns (null without turns). */
  record DenseQuery(float[] message, float[] conversation) {}

  static List<MemoryIndex.Hit> search(MemoryIndex index, MemoryIndex.Query message, DenseQuery dense,
      List<VectorStore.Cue> cues, String fusion, double conversationWeight) {
    if (cues.isEmpty() || dense.conversation() == null && message.vector() != null) {
      return index.search(message);
    }
    if (fusion.equals("vector")) {
      return index.search(withVector(message, dense.conversation(), message.text()));
    }
    StringBuilder words = new StringBuilder(message.text());
    cues.forEach(c -> words.append('\n').append(c.text()));
    List<MemoryIndex.Hit> own = index.search(message);
    // The turns themselves, once stored as message memories, are what the conversation search finds best; they are
    // not what it is for, so only the message's own search may bring them.
    java.util.Set<String> said = new java.util.HashSet<>();
    cues.forEach(c -> said.add(c.text().strip()));
    List<MemoryIndex.Hit> talk = index.search(withVector(message, dense.conversation(), words.toString())).stream()
        .filter(h -> h.record().content() == null || !said.contains(h.record().content().strip())).toList();
    List<MemoryIndex.Hit> out = fusion.equals("max") ? max(own, talk, conversationWeight)
        : mean(own, talk, conversationWeight);
    out.sort(Comparator.comparingDouble(MemoryIndex.Hit::score).reversed());
    return out.size() > message.topK() ? out.subList(0, message.topK()) : out;
  }

  /** Each record's better score: its own, or the conversation's times {@code weight}. */
  private static List<MemoryIndex.Hit> max(List<MemoryIndex.Hit> own, List<MemoryIndex.Hit> talk, double weight) {
    Map<String, MemoryIndex.Hit> best = new LinkedHashMap<>();
    own.forEach(h -> best.put(h.record().id(), h));
    for (MemoryIndex.Hit h : talk) {
      MemoryIndex.Hit scaled = new MemoryIndex.Hit(h.record(), h.score() * weight, h.denseScore(), h.keywordScore());
      best.merge(h.record().id(), scaled, (a, b) -> a.score() >= b.score() ? a : b);
    }
    return new ArrayList<>(best.values());
  }

  /**
   * Each record's weighted mean of its two scores, (own + weight · conversation) / (1 + weight); a record one search
   * did not find scores 0 there. The components shown are the search's that scored it higher.
   */
  private static List<MemoryIndex.Hit> mean(List<MemoryIndex.Hit> own, List<MemoryIndex.Hit> talk, double weight) {
    Map<String, MemoryIndex.Hit> mine = new LinkedHashMap<>();
    own.forEach(h -> mine.put(h.record().id(), h));
    Map<String, MemoryIndex.Hit> theirs = new LinkedHashMap<>();
    talk.forEach(h -> theirs.put(h.record().id(), h));
    List<MemoryIndex.Hit> out = new ArrayList<>();
    java.util.Set<String> ids = new java.util.LinkedHashSet<>(mine.keySet());
    ids.addAll(theirs.keySet());
    for (String id : ids) {
      MemoryIndex.Hit a = mine.get(id);
      MemoryIndex.Hit b = theirs.get(id);
      double score = ((a == null ? 0 : a.score()) + weight * (b == null ? 0 : b.score())) / (1 + weight);
      MemoryIndex.Hit shown = a == null || b != null && b.score() > a.score() ? b : a;
      out.add(new MemoryIndex.Hit(shown.record(), score, shown.denseScore(), shown.keywordScore()));
    }
    return out;
  }

  private static MemoryIndex.Query withVector(MemoryIndex.Query q, float[] vector, String text) {
    return new MemoryIndex.Query(q.userId(), q.characterId(), q.memoryTypes(), vector, text, q.topK());
  }
}
