package verticles.archiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("LocalObjectStore")
class LocalObjectStoreTest extends AbstractObjectStoreTest {

  @TempDir
  Path tmp;

  private Path root;

  @Override
  protected Future<ObjectStore> newStore(Vertx vertx) {
    root = tmp.resolve("objects");
    return Future.succeededFuture(new LocalObjectStore(vertx, root));
  }

  private List<String> filesUnder(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("keys become nested files, non-ASCII percent-encoded so no JVM locale can break them")
  void onDiskLayout(VertxTestContext ctx) {
    store.put("users/张三/a b.json", text("{}"), "application/json")
        .map(check(v -> assertEquals(List.of("users/%E5%BC%A0%E4%B8%89/a%20b.json"), filesUnder(root))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("rejected traversal keys leave nothing outside the root")
  void nothingEscapes(VertxTestContext ctx) {
    failureOf(store.put("../outside.txt", text("x"), "text/plain"))
        .compose(v -> failureOf(store.put("users/../../outside.txt", text("x"), "text/plain")))
        .map(check(v -> assertEquals(List.of(), filesUnder(tmp))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("deletePrefix prunes the emptied directories but never the root")
  void prunesDirectories(VertxTestContext ctx) {
    store.put("users/9/a/b/c.json", text("{}"), "application/json")
        .compose(v -> store.put("users/10/x.json", text("{}"), "application/json"))
        .compose(v -> store.deletePrefix("users/9/"))
        .map(check(n -> {
          assertFalse(Files.exists(root.resolve("users/9")));
          assertTrue(Files.isDirectory(root.resolve("users/10")));
        }))
        .compose(v -> store.deletePrefix("users/"))
        .map(check(n -> {
          assertTrue(Files.isDirectory(root));
          assertFalse(Files.exists(root.resolve("users")));
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("leftover temp files and files the store did not write are not listed as objects")
  void ignoresForeignFiles(VertxTestContext ctx) throws IOException {
    Files.createDirectories(root.resolve("users"));
    Files.writeString(root.resolve("users/~tmp-123.part"), "half a write");
    Files.writeString(root.resolve("users/bad%zz"), "not an encoded name");
    store.put("users/ok", text("ok"), "text/plain")
        .compose(v -> store.list(""))
        .map(check(keys -> assertEquals(List.of("users/ok"), keys)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("list on a root that does not exist yet is empty, and get is NotFound")
  void emptyRoot(VertxTestContext ctx) {
    store.list("")
        .map(check(keys -> assertEquals(List.of(), keys)))
        .compose(v -> failureOf(store.get("a")))
        .map(check(err -> assertTrue(err instanceof ObjectStore.NotFound)))
        .onComplete(ctx.succeedingThenComplete());
  }
}
