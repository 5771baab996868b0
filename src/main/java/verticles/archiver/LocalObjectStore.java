package verticles.archiver;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Objects as files under a root directory; a key {@code a/b/c} is the file {@code root/a/b/c}.
 *
 * <p>Each key segment is percent-encoded on disk (everything but {@code A-Z a-z 0-9 - _ .}), so {@code users/张三}
 * is stored as {@code users/%E5%BC%A0%E4%B8%89}. The layout then does not depend on the JVM's file-name encoding:
 * with no UTF-8 locale (common in containers) Java cannot even name a file "张三". It costs readability of the tree,
 * and a segment may encode to at most 255 bytes (about 28 CJK characters).
 *
 * <p>All file work runs on worker threads; writes go to a temp file in the target directory and are then renamed
 * over the target, so readers never see a partial object. The content type is not stored.
 */
public final class LocalObjectStore implements ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(LocalObjectStore.class);

  // '~' is always percent-encoded in real names, so temp files can never collide with (or be listed as) objects
  private static final String TEMP_PREFIX = "~tmp-";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final Vertx vertx;
  private final Path root;

  public LocalObjectStore(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public Future<Void> put(String key, Buffer data, String contentType) {
    return blocking(() -> {
      Path target = pathOf(ObjectStore.checkKey(key));
      // a concurrent deletePrefix may prune the directory between createDirectories and the temp file: retry once
      for (int attempt = 1; ; attempt++) {
        try {
          writeAtomically(target, data);
          return null;
        } catch (NoSuchFileException e) {
          if (attempt == 2) {
            throw e;
          }
        }
      }
    });
  }

  /** Moved into place (atomically, when the file is on the store's file system): never read into memory. */
  @Override
  public Future<Void> putFile(String key, Path file, String contentType) {
    return blocking(() -> {
      Path target = pathOf(ObjectStore.checkKey(key));
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), TEMP_PREFIX, ".part");
      try {
        Files.move(file, tmp, StandardCopyOption.REPLACE_EXISTING); // a copy across file systems
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true); // the rename must not reach disk before the bytes do
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      return null;
    });
  }

  @Override
  public Future<Buffer> get(String key) {
    return blocking(() -> {
      Path file = pathOf(ObjectStore.checkKey(key));
      try {
        if (!Files.isRegularFile(file)) {
          throw new NotFound(key);
        }
        return Buffer.buffer(Files.readAllBytes(file));
      } catch (NoSuchFileException e) {
        throw new NotFound(key); // deleted between the check and the read
      }
    });
  }

  @Override
  public Future<Boolean> exists(String key) {
    return blocking(() -> Files.isRegularFile(pathOf(ObjectStore.checkKey(key))));
  }

  @Override
  public Future<List<String>> list(String prefix) {
    return blocking(() -> listKeys(ObjectStore.checkPrefix(prefix)));
  }

  @Override
  public Future<List<Entry>> entries(String prefix) {
    return blocking(() -> {
      List<Entry> out = new ArrayList<>();
      for (String key : listKeys(ObjectStore.checkPrefix(prefix))) {
        try {
          out.add(new Entry(key, Files.size(pathOf(key))));
        } catch (NoSuchFileException e) {
          // deleted since it was listed
        }
      }
      return out;
    });
  }

  @Override
  public Future<Integer> deletePrefix(String prefix) {
    return blocking(() -> {
      if (ObjectStore.checkPrefix(prefix).isEmpty()) {
        throw new IllegalArgumentException("deletePrefix needs a non-empty prefix");
      }
      int deleted = 0;
      for (String key : listKeys(prefix)) {
        Path file = pathOf(key);
        if (Files.deleteIfExists(file)) {
          deleted++;
        }
        pruneEmptyDirs(file.getParent());
      }
      log.debug("Deleted {} objects under '{}' in {}", deleted, prefix, root);
      return deleted;
    });
  }

  @Override
  public String describe() {
    return "local:" + root;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    // unordered: independent keys need not queue behind each other
    return vertx.executeBlocking(work, false);
  }

  private void writeAtomically(Path target, Buffer data) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, TEMP_PREFIX, ".part");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(data.getBytes());
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
        ch.force(true); // the rename must not reach disk before the bytes do
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  private List<String> listKeys(String prefix) throws IOException {
    // only walk the deepest directory the prefix fully names; the rest of the prefix filters names
    int slash = prefix.lastIndexOf('/');
    Path base = slash < 0 ? root : pathOf(prefix.substring(0, slash));
    List<String> keys = new ArrayList<>();
    if (!Files.isDirectory(base)) {
      return keys;
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.filter(Files::isRegularFile).forEach(file -> {
        String key = keyOf(root.relativize(file));
        if (key != null && key.startsWith(prefix)) {
          keys.add(key);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      // a directory vanished under the walk (concurrent deletePrefix); report it as the I/O error it is
      throw e.getCause();
    }
    keys.sort(null);
    return keys;
  }

  /** Deletes now-empty directories from {@code dir} up to, not including, the root. */
  private void pruneEmptyDirs(Path dir) {
    while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
      try {
        Files.delete(dir);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      } catch (IOException e) {
        log.debug("Could not prune {}: {}", dir, e.toString());
        return;
      }
      dir = dir.getParent();
    }
  }

  /** The file for a validated key (or a prefix's directory part). */
  private Path pathOf(String key) {
    Path p = root;
    for (String segment : key.split("/")) {
      p = p.resolve(encode(segment));
    }
    // cannot happen after validation and encoding; kept because this is the security boundary
    if (!p.normalize().startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException("Object key escapes the store root: " + key);
    }
    return p;
  }

  /** The key of a file relative to the root, or null for temp files and names this store did not write. */
  private static String keyOf(Path relative) {
    StringBuilder key = new StringBuilder();
    for (Path part : relative) {
      String name = part.toString();
      if (name.startsWith(TEMP_PREFIX)) {
        return null;
      }
      String segment = decode(name);
      if (segment == null || !encode(segment).equals(name)) {
        log.debug("Ignoring foreign file {}", relative);
        return null;
      }
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(segment);
    }
    return key.toString();
  }

  static String encode(String segment) {
    StringBuilder sb = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.') {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /** Inverse of {@link #encode}; null when the name is not well-formed. */
  static String decode(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%') {
        if (i + 2 >= name.length()) {
          return null;
        }
        int hi = Character.digit(name.charAt(i + 1), 16);
        int lo = Character.digit(name.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        return null;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
