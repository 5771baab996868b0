package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** What a careless or hostile client does at the HTTP and WebSocket level, below any route. */
@ExtendWith(VertxExtension.class)
@DisplayName("The gateway stands up to malformed URLs, half-sent requests and broken WebSocket text")
class GatewayHardeningTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  @Test
  @DisplayName("A malformed URL, with or without a key, answers a JSON 400 naming the url and logs one line, no trace")
  void malformedUrl() throws Exception {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("ROOT");
    ch.qos.logback.classic.Logger router = (ch.qos.logback.classic.Logger)
        LoggerFactory.getLogger("io.vertx.ext.web.RoutingContext");
    Level before = router.getLevel();
    router.setLevel(Level.INFO); // where vertx-web logs an unhandled routing failure
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      for (String request : List.of(
          "GET /v1/users/%zz/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
          "GET /health/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
          "GET /v1/users/%zz/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestStack.API_KEY
              + "\r\nConnection: close\r\n\r\n")) {
        String response = exchange(request);
        String head = response.substring(0, response.indexOf("\r\n\r\n"));
        assertTrue(head.startsWith("HTTP/1.1 400"), response);
        assertTrue(head.toLowerCase().contains("content-type: application/json"), response);
        JsonObject error = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)).getJsonObject("error");
        assertEquals("invalid_request", error.getString("code"), response);
        assertEquals("url", error.getString("field"), response);
      }
    } finally {
      root.detachAppender(logged);
      router.setLevel(before);
    }
    List<ILoggingEvent> about = new ArrayList<>();
    for (ILoggingEvent e : logged.list) {
      if (e.getLoggerName().startsWith("io.vertx.ext.web") || e.getFormattedMessage().contains("%zz")) {
        about.add(e);
      }
    }
    assertEquals(3, about.size(), "one line per request: " + about);
    for (ILoggingEvent e : about) {
      assertNull(e.getThrowableProxy(), "no stack trace: " + e.getFormattedMessage());
      assertTrue(!e.getFormattedMessage().contains("\n"), e.getFormattedMessage());
    }
  }

  @Test
  @DisplayName("Connections that send part of a request head and then nothing are closed by the server")
  void partialHeadersAreClosed() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket("127.0.0.1", TestStack.engram().port());
        // a bound for the failure, not a measurement: the header deadline is 3 s here, the idle timeout 120 s
        s.setSoTimeout(60_000);
        s.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i + ": ")
            .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        sockets.add(s);
      }
      for (Socket s : sockets) {
        assertEquals(-1, readUntilClosed(s.getInputStream()), "closed without an answer");
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  @DisplayName("A WebSocket text message with invalid UTF-8 closes the socket with 1007 and is not processed")
  void invalidUtf8Closes(VertxTestContext ctx) {
    String json = new JsonObject().put("type", "recall").put("id", "bad-utf8").put("user_id", "u-utf8")
        .put("character_id", "c1").put("force", true).put("message", "@").encode();
    int at = json.indexOf('@');
    WebSocketClient client = TestStack.vertx().createWebSocketClient();
    client.connect(options())
        .onComplete(ctx.succeeding(ws -> {
          ws.textMessageHandler(text -> ctx.failNow(new AssertionError("processed: " + text)));
          ws.closeHandler(v -> ctx.verify(() -> {
            assertEquals((short) 1007, ws.closeStatusCode());
            client.close();
            ctx.completeNow();
          }));
          // a text message whose second frame carries bytes that are no UTF-8 (0xC3 0x28, 0xFF)
          ws.writeFrame(WebSocketFrame.textFrame(json.substring(0, at) + "tea ", false));
          ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF})
              .appendString(json.substring(at + 1)), true));
        }));
  }

  @Test
  @DisplayName("A valid text message split across frames, a character cut in two, is answered")
  void splitMessageAnswered(VertxTestContext ctx) {
    byte[] json = new JsonObject().put("type", "recall").put("id", "split").put("user_id", "u-split")
        .put("character_id", "c1").put("force", true).put("message", "我的猫叫什么").encode()
        .getBytes(StandardCharsets.UTF_8);
    int cut = indexOf(json, (byte) 0xE7) + 1; // inside 的 (E7 9A 84)
    WebSocketClient client = TestStack.vertx().createWebSocketClient();
    client.connect(options())
        .onComplete(ctx.succeeding(ws -> {
          ws.textMessageHandler(text -> ctx.verify(() -> {
            JsonObject reply = new JsonObject(text);
            assertEquals("recall.result", reply.getString("type"), text);
            assertEquals("split", reply.getString("id"));
            ws.close().onComplete(x -> client.close().onComplete(y -> ctx.completeNow()));
          }));
          ws.writeFrame(WebSocketFrame.textFrame(new String(json, 0, 10, StandardCharsets.UTF_8), false));
          ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(java.util.Arrays.copyOfRange(json, 10, cut)),
              false));
          ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(java.util.Arrays.copyOfRange(json, cut,
              json.length)), true));
        }));
  }

  private static WebSocketConnectOptions options() {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(TestStack.engram().port()).setURI("/v1/ws")
        .addHeader("Authorization", "Bearer " + TestStack.API_KEY);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new AssertionError("no byte " + b);
  }

  /** Sends a raw request and reads the answer until the server closes. */
  private static String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", TestStack.engram().port())) {
      s.setSoTimeout(60_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      s.getInputStream().transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Reads until the end of the stream; a reset counts as the close it is. */
  private static int readUntilClosed(InputStream in) throws IOException {
    try {
      int b;
      do {
        b = in.read();
      } while (b != -1);
      return b;
    } catch (SocketException reset) {
      return -1;
    }
  }
}
