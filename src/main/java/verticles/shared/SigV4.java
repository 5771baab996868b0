package verticles.shared;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for S3 (header-based, signed payload), as in "Authenticating Requests: Using the
 * Authorization Header" of the S3 API reference. Checked against the examples published there.
 *
 * <p>Volcengine's OpenAPI signature (used by VikingDB) is the same construction under other names: algorithm
 * {@code HMAC-SHA256}, the date key derived from the bare secret (no "AWS4" prefix), scope terminator
 * {@code request}, date header {@code X-Date} (Volcengine docs "签名机制": kDate = HMAC(kSecret, Date), …,
 * kSigning = HMAC(kService, "request")). {@link Flavor#VOLCENGINE} selects those.
 */
public final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  public static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  /** The names that differ between AWS SigV4 and Volcengine's HMAC-SHA256 signature. */
  public record Flavor(String algorithm, String keyPrefix, String terminator, String separator) {
    static final Flavor AWS = new Flavor(ALGORITHM, "AWS4", "aws4_request", ",");
    public static final Flavor VOLCENGINE = new Flavor("HMAC-SHA256", "", "request", ", ");
  }

  private final String accessKey;
  private final String secretKey;
  private final String region;
  private final String service;
  private final Flavor flavor;

  public SigV4(String accessKey, String secretKey, String region, String service) {
    this(accessKey, secretKey, region, service, Flavor.AWS);
  }

  public SigV4(String accessKey, String secretKey, String region, String service, Flavor flavor) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
    this.service = service;
    this.flavor = flavor;
  }

  /**
   * The Authorization header value.
   *
   * @param canonicalUri the request path exactly as sent, already URI-encoded (see {@link #encodePath})
   * @param canonicalQuery from {@link #canonicalQuery}, sent as the request's query string too
   * @param headers every header to sign (must include host and the date header); names in any case
   * @param amzDate the x-amz-date (Volcengine: X-Date) value, {@code yyyyMMdd'T'HHmmss'Z'}
   */
  public String authorization(String method, String canonicalUri, String canonicalQuery, Map<String, String> headers,
                       String payloadHash, String amzDate) {
    SortedMap<String, String> canonicalHeaders = new TreeMap<>();
    headers.forEach((name, value) -> canonicalHeaders.put(name.toLowerCase(java.util.Locale.ROOT), trimAll(value)));
    String signedHeaders = String.join(";", canonicalHeaders.keySet());
    String canonicalRequest = method + "\n"
        + canonicalUri + "\n"
        + canonicalQuery + "\n"
        + canonicalHeaders.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n")
            .collect(Collectors.joining()) + "\n"
        + signedHeaders + "\n"
        + payloadHash;

    String date = amzDate.substring(0, 8);
    String scope = date + "/" + region + "/" + service + "/" + flavor.terminator();
    String stringToSign = flavor.algorithm() + "\n" + amzDate + "\n" + scope + "\n"
        + sha256Hex(utf8(canonicalRequest));

    byte[] key = hmac(utf8(flavor.keyPrefix() + secretKey), date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, flavor.terminator());
    String signature = HEX.formatHex(hmac(key, stringToSign));

    return flavor.algorithm() + " Credential=" + accessKey + "/" + scope
        + flavor.separator() + "SignedHeaders=" + signedHeaders + flavor.separator() + "Signature=" + signature;
  }

  /** Query parameters encoded and sorted by name (then value), joined as {@code a=1&b=2}; "" when none. */
  public static String canonicalQuery(Map<String, String> params) {
    // sort by encoded name, then value; sorting the joined "name=value" strings would misorder "a" vs "a-b"
    return params.entrySet().stream()
        .map(e -> new String[] {uriEncode(e.getKey(), true), uriEncode(e.getValue() == null ? "" : e.getValue(), true)})
        .sorted(java.util.Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]))
        .map(p -> p[0] + "=" + p[1])
        .collect(Collectors.joining("&"));
  }

  /** An object path: each segment URI-encoded once, '/' kept (S3 does not double-encode or normalize). */
  public static String encodePath(String path) {
    return uriEncode(path, false);
  }

  /** SigV4 UriEncode: UTF-8 bytes; A-Z a-z 0-9 - _ . ~ kept; everything else %XX upper-case. */
  public static String uriEncode(String s, boolean encodeSlash) {
    StringBuilder sb = new StringBuilder(s.length() * 3);
    for (byte b : utf8(s)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(utf8(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Header values: trimmed, inner runs of spaces collapsed to one. */
  private static String trimAll(String value) {
    return value.trim().replaceAll(" +", " ");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
