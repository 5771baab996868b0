package verticles.vectorsearch.vikingdb;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.SigV4;
import verticles.shared.Vectors;
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
 * A reply is good when HTTP is 200 and the body's {@code code} is 0. Errors carry a numeric code: 1000001
 * unauthorized (401), 1000003 invalid request (400), 1000005/1000008 no such collection/index, 1000016 invalid
 * vector, 1000019 invalid filter, 1000028 internal error, 1000029 throttled. Throttling, internal errors, 5xx and
 * requests that got no answer are retried with exponential backoff and jitter, at most {@code max_retries} times;
 * anything else fails at once with a {@link VikingDbException} naming the code.
 *
 * <p>Requests are signed with Volcengine's HMAC-SHA256 signature ({@link SigV4.Flavor#VOLCENGINE}), service
 * {@code air}, headers Content-Type, Host, X-Content-Sha256 and X-Date signed.
 *
 * <p>Collection (the seed's "VikingDB Collection 设计", plus what rebuilds a {@link MemoryRecord}): {@code id}
 * string primary key, {@code vector} vector (the embedder's dimension), {@code user_id}, {@code character_id},
 * {@code memory_type}, {@code content} string, {@code timestamp} int64, {@code importance} int64, {@code metadata}
 * string (JSON), and {@code task_id}, {@code session_id}, {@code source_msg_ids} string (a JSON array: list fields
 * hold at most 32 items, a summary cites more). Index: HNSW, distance IP, M 16, ef_construction 256; scalar index
 * on user_id, character_id, memory_type and task_id, which the filters use. Vectors are stored at unit length, so
 * the IP score is the cosine.
 *
 * <p>Recall here is dense only: keyword (BM25) search is Lucene's. A query without a vector finds nothing.
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

  static final String SERVICE = "air";
  static final String UPSERT_PATH = "/api/collection/upsert_data";
  static final String DELETE_PATH = "/api/collection/del_data";
  static final String SEARCH_PATH = "/api/index/search";
  static final String AGG_PATH = "/api/index/search/agg";
  /** upsert_data and del_data take at most this many rows or keys. */
  static final int MAX_BATCH = 100;
  /** A search returns at most this many rows. */
  static final int MAX_LIMIT = 5000;
  static final long MAX_BACKOFF_MS = 5_000;

  static final long CODE_UNAUTHORIZED = 1000001;
  static final long CODE_INTERNAL = 1000028;
  static final long CODE_THROTTLED = 1000029;

  static final String F_ID = "id";
  static final String F_VECTOR = "vector";
  static final String F_USER = "user_id";
  static final String F_CHARACTER = "character_id";
  static final String F_TYPE = "memory_type";
  static final String F_CONTENT = "content";
  static final String F_TIMESTAMP = "timestamp";
  static final String F_IMPORTANCE = "importance";
  static final String F_METADATA = "metadata";
  static final String F_TASK = "task_id";
  static final String F_SESSION = "session_id";
  static final String F_SOURCES = "source_msg_ids";
  /** Everything but the primary key, which a hit carries beside its fields; the vector only when asked for. */
  /** The memory types Engram writes, for counts by type (an ungrouped count per type). */
  static final List<String> MEMORY_TYPES = List.of("summary", "event", "profile", "message", "entity");
  static final List<String> OUTPUT_FIELDS = List.of(F_VECTOR, F_USER, F_CHARACTER, F_TYPE, F_CONTENT, F_TIMESTAMP,
      F_IMPORTANCE, F_METADATA, F_TASK, F_SESSION, F_SOURCES);

  private final int dimension;
  private final URI base;
  private final String hostHeader;
  private final String collection;
  private final String index;
  private final long timeoutMs;
  private final int maxRetries;
  private final long backoffMs;
  private final SigV4 signer;
  private final HttpClient http;

  public VikingDbMemoryIndex(int dimension, JsonObject config) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("vector dimension must be > 0");
    }
    this.dimension = dimension;
    String scheme = config.getString("scheme", "https").toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("index.vikingdb.scheme must be http or https: " + scheme);
    }
    URI uri = URI.create(scheme + "://" + required(config, "host"));
    if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
      throw new IllegalArgumentException("index.vikingdb.host must be host[:port]: " + config.getString("host"));
    }
    int defaultPort = scheme.equals("https") ? 443 : 80;
    boolean explicitPort = uri.getPort() >= 0 && uri.getPort() != defaultPort;
    // Host is signed, so it must be exactly what the HTTP client sends: the port only when it is not the default.
    this.hostHeader = explicitPort ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    this.base = URI.create(scheme + "://" + hostHeader);
    this.collection = config.getString("collection", "ai_companion_long_memory");
    this.index = required(config, "index");
    this.timeoutMs = config.getLong("timeout_ms", 2_000L);
    this.maxRetries = config.getInteger("max_retries", 3);
    this.backoffMs = config.getLong("backoff_ms", 100L);
    if (timeoutMs <= 0 || maxRetries < 0 || backoffMs < 0) {
      throw new IllegalArgumentException("index.vikingdb: timeout_ms must be > 0, max_retries and backoff_ms >= 0");
    }
    this.signer = new SigV4(required(config, "access_key"), required(config, "secret_key"),
        config.getString("region", "cn-beijing"), SERVICE, SigV4.Flavor.VOLCENGINE);
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofMillis(timeoutMs))
        .build();
    log.info("VikingDB index {}/{} at {} ({} dims)", collection, index, base, dimension);
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
    List<JsonObject> rows = rows(unique); // all checked before anything is written
    write(rows);
    Set<String> keep = new LinkedHashSet<>();
    unique.forEach(r -> keep.add(r.id()));
    List<String> stale = listIds(must(F_TASK, List.of(taskId))).stream().filter(id -> !keep.contains(id)).toList();
    deleteIds(stale);
    log.debug("VikingDB replaceTask {}: {} records, {} stale removed", taskId, rows.size(), stale.size());
  }

  @Override
  public void upsert(List<MemoryRecord> records) {
    write(rows(MemoryIndex.dedupeById(records)));
  }

  private void write(List<JsonObject> rows) {
    for (int from = 0; from < rows.size(); from += MAX_BATCH) {
      JsonArray batch = new JsonArray(new ArrayList<>(rows.subList(from, Math.min(rows.size(), from + MAX_BATCH))));
      call(UPSERT_PATH, new JsonObject().put("collection_name", collection).put("fields", batch));
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
      call(DELETE_PATH, new JsonObject().put("collection_name", collection).put("primary_keys", keys));
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
      List<JsonObject> page = items(call(SEARCH_PATH, searchBody(search)));
      int before = seen.size();
      page.forEach(item -> seen.putIfAbsent(primaryKey(item), record(item)));
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
    JsonObject reply = call(AGG_PATH, new JsonObject()
        .put("collection_name", collection)
        .put("index_name", index)
        .put("search", new JsonObject().put("filter", filter))
        .put("agg", new JsonObject().put("op", "count")));
    JsonObject data = reply.getValue("data") instanceof JsonObject d ? d : new JsonObject();
    JsonObject result = data.getValue("agg_result") instanceof JsonObject r ? r : new JsonObject();
    // An ungrouped count has one entry, __TOTAL__; nothing matched may give none.
    return result.getValue("__TOTAL__") instanceof Number n ? n.longValue() : 0L;
  }

  /** Dense search inside one user + character; a query without a vector finds nothing (no keyword search here). */
  @Override
  public List<Hit> search(Query query) {
    MemoryIndex.requireText(query.userId(), "userId");
    MemoryIndex.requireText(query.characterId(), "characterId");
    if (query.topK() <= 0 || query.vector() == null) {
      return List.of();
    }
    checkDimension(query.vector(), "query vector");
    JsonObject search = new JsonObject()
        .put("order_by_vector", new JsonObject().put("vectors", new JsonArray().add(json(Vectors.unit(query.vector())))))
        .put("filter", ownerFilter(query.userId(), query.characterId(), query.memoryTypes()))
        .put("limit", Math.min(query.topK(), MAX_LIMIT))
        .put("output_fields", new JsonArray(OUTPUT_FIELDS));
    List<Hit> hits = new ArrayList<>();
    for (JsonObject item : items(call(SEARCH_PATH, searchBody(search)))) {
      // IP of unit vectors is the cosine; the index contract wants [0,1]
      double dense = Math.max(0.0, Math.min(1.0, number(item.getValue("score"), "score")));
      hits.add(new Hit(record(item), dense, dense, 0.0));
    }
    return hits;
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
      List<JsonObject> page = items(call(SEARCH_PATH, searchBody(search)));
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

  // ---------------------------------------------------------------- records <-> rows

  private List<JsonObject> rows(List<MemoryRecord> records) {
    List<JsonObject> rows = new ArrayList<>(records.size());
    for (MemoryRecord r : records) {
      MemoryIndex.requireText(r.userId(), "record userId");
      MemoryIndex.requireText(r.characterId(), "record characterId");
      if (r.vector() == null) {
        throw new IllegalArgumentException("record " + r.id() + " has no vector");
      }
      checkDimension(r.vector(), "record " + r.id() + " vector");
      // Every field, every time: VikingDB fills a missing field with its default rather than keeping the old value.
      rows.add(new JsonObject()
          .put(F_ID, r.id())
          .put(F_VECTOR, json(Vectors.unit(r.vector())))
          .put(F_USER, r.userId())
          .put(F_CHARACTER, r.characterId())
          .put(F_TYPE, orEmpty(r.memoryType()))
          .put(F_CONTENT, orEmpty(r.content()))
          .put(F_TIMESTAMP, r.timestamp())
          .put(F_IMPORTANCE, (long) r.importance())
          .put(F_METADATA, (r.metadata() == null ? new JsonObject() : r.metadata()).encode())
          .put(F_TASK, orEmpty(r.taskId()))
          .put(F_SESSION, orEmpty(r.sessionId()))
          .put(F_SOURCES, new JsonArray(r.sourceMsgIds() == null ? List.of() : r.sourceMsgIds()).encode()));
    }
    return rows;
  }

  private MemoryRecord record(JsonObject item) {
    JsonObject f = item.getValue("fields") instanceof JsonObject o ? o : new JsonObject();
    float[] vector = null;
    if (f.getValue(F_VECTOR) instanceof JsonArray v) {
      vector = new float[v.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) number(v.getValue(i), "vector");
      }
      vector = Vectors.unit(vector);
    }
    List<String> sources = new ArrayList<>();
    String sourcesJson = f.getString(F_SOURCES, "");
    if (!sourcesJson.isBlank()) {
      new JsonArray(sourcesJson).forEach(s -> sources.add(String.valueOf(s)));
    }
    String meta = f.getString(F_METADATA, "");
    return new MemoryRecord(
        primaryKey(item),
        emptyToNull(f.getString(F_TASK)),
        f.getString(F_USER),
        f.getString(F_CHARACTER),
        f.getString(F_TYPE),
        f.getString(F_CONTENT),
        f.getValue(F_TIMESTAMP) == null ? 0L : (long) number(f.getValue(F_TIMESTAMP), F_TIMESTAMP),
        f.getValue(F_IMPORTANCE) == null ? 5 : (int) number(f.getValue(F_IMPORTANCE), F_IMPORTANCE),
        emptyToNull(f.getString(F_SESSION)),
        sources,
        meta.isBlank() ? new JsonObject() : new JsonObject(meta),
        vector);
  }

  private static String primaryKey(JsonObject item) {
    Object id = item.getValue(F_ID);
    if (id == null) {
      throw new VikingDbException(SEARCH_PATH, 200, 0, "hit has no primary key '" + F_ID + "'", null, false, null);
    }
    return String.valueOf(id);
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

  // ---------------------------------------------------------------- HTTP

  /** POSTs a signed request; retries what may heal by itself. Returns the reply of a code-0 answer. */
  private JsonObject call(String path, JsonObject body) {
    byte[] payload = body.encode().getBytes(StandardCharsets.UTF_8);
    for (int attempt = 0; ; attempt++) {
      try {
        return send(path, payload);
      } catch (VikingDbException e) {
        if (!e.retryable()) {
          throw e;
        }
        if (attempt >= maxRetries) {
          throw e.gaveUp(attempt + 1);
        }
        long delay = delayMs(attempt);
        log.warn("{} (attempt {} of {}, retrying in {} ms)", e.getMessage(), attempt + 1, maxRetries + 1, delay);
        try {
          Thread.sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new VikingDbException(path, 0, 0, "interrupted while waiting to retry", null, false, ie);
        }
      }
    }
  }

  private JsonObject send(String path, byte[] payload) {
    String xDate = SigV4.AMZ_DATE.format(Instant.now());
    String payloadHash = SigV4.sha256Hex(payload);
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("Content-Type", "application/json");
    signed.put("Host", hostHeader);
    signed.put("X-Content-Sha256", payloadHash);
    signed.put("X-Date", xDate);
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofMillis(timeoutMs))
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
        .header("Accept", "application/json")
        .header("Authorization", signer.authorization("POST", path, "", signed, payloadHash, xDate));
    // Host is set by the client itself (a restricted header), to the same value as signed
    signed.forEach((name, value) -> {
      if (!name.equals("Host")) {
        request.header(name, value);
      }
    });

    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new VikingDbException(path, 0, 0, "no response: " + e, null, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VikingDbException(path, 0, 0, "interrupted", null, false, e);
    }

    JsonObject reply = null;
    try {
      String text = response.body();
      reply = text == null || text.isBlank() ? null : new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      // not JSON (a proxy's error page, say): judged by the HTTP status below
    }
    int status = response.statusCode();
    long code = reply != null && reply.getValue("code") instanceof Number n ? n.longValue() : -1;
    if (status == 200 && code == 0) {
      return reply;
    }
    String message = reply == null ? abbreviate(response.body())
        : reply.getString("message", reply.getString("msg", ""));
    String requestId = reply == null ? null : reply.getString("request_id");
    boolean retryable = status >= 500 || status == 429 || code == CODE_THROTTLED || code == CODE_INTERNAL;
    throw new VikingDbException(path, status, code, message, requestId, retryable, null);
  }

  /** Exponential backoff with "equal jitter": at least half the step, so clients that failed together spread out. */
  private long delayMs(int attempt) {
    long ceiling = Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(attempt, 20));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  /** A failed VikingDB call: an error answer (status and code), or none at all (status 0). */
  public static final class VikingDbException extends RuntimeException {
    private final String path;
    private final int status;
    private final long code;
    private final String detail;
    private final String requestId;
    private final boolean retryable;

    VikingDbException(String path, int status, long code, String detail, String requestId, boolean retryable,
                      Throwable cause) {
      super(describe(path, status, code, detail, requestId), cause);
      this.path = path;
      this.status = status;
      this.code = code;
      this.detail = detail;
      this.requestId = requestId;
      this.retryable = retryable;
    }

    private VikingDbException(VikingDbException last, int attempts) {
      super(describe(last.path, last.status, last.code, last.detail, last.requestId)
          + " (gave up after " + attempts + " attempts)", last.getCause());
      this.path = last.path;
      this.status = last.status;
      this.code = last.code;
      this.detail = last.detail;
      this.requestId = last.requestId;
      this.retryable = false;
    }

    VikingDbException gaveUp(int attempts) {
      return new VikingDbException(this, attempts);
    }

    /** HTTP status; 0 when no answer came. */
    public int status() {
      return status;
    }

    /** VikingDB's error code (1000029 throttled, 1000001 unauthorized, …); 0 or -1 when the body had none. */
    public long code() {
      return code;
    }

    public boolean retryable() {
      return retryable;
    }

    private static String describe(String path, int status, long code, String detail, String requestId) {
      StringBuilder b = new StringBuilder("VikingDB ").append(path).append(" failed: ");
      b.append(status == 0 ? "no HTTP answer" : "HTTP " + status);
      if (code > 0) {
        b.append(", code ").append(code).append(" (").append(meaning(code)).append(')');
      }
      if (detail != null && !detail.isBlank()) {
        b.append(": ").append(detail);
      }
      if (requestId != null) {
        b.append(" [request_id ").append(requestId).append(']');
      }
      return b.toString();
    }

    /** The documented meaning of the codes an index client meets. */
    static String meaning(long code) {
      return switch ((int) code) {
        case 1000001 -> "unauthorized: authentication failed";
        case 1000002 -> "no permission";
        case 1000003 -> "invalid request";
        case 1000005 -> "collection does not exist";
        case 1000008 -> "index does not exist";
        case 1000016 -> "invalid vector";
        case 1000017 -> "invalid primary key";
        case 1000019 -> "invalid filter";
        case 1000023 -> "index initializing";
        case 1000028 -> "internal server error";
        case 1000029 -> "throttled: request rate limit exceeded";
        default -> "error";
      };
    }
  }

  // ---------------------------------------------------------------- helpers

  private void checkDimension(float[] v, String what) {
    if (v.length != dimension) {
      throw new IllegalArgumentException(what + " has " + v.length + " dimensions, the collection " + dimension);
    }
  }

  private static JsonArray json(float[] v) {
    JsonArray a = new JsonArray(new ArrayList<>(v.length));
    for (float f : v) {
      a.add(f);
    }
    return a;
  }

  private static double number(Object value, String what) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new VikingDbException(SEARCH_PATH, 200, 0, what + " is not a number: " + value, null, false, null);
  }


  private static String required(JsonObject config, String key) {
    String value = config.getString(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("index.vikingdb needs '" + key + "'");
    }
    return value;
  }


  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
