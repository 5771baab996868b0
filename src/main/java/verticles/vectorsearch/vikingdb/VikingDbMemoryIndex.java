package verticles.vectorsearch.vikingdb;

import static verticles.vectorsearch.vikingdb.VikingDbRows.F_CHARACTER;
import static verticles.vectorsearch.vikingdb.VikingDbRows.F_TASK;
import static verticles.vectorsearch.vikingdb.VikingDbRows.F_TYPE;
import static verticles.vectorsearch.vikingdb.VikingDbRows.F_USER;
import static verticles.vectorsearch.vikingdb.VikingDbRows.F_VECTOR;
import static verticles.vectorsearch.vikingdb.VikingDbRows.OUTPUT_FIELDS;
import static verticles.vectorsearch.vikingdb.VikingDbRows.json;
import static verticles.vectorsearch.vikingdb.VikingDbRows.primaryKey;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Vectors;
import verticles.vectorsearch.HybridScorer;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;

/**
 * The memory index on Volcengine VikingDB, over its HTTP data-plane API <b>V1</b> (the API of the seed's
 * {@code VikingDBService} SDK; Volcengine docs 84313, "upsert_data" 1254533, "del_data" 1254539, "search"
 * 1254587/1254549, "聚合统计" 1399339):
 * <ul>
 *   <li>{@code POST /api/collection/upsert_data} {collection_name, fields:[row…]} (≤ 100 rows; replaces by primary key)
 *   <li>{@code POST /api/index/search} {collection_name, index_name, search:{order_by_vector:{vectors:[v]}, filter,
 *       limit ≤ 5000, output_fields, primary_key_not_in}} → data [[{id, score, fields}]]; with no order_by the
 *       search returns rows matching the filter, which is how a user's or a task's ids are listed
 *   <li>{@code POST /api/collection/del_data} {collection_name, primary_keys:[…]} (≤ 100 keys)
 *   <li>{@code POST /api/index/search/agg} {collection_name, index_name, search:{filter}, agg:{op:"count"}} →
 *       data {agg_result:{__TOTAL__: n}}
 * </ul>
 * Calls, their signature, retries and deadline: {@link VikingDbClient}. Rows: {@link VikingDbRows}. Index: HNSW,
 * distance IP, M 16, ef_construction 256; scalar index on user_id, character_id, memory_type and task_id, which the
 * filters use. Vectors are stored at unit length, so the IP score is the cosine.
 *
 * <p>Recall is dense only: VikingDB has no BM25, so the {@link HybridScorer} ranks its hits as it ranks Lucene's
 * dense-only searches (same candidate depth, speaker bonus and near-duplicate filter; no keyword score, no keyword
 * feedback), and a query without a vector finds nothing.
 *
 * <p>Blocking: every call is a synchronous HTTP request on the caller's thread (MemoryIndex runs on a worker pool).
 *
 * <p>Config ({@code index.vikingdb}): {@code host} (api-vikingdb.volces.com; may carry a port), {@code scheme}
 * (https), {@code region} (cn-beijing), {@code access_key}, {@code secret_key}, {@code collection}
 * (ai_companion_long_memory), {@code index}, {@code timeout_ms} (2000), {@code max_retries} (3), {@code backoff_ms}
 * (100).
 */
public final class VikingDbMemoryIndex implements MemoryIndex {
  private static final Logger log = LoggerFactory.getLogger(VikingDbMemoryIndex.class);

  static final String UPSERT_PATH = "/api/collection/upsert_data";
  static final String DELETE_PATH = "/api/collection/del_data";
  static final String SEARCH_PATH = "/api/index/search";
  static final String AGG_PATH = "/api/index/search/agg";
  /** upsert_data and del_data take at most this many rows or keys. */
  static final int MAX_BATCH = 100;
  /** A search returns at most this many rows. */
  static final int MAX_LIMIT = 5000;
  /** The memory types Engram writes, for counts by type (an ungrouped count per type). */
  static final List<String> MEMORY_TYPES = List.of("summary", "event", "profile", "message", "entity");

  private final int dimension;
  private final String collection;
  private final String index;
  private final VikingDbClient client;
  private final HybridScorer scorer;

  /** With the default retrieval policy. */
  public VikingDbMemoryIndex(int dimension, JsonObject config) {
    this(dimension, config, new HybridScorer(new JsonObject()));
  }

