package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import verticles.app.Engram;
import verticles.bus.Addresses;

/** A node of its own, stopped while requests are inside it: Ctrl-C runs exactly this {@code Engram.close()}. */
@DisplayName("A clean stop answers the requests it accepted before it stops the stores")
class ShutdownTest {
  private static final int IN_FLIGHT = 4;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Imports inside the node when it stops are stored and answered 201; new connections are refused; the"
      + " embedding model refuses cleanly; no RejectedExecutionException anywhere")
  void drainsWhatItAccepted() throws Exception {
    JsonObject cfg = TestStack.testConfig(TestStack.scratch("engram-shutdown-"));
    cfg.put("shutdown", new JsonObject().put("drain_timeout_ms", 30_000));
    Engram node = Engram.start(cfg);
    int port = node.port();
    Vertx clientVertx = Vertx.vertx();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("ROOT");
    root.addAppender(logged);
    List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    CompletableFuture<Void> stopped = null;
    try {
      // each import's index write waits inside the node until the stop has begun
      List<Runnable> held = Collections.synchronizedList(new ArrayList<>());
      Promise<Void> allHeld = Promise.promise();
      node.vertx().eventBus().addInboundInterceptor(dc -> {
        if (!Addresses.VECTOR_UPSERT.equals(dc.message().address())) {
          dc.next();
          return;
        }
        Context current = Vertx.currentContext();
        Context context = current != null ? current : node.vertx().getOrCreateContext();
        held.add(() -> context.runOnContext(v -> dc.next()));
        if (held.size() == IN_FLIGHT) {
          allHeld.tryComplete();
        }
      });
      WebClient http = TestStack.client(clientVertx, port, TestStack.API_KEY);
      List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
      for (int i = 0; i < IN_FLIGHT; i++) {
        inFlight.add(http.post("/v1/memories").sendJsonObject(new JsonObject().put("user_id", "u-stop")
            .put("character_id", "c1").put("memory_type", "event").put("content", "我下周" + (i + 1) + "要去杭州出差")
            .put("timestamp", Instant.now().getEpochSecond() - 60)));
      }
      await(allHeld.future());

      stopped = CompletableFuture.runAsync(node::close);
      await(refused(clientVertx, clientVertx.createNetClient(), port)); // first it stops accepting
      held.forEach(Runnable::run);
      for (Future<HttpResponse<Buffer>> f : inFlight) {
        HttpResponse<Buffer> r = await(f);
        assertEquals(201, r.statusCode(), "answered after the stop began: " + r.bodyAsString());
      }
      stopped.get(180, TimeUnit.SECONDS);

      assertFalse(node.mariaDb().running(), "MariaDB stopped, last");
      Future<List<float[]>> late = node.embedder().embed(List.of("太晚了"));
      assertTrue(late.failed() && late.cause() instanceof RejectedExecutionException, String.valueOf(late.cause()));
      Exception refusedNow = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> new Socket("127.0.0.1", port).close());
      assertTrue(refusedNow instanceof ConnectException, refusedNow.toString());
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
      root.detachAppender(logged);
      if (stopped == null) {
        node.close();
      } else {
        stopped.get(180, TimeUnit.SECONDS);
      }
      await(clientVertx.close());
    }
    assertTrue(uncaught.isEmpty(), "uncaught: " + uncaught);
    for (ILoggingEvent e : logged.list) {
      assertFalse(mentionsRejected(e.getThrowableProxy()) || e.getFormattedMessage().contains("RejectedExecution"),
          e.getLoggerName() + ": " + e.getFormattedMessage());
    }
  }

  /** Completes once a new connection to the port is refused, polling every 50 ms. */
  private static Future<Void> refused(Vertx vertx, io.vertx.core.net.NetClient client, int port) {
    return client.connect(port, "127.0.0.1").transform(ar -> {
      if (ar.failed()) {
        return Future.succeededFuture();
      }
      ar.result().close();
      return vertx.timer(50).compose(x -> refused(vertx, client, port));
    });
  }

  private static boolean mentionsRejected(IThrowableProxy t) {
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t.getClassName().endsWith("RejectedExecutionException")) {
        return true;
      }
    }
    return false;
  }
}
