package verticles.archiver;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * A flat key → bytes store: local disk by default, any S3-compatible service (S3, MinIO, Volcengine TOS) by config.
 *
 * <p>Keys are relative paths with '/' separators ({@code users/张三/snapshot.json}). They are built from user ids that
 * arrive in requests, so every implementation validates them with {@link #checkKey} / {@link #checkPrefix}: a key
 * that could escape its directory fails with {@link IllegalArgumentException} before any I/O.
 */
public interface ObjectStore {

  /** Creates or replaces the object; readers see either the old or the new bytes, never a mix. */
  Future<Void> put(String key, Buffer data, String contentType);

  /**
   * Creates or replaces the object with a local file's bytes, as {@link #put} does; the file is the store's
   * afterwards (moved or deleted by the caller). For large objects (exports) that should not be held in memory.
   */
  Future<Void> putFile(String key, java.nio.file.Path file, String contentType);

  /** The object's bytes; fails with {@link NotFound} when there is none. */
  Future<Buffer> get(String key);

  Future<Boolean> exists(String key);

  /** Every key starting with {@code prefix} (plain string prefix, as S3 does), sorted. Empty prefix: all keys. */
  Future<List<String>> list(String prefix);

  /** Like {@link #list}, with each object's size in bytes (for storage stats and exports). */
  Future<List<Entry>> entries(String prefix);

  /** An object's key and size in bytes. */
  record Entry(String key, long size) {}

  /**
   * Deletes every key starting with {@code prefix}; returns how many were deleted (0 when none: idempotent).
   * The prefix must not be empty: wiping the whole store is never what a caller means.
   */
  Future<Integer> deletePrefix(String prefix);

  /** For logs and health checks, without secrets. */
  String describe();

  /** Releases clients and connections; the store is unusable afterwards. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** The key does not exist (S3 {@code NoSuchKey}). */
  final class NotFound extends RuntimeException {
    private final String key;

    public NotFound(String key) {
      super("No such key: " + key);
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /** Validates a full object key; returns it unchanged. */
  static String checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("Object key must not be empty");
    }
    checkPath(key, false);
    return key;
  }

  /** Validates a listing prefix: like a key, but may be empty and may end with '/' or a partial segment. */
  static String checkPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("Prefix must not be null");
    }
    if (!prefix.isEmpty()) {
      checkPath(prefix, true);
    }
    return prefix;
  }

  private static void checkPath(String path, boolean prefix) {
    if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
      // S3's own limit, in UTF-8 bytes; also keeps local paths sane
      throw new IllegalArgumentException("Object key longer than 1024 UTF-8 bytes");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' || c < 0x20 || c == 0x7f) {
        // backslash is a separator on Windows; NUL and control characters truncate or confuse paths and logs
        throw new IllegalArgumentException("Object key contains a forbidden character: " + printable(path));
      }
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException("Object key must be relative: " + printable(path));
    }
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("Object key must not contain '.' or '..' segments: " + printable(path));
      }
      // "a//b" and a trailing '/' name no file; a prefix may end with '/' ("users/42/")
      if (s.isEmpty() && !(prefix && last)) {
        throw new IllegalArgumentException("Object key has an empty segment: " + printable(path));
      }
    }
  }

  private static String printable(String path) {
    StringBuilder sb = new StringBuilder();
    path.codePoints().limit(200).forEach(cp -> {
      if (cp < 0x20 || cp == 0x7f) {
        sb.append(String.format("\\u%04x", cp));
      } else {
        sb.appendCodePoint(cp);
      }
    });
    return sb.toString();
  }
}