  /**
   * @param config the {@code index.vikingdb} section
   * @param scorer the retrieval policy, from the {@code index} section, as Lucene's
   */
  public VikingDbMemoryIndex(int dimension, JsonObject config, HybridScorer scorer) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("vector dimension must be > 0");
    }
    this.dimension = dimension;
    this.client = new VikingDbClient(config);
    this.collection = config.getString("collection", "ai_companion_long_memory");
    this.index = required(config, "index");
    this.scorer = scorer;
    log.info("VikingDB index {}/{} at {} ({} dims), {}", collection, index, client.base(), dimension, scorer);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Upserts the records (deterministic ids overwrite their earlier selves), then deletes what the task wrote before
   * and no longer produces. Upsert first, so a failure in between leaves a stale extra until the replay, never a
   * task whose memories are missing.
   *
   * <p>VikingDB's index trails its collection (up to ~20 s per its docs): a record written by this task moments
   * before may not be listed yet, and then survives as a stale extra until the next replay. Ids are deterministic,
   * so a replay producing the same records never duplicates.
   */
  @Override
  public void replaceTask(String taskId, List<MemoryRecord> records) {
    MemoryIndex.requireText(taskId, "taskId");
    List<MemoryRecord> unique = MemoryIndex.dedupeById(records);
    List<JsonObject> rows = VikingDbRows.rows(unique, dimension); // all checked before anything is written
    write(rows);
    Set<String> keep = new LinkedHashSet<>();
    unique.forEach(r -> keep.add(r.id()));
    List<String> stale = listIds(must(F_TASK, List.of(taskId))).stream().filter(id -> !keep.contains(id)).toList();
    deleteIds(stale);
    log.debug("VikingDB replaceTask {}: {} records, {} stale removed", taskId, rows.size(), stale.size());
  }

  @Override
  public void upsert(List<MemoryRecord> records) {
    write(VikingDbRows.rows(MemoryIndex.dedupeById(records), dimension));
  }

  private void write(List<JsonObject> rows) {
    for (int from = 0; from < rows.size(); from += MAX_BATCH) {
      JsonArray batch = new JsonArray(new ArrayList<>(rows.subList(from, Math.min(rows.size(), from + MAX_BATCH))));
      client.call(UPSERT_PATH, new JsonObject().put("collection_name", collection).put("fields", batch));
    }
  }

  @Override
  public long delete(String userId, String characterId) {
    MemoryIndex.requireText(userId, "userId");
    List<String> ids = listIds(ownerFilter(userId, characterId, List.of()));
    deleteIds(ids);
    log.info("VikingDB delete user {} character {}: {} records", userId, characterId, ids.size());
    return ids.size();
  }

  @Override
  public void deleteIds(List<String> ids) {
    for (int from = 0; from < ids.size(); from += MAX_BATCH) {
      JsonArray keys = new JsonArray(new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + MAX_BATCH))));
      client.call(DELETE_PATH, new JsonObject().put("collection_name", collection).put("primary_keys", keys));
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public long count(String userId, String characterId) {
    MemoryIndex.requireText(userId, "userId");
    return count(ownerFilter(userId, characterId, List.of()));
  }

  /** One count per memory type this service writes; VikingDB's index trails its collection, so counts may lag. */
  @Override
  public Map<String, Long> countByType(String userId, String characterId) {
    Map<String, Long> out = new TreeMap<>();
    for (String type : MEMORY_TYPES) {
      long n = count(userId == null ? must(F_TYPE, List.of(type)) : ownerFilter(userId, characterId, List.of(type)));
      if (n > 0) {
        out.put(type, n);
      }
    }
    return out;
  }

  /**
   * Best effort: every row the owner filter lists (in no order, and VikingDB's index trails its collection), ordered
   * here, then the page cut from it.
   */
  @Override
  public List<MemoryRecord> list(String userId, String characterId, int offset, int limit) {
    MemoryIndex.requireText(userId, "userId");
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    JsonObject filter = ownerFilter(userId, characterId, List.of());
    List<String> fields = OUTPUT_FIELDS.stream().filter(f -> !f.equals(F_VECTOR)).toList();
    Map<String, MemoryRecord> seen = new LinkedHashMap<>();
    while (true) {
      JsonObject search = new JsonObject().put("filter", filter).put("limit", MAX_LIMIT)
          .put("output_fields", new JsonArray(fields));
      if (!seen.isEmpty()) {
        search.put("primary_key_not_in", new JsonArray(new ArrayList<>(seen.keySet())));
      }
      List<JsonObject> page = items(client.call(SEARCH_PATH, searchBody(search)));
      int before = seen.size();
      page.forEach(item -> seen.putIfAbsent(primaryKey(item), VikingDbRows.record(item)));
      if (page.size() < MAX_LIMIT || seen.size() == before) {
        break;
      }
    }
    List<MemoryRecord> all = new ArrayList<>(seen.values());
    all.sort(LIST_ORDER);
    int from = Math.min(offset, all.size());
    return new ArrayList<>(all.subList(from, (int) Math.min(all.size(), (long) from + limit)));
  }

  private long count(JsonObject filter) {
    JsonObject reply = client.call(AGG_PATH, new JsonObject()
        .put("collection_name", collection)
        .put("index_name", index)
        .put("search", new JsonObject().put("filter", filter))
        .put("agg", new JsonObject().put("op", "count")));
    JsonObject data = reply.getValue("data") instanceof JsonObject d ? d : new JsonObject();
    JsonObject result = data.getValue("agg_result") instanceof JsonObject r ? r : new JsonObject();
    // An ungrouped count has one entry, __TOTAL__; nothing matched may give none.
    return result.getValue("__TOTAL__") instanceof Number n ? n.longValue() : 0L;
  }

  /**
   * Dense search inside one user + character, as deep as Lucene's paths go, ranked by the {@link HybridScorer}. A
   * query without a vector finds nothing (no keyword search here).
   */
  @Override
  public List<Hit> search(Query query) {
    MemoryIndex.requireText(query.userId(), "userId");
    MemoryIndex.requireText(query.characterId(), "characterId");
    if (query.topK() <= 0 || query.vector() == null) {
      return List.of();
    }
    VikingDbRows.checkDimension(query.vector(), dimension, "query vector");
    JsonObject search = new JsonObject()
        .put("order_by_vector", new JsonObject().put("vectors", new JsonArray().add(json(Vectors.unit(query.vector())))))
        .put("filter", ownerFilter(query.userId(), query.characterId(), query.memoryTypes()))
        .put("limit", Math.min(HybridScorer.candidates(query.topK()), MAX_LIMIT))
        .put("output_fields", new JsonArray(OUTPUT_FIELDS));
    VikingDbCandidates found = new VikingDbCandidates(items(client.call(SEARCH_PATH, searchBody(search))));
    return scorer.rank(found, query.text(), query.topK());
  }

  /**
   * Primary keys of every row matching {@code filter}, a page of {@link #MAX_LIMIT} at a time. Later pages exclude
   * the keys already seen (primary_key_not_in): the rows are in no order, and deletes reach the index late.
   */
  private List<String> listIds(JsonObject filter) {
    Set<String> ids = new LinkedHashSet<>();
    while (true) {
      JsonObject search = new JsonObject()
          .put("filter", filter)
          .put("limit", MAX_LIMIT)
          .put("output_fields", new JsonArray());
      if (!ids.isEmpty()) {
        search.put("primary_key_not_in", new JsonArray(new ArrayList<>(ids)));
      }
      List<JsonObject> page = items(client.call(SEARCH_PATH, searchBody(search)));
      int before = ids.size();
      page.forEach(item -> ids.add(primaryKey(item)));
      if (page.size() < MAX_LIMIT || ids.size() == before) {
        return new ArrayList<>(ids);
      }
    }
  }

  private JsonObject searchBody(JsonObject search) {
    return new JsonObject().put("collection_name", collection).put("index_name", index).put("search", search);
  }

  /** The rows of a one-query search reply: data is one list of hits per query vector. */
  private static List<JsonObject> items(JsonObject reply) {
    if (!(reply.getValue("data") instanceof JsonArray data)) {
      throw new VikingDbException(SEARCH_PATH, 200, 0, "reply has no data list", null, false, null);
    }
    List<JsonObject> out = new ArrayList<>();
    if (!data.isEmpty()) {
      if (!(data.getValue(0) instanceof JsonArray hits)) {
        throw new VikingDbException(SEARCH_PATH, 200, 0, "reply data is not a list of lists", null, false, null);
      }
      for (Object h : hits) {
        if (!(h instanceof JsonObject item)) {
          throw new VikingDbException(SEARCH_PATH, 200, 0, "reply hit is not an object", null, false, null);
        }
        out.add(item);
      }
    }
    return out;
  }

  @Override
  public void close() {
    // java.net.http.HttpClient holds no resources that need closing on Java 17
  }

  // ---------------------------------------------------------------- filters

  /** user (and character when given, and types when any): VikingDB's must/and filter operators. */
  static JsonObject ownerFilter(String userId, String characterId, List<String> types) {
    JsonArray conds = new JsonArray().add(must(F_USER, List.of(userId)));
    if (characterId != null) {
      conds.add(must(F_CHARACTER, List.of(characterId)));
    }
    if (types != null && !types.isEmpty()) {
      conds.add(must(F_TYPE, types));
    }
    return conds.size() == 1 ? conds.getJsonObject(0) : new JsonObject().put("op", "and").put("conds", conds);
  }

  private static JsonObject must(String field, Collection<String> values) {
    return new JsonObject().put("op", "must").put("field", field).put("conds", new JsonArray(new ArrayList<>(values)));
  }

  static String required(JsonObject config, String key) {
    String value = config.getString(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("index.vikingdb needs '" + key + "'");
    }
    return value;
  }
}
