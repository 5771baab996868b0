package verticles.vectorsearch.vikingdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.shared.SigV4;

/**
 * Volcengine's HMAC-SHA256 signature as the client computes it ({@link SigV4.Flavor#VOLCENGINE}) and as the fake
 * verifies it, each against a value computed independently (Python's hmac/hashlib, following the "签名机制" page:
 * kDate = HMAC(SK, yyyyMMdd), kRegion, kService, kSigning = HMAC(kService, "request")). Three implementations agreeing
 * is what makes the fake's check worth something.
 */
@DisplayName("VikingDB request signing (Volcengine HMAC-SHA256)")
class VikingDbSigningTest {
  private static final String ACCESS_KEY = "AKLTEXAMPLEKEY";
  private static final String SECRET_KEY = "WTJGaGJHVnpjMlZqY21WMA==";
  private static final String X_DATE = "20240115T103000Z";
  private static final String BODY = "{\"collection_name\":\"ai_companion_long_memory\",\"primary_keys\":[\"t1:summary\"]}";
  private static final String BODY_SHA256 = "6a8cdfbb51c733988d44df971a679383812296932c4308518a190733d6d6850b";
  private static final String SIGNATURE = "ffd819dda4a98c12ac2918490801c215e298d895cfdf1c0ee1705de4ea1714d1";

  private static Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    h.put("Host", "api-vikingdb.volces.com");
    h.put("X-Content-Sha256", BODY_SHA256);
    h.put("X-Date", X_DATE);
    return h;
  }

  @Test
  @DisplayName("the client's Authorization header carries the independently computed signature and scope")
  void clientSignature() {
    assertEquals(BODY_SHA256, SigV4.sha256Hex(BODY.getBytes(StandardCharsets.UTF_8)));
    SigV4 signer = new SigV4(ACCESS_KEY, SECRET_KEY, "cn-beijing", "air", SigV4.Flavor.VOLCENGINE);
    assertEquals("HMAC-SHA256 Credential=AKLTEXAMPLEKEY/20240115/cn-beijing/air/request, "
            + "SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=" + SIGNATURE,
        signer.authorization("POST", "/api/collection/del_data", "", headers(), BODY_SHA256, X_DATE));
  }

  @Test
  @DisplayName("the fake's verifier computes the same signature, and another secret gives another one")
  void fakeSignature() {
    String canonical = String.join("\n", "POST", "/api/collection/del_data", "",
        "content-type:application/json\nhost:api-vikingdb.volces.com\nx-content-sha256:" + BODY_SHA256
            + "\nx-date:" + X_DATE + "\n",
        "content-type;host;x-content-sha256;x-date", BODY_SHA256);
    assertEquals(SIGNATURE, VikingDbFake.expectedSignature(SECRET_KEY, X_DATE, "cn-beijing", "air", canonical));
    assertNotEquals(SIGNATURE, VikingDbFake.expectedSignature("other", X_DATE, "cn-beijing", "air", canonical));
  }
}
