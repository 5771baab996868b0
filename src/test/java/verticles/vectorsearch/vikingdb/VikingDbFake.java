package verticles.vectorsearch.vikingdb;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import verticles.shared.SigV4;

/**
 * A local VikingDB data plane (API V1) that checks requests the way the documented service does: the four endpoints
 * {@link VikingDbMemoryIndex} uses, over one collection with the seed's schema (plus task_id, session_id,
 * source_msg_ids) and one HNSW/IP index, kept in memory and scored by real inner products.
 *
 * <p>Every request must carry a valid Volcengine HMAC-SHA256 signature (service {@code air}). The verifier is written
 * here from Volcengine's "签名机制" (kDate = HMAC(SK, yyyyMMdd), kRegion, kService, kSigning = HMAC(kService,
 * "request")), on purpose without the client's {@code SigV4}, so a client bug cannot hide behind shared code. A bad
 * or missing signature gets HTTP 401 with code 1000001 "unauthorized".
 *
 * <p>Bodies are validated as the docs describe: a missing or wrong-typed parameter, an unknown field, a field of
 * the wrong type or a vector of the wrong dimension → HTTP 400, code 1000003 "invalid request: …"; an unknown
 * collection → 1000005, index → 1000008; a search vector of the wrong dimension → 1000016; a filter on a field
 * without a scalar index → 1000019. It can be told to throttle (HTTP 429, code 1000029) or to fail with an internal
 * error (HTTP 500, code 1000028), for the next N requests or for good, or to hang ({@link #stall}).
 */
