package verticles.archiver;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Archive;

/**
 * One export being written: its chunks arrive at an address of its own (so every piece reaches the instance that
 * holds the file), are appended to a temporary file, and the last one puts the file in the object store under its
 * key. An export dropped by its writer, or left without a chunk for {@code idleMs}, is deleted: a writer that gave up
 * (its caller's budget ran out, its client left) leaves no file behind.
 */
final class ExportSink {
  private static final Logger LOG = LoggerFactory.getLogger(ExportSink.class);

  private final Vertx vertx;
  private final ObjectStore store;
  private final String key;
  private final Path temp;
  private final long idleMs;
  private final String address = Addresses.ARCHIVE_EXPORT + "." + UUID.randomUUID();
  private MessageConsumer<JsonObject> consumer;
  private long bytes;
  /** -1: none (timer ids start at 0, so 0 would name another verticle's timer). */
  private long idleTimer = -1;
  private boolean done;

  private ExportSink(Vertx vertx, ObjectStore store, String key, Path temp, long idleMs) {
    this.vertx = vertx;
    this.store = store;
    this.key = key;
    this.temp = temp;
    this.idleMs = idleMs;
  }

  /** Opens the sink: registered (cluster-wide) before its address is handed out. */
  static Future<Archive.ExportSink> open(Vertx vertx, ObjectStore store, String key, Path tempDir, long idleMs) {
    ObjectStore.checkKey(key);
    return vertx.executeBlocking(() -> {
      Files.createDirectories(tempDir);
      return Files.createTempFile(tempDir, "export-", ".json");
    }).compose(temp -> {
      ExportSink sink = new ExportSink(vertx, store, key, temp, idleMs);
      sink.consumer = vertx.eventBus().consumer(sink.address,
          msg -> Bus.respond(msg, sink.take(Archive.Chunk.fromJson(msg.body()))));
      sink.touch();
      return sink.consumer.completion().map(x -> new Archive.ExportSink(sink.address, key));
    });
  }

  private Future<Archive.Written> take(Archive.Chunk chunk) {
    if (done) {
      return Future.failedFuture(new IllegalStateException("export " + key + " is closed"));
    }
    touch();
    if (chunk.last()) {
      stopIdleTimer(); // the upload may take its time: the writer is waiting for it, not gone
    }
    if (chunk.abort()) {
      return drop("its writer gave up").map(x -> new Archive.Written(key, bytes));
    }
    byte[] data = chunk.text().getBytes(StandardCharsets.UTF_8);
    Future<Archive.Written> written = vertx.executeBlocking(() -> {
      Files.write(temp, data, StandardOpenOption.APPEND);
      return null;
    }).map(x -> {
      bytes += data.length;
      return new Archive.Written(key, bytes);
    });
    if (!chunk.last()) {
      return written.recover(e -> drop(e.toString()).transform(x -> Future.<Archive.Written>failedFuture(e)));
    }
    return written
        .compose(w -> store.putFile(key, temp, "application/json; charset=utf-8").map(w))
        .compose(w -> close().map(w))
        .recover(e -> drop(e.toString()).transform(x -> Future.<Archive.Written>failedFuture(e)));
  }

  /** Restarts the idle timer: a writer that stops sending is taken for gone. */
  private void touch() {
    stopIdleTimer();
    idleTimer = vertx.setTimer(idleMs, id -> {
      if (!done) {
        drop("no chunk for " + idleMs + " ms");
      }
    });
  }

  private Future<Void> drop(String why) {
    if (done) {
      return Future.succeededFuture();
    }
    LOG.info("Export {} dropped ({}): {} bytes discarded", key, why, bytes);
    return close();
  }

  private void stopIdleTimer() {
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
      idleTimer = -1;
    }
  }

  private Future<Void> close() {
    done = true;
    stopIdleTimer();
    return Future.join(consumer.unregister(), vertx.executeBlocking(() -> Files.deleteIfExists(temp)))
        .transform(x -> {
          if (x.failed()) {
            LOG.warn("Closing export {}: {}", key, x.cause().toString());
          }
          return Future.succeededFuture();
        });
  }
}
