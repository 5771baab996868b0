package verticles.vectorsearch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LRU cache of query embeddings, keyed by the model and the query text: a vector says nothing about who asked, so
 * sharing it across users leaks nothing, and a text's vector from one model is never served for another's
 * ({@code embedding.model auto} picks the model per text). Used on the verticle's event loop only, hence
 * unsynchronised.
 */
final class QueryEmbeddingCache {
  private final Map<String, float[]> map;

  QueryEmbeddingCache(int capacity) {
    this.map = new LinkedHashMap<>(Math.max(16, capacity / 4), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
        return size() > capacity;
      }
    };
  }

  float[] get(String model, String query) {
    return map.get(key(model, query));
  }

  void put(String model, String query, float[] vector) {
    map.put(key(model, query), vector);
  }

  private static String key(String model, String query) {
    return model + '\u0000' + query;
  }

  void clear() {
    map.clear();
  }

  int size() {
    return map.size();
  }
}
