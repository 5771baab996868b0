package verticles.vectorsearch;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The vector + keyword index of memories. Blocking API: callers run it on worker threads.
 * Lucene on local disk by default; a remote engine (VikingDB) by config ({@code index.type}).
 */
public interface MemoryIndex extends AutoCloseable {
  /**
   * Readies a local engine for its first search (analyzer dictionaries, the search path's code) with {@code vector}
   * for a query; blocking, on an index thread. A remote engine has nothing to warm here.
   */
  default void warmUp(float[] vector) {}


  /**
   * Replaces everything task {@code taskId} wrote before, and any record with the same id, by {@code records} (all
   * of which carry vectors). Replaying a task therefore never duplicates. Lucene does it atomically; VikingDB
   * upserts first and then deletes what the task no longer writes, so a search in between may see both.
   */
  void replaceTask(String taskId, List<MemoryRecord> records);

  /** Inserts or replaces records by id. */
  void upsert(List<MemoryRecord> records);

  /** Hybrid search strictly inside one user + character. */
  List<Hit> search(Query query);

  /** Deletes records of a user (all characters when characterId is null); returns how many. */
  long delete(String userId, String characterId);

  /** Number of records of a user + character (all characters when characterId is null). */
  long count(String userId, String characterId);

  /** Deletes records by id (absent ids are ignored). */
  void deleteIds(List<String> ids);

  /**
   * One page of a user's records (all characters when characterId is null), without vectors, ordered by timestamp
   * and then id, for exports.
   */
  List<MemoryRecord> list(String userId, String characterId, int offset, int limit);

  /** Record counts by memory type: of a user (+ character), or of the whole index when userId is null. */
  Map<String, Long> countByType(String userId, String characterId);

  /** The order of {@link #list}: oldest first, ties by id, so pages do not overlap. */
  Comparator<MemoryRecord> LIST_ORDER = Comparator.comparingLong(MemoryRecord::timestamp)
      .thenComparing(MemoryRecord::id);

  @Override
  void close();

  /** The records with duplicate ids collapsed, the last of each id winning, as if written in order. */
  static List<MemoryRecord> dedupeById(List<MemoryRecord> records) {
    if (records == null || records.isEmpty()) {
      return List.of();
    }
    java.util.Map<String, MemoryRecord> byId = new java.util.LinkedHashMap<>();
    for (MemoryRecord r : records) {
      requireText(r.id(), "record id");
      byId.put(r.id(), r);
    }
    return new java.util.ArrayList<>(byId.values());
  }

  static void requireText(String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
  }

  /**
   * @param memoryTypes empty = all types
   * @param vector query embedding (may be null: keyword only)
   * @param text query text for BM25 (may be blank: dense only)
   */
  record Query(String userId, String characterId, List<String> memoryTypes, float[] vector, String text, int topK) {}

  /**
   * A hit with its fused score in [0,1] and the two component scores (0 when that path did not find it). Its
   * record carries the stored vector scaled to unit length (null if it has none).
   */
  record Hit(MemoryRecord record, double score, double denseScore, double keywordScore) {}
}
