package verticles.vectorsearch.vikingdb;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import verticles.vectorsearch.Candidates;
import verticles.vectorsearch.HybridScorer;
import verticles.vectorsearch.MemoryRecord;

/**
 * A VikingDB search's hits as candidates, keyed by their position in the reply. Dense only: VikingDB has no BM25,
 * so there is no keyword path and no keyword feedback. A row that is no record (a field of the wrong type) fails only
 * its own {@link #record}, which the scorer skips.
 */
final class VikingDbCandidates implements Candidates {
  private final List<MemoryRecord> records = new ArrayList<>();
  private final Map<Integer, RuntimeException> unreadable = new HashMap<>();
  private final List<Scored> dense = new ArrayList<>();

  /** @param items the hits of an order_by_vector search, best first, with their vectors */
  VikingDbCandidates(List<JsonObject> items) {
    for (JsonObject item : items) {
      // IP of unit vectors is the cosine
      dense.add(new Scored(records.size(), VikingDbRows.number(item.getValue("score"), "score")));
      MemoryRecord record = null;
      try {
        record = VikingDbRows.record(item);
      } catch (RuntimeException e) {
        unreadable.put(records.size(), e);
      }
      records.add(record);
    }
  }

  @Override
  public List<Scored> dense() {
    return dense;
  }

  @Override
  public List<Scored> keyword() {
    return null;
  }

  @Override
  public Map<Integer, String> speakers(Collection<Integer> keys) {
    Map<Integer, String> out = new HashMap<>();
    for (int key : keys) {
      String speaker = records.get(key) == null ? null : HybridScorer.speakerKey(records.get(key));
      if (speaker != null) {
        out.put(key, speaker);
      }
    }
    return out;
  }

  @Override
  public Map<Integer, Double> feedback(List<Integer> seeds, int terms) {
    return Map.of();
  }

  @Override
  public MemoryRecord record(int key) {
    RuntimeException e = unreadable.get(key);
    if (e != null) {
      throw e;
    }
    return records.get(key);
  }
}
