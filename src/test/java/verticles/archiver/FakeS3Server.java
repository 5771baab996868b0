package verticles.archiver;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.SigV4;

/**
 * An in-memory S3 for tests: PUT/GET/HEAD/DELETE object and ListObjectsV2, path-style or virtual-hosted (when the
 * Host header starts with "bucket."), answering with the status codes and XML bodies S3 documents.
 *
 * <p>Every request must carry a valid SigV4 Authorization header. The check is written here from the S3 spec, on
 * purpose without the client's {@code SigV4} class, so a client bug cannot hide behind a shared one; both are also
 * checked against the AWS-published examples in {@code S3ObjectStoreSigningTest}.
 *
 * <p>It can be scripted to fail the next requests (503 SlowDown, 500 InternalError, or no answer at all) and to go
 * down (its port then refuses connections).
 */
public final class FakeS3Server {
  private static final Logger log = LoggerFactory.getLogger(FakeS3Server.class);
  private static final DateTimeFormatter AMZ_DATE_FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);

  private final String bucket;
  private final String region;
  private final String accessKey;
  private final String secretKey;

  // S3 lists keys in UTF-8 binary order
  private final NavigableMap<String, StoredObject> objects = new TreeMap<>(
      (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
  private final Deque<Integer> scriptedFailures = new ArrayDeque<>(); // HTTP status, 0 = never answer
  private final List<String> requestLog = new ArrayList<>();
  private int defaultMaxKeys = 2;
  private int abandoned;
  private HttpServer server;
  private int port;

  private record StoredObject(byte[] data, String contentType, String etag, Instant lastModified) {}

  private FakeS3Server(String bucket, String region, String accessKey, String secretKey) {
    this.bucket = bucket;
    this.region = region;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** Starts on 127.0.0.1 and a free port, holding one bucket. */
  public static Future<FakeS3Server> start(Vertx vertx, String bucket, String region, String accessKey,
                                           String secretKey) {
    FakeS3Server fake = new FakeS3Server(bucket, region, accessKey, secretKey);
    return vertx.createHttpServer()
        .requestHandler(fake::handle)
        .listen(0, "127.0.0.1")
        .map(server -> {
          fake.server = server;
          fake.port = server.actualPort();
          return fake;
        });
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** A client config for this server (the caller may override keys, e.g. a wrong secret). */
  public JsonObject clientConfig() {
    return new JsonObject()
        .put("endpoint", endpoint())
        .put("region", region)
        .put("bucket", bucket)
        .put("access_key", accessKey)
        .put("secret_key", secretKey)
        .put("path_style", true);
  }

  /** The next {@code n} requests get {@code status}: 503 SlowDown, 500 InternalError, or 0 for no answer at all. */
  public synchronized FakeS3Server failNext(int n, int status) {
    for (int i = 0; i < n; i++) {
      scriptedFailures.add(status);
    }
    return this;
  }

  /** Page size when a list request gives no max-keys (S3 uses 1000; small here so tests paginate). */
  public synchronized FakeS3Server defaultMaxKeys(int n) {
    defaultMaxKeys = n;
    return this;
  }

  /** Stops listening: further connections are refused. */
  public Future<Void> goDown() {
    return server.close();
  }

  /** Listens again on the same port after {@link #goDown}, with the objects it held. */
  public Future<Void> goUp(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").map(s -> {
      server = s;
      return null;
    });
  }

  /** Connections closed by the client while a request on them was still unanswered (a hang it gave up on). */
  public synchronized int abandoned() {
    return abandoned;
  }

  /** "METHOD raw-uri" of every request received, in order. */
  public synchronized List<String> requests() {
    return List.copyOf(requestLog);
  }

  public synchronized TreeSet<String> storedKeys() {
    return new TreeSet<>(objects.keySet());
  }

  // ---- request handling ----

  private void handle(HttpServerRequest req) {
    synchronized (this) {
      requestLog.add(req.method() + " " + req.uri());
    }
    req.body().onComplete(ar -> {
      if (ar.failed()) {
        return; // connection died mid-body
      }
      try {
        serve(req, ar.result());
      } catch (RuntimeException e) {
        log.error("Fake S3 failed on {} {}", req.method(), req.uri(), e);
        error(req, 500, "InternalError", "We encountered an internal error. Please try again.", Map.of());
      }
    });
  }

  private void serve(HttpServerRequest req, Buffer body) {
    Integer scripted;
    synchronized (this) {
      scripted = scriptedFailures.poll();
    }
    if (scripted != null) {
      if (scripted == 0) {
        req.connection().closeHandler(v -> {
          synchronized (this) {
            abandoned++;
          }
        });
        return; // hang: the client's timeout has to notice
      }
      if (scripted == 503) {
        error(req, 503, "SlowDown", "Please reduce your request rate.", Map.of());
      } else {
        error(req, scripted, "InternalError", "We encountered an internal error. Please try again.", Map.of());
      }
      return;
    }

    String rawUri = req.uri();
    int q = rawUri.indexOf('?');
    String rawPath = q < 0 ? rawUri : rawUri.substring(0, q);
    String rawQuery = q < 0 ? "" : rawUri.substring(q + 1);
    Map<String, String> params = parseQuery(rawQuery);

    if (!authenticate(req, rawPath, params, body)) {
      return;
    }

    // virtual-hosted (Host: bucket.endpoint, path /key) or path-style (/bucket or /bucket/ for the bucket,
    // /bucket/key for an object)
    String hostName = String.valueOf(req.getHeader("host")).replaceFirst(":\\d+$", "");
    String bucketName;
    String key;
    if (hostName.startsWith(bucket + ".")) {
      bucketName = bucket;
      key = percentDecode(rawPath.substring(1), false);
    } else {
      String path = rawPath.substring(1);
      int slash = path.indexOf('/');
      bucketName = percentDecode(slash < 0 ? path : path.substring(0, slash), false);
      key = slash < 0 ? "" : percentDecode(path.substring(slash + 1), false);
    }
    if (!bucket.equals(bucketName)) {
      error(req, 404, "NoSuchBucket", "The specified bucket does not exist", Map.of("BucketName", bucketName));
      return;
    }
    if (key.isEmpty()) {
      if (req.method() == HttpMethod.GET && "2".equals(params.get("list-type"))) {
        listObjectsV2(req, params);
      } else {
        error(req, 501, "NotImplemented", "Only ListObjectsV2 is implemented on buckets", Map.of());
      }
      return;
    }
    switch (req.method().name()) {
      case "PUT" -> putObject(req, key, body);
      case "GET" -> getObject(req, key, false);
      case "HEAD" -> getObject(req, key, true);
      case "DELETE" -> deleteObject(req, key);
      default -> error(req, 405, "MethodNotAllowed", "The specified method is not allowed", Map.of());
    }
  }

  private void putObject(HttpServerRequest req, String key, Buffer body) {
    byte[] data = body.getBytes();
    String etag = "\"" + hex(digest("MD5", data)) + "\"";
    String contentType = req.getHeader("content-type");
    synchronized (this) {
      objects.put(key, new StoredObject(data, contentType == null ? "binary/octet-stream" : contentType, etag,
          Instant.now()));
    }
    standardHeaders(req.response()).putHeader("ETag", etag).setStatusCode(200).end();
  }

  private void getObject(HttpServerRequest req, String key, boolean headOnly) {
    StoredObject obj;
    synchronized (this) {
      obj = objects.get(key);
    }
    if (obj == null) {
      if (headOnly) {
        standardHeaders(req.response()).setStatusCode(404).end(); // HEAD answers carry no body
      } else {
        error(req, 404, "NoSuchKey", "The specified key does not exist.", Map.of("Key", key));
      }
      return;
    }
    HttpServerResponse resp = standardHeaders(req.response())
        .putHeader("ETag", obj.etag())
        .putHeader("Content-Type", obj.contentType())
        .putHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(obj.lastModified().atZone(ZoneOffset.UTC)))
        .setStatusCode(200);
    if (headOnly) {
      resp.putHeader("Content-Length", String.valueOf(obj.data().length)).end();
    } else {
      resp.end(Buffer.buffer(obj.data()));
    }
  }

  private void deleteObject(HttpServerRequest req, String key) {
    synchronized (this) {
      objects.remove(key);
    }
    standardHeaders(req.response()).setStatusCode(204).end(); // S3 answers 204 whether or not the key existed
  }

  private void listObjectsV2(HttpServerRequest req, Map<String, String> params) {
    String prefix = params.getOrDefault("prefix", "");
    String token = params.get("continuation-token");
    int maxKeys;
    synchronized (this) {
      maxKeys = defaultMaxKeys;
    }
    if (params.containsKey("max-keys")) {
      try {
        maxKeys = Math.min(1000, Integer.parseInt(params.get("max-keys")));
      } catch (NumberFormatException e) {
        error(req, 400, "InvalidArgument", "Provided max-keys not an integer or within integer range", Map.of());
        return;
      }
    }
    String after = null;
    if (token != null) {
      try {
        after = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        error(req, 400, "InvalidArgument", "The continuation token provided is incorrect", Map.of());
        return;
      }
    }

    List<Map.Entry<String, StoredObject>> page = new ArrayList<>();
    boolean truncated = false;
    synchronized (this) {
      var candidates = after == null ? objects.tailMap(prefix, true) : objects.tailMap(after, false);
      for (var e : candidates.entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          if (objects.comparator().compare(e.getKey(), prefix) < 0) {
            continue; // a token from before the prefix range
          }
          break; // keys sharing a prefix are contiguous in byte order: past them, there are no more
        }
        if (page.size() == maxKeys) {
          truncated = true;
          break;
        }
        page.add(Map.entry(e.getKey(), e.getValue()));
      }
    }

    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
        .append(element("Name", bucket))
        .append(element("Prefix", prefix))
        .append(element("KeyCount", String.valueOf(page.size())))
        .append(element("MaxKeys", String.valueOf(maxKeys)))
        .append(element("IsTruncated", String.valueOf(truncated)));
    if (token != null) {
      xml.append(element("ContinuationToken", token));
    }
    for (var e : page) {
      xml.append("<Contents>")
          .append(element("Key", e.getKey()))
          .append(element("LastModified", DateTimeFormatter.ISO_INSTANT.format(e.getValue().lastModified())))
          .append(element("ETag", e.getValue().etag()))
          .append(element("Size", String.valueOf(e.getValue().data().length)))
          .append(element("StorageClass", "STANDARD"))
          .append("</Contents>");
    }
    if (truncated) {
      // opaque to clients; standard Base64 on purpose, so '+', '/' and '=' must survive the query encoding
      String last = page.get(page.size() - 1).getKey();
      xml.append(element("NextContinuationToken",
          Base64.getEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8))));
    }
    xml.append("</ListBucketResult>");
    standardHeaders(req.response()).putHeader("Content-Type", "application/xml").setStatusCode(200)
        .end(xml.toString());
  }

  // ---- SigV4 verification, from the S3 spec ----

  /** Checks the Authorization header as S3 would; on failure answers the request and returns false. */
  private boolean authenticate(HttpServerRequest req, String rawPath, Map<String, String> params, Buffer body) {
    String auth = req.getHeader("Authorization");
    if (auth == null) {
      error(req, 403, "AccessDenied", "Access Denied", Map.of());
      return false;
    }
    String prefix = "AWS4-HMAC-SHA256 ";
    if (!auth.startsWith(prefix)) {
      error(req, 400, "InvalidArgument", "Unsupported Authorization Type", Map.of());
      return false;
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String part : auth.substring(prefix.length()).split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length == 2) {
        parts.put(kv[0], kv[1]);
      }
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      error(req, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed", Map.of());
      return false;
    }
    String[] cred = credential.split("/");
    if (cred.length != 5 || !cred[4].equals("aws4_request") || !cred[3].equals("s3")) {
      error(req, 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; bad Credential",
          Map.of());
      return false;
    }
    if (!cred[0].equals(accessKey)) {
      error(req, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
          Map.of("AWSAccessKeyId", cred[0]));
      return false;
    }
    if (!cred[2].equals(region)) {
      error(req, 400, "AuthorizationHeaderMalformed",
          "The authorization header is malformed; the region '" + cred[2] + "' is wrong; expecting '" + region + "'",
          Map.of("Region", region));
      return false;
    }

    String amzDate = req.getHeader("x-amz-date");
    Instant requestTime;
    try {
      requestTime = LocalDateTime.parse(amzDate == null ? "" : amzDate, AMZ_DATE_FORMAT).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      error(req, 403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", Map.of());
      return false;
    }
    if (!amzDate.startsWith(cred[1])) {
      error(req, 403, "SignatureDoesNotMatch", "Credential date does not match x-amz-date", Map.of());
      return false;
    }
    if (Duration.between(requestTime, Instant.now()).abs().compareTo(MAX_SKEW) > 0) {
      error(req, 403, "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.", Map.of());
      return false;
    }

    List<String> headerNames = List.of(signedHeaders.split(";"));
    if (!headerNames.contains("host")) {
      error(req, 403, "AccessDenied", "Host must be a signed header", Map.of());
      return false;
    }
    String contentSha = req.getHeader("x-amz-content-sha256");
    if (contentSha == null) {
      error(req, 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256", Map.of());
      return false;
    }

    Map<String, String> headerValues = new LinkedHashMap<>();
    for (String name : headerNames) {
      List<String> values = req.headers().getAll(name);
      if (values.isEmpty()) {
        error(req, 403, "SignatureDoesNotMatch", "Signed header " + name + " is missing", Map.of());
        return false;
      }
      headerValues.put(name, String.join(",", values));
    }

    String canonicalRequest = canonicalRequest(req.method().name(), canonicalUriOf(rawPath), params, headerValues,
        contentSha);
    String expected = expectedSignature(secretKey, amzDate, region, "s3", canonicalRequest);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      error(req, 403, "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. "
              + "Check your key and signing method.",
          Map.of("AWSAccessKeyId", cred[0], "CanonicalRequest", canonicalRequest));
      return false;
    }

    // the signature covers the header's hash; now make sure the body really has that hash
    if (!contentSha.equals("UNSIGNED-PAYLOAD") && !contentSha.equals(hex(digest("SHA-256", body.getBytes())))) {
      error(req, 400, "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.", Map.of());
      return false;
    }
    return true;
  }

  /**
   * The canonical request of the S3 SigV4 spec. {@code canonicalUri} already encoded; query params decoded (they
   * are re-encoded and sorted here); header names lower-case, values raw.
   */
  static String canonicalRequest(String method, String canonicalUri, Map<String, String> decodedParams,
                                 Map<String, String> headers, String payloadHash) {
    TreeMap<String, String> query = new TreeMap<>();
    decodedParams.forEach((k, v) -> query.put(s3Encode(k, true), s3Encode(v, true)));
    StringBuilder queryString = new StringBuilder();
    for (var e : query.entrySet()) {
      if (queryString.length() > 0) {
        queryString.append('&');
      }
      queryString.append(e.getKey()).append('=').append(e.getValue());
    }

    TreeMap<String, String> sortedHeaders = new TreeMap<>();
    headers.forEach((k, v) -> sortedHeaders.put(k.toLowerCase(), v.strip().replaceAll(" {2,}", " ")));
    StringBuilder headerBlock = new StringBuilder();
    for (var e : sortedHeaders.entrySet()) {
      headerBlock.append(e.getKey()).append(':').append(e.getValue()).append('\n');
    }
    return String.join("\n", method, canonicalUri, queryString, headerBlock,
        String.join(";", sortedHeaders.keySet()), payloadHash);
  }

  /** Signature hex for a canonical request: string to sign, then the four-step derived key. */
  static String expectedSignature(String secret, String amzDate, String region, String service,
                                  String canonicalRequest) {
    String day = amzDate.substring(0, 8);
    String scope = String.join("/", day, region, service, "aws4_request");
    String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope,
        hex(digest("SHA-256", canonicalRequest.getBytes(StandardCharsets.UTF_8))));
    byte[] kDate = hmacSha256(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
    byte[] kRegion = hmacSha256(kDate, region);
    byte[] kService = hmacSha256(kRegion, service);
    byte[] kSigning = hmacSha256(kService, "aws4_request");
    return hex(hmacSha256(kSigning, stringToSign));
  }

  /** S3 re-derives the canonical URI: decode each segment, encode it again ('/' separators kept). */
  static String canonicalUriOf(String rawPath) {
    String[] segments = rawPath.split("/", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(s3Encode(percentDecode(segments[i], false), true));
    }
    return out.toString();
  }

  /** RFC 3986 unreserved characters stay; every other UTF-8 byte becomes %XX. */
  static String s3Encode(String value, boolean slashToo) {
    StringBuilder out = new StringBuilder();
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      char c = (char) (b & 0xFF);
      boolean unreserved = Character.isLetterOrDigit(c) && c < 128 || "-_.~".indexOf(c) >= 0
          || (c == '/' && !slashToo);
      out.append(unreserved ? String.valueOf(c) : String.format("%%%02X", b & 0xFF));
    }
    return out.toString();
  }

  private static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(percentDecode(name, true), percentDecode(value, true));
    }
    return params;
  }

  /** %XX to bytes, as UTF-8; in a query '+' means space (so a client that leaves '+' raw gets it mangled). */
  private static String percentDecode(String s, boolean plusIsSpace) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(raw, 0, raw.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  // ---- responses ----

  private HttpServerResponse standardHeaders(HttpServerResponse resp) {
    return resp.putHeader("x-amz-request-id", requestId()).putHeader("Server", "FakeS3");
  }

  private void error(HttpServerRequest req, int status, String code, String message, Map<String, String> extra) {
    String requestId = requestId();
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>")
        .append(element("Code", code))
        .append(element("Message", message));
    extra.forEach((k, v) -> xml.append(element(k, v)));
    xml.append(element("RequestId", requestId)).append("</Error>");
    req.response()
        .putHeader("x-amz-request-id", requestId)
        .putHeader("Content-Type", "application/xml")
        .setStatusCode(status)
        .end(xml.toString());
  }

  private static String requestId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
  }

  private static String element(String name, String text) {
    return "<" + name + ">" + xmlEscape(text) + "</" + name + ">";
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&apos;");
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmacSha256(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }
}
