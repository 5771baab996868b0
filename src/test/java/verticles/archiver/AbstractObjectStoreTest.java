package verticles.archiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ObjectStore contract; each implementation's test supplies a fresh, empty store. */
@ExtendWith(VertxExtension.class)
abstract class AbstractObjectStoreTest {

  protected ObjectStore store;

  /** A new empty store for one test. */
  protected abstract Future<ObjectStore> newStore(Vertx vertx);

  @BeforeEach
  void createStore(Vertx vertx, VertxTestContext ctx) {
    newStore(vertx).map(s -> store = s).onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers: assertions run inside the chain, so a failed one fails the test with its message ----

  /** Succeeds with the failure of {@code future}; fails if it succeeded. */
  static <T> Future<Throwable> failureOf(Future<T> future) {
    return future.transform(ar -> ar.succeeded()
        ? Future.failedFuture(new AssertionError("expected a failure, got " + ar.result()))
        : Future.succeededFuture(ar.cause()));
  }

  static <T> Function<T, Void> check(java.util.function.Consumer<T> assertions) {
    return value -> {
      assertions.accept(value);
      return null;
    };
  }

  static Buffer text(String s) {
    return Buffer.buffer(s);
  }

  // ---- contract ----

  @Test
  @DisplayName("an object that was put can be read back byte for byte")
  void putThenGet(VertxTestContext ctx) {
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    store.put("users/u1/blob.bin", Buffer.buffer(bytes), "application/octet-stream")
        .compose(v -> store.get("users/u1/blob.bin"))
        .map(check(buf -> assertArrayEquals(bytes, buf.getBytes())))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("an empty object is stored and read back as empty")
  void emptyObject(VertxTestContext ctx) {
    store.put("users/u1/empty", Buffer.buffer(), "text/plain")
        .compose(v -> store.get("users/u1/empty"))
        .map(check(buf -> assertEquals(0, buf.length())))
        .compose(v -> store.exists("users/u1/empty"))
        .map(check(exists -> assertTrue(exists)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("reading a missing key fails with NotFound naming the key")
  void missingKey(VertxTestContext ctx) {
    failureOf(store.get("users/nobody/nothing.json"))
        .map(check(err -> {
          ObjectStore.NotFound notFound = assertInstanceOf(ObjectStore.NotFound.class, err);
          assertEquals("users/nobody/nothing.json", notFound.key());
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("exists is true only for keys that were put, and false again after deletion")
  void exists(VertxTestContext ctx) {
    store.exists("users/u2/a.json")
        .map(check(e -> assertFalse(e)))
        .compose(v -> store.put("users/u2/a.json", text("{}"), "application/json"))
        .compose(v -> store.exists("users/u2/a.json"))
        .map(check(e -> assertTrue(e)))
        .compose(v -> store.exists("users/u2"))
        .map(check(e -> assertFalse(e, "a 'directory' is not an object")))
        .compose(v -> store.deletePrefix("users/u2/"))
        .compose(n -> store.exists("users/u2/a.json"))
        .map(check(e -> assertFalse(e)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("putting a key again replaces its content")
  void overwrite(VertxTestContext ctx) {
    store.put("users/u3/profile.json", text("{\"v\":1, \"padding\":\"a longer first version\"}"), "application/json")
        .compose(v -> store.put("users/u3/profile.json", text("{\"v\":2}"), "application/json"))
        .compose(v -> store.get("users/u3/profile.json"))
        .map(check(buf -> assertEquals("{\"v\":2}", buf.toString())))
        .compose(v -> store.list("users/u3/"))
        .map(check(keys -> assertEquals(List.of("users/u3/profile.json"), keys)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("concurrent puts to one key leave exactly one complete version")
  void concurrentPuts(VertxTestContext ctx) {
    List<String> versions = IntStream.range(0, 10).mapToObj(i -> String.valueOf(i).repeat(10_000 + i)).toList();
    List<Future<Void>> puts = new ArrayList<>();
    versions.forEach(v -> puts.add(store.put("users/u4/state.txt", text(v), "text/plain")));
    Future.all(puts)
        .compose(v -> store.get("users/u4/state.txt"))
        .map(check(buf -> assertTrue(versions.contains(buf.toString()), "a torn or mixed write was read")))
        .compose(v -> store.list("users/u4/"))
        .map(check(keys -> assertEquals(List.of("users/u4/state.txt"), keys, "no temp files may show")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("keys with Chinese characters, emoji, spaces and XML/URL specials work in put, get, list and delete")
  void unicodeKeys(VertxTestContext ctx) {
    List<String> keys = List.of(
        "users/张三/记忆 1.json",
        "users/张三/😀 emoji+plus&amp<tag>.txt",
        "users/张三/100%=sure?#hash;semi,comma'quote\"(paren)~$.txt");
    Future<Void> puts = Future.succeededFuture();
    for (String key : keys) {
      puts = puts.compose(v -> store.put(key, text("content of " + key), "text/plain; charset=utf-8"));
    }
    puts.compose(v -> store.list("users/张三/"))
        .map(check(listed -> assertEquals(keys.stream().sorted().toList(), listed)))
        .compose(v -> store.get(keys.get(1)))
        .map(check(buf -> assertEquals("content of " + keys.get(1), buf.toString())))
        .compose(v -> store.exists(keys.get(2)))
        .map(check(e -> assertTrue(e)))
        .compose(v -> store.deletePrefix("users/张"))
        .map(check(n -> assertEquals(3, n)))
        .compose(v -> store.list("users/"))
        .map(check(listed -> assertEquals(List.of(), listed)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("list matches a plain string prefix, sorted, across any number of keys")
  void listByPrefix(VertxTestContext ctx) {
    List<String> all = List.of("u/1/a", "u/1/b", "u/1/sub/c", "u/10/d", "u/2/e", "v/f", "w");
    Future<Void> puts = Future.succeededFuture();
    for (String key : all) {
      puts = puts.compose(v -> store.put(key, text(key), "text/plain"));
    }
    puts.compose(v -> store.list("u/1/"))
        .map(check(keys -> assertEquals(List.of("u/1/a", "u/1/b", "u/1/sub/c"), keys)))
        .compose(v -> store.list("u/1"))
        .map(check(keys -> assertEquals(List.of("u/1/a", "u/1/b", "u/1/sub/c", "u/10/d"), keys)))
        .compose(v -> store.list(""))
        .map(check(keys -> assertEquals(all, keys)))
        .compose(v -> store.list("nothing/"))
        .map(check(keys -> assertEquals(List.of(), keys)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("entries lists a prefix's keys with their sizes in bytes, counted in UTF-8")
  void entriesWithSizes(VertxTestContext ctx) {
    store.put("exports/张三/a.json", text("{\"名字\":\"张三\"} 😀"), "application/json")
        .compose(v -> store.put("exports/张三/b.json", Buffer.buffer(), "application/json"))
        .compose(v -> store.put("exports/张三三/c.json", text("x"), "application/json"))
        .compose(v -> store.entries("exports/张三/"))
        .map(check(entries -> assertEquals(List.of(
            new ObjectStore.Entry("exports/张三/a.json", "{\"名字\":\"张三\"} 😀".getBytes(
                java.nio.charset.StandardCharsets.UTF_8).length),
            new ObjectStore.Entry("exports/张三/b.json", 0)), entries)))
        .compose(v -> store.entries("nothing/"))
        .map(check(entries -> assertEquals(List.of(), entries)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("deletePrefix removes exactly the keys under the prefix, counts them, and is idempotent")
  void deletePrefix(VertxTestContext ctx) {
    List<String> all = List.of("users/7/a", "users/7/b/c", "users/7/b/d", "users/70/keep", "users/8/keep");
    Future<Void> puts = Future.succeededFuture();
    for (String key : all) {
      puts = puts.compose(v -> store.put(key, text(key), "text/plain"));
    }
    puts.compose(v -> store.deletePrefix("users/7/"))
        .map(check(n -> assertEquals(3, n)))
        .compose(v -> store.deletePrefix("users/7/"))
        .map(check(n -> assertEquals(0, n, "a second delete finds nothing")))
        .compose(v -> store.list(""))
        .map(check(keys -> assertEquals(List.of("users/70/keep", "users/8/keep"), keys)))
        .compose(v -> store.deletePrefix("never/existed/"))
        .map(check(n -> assertEquals(0, n)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest(name = "rejects key #{index}")
  @ValueSource(strings = {"", "../etc/passwd", "users/../../etc/passwd", "users/..", "..", "./a", "users/./a",
      "/etc/passwd", "users\\..\\x", "users/a\u0000.json", "users//a", "users/a/", "users/\n/a"})
  @DisplayName("keys that could escape the store are rejected before any I/O")
  void rejectsUnsafeKeys(String key, VertxTestContext ctx) {
    failureOf(store.put(key, text("x"), "text/plain"))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .compose(v -> failureOf(store.get(key)))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .compose(v -> failureOf(store.exists(key)))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .compose(v -> store.list(""))
        .map(check(keys -> assertEquals(List.of(), keys, "nothing may have been written")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest(name = "rejects prefix #{index}")
  @ValueSource(strings = {"../", "users/../", "/users/", "users\\", "users/\u0000", "users//"})
  @DisplayName("unsafe prefixes are rejected by list and deletePrefix")
  void rejectsUnsafePrefixes(String prefix, VertxTestContext ctx) {
    failureOf(store.list(prefix))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .compose(v -> failureOf(store.deletePrefix(prefix)))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("keys are limited to S3's 1024 UTF-8 bytes, counted in bytes rather than characters")
  void keyLength(VertxTestContext ctx) {
    String deep = "users/" + "张/".repeat(205) + "ok"; // 828 bytes: fits
    String overLimit = deep + "张".repeat(66);         // 484 characters but 1026 bytes: does not
    failureOf(store.put(overLimit, text("x"), "text/plain"))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .compose(v -> store.put(deep, text("x"), "text/plain"))
        .compose(v -> store.get(deep))
        .map(check(buf -> assertEquals("x", buf.toString())))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("deletePrefix refuses the empty prefix rather than wiping the store")
  void deleteAllRefused(VertxTestContext ctx) {
    store.put("users/1/a", text("a"), "text/plain")
        .compose(v -> failureOf(store.deletePrefix("")))
        .map(check(err -> assertInstanceOf(IllegalArgumentException.class, err)))
        .compose(v -> store.exists("users/1/a"))
        .map(check(e -> assertTrue(e)))
        .onComplete(ctx.succeedingThenComplete());
  }
}