public final class VikingDbFake {
  public static final String SERVICE = "air";
  public static final String COLLECTION = "ai_companion_long_memory";
  public static final String INDEX = "ai_companion_long_memory_idx";
  static final int MAX_BATCH = 100;
  static final int MAX_LIMIT = 5000;
  private static final DateTimeFormatter X_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);

  /** The collection's fields and types (field_type names as in the docs). */
  static final Map<String, String> SCHEMA = schema();
  static final String PRIMARY_KEY = "id";
  /** Fields with a scalar index: only these may appear in a filter. */
  static final Set<String> SCALAR_INDEX = Set.of("user_id", "character_id", "memory_type", "task_id");

  /** What the fake does to a request instead of answering it. */
  public enum Failure {
    THROTTLE(429, 1000029, "quota limiter: request rate limit exceeded"),
    INTERNAL(500, 1000028, "internal server error");

    final int status;
    final long code;
    final String message;

    Failure(int status, long code, String message) {
      this.status = status;
      this.code = code;
      this.message = message;
    }
  }

  private final String region;
  private final String accessKey;
  private final String secretKey;
  private final int dimension;
  private final Map<String, JsonObject> rows = new LinkedHashMap<>();
  private final Deque<Failure> scripted = new ArrayDeque<>();
  private final List<String> requestLog = new ArrayList<>();
  private Failure always;
  private boolean stalled;
  private HttpServer server;

  private VikingDbFake(String region, String accessKey, String secretKey, int dimension) {
    this.region = region;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.dimension = dimension;
  }

  private static Map<String, String> schema() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("id", "string");
    s.put("vector", "vector");
    s.put("user_id", "string");
    s.put("character_id", "string");
    s.put("memory_type", "string");
    s.put("content", "string");
    s.put("timestamp", "int64");
    s.put("importance", "int64");
    s.put("metadata", "string");
    s.put("task_id", "string");
    s.put("session_id", "string");
    s.put("source_msg_ids", "string");
    return Collections.unmodifiableMap(s);
  }

  /** Starts on 127.0.0.1 and a free port. */
  public static Future<VikingDbFake> start(Vertx vertx, String region, String accessKey, String secretKey,
                                           int dimension) {
    VikingDbFake fake = new VikingDbFake(region, accessKey, secretKey, dimension);
    return vertx.createHttpServer()
        .requestHandler(fake::handle)
        .listen(0, "127.0.0.1")
        .map(s -> {
          fake.server = s;
          return fake;
        });
  }

  public Future<Void> close() {
    return server.close();
  }

  /** An {@code index.vikingdb} config for this server, with short timeouts and backoff so tests stay fast. */
  public JsonObject clientConfig() {
    return new JsonObject()
        .put("host", "127.0.0.1:" + server.actualPort())
        .put("scheme", "http")
        .put("region", region)
        .put("access_key", accessKey)
        .put("secret_key", secretKey)
        .put("collection", COLLECTION)
        .put("index", INDEX)
        .put("timeout_ms", 5000)
        .put("max_retries", 3)
        .put("backoff_ms", 5);
  }

  /** The next {@code n} requests fail this way. */
  public synchronized VikingDbFake failNext(int n, Failure failure) {
    for (int i = 0; i < n; i++) {
      scripted.add(failure);
    }
    return this;
  }

  /** Every request from now on fails this way (null: none). */
  public synchronized VikingDbFake failAlways(Failure failure) {
    always = failure;
    return this;
  }

  /** From now on every request is logged and never answered, its connection left open: a VikingDB that hangs. */
  public synchronized VikingDbFake stall() {
    stalled = true;
    return this;
  }

  /** The path of every request received, in order (failed ones too). */
  public synchronized List<String> requests() {
    return List.copyOf(requestLog);
  }

  public synchronized long requestsTo(String path) {
    return requestLog.stream().filter(path::equals).count();
  }

  /** A copy of the stored rows by primary key. */
  public synchronized Map<String, JsonObject> rows() {
    Map<String, JsonObject> copy = new TreeMap<>();
    rows.forEach((k, v) -> copy.put(k, v.copy()));
    return copy;
  }

  // ---------------------------------------------------------------- dispatch

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      Answer answer;
      synchronized (this) {
        requestLog.add(req.path());
        if (stalled) {
          return;
        }
        answer = answer(req, body);
      }
      req.response().setStatusCode(answer.status).putHeader("Content-Type", "application/json")
          .end(answer.body.encode());
    });
  }

  private record Answer(int status, JsonObject body) {}

  /** Thrown while checking a request; becomes the documented error reply. */
  private static final class Reject extends RuntimeException {
    final int status;
    final long code;

    Reject(int status, long code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private static Reject invalid(String detail) {
    return new Reject(400, 1000003, "invalid request: " + detail);
  }

  private Answer answer(HttpServerRequest req, Buffer body) {
    try {
      verifySignature(req, body.getBytes());
      Failure failure = !scripted.isEmpty() ? scripted.poll() : always;
      if (failure != null) {
        throw new Reject(failure.status, failure.code, failure.message);
      }
      if (req.method() != HttpMethod.POST) {
        throw new Reject(405, 1000003, "invalid request: method " + req.method() + " not allowed");
      }
      JsonObject json;
      try {
        json = new JsonObject(body.toString(StandardCharsets.UTF_8));
      } catch (DecodeException | ClassCastException e) {
        throw invalid("body is not a JSON object");
      }
      Object data = switch (req.path()) {
        case VikingDbMemoryIndex.UPSERT_PATH -> upsert(json);
        case VikingDbMemoryIndex.DELETE_PATH -> delete(json);
        case VikingDbMemoryIndex.SEARCH_PATH -> search(json);
        case VikingDbMemoryIndex.AGG_PATH -> aggregate(json);
        default -> throw new Reject(404, 1000003, "invalid request: no such api " + req.path());
      };
      JsonObject ok = reply(0, "success");
      if (data != null) {
        ok.put("data", data);
      }
      return new Answer(200, ok);
    } catch (Reject r) {
      return new Answer(r.status, reply(r.code, r.getMessage()));
    }
  }

  private static JsonObject reply(long code, String message) {
    return new JsonObject().put("code", code).put("message", message)
        .put("request_id", UUID.randomUUID().toString().replace("-", ""));
  }

  // ---------------------------------------------------------------- endpoints

  private Object upsert(JsonObject json) {
    requireCollection(json);
    JsonArray fields = array(json, "fields", true);
    if (fields.isEmpty() || fields.size() > MAX_BATCH) {
      throw invalid("fields must hold 1 to " + MAX_BATCH + " items, got " + fields.size());
    }
    List<JsonObject> checked = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      if (!(fields.getValue(i) instanceof JsonObject row)) {
        throw invalid("fields[" + i + "] must be a map");
      }
      checked.add(checkRow(row, i));
    }
    // all or nothing: a bad row fails the whole request
    checked.forEach(row -> rows.put(row.getString(PRIMARY_KEY), row));
    return null;
  }

  private JsonObject checkRow(JsonObject row, int i) {
    for (String name : row.fieldNames()) {
      if (!SCHEMA.containsKey(name)) {
        throw invalid("fields[" + i + "]: field " + name + " does not exist in collection " + COLLECTION);
      }
    }
    JsonObject out = new JsonObject();
    for (Map.Entry<String, String> f : SCHEMA.entrySet()) {
      String name = f.getKey();
      Object value = row.getValue(name);
      if (value == null) {
        if (name.equals(PRIMARY_KEY) || f.getValue().equals("vector")) {
          throw invalid("fields[" + i + "]: field " + name + " is required");
        }
        value = f.getValue().equals("int64") ? (Object) 0L : "default"; // the documented default values
      }
      switch (f.getValue()) {
        case "string" -> {
          if (!(value instanceof String s)) {
            throw invalid("fields[" + i + "]: field " + name + " must be string, got " + typeName(value));
          }
          if (name.equals(PRIMARY_KEY) && s.isEmpty()) {
            throw new Reject(400, 1000017, "invalid primary key: empty");
          }
        }
        case "int64" -> {
          if (!(value instanceof Integer || value instanceof Long)) {
            throw invalid("fields[" + i + "]: field " + name + " must be int64, got " + typeName(value));
          }
          value = ((Number) value).longValue();
        }
        case "vector" -> {
          vector(value, "fields[" + i + "]: field " + name, 1000003);
          value = ((JsonArray) value).copy();
        }
        default -> throw new IllegalStateException(f.getValue());
      }
      out.put(name, value);
    }
    return out;
  }

  private Object delete(JsonObject json) {
    requireCollection(json);
    boolean delAll = json.getValue("del_all") instanceof Boolean b && b;
    Object keys = json.getValue("primary_keys");
    if (delAll) {
      rows.clear();
      return null;
    }
    if (keys == null) {
      throw invalid("primary_keys or del_all is required");
    }
    List<Object> list = keys instanceof JsonArray a ? a.getList() : List.of(keys);
    if (list.size() > MAX_BATCH) {
      throw invalid("primary_keys holds " + list.size() + " keys, at most " + MAX_BATCH);
    }
    for (Object k : list) {
      if (!(k instanceof String)) {
        throw new Reject(400, 1000017, "invalid primary key: " + k + " is not a string");
      }
    }
    list.forEach(rows::remove);
    return null;
  }

  private Object search(JsonObject json) {
    requireCollection(json);
    requireIndex(json);
    JsonObject search = object(json, "search", true);
    JsonObject filter = object(search, "filter", false);
    int limit = integer(search, "limit", 10);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw invalid("limit must be in [1, " + MAX_LIMIT + "], got " + limit);
    }
    List<String> output = outputFields(search);
    Set<String> notIn = keySet(search, "primary_key_not_in");

    float[] query = null;
    JsonObject byVector = object(search, "order_by_vector", false);
    if (byVector != null) {
      JsonArray vectors = array(byVector, "vectors", true);
      if (vectors.size() != 1) {
        throw invalid("this fake answers one query vector, got " + vectors.size());
      }
      query = vector(vectors.getValue(0), "order_by_vector.vectors[0]", 1000016);
    }

    List<Map.Entry<JsonObject, Double>> scored = new ArrayList<>();
    for (JsonObject row : rows.values()) {
      if (notIn.contains(row.getString(PRIMARY_KEY)) || (filter != null && !matches(filter, row))) {
        continue;
      }
      scored.add(Map.entry(row, query == null ? 0.0 : innerProduct(query, row.getJsonArray("vector"))));
    }
    if (query != null) {
      scored.sort(Map.Entry.<JsonObject, Double>comparingByValue().reversed());
    } else {
      Collections.shuffle(scored); // no order given: the docs promise the filter's rows in no particular order
    }
    JsonArray hits = new JsonArray();
    for (Map.Entry<JsonObject, Double> e : scored.subList(0, Math.min(limit, scored.size()))) {
      JsonObject fields = new JsonObject();
      for (String name : output) {
        fields.put(name, e.getKey().getValue(name));
      }
      JsonObject hit = new JsonObject().put(PRIMARY_KEY, e.getKey().getString(PRIMARY_KEY)).put("score", e.getValue());
      if (!output.isEmpty()) {
        hit.put("fields", fields);
      }
      hits.add(hit);
    }
    return new JsonArray().add(hits);
  }

  private Object aggregate(JsonObject json) {
    requireCollection(json);
    requireIndex(json);
    JsonObject search = object(json, "search", false);
    JsonObject filter = search == null ? null : object(search, "filter", false);
    JsonObject agg = object(json, "agg", true);
    if (!"count".equals(agg.getValue("op"))) {
      throw invalid("agg.op must be count, got " + agg.getValue("op"));
    }
    if (agg.getValue("field") != null) {
      throw invalid("this fake counts without group-by only");
    }
    long n = rows.values().stream().filter(r -> filter == null || matches(filter, r)).count();
    return new JsonObject().put("agg_op", "count").put("group_by_field", "__NONE__")
        .put("agg_result", new JsonObject().put("__TOTAL__", n));
  }

  // ---------------------------------------------------------------- filter, scoring

  /** must / must_not / and / or, as in the docs' filter expressions. */
  private boolean matches(JsonObject filter, JsonObject row) {
    Object op = filter.getValue("op");
    Object conds = filter.getValue("conds");
    if (!(conds instanceof JsonArray list)) {
      throw new Reject(400, 1000019, "invalid filter: conds must be a list");
    }
    switch (String.valueOf(op)) {
      case "and", "or" -> {
        boolean and = op.equals("and");
        for (Object c : list) {
          if (!(c instanceof JsonObject sub)) {
            throw new Reject(400, 1000019, "invalid filter: a condition of " + op + " must be a map");
          }
          if (matches(sub, row) != and) {
            return !and;
          }
        }
        return and;
      }
      case "must", "must_not" -> {
        Object field = filter.getValue("field");
        if (!(field instanceof String name) || !SCHEMA.containsKey(name)) {
          throw new Reject(400, 1000019, "invalid filter: unknown field " + field);
        }
        if (!SCALAR_INDEX.contains(name)) {
          throw new Reject(400, 1000019, "invalid filter: field " + name + " has no scalar index");
        }
        boolean in = list.getList().contains(row.getValue(name));
        return op.equals("must") == in;
      }
      default -> throw new Reject(400, 1000019, "invalid filter: unsupported op " + op);
    }
  }

  private static double innerProduct(float[] q, JsonArray v) {
    double sum = 0;
    for (int i = 0; i < q.length; i++) {
      sum += q[i] * ((Number) v.getValue(i)).doubleValue();
    }
    return sum;
  }

  // ---------------------------------------------------------------- parameter checks

  private void requireCollection(JsonObject json) {
    String name = string(json, "collection_name");
    if (!COLLECTION.equals(name)) {
      throw new Reject(400, 1000005, "collection not exist: " + name);
    }
  }

  private void requireIndex(JsonObject json) {
    String name = string(json, "index_name");
    if (!INDEX.equals(name)) {
      throw new Reject(400, 1000008, "index not exist: " + name);
    }
  }

  private float[] vector(Object value, String what, long code) {
    if (!(value instanceof JsonArray a)) {
      throw new Reject(400, code, invalidPrefix(code) + what + " must be a list of floats, got " + typeName(value));
    }
    if (a.size() != dimension) {
      throw new Reject(400, code, invalidPrefix(code) + what + " has dim " + a.size() + ", the collection " + dimension);
    }
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      if (!(a.getValue(i) instanceof Number n)) {
        throw new Reject(400, code, invalidPrefix(code) + what + "[" + i + "] is not a number");
      }
      v[i] = n.floatValue();
    }
    return v;
  }

  private static String invalidPrefix(long code) {
    return code == 1000016 ? "invalid vector: " : "invalid request: ";
  }

  private static List<String> outputFields(JsonObject search) {
    Object value = search.getValue("output_fields");
    if (value == null) {
      // not given: every scalar field, no vector
      return SCHEMA.keySet().stream().filter(f -> !f.equals(PRIMARY_KEY) && !SCHEMA.get(f).equals("vector")).toList();
    }
    if (!(value instanceof JsonArray a)) {
      throw invalid("output_fields must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object f : a) {
      if (!(f instanceof String name) || !SCHEMA.containsKey(name)) {
        throw invalid("output_fields: " + f + " is not a field of collection " + COLLECTION);
      }
      out.add(name);
    }
    return out;
  }

  private static Set<String> keySet(JsonObject json, String name) {
    Object value = json.getValue(name);
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof JsonArray a)) {
      throw invalid(name + " must be a list");
    }
    Set<String> out = new HashSet<>();
    a.forEach(k -> out.add(String.valueOf(k)));
    return out;
  }

  private static String string(JsonObject json, String name) {
    Object value = json.getValue(name);
    if (value == null) {
      throw invalid(name + " is required");
    }
    if (!(value instanceof String s)) {
      throw invalid(name + " must be string, got " + typeName(value));
    }
    return s;
  }

  private static JsonObject object(JsonObject json, String name, boolean required) {
    Object value = json.getValue(name);
    if (value == null && !required) {
      return null;
    }
    if (value == null) {
      throw invalid(name + " is required");
    }
    if (!(value instanceof JsonObject o)) {
      throw invalid(name + " must be a map, got " + typeName(value));
    }
    return o;
  }

  private static JsonArray array(JsonObject json, String name, boolean required) {
    Object value = json.getValue(name);
    if (value == null && required) {
      throw invalid(name + " is required");
    }
    if (!(value instanceof JsonArray a)) {
      throw invalid(name + " must be a list, got " + typeName(value));
    }
    return a;
  }

  private static int integer(JsonObject json, String name, int dflt) {
    Object value = json.getValue(name);
    if (value == null) {
      return dflt;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw invalid(name + " must be int, got " + typeName(value));
    }
    return ((Number) value).intValue();
  }

  private static String typeName(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Integer || value instanceof Long) {
      return "int";
    }
    if (value instanceof Number) {
      return "float";
    }
    if (value instanceof Boolean) {
      return "bool";
    }
    return value instanceof JsonArray ? "list" : value instanceof JsonObject ? "map" : value.getClass().getSimpleName();
  }

  // ---------------------------------------------------------------- signature, from Volcengine's "签名机制"

  private void verifySignature(HttpServerRequest req, byte[] body) {
    String authorization = req.getHeader("Authorization");
    if (authorization == null || !authorization.startsWith("HMAC-SHA256 ")) {
      throw unauthorized("missing HMAC-SHA256 Authorization header");
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String part : authorization.substring("HMAC-SHA256 ".length()).split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      throw unauthorized("Authorization needs Credential, SignedHeaders and Signature");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !scope[4].equals("request")) {
      throw unauthorized("Credential must be AK/yyyyMMdd/region/service/request");
    }
    if (!scope[0].equals(accessKey)) {
      throw unauthorized("unknown access key");
    }
    if (!scope[2].equals(region) || !scope[3].equals(SERVICE)) {
      throw unauthorized("credential scope must be region " + region + ", service " + SERVICE);
    }
    String xDate = req.getHeader("X-Date");
    if (xDate == null) {
      throw unauthorized("X-Date is required");
    }
    try {
      LocalDateTime at = LocalDateTime.parse(xDate, X_DATE);
      Duration skew = Duration.between(at, LocalDateTime.now(ZoneOffset.UTC)).abs();
      if (skew.compareTo(MAX_SKEW) > 0) {
        throw unauthorized("X-Date is too far from the server's time");
      }
    } catch (DateTimeParseException e) {
      throw unauthorized("X-Date must be yyyyMMdd'T'HHmmss'Z'");
    }
    if (!xDate.startsWith(scope[1])) {
      throw unauthorized("credential date does not match X-Date");
    }
    List<String> names = List.of(signedHeaders.split(";"));
    if (!names.contains("host") || !names.contains("x-date")) {
      throw unauthorized("host and x-date must be signed");
    }
    String bodyHash = hex(sha256(body));
    String claimedHash = req.getHeader("X-Content-Sha256");
    if (claimedHash != null && !claimedHash.equals(bodyHash)) {
      throw unauthorized("X-Content-Sha256 does not match the body");
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    for (String name : names) {
      String value = req.getHeader(name);
      if (value == null) {
        throw unauthorized("signed header " + name + " is missing");
      }
      canonicalHeaders.append(name.toLowerCase(Locale.ROOT)).append(':').append(value.trim()).append('\n');
    }
    String query = req.query() == null ? "" : req.query();
    String canonicalRequest = String.join("\n", req.method().name(), req.path(), query,
        canonicalHeaders.toString(), signedHeaders, bodyHash);
    String expected = expectedSignature(secretKey, xDate, region, SERVICE, canonicalRequest);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw unauthorized("signature mismatch");
    }
  }

  /** The signature of a canonical request: string to sign, then the key derived from the bare secret. */
  static String expectedSignature(String secret, String xDate, String region, String service,
                                  String canonicalRequest) {
    String day = xDate.substring(0, 8);
    String scope = day + "/" + region + "/" + service + "/request";
    String stringToSign = String.join("\n", "HMAC-SHA256", xDate, scope,
        hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
    byte[] kDate = hmac(secret.getBytes(StandardCharsets.UTF_8), day);
    byte[] kRegion = hmac(kDate, region);
    byte[] kService = hmac(kRegion, service);
    byte[] kSigning = hmac(kService, "request");
    return hex(hmac(kSigning, stringToSign));
  }

  private static Reject unauthorized(String detail) {
    return new Reject(401, 1000001, "unauthorized: " + detail);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
