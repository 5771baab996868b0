package verticles.archiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.shared.SigV4;

@DisplayName("S3ObjectStore against the fake S3")
class S3ObjectStoreTest extends AbstractObjectStoreTest {
  private static final String BUCKET = "engram-test";
  private static final String REGION = "cn-beijing";
  private static final String ACCESS_KEY = "AKIDTESTKEY";
  private static final String SECRET_KEY = "test/secret+key=";

  private Vertx vertx;
  private FakeS3Server fake;

  @Override
  protected Future<ObjectStore> newStore(Vertx vertx) {
    this.vertx = vertx;
    return FakeS3Server.start(vertx, BUCKET, REGION, ACCESS_KEY, SECRET_KEY).map(f -> {
      fake = f;
      return storeWith(new JsonObject());
    });
  }

  /** A client for the fake, with short backoff so retry tests stay fast. */
  private S3ObjectStore storeWith(JsonObject overrides) {
    JsonObject config = fake.clientConfig().put("retry_base_ms", 10).put("max_retries", 3).mergeIn(overrides);
    return new S3ObjectStore(vertx, config);
  }

  private long requestsMatching(String start) {
    return fake.requests().stream().filter(r -> r.startsWith(start)).count();
  }

  @Test
  @DisplayName("list follows continuation tokens across pages (the fake returns 2 keys a page)")
  void pagination(VertxTestContext ctx) {
    // non-ASCII keys make the fake's Base64 tokens contain '/', which must be encoded in the next query
    List<String> keys = List.of("p/1", "p/2", "p/张", "p/🎉", "p/😀");
    Future<Void> puts = Future.succeededFuture();
    for (String key : keys) {
      puts = puts.compose(v -> store.put(key, text(key), "text/plain"));
    }
    puts.compose(v -> store.list("p/"))
        .map(check(listed -> {
          assertEquals(keys, listed);
          assertEquals(3, requestsMatching("GET /" + BUCKET + "?"), "5 keys at 2 a page is 3 list calls");
          assertTrue(fake.requests().stream().anyMatch(r -> r.contains("continuation-token=cC%2F")),
              fake.requests().toString());
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("keys go on the wire URI-encoded per SigV4: each segment encoded, '/' kept, space as %20")
  void keyEncodingOnTheWire(VertxTestContext ctx) {
    store.put("users/张三/a b+c.txt", text("x"), "text/plain")
        .map(check(v -> assertEquals(
            "PUT /" + BUCKET + "/users/%E5%BC%A0%E4%B8%89/a%20b%2Bc.txt", fake.requests().get(0))))
        .map(check(v -> assertEquals(List.of("users/张三/a b+c.txt"), List.copyOf(fake.storedKeys()))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a wrong secret fails at once with SignatureDoesNotMatch and is not retried")
  void wrongSecret(VertxTestContext ctx) {
    ObjectStore bad = storeWith(new JsonObject().put("secret_key", "not-the-secret"));
    failureOf(bad.put("users/1/a", text("x"), "text/plain"))
        .map(check(err -> {
          S3ObjectStore.S3Exception e = assertInstanceOf(S3ObjectStore.S3Exception.class, err);
          assertEquals(403, e.status());
          assertEquals("SignatureDoesNotMatch", e.code());
          assertTrue(e.getMessage().contains("SignatureDoesNotMatch"), e.getMessage());
          assertEquals(1, fake.requests().size(), "4xx must not be retried");
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("an unknown access key fails with InvalidAccessKeyId")
  void unknownAccessKey(VertxTestContext ctx) {
    ObjectStore bad = storeWith(new JsonObject().put("access_key", "AKIDNOBODY"));
    failureOf(bad.get("users/1/a"))
        .map(check(err -> {
          S3ObjectStore.S3Exception e = assertInstanceOf(S3ObjectStore.S3Exception.class, err);
          assertEquals("InvalidAccessKeyId", e.code());
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a missing bucket is a configuration error, not a missing key")
  void missingBucket(VertxTestContext ctx) {
    ObjectStore bad = storeWith(new JsonObject().put("bucket", "no-such-bucket"));
    failureOf(bad.get("users/1/a"))
        .map(check(err -> {
          S3ObjectStore.S3Exception e = assertInstanceOf(S3ObjectStore.S3Exception.class, err);
          assertEquals(404, e.status());
          assertEquals("NoSuchBucket", e.code());
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("503 SlowDown twice, then success: the put succeeds on the third attempt")
  void slowDownThenSuccess(VertxTestContext ctx) {
    fake.failNext(2, 503);
    store.put("users/1/a", text("x"), "text/plain")
        .compose(v -> store.get("users/1/a"))
        .map(check(buf -> {
          assertEquals("x", buf.toString());
          assertEquals(3, requestsMatching("PUT "), "two refused attempts and one that landed");
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("500 on every attempt: fails with InternalError after max_retries retries")
  void internalErrorForever(VertxTestContext ctx) {
    fake.failNext(100, 500);
    failureOf(store.get("users/1/a"))
        .map(check(err -> {
          S3ObjectStore.S3Exception e = assertInstanceOf(S3ObjectStore.S3Exception.class, err);
          assertEquals(500, e.status());
          assertEquals("InternalError", e.code());
          assertTrue(e.getMessage().contains("gave up after 4 attempts"), e.getMessage());
          assertEquals(4, fake.requests().size(), "1 attempt + max_retries (3)");
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("an answer that never comes times out and is retried")
  void timeoutThenSuccess(VertxTestContext ctx) {
    ObjectStore impatient = storeWith(new JsonObject().put("timeout_ms", 300));
    fake.failNext(1, 0);
    impatient.put("users/1/a", text("x"), "text/plain")
        .compose(v -> impatient.exists("users/1/a"))
        .map(check(e -> {
          assertTrue(e);
          assertEquals(2, requestsMatching("PUT "));
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a server that is down: connection errors are retried, then fail with the cause")
  void serverDown(VertxTestContext ctx) {
    fake.goDown()
        .compose(v -> failureOf(store.put("users/1/a", text("x"), "text/plain")))
        .map(check(err -> {
          S3ObjectStore.S3Exception e = assertInstanceOf(S3ObjectStore.S3Exception.class, err);
          assertEquals(0, e.status());
          assertTrue(e.getMessage().contains("gave up after 4 attempts"), e.getMessage());
          assertTrue(e.getCause() != null, "the connection error is kept as the cause");
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("exists does not turn server errors into 'absent'")
  void existsPropagatesErrors(VertxTestContext ctx) {
    ObjectStore bad = storeWith(new JsonObject().put("secret_key", "wrong"));
    failureOf(bad.exists("users/1/a"))
        .map(check(err -> assertEquals(403,
            assertInstanceOf(S3ObjectStore.S3Exception.class, err).status())))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("the fake refuses a correctly signed request whose body was altered (XAmzContentSHA256Mismatch)")
  void fakeChecksPayloadHash(VertxTestContext ctx) {
    // sign for one body, send another, as a corrupting proxy would
    String signedBody = "original";
    String hash = SigV4.sha256Hex(signedBody.getBytes());
    String amzDate = SigV4.AMZ_DATE.format(Instant.now());
    String host = fake.endpoint().substring("http://".length());
    String path = "/" + BUCKET + "/users/1/a";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("host", host);
    headers.put("x-amz-content-sha256", hash);
    headers.put("x-amz-date", amzDate);
    String auth = new SigV4(ACCESS_KEY, SECRET_KEY, REGION, "s3").authorization("PUT", path, "", headers, hash, amzDate);
    var request = WebClient.create(vertx).requestAbs(HttpMethod.PUT, fake.endpoint() + path);
    headers.forEach(request::putHeader);
    request.putHeader("authorization", auth)
        .sendBuffer(Buffer.buffer("tampered"))
        .map(check(resp -> {
          assertEquals(400, resp.statusCode());
          assertTrue(resp.bodyAsString().contains("<Code>XAmzContentSHA256Mismatch</Code>"), resp.bodyAsString());
          assertFalse(fake.storedKeys().contains("users/1/a"));
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("virtual-hosted style (what TOS requires) puts the bucket in the Host header and signs that host")
  void virtualHostedStyle(VertxTestContext ctx) {
    // resolve the bucket's virtual host to the fake without touching real DNS
    int port = Integer.parseInt(fake.endpoint().replaceFirst(".*:", ""));
    Vertx dnsVertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
        .setHostsValue(Buffer.buffer("127.0.0.1 " + BUCKET + ".s3.test\n"))));
    ObjectStore hosted = new S3ObjectStore(dnsVertx, fake.clientConfig()
        .put("endpoint", "http://s3.test:" + port)
        .put("path_style", false));
    hosted.put("users/张三/a.json", text("{}"), "application/json")
        .compose(v -> hosted.list("users/"))
        .map(check(keys -> {
          assertEquals(List.of("users/张三/a.json"), keys);
          assertEquals("PUT /users/%E5%BC%A0%E4%B8%89/a.json", fake.requests().get(0));
          assertEquals("GET /?list-type=2&prefix=users%2F", fake.requests().get(1));
        }))
        .eventually(() -> dnsVertx.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("describe names endpoint and bucket but never the secret")
  void describeHidesSecret(VertxTestContext ctx) {
    ctx.verify(() -> {
      String d = store.describe();
      assertTrue(d.contains(BUCKET) && d.contains(fake.endpoint()), d);
      assertFalse(d.contains(SECRET_KEY), d);
    });
    ctx.completeNow();
  }
}
