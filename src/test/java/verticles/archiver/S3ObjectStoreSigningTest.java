package verticles.archiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.shared.SigV4;

/**
 * The client signer and the fake's verifier, each against the worked examples in the S3 API reference
 * ("Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"). Passing here means
 * the fake is not merely agreeing with the client: both agree with AWS.
 */
@DisplayName("SigV4 signing matches the AWS-published S3 examples")
class S3ObjectStoreSigningTest {
  private static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
  private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final String DATE = "20130524T000000Z";
  private static final String HOST = "examplebucket.s3.amazonaws.com";
  private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private final SigV4 signer = new SigV4(ACCESS_KEY, SECRET_KEY, "us-east-1", "s3");

  private static Map<String, String> headers(String... nameValues) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.put(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  private static String authorization(String signedHeaders, String signature) {
    return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders="
        + signedHeaders + ",Signature=" + signature;
  }

  /** The fake's verifier: canonical request from a raw path and decoded params, then the signature. */
  private static String fakeSignature(String method, String rawPath, Map<String, String> params,
                                      Map<String, String> headers, String payloadHash) {
    String canonical = FakeS3Server.canonicalRequest(method, FakeS3Server.canonicalUriOf(rawPath), params, headers,
        payloadHash);
    return FakeS3Server.expectedSignature(SECRET_KEY, DATE, "us-east-1", "s3", canonical);
  }

  @Test
  @DisplayName("GET Object with a Range header")
  void getObject() {
    Map<String, String> h = headers("Host", HOST, "Range", "bytes=0-9", "x-amz-content-sha256", EMPTY_SHA256,
        "x-amz-date", DATE);
    String signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    assertEquals(authorization("host;range;x-amz-content-sha256;x-amz-date", signature),
        signer.authorization("GET", SigV4.encodePath("/test.txt"), "", h, EMPTY_SHA256, DATE));
    assertEquals(signature, fakeSignature("GET", "/test.txt", Map.of(), h, EMPTY_SHA256));
  }

  @Test
  @DisplayName("PUT Object with a '$' in the key and a Date header")
  void putObject() {
    String payloadHash = SigV4.sha256Hex("Welcome to Amazon S3.".getBytes());
    assertEquals("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", payloadHash);
    Map<String, String> h = headers("Date", "Fri, 24 May 2013 00:00:00 GMT", "Host", HOST,
        "x-amz-content-sha256", payloadHash, "x-amz-date", DATE, "x-amz-storage-class", "REDUCED_REDUNDANCY");
    String signature = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
    assertEquals("/test%24file.text", SigV4.encodePath("/test$file.text"));
    assertEquals(authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", signature),
        signer.authorization("PUT", SigV4.encodePath("/test$file.text"), "", h, payloadHash, DATE));
    // a client may send '$' raw or encoded; S3 (and the fake) canonicalize both to %24
    assertEquals(signature, fakeSignature("PUT", "/test$file.text", Map.of(), h, payloadHash));
    assertEquals(signature, fakeSignature("PUT", "/test%24file.text", Map.of(), h, payloadHash));
  }

  @Test
  @DisplayName("GET Bucket lifecycle: a query parameter without a value")
  void getLifecycle() {
    Map<String, String> h = headers("Host", HOST, "x-amz-content-sha256", EMPTY_SHA256, "x-amz-date", DATE);
    String signature = "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543";
    assertEquals(authorization("host;x-amz-content-sha256;x-amz-date", signature),
        signer.authorization("GET", "/", SigV4.canonicalQuery(Map.of("lifecycle", "")), h, EMPTY_SHA256, DATE));
    assertEquals(signature, fakeSignature("GET", "/", Map.of("lifecycle", ""), h, EMPTY_SHA256));
  }

  @Test
  @DisplayName("List Objects: query parameters sorted by name")
  void listObjects() {
    Map<String, String> h = headers("Host", HOST, "x-amz-content-sha256", EMPTY_SHA256, "x-amz-date", DATE);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("prefix", "J");
    query.put("max-keys", "2");
    String signature = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
    assertEquals("max-keys=2&prefix=J", SigV4.canonicalQuery(query));
    assertEquals(authorization("host;x-amz-content-sha256;x-amz-date", signature),
        signer.authorization("GET", "/", SigV4.canonicalQuery(query), h, EMPTY_SHA256, DATE));
    assertEquals(signature, fakeSignature("GET", "/", query, h, EMPTY_SHA256));
  }

  @Test
  @DisplayName("URI encoding: UTF-8 percent-encoded upper-case, unreserved kept, '/' kept only in paths")
  void uriEncoding() {
    assertEquals("/users/%E5%BC%A0%E4%B8%89/%F0%9F%98%80%20a%2Bb~c_d-e.f", SigV4.encodePath("/users/张三/😀 a+b~c_d-e.f"));
    assertEquals("a%2Fb%3D%26", SigV4.uriEncode("a/b=&", true));
    assertEquals("a=%2B%2F%3D&b=", SigV4.canonicalQuery(new java.util.TreeMap<>(Map.of("b", "", "a", "+/="))));
    assertEquals("a=1&a-b=2", SigV4.canonicalQuery(new LinkedHashMap<>(Map.of("a-b", "2", "a", "1"))),
        "sorted by name, not by the joined 'name=value' string");
  }
}
