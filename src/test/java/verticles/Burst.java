package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Many requests at once against the shared node, each on a connection of its own (the shared client's pool would
 * queue them), and what the concurrency tests read back from MySQL.
 */
final class Burst {
  private static WebClient client;

  private Burst() {}

  /** A client of the shared node with the test key and up to 200 connections. */
  static synchronized WebClient client() {
    if (client == null) {
      client = WebClientSession.create(WebClient.create(TestStack.vertx(), new WebClientOptions()
              .setDefaultHost("127.0.0.1").setDefaultPort(TestStack.engram().port()),
          new PoolOptions().setHttp1MaxSize(200)))
          .addHeader("Authorization", "Bearer " + TestStack.API_KEY);
    }
    return client;
  }

  /** Posts every body to {@code path} at once; the answers in the bodies' order. */
  static Future<List<HttpResponse<Buffer>>> post(String path, List<JsonObject> bodies) {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    bodies.forEach(b -> all.add(client().post(path).sendJsonObject(b)));
    return Future.all(all).map(x -> all.stream().map(Future::result).toList());
  }

  /** Every answer has this status, or the assertion names the first that has not. */
  static void assertAll(int status, List<HttpResponse<Buffer>> answers) {
    for (HttpResponse<Buffer> r : answers) {
      assertEquals(status, r.statusCode(), r.bodyAsString());
    }
  }

  /** The tasks of a user (tenant-scoped id) with their messages: {task_id, status, retry_count, messages}. */
  static Future<List<JsonObject>> tasks(String internalUser) {
    return TestStack.sql().preparedQuery("SELECT task_id, status, retry_count, source_data"
            + " FROM memory_generation_tasks WHERE user_id = ? ORDER BY id").execute(Tuple.of(internalUser))
        .map(rs -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new JsonObject().put("task_id", r.getString("task_id")).put("status", r.getString("status"))
                .put("retry_count", r.getInteger("retry_count"))
                .put("messages", new JsonArray(r.getValue("source_data").toString())));
          }
          return out;
        });
  }

  /** Waits until the user has {@code n} tasks (or more), all completed. */
  static Future<List<JsonObject>> completed(String internalUser, int n) {
    return TestStack.until(() -> tasks(internalUser), ts -> ts.size() >= n
        && ts.stream().allMatch(t -> "completed".equals(t.getString("status"))), 90_000);
  }

  static Future<Long> count(String sql, Object... args) {
    return TestStack.sql().preparedQuery(sql).execute(Tuple.from(args)).map(rs -> rs.iterator().next().getLong(0));
  }
}
