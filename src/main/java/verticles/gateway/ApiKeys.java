package verticles.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * API keys from config {@code auth.keys}: {@code [{name, tenant, sha256, scopes?}]}. Only the SHA-256 of a key is
 * kept, so config and memory never hold a usable key. Each key belongs to one tenant and holds {@link Scope}s
 * ({@code memory} when none are given). A key may carry its own {@code rate_limit_per_s} and {@code rate_limit_burst}.
 */
public final class ApiKeys {
  /** Tenant names: short, and never containing ':', the separator of tenant-scoped user ids. */
  static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  /**
   * One key's identity once the bearer token matched it.
   *
   * @param ratePerSecond this key's own rate limit, or NaN for the configured default (likewise burst)
   */
  public record Key(String name, String tenant, Set<Scope> scopes, double ratePerSecond, double burst) {
    public boolean allows(Scope wanted) {
      return scopes.stream().anyMatch(held -> held.grants(wanted));
    }
  }

  private final Map<String, Key> byHash = new HashMap<>();

  public ApiKeys(JsonArray keys) {
    for (int i = 0; i < keys.size(); i++) {
      JsonObject k = keys.getJsonObject(i);
      String name = k.getString("name", "key-" + i);
      String hash = k.getString("sha256", "").toLowerCase(java.util.Locale.ROOT);
      String tenant = k.getString("tenant", "default");
      if (!hash.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("auth.keys[" + i + "].sha256 must be the 64 hex digits of a key's SHA-256");
      }
      if (!TENANT.matcher(tenant).matches()) {
        throw new IllegalArgumentException("auth.keys[" + i + "].tenant must match " + TENANT.pattern());
      }
      Set<Scope> scopes = EnumSet.noneOf(Scope.class);
      for (Object scope : k.getJsonArray("scopes", new JsonArray().add("memory"))) {
        try {
          scopes.add(Scope.parse(String.valueOf(scope)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("auth.keys[" + i + "].scopes: " + e.getMessage(), e);
        }
      }
      byHash.put(hash, new Key(name, tenant, scopes, k.getDouble("rate_limit_per_s", Double.NaN),
          k.getDouble("rate_limit_burst", Double.NaN)));
    }
  }

  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  /** The key a bearer token names, or null. Looked up by hash, so the time taken says nothing of near misses. */
  public Key find(String token) {
    return token == null || token.isEmpty() ? null : byHash.get(sha256(token));
  }

  public static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random key: 32 bytes of SecureRandom, URL-safe. */
  public static String generate() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return "egk_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
