package verticles.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.shared.HttpRetry;

@DisplayName("Failure codes are decided by exception type along the cause chain, never by message text")
class FailuresTest {

  @Test
  @DisplayName("an open breaker and a breaker's timeout are 503, bare or wrapped")
  void breakers() {
    assertEquals(503, Bus.code(OpenCircuitException.INSTANCE));
    assertEquals(503, Bus.code(io.vertx.circuitbreaker.TimeoutException.INSTANCE));
    assertEquals(503, Bus.code(new CompletionException(OpenCircuitException.INSTANCE)));
    assertEquals(503, Bus.code(new IllegalStateException("extraction failed",
        new RuntimeException("attempt", io.vertx.circuitbreaker.TimeoutException.INSTANCE))));
  }

  @Test
  @DisplayName("refused, timed-out and closed connections are 503: socket, HTTP, SQL")
  void connections() {
    assertEquals(503, Bus.code(new ConnectException("Connection refused: /127.0.0.1:1")));
    assertEquals(503, Bus.code(new ConnectTimeoutException("connection timed out")));
    assertEquals(503, Bus.code(new java.util.concurrent.TimeoutException("idle timeout")));
    assertEquals(503, Bus.code(new HttpClosedException("closed")));
    assertEquals(503, Bus.code(NetSocketInternal.CLOSED_EXCEPTION));
    assertEquals(503, Bus.code(ClosedConnectionException.INSTANCE));
    assertEquals(503, Bus.code(new java.net.SocketException("Connection reset")));
    // an S3 or LLM client's failure that kept the connection error as its cause
    assertEquals(503, Bus.code(new RuntimeException("S3 PUT k got no response",
        new ConnectException("Connection refused"))));
  }

  @Test
  @DisplayName("an event-bus request nobody answered is 503; a recipient's code is kept")
  void replies() {
    assertEquals(503, Bus.code(new ReplyException(ReplyFailure.NO_HANDLERS, "no handler for memory.vector.upsert")));
    assertEquals(503, Bus.code(new ReplyException(ReplyFailure.TIMEOUT, "timed out after 5000 ms")));
    assertEquals(410, Bus.code(Failures.of(Failures.GONE, "forgotten")));
    assertEquals(503, Bus.code(Failures.of(Failures.UNAVAILABLE, "open circuit")));
    assertEquals(500, Bus.code(Failures.of(Failures.INTERNAL, "boom")));
  }

  @Test
  @DisplayName("bad input is 400; anything else is 500, whatever its message says")
  void others() {
    assertEquals(400, Bus.code(new IllegalArgumentException("user_id is required")));
    assertEquals(500, Bus.code(new NullPointerException()));
    assertEquals(500, Bus.code(new RuntimeException("Connection refused"))); // text alone proves nothing
    assertEquals(500, Bus.code(new VertxException("ClosedConnection")));
    assertEquals(500, Bus.code(new HttpRetry.HttpStatusException("u", 401, -1, "invalid key")));
  }

  @Test
  @DisplayName("a cause chain that loops back on itself ends")
  void cycle() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertEquals(500, Bus.code(a));
  }
}
