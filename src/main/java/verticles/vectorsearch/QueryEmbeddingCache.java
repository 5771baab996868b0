package verticles.vectorsearch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LRU cache of query embeddings, keyed by the query text only: a vector says nothing about who asked, so sharing it
 * across users leaks nothing. Used on the verticle's event loop only, hence unsynchronised.
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

  float[] get(String query) {
    return map.get(query);
  }

  void put(String query, float[] vector) {
    map.put(query, vector);
  }

  void clear() {
    map.clear();
  }

  int size() {
    return map.size();
  }
}
