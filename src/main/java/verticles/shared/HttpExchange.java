package verticles.shared;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;

/**
 * One HTTP request and its whole answer, on the core client so that it can be cancelled: when {@code abandoned}
 * completes (a circuit breaker's timeout gave up on it, see {@link Breakers#execute}) the request is reset, which
 * closes its connection, and the remote end sees the call end instead of working on for nobody.
 */
public final class HttpExchange {
  private HttpExchange() {}

  /** A complete answer: any status, the caller decides what it means. */
  public record Reply(int status, String statusMessage, MultiMap headers, Buffer body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  /** Sends {@code body} (null: none) and reads the answer's body. */
  public static Future<Reply> send(HttpClient client, RequestOptions options, Buffer body, Future<Void> abandoned) {
    return client.request(options).compose(request -> {
      // the failure reaches the caller through the futures; without a handler Vert.x would also log it as an error
      request.exceptionHandler(e -> { });
      abandoned.onComplete(x -> request.reset(0, new VertxException("abandoned by its circuit breaker", true)));
      Future<HttpClientResponse> sent = body == null ? request.send() : request.send(body);
      return sent.compose(response -> response.body()
          .map(bytes -> new Reply(response.statusCode(), response.statusMessage(), response.headers(), bytes)));
    });
  }
}
