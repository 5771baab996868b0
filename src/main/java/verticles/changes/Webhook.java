package verticles.changes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One webhook of {@code change_events.webhooks}: where change events are POSTed, the secret they are signed with,
 * which events (and tenants) it wants, and how its failures are retried.
 *
 * <p>Signature: {@code X-Engram-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, where
 * {@code timestamp} is the {@code X-Engram-Timestamp} header (epoch seconds of the try) and {@code body} the exact
 * bytes posted. A receiver recomputes it, compares in constant time and refuses old timestamps (replays).
 *
 * @param events the event names it wants (empty: all)
 * @param tenants the tenants whose events it wants (empty: all)
 * @param maxAttempts failed tries after which the event is dead-lettered
 * @param backoffMs the wait after the first failed try, doubled after each, up to {@code maxBackoffMs}
 */
public record Webhook(String name, String url, String secret, Set<String> events, Set<String> tenants,
    int maxAttempts, long backoffMs, long maxBackoffMs, long timeoutMs) {

  static final Set<String> EVENTS = Set.of("create", "update", "delete", "restore", "forget");

  /** The webhooks of the config, checked: a bad entry stops the start with a message naming it. */
  static List<Webhook> all(JsonObject config) {
    JsonArray list = ChangeEvents.section(config).getJsonArray("webhooks", new JsonArray());
    List<Webhook> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Object entry = list.getValue(i);
      String where = "change_events.webhooks[" + i + "]";
      if (!(entry instanceof JsonObject j)) {
        throw new IllegalArgumentException(where + " must be an object");
      }
      Webhook hook = of(j, where);
      if (!names.add(hook.name)) {
        throw new IllegalArgumentException(where + ".name: '" + hook.name + "' is used twice");
      }
      out.add(hook);
    }
    return out;
  }

  static Webhook of(JsonObject j, String where) {
    String name = j.getValue("name") instanceof String s ? s : "";
    if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(where + ".name must be 1-64 letters, digits, '_', '.' or '-'");
    }
    String url = j.getValue("url") instanceof String s ? s : "";
    try {
      URI uri = URI.create(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("not http(s)");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".url must be an absolute http or https URL, got '" + url + "'");
    }
    String secret = j.getValue("secret") instanceof String s ? s : "";
    if (secret.isEmpty()) {
      throw new IllegalArgumentException(where + ".secret is required (it signs every body)");
    }
    Set<String> events = strings(j, "events", where);
    if (!EVENTS.containsAll(events)) {
      throw new IllegalArgumentException(where + ".events: each must be one of " + EVENTS + ", got " + events);
    }
    int maxAttempts = number(j, "max_attempts", 6, 1, 100, where).intValue();
    long backoff = number(j, "backoff_ms", 500, 0, 3_600_000, where);
    long maxBackoff = number(j, "max_backoff_ms", 60_000, 0, 3_600_000, where);
    long timeout = number(j, "timeout_ms", 10_000, 1, 600_000, where);
    return new Webhook(name, url, secret, events, strings(j, "tenants", where), maxAttempts, backoff, maxBackoff,
        timeout);
  }

  private static Set<String> strings(JsonObject j, String field, String where) {
    Object v = j.getValue(field);
    if (v == null) {
      return Set.of();
    }
    if (!(v instanceof JsonArray a) || !a.stream().allMatch(String.class::isInstance)) {
      throw new IllegalArgumentException(where + "." + field + " must be a list of strings");
    }
    return Set.copyOf(a.stream().map(String.class::cast).toList());
  }

  private static Long number(JsonObject j, String field, long dflt, long min, long max, String where) {
    Object v = j.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min
        || ((Number) v).longValue() > max) {
      throw new IllegalArgumentException(where + "." + field + " must be an integer from " + min + " to " + max);
    }
    return ((Number) v).longValue();
  }

  /** Whether it wants this event of this tenant. */
  boolean wants(String event, String tenant) {
    return (events.isEmpty() || events.contains(event)) && (tenants.isEmpty() || tenants.contains(tenant));
  }

  /** The wait after {@code failed} failed tries (1 or more). */
  long backoff(int failed) {
    long wait = backoffMs << Math.min(failed - 1, 30);
    return wait < 0 ? maxBackoffMs : Math.min(wait, maxBackoffMs);
  }

  /** {@code sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}. */
  String sign(long timestamp, String body) {
    return signature(secret, timestamp, body);
  }

  public static String signature(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "sha256=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The consumer group of this webhook: each webhook keeps its own offsets, so a slow one holds back no other. */
  String group(JsonObject config) {
    return ChangeEvents.section(config).getString("webhook_group", "engram-webhooks") + "." + name;
  }

  @Override
  public String toString() {
    return "Webhook[" + name + " → " + url + "]"; // never the secret
  }
}
