package verticles.archiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verticles.bus.Bus;
import verticles.contracts.Archive;

@DisplayName("An export sink writes its chunks to one object, or drops them, and touches nothing else")
class ExportSinkTest {
  private static final DeliveryOptions CALL = new DeliveryOptions().setSendTimeout(10_000);
  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Future<Archive.Written> send(Archive.ExportSink sink, String text, boolean last, boolean abort) {
    return Bus.request(vertx, sink.address(), new Archive.Chunk(text, last, abort), CALL, Archive.Written::fromJson);
  }

  @Test
  @DisplayName("The chunks become the object; the node's first timer (id 0) keeps running; the temp file is gone")
  void writesAndLeavesOtherTimersAlone(@TempDir Path dir) throws Exception {
    AtomicInteger ticks = new AtomicInteger();
    Promise<Void> ticking = Promise.promise();
    long first = vertx.setPeriodic(10, id -> {
      if (ticks.incrementAndGet() > 20) {
        ticking.tryComplete();
      }
    });
    assertEquals(0L, first, "a fresh Vert.x numbers its timers from 0");
    ObjectStore store = new LocalObjectStore(vertx, dir.resolve("store"));
    Archive.ExportSink sink = await(ExportSink.open(vertx, store, "exports/u/full_export_1.json", dir.resolve("tmp"),
        30_000));
    await(send(sink, "{\"a\" : [ 1,", false, false));
    await(send(sink, " 2 ] }", true, false));
    assertEquals("{\"a\" : [ 1, 2 ] }", await(store.get(sink.path())).toString(StandardCharsets.UTF_8));
    await(ticking.future()); // a sink that cancelled timer 0 stopped another verticle's periodic work
    try (var files = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, files.count(), "no temp file left");
    }
  }

  @Test
  @DisplayName("A dropped export leaves no object and no temp file")
  void dropped(@TempDir Path dir) throws Exception {
    ObjectStore store = new LocalObjectStore(vertx, dir.resolve("store"));
    Archive.ExportSink sink = await(ExportSink.open(vertx, store, "exports/u/full_export_2.json", dir.resolve("tmp"),
        30_000));
    await(send(sink, "{\"a\" : [ 1,", false, false));
    await(send(sink, "", false, true));
    assertFalse(await(store.exists(sink.path())));
    try (var files = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, files.count(), "no temp file left");
    }
  }
}
