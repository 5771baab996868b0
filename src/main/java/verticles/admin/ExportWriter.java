package verticles.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import verticles.bus.Bus;
import verticles.contracts.Archive;

/**
 * An export document written as it is read: its header, then each section a page at a time, each piece sent to the
 * Archiver's sink (the file) and to the caller's (the HTTP reply, which starts with the file's {@code path}), the
 * next piece only when both took the last one. So a user's export of any size is held a page at a time, and a
 * writer past its deadline, or whose caller is gone, drops the file instead of finishing it.
 */
final class ExportWriter {
  private final Vertx vertx;
  private final DeliveryOptions call;
  private final Archive.ExportSink file;
  private final String caller;
  private final long deadlineNanos;
  private final long budgetMs;
  private boolean first = true;
  private boolean itemsInSection;
  private long bytes;

  ExportWriter(Vertx vertx, DeliveryOptions call, Archive.ExportSink file, String caller, long budgetMs) {
    this.vertx = vertx;
    this.call = call;
    this.file = file;
    this.caller = caller;
    this.budgetMs = budgetMs;
    this.deadlineNanos = System.nanoTime() + budgetMs * 1_000_000;
  }

  /** The opening brace and the scalar fields, pretty-printed as the file always was ({@code "user_id" : "…"}). */
  Future<Void> header(JsonObject fields) {
    String pretty = fields.encodePrettily();
    return write(pretty.substring(0, pretty.lastIndexOf('}')).stripTrailing(), false);
  }

  Future<Void> openSection(String name) {
    itemsInSection = false;
    return write(",\n  " + Json.encode(name) + " : [", false);
  }

  /** A page of the open section's items, one compact line each. */
  Future<Void> items(List<?> page) {
    if (page.isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder sb = new StringBuilder();
    for (Object item : page) {
      sb.append(itemsInSection ? ",\n    " : "\n    ").append(Json.encode(item));
      itemsInSection = true;
    }
    return write(sb.toString(), false);
  }

  Future<Void> closeSection() {
    return write(itemsInSection ? "\n  ]" : " ]", false);
  }

  /** The closing brace; the file is in the object store when this succeeds. */
  Future<Archive.Written> finish() {
    return write("\n}\n", true).map(x -> new Archive.Written(file.path(), bytes));
  }

  /** Drops the file (best effort: the sink drops it by itself when it hears nothing more). */
  Future<Void> abort() {
    return Bus.request(vertx, file.address(), new Archive.Chunk("", false, true), call, Archive.Written::fromJson)
        .transform(x -> Future.succeededFuture());
  }

  private Future<Void> write(String text, boolean last) {
    if (System.nanoTime() > deadlineNanos) {
      return Future.failedFuture(new TimeoutException("the export took longer than " + budgetMs + " ms"));
    }
    if (caller == null) {
      return toFile(text, last);
    }
    // the caller's copy is the same document with the file's path as its first field
    String mine = first ? "{\n  \"path\" : " + Json.encode(file.path()) + "," + text.substring(1) : text;
    first = false;
    Future<Void> toCaller = Bus.request(vertx, caller, new Archive.Chunk(mine, last, false), call,
        Archive.Written::fromJson).mapEmpty();
    // the file is stored only once the caller took the whole document: a caller gone at the end leaves none
    return last ? toCaller.compose(x -> toFile(text, true)) : Future.all(toCaller, toFile(text, false)).mapEmpty();
  }

  private Future<Void> toFile(String text, boolean last) {
    return Bus.request(vertx, file.address(), new Archive.Chunk(text, last, false), call, Archive.Written::fromJson)
        .map(w -> {
          bytes = w.bytes();
          return null;
        });
  }
}
