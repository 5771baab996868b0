package verticles.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new connection must deliver its first request head within {@code http.header_timeout_ms}, or it is closed:
 * thousands of connections that send part of their headers and then nothing would otherwise hold the server's
 * sockets. Later requests on a kept-alive connection are bounded by the idle timeout instead. One per gateway
 * instance, used on its event loop only. Needs cleartext HTTP/2 off: its sniffing of the first bytes creates the
 * connection (and calls the connection handler) only once the head is complete.
 */
final class HeaderDeadline {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

  private final Vertx vertx;
  private final long timeoutMs;
  /** Connections still waiting for their first request head, and their timers. */
  private final Map<HttpConnection, Long> waiting = new HashMap<>();

  HeaderDeadline(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** The server's connection handler. */
  void connected(HttpConnection connection) {
    if (timeoutMs <= 0) {
      return;
    }
    waiting.put(connection, vertx.setTimer(timeoutMs, id -> {
      if (waiting.remove(connection) != null) {
        LOG.debug("Closing a connection from {}: no complete request head within {} ms",
            connection.remoteAddress(), timeoutMs);
        connection.close();
      }
    }));
    connection.closeHandler(v -> cancel(connection));
  }

  /** Before the router: the head arrived. */
  void arrived(HttpServerRequest request) {
    cancel(request.connection());
  }

  private void cancel(HttpConnection connection) {
    Long timer = waiting.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
