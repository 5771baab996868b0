package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /health/ready} on the real stack: UP with every store, 503 naming MySQL while it is stopped, UP again. */
@ExtendWith(VertxExtension.class)
@DisplayName("Readiness follows the stores while liveness stays up")
class HealthTest {
  static final List<String> CHECKS = List.of("mysql", "kafka", "index", "embedding", "object_storage", "cluster");

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /** status code and the body of GET /health/ready. */
  record Ready(int code, JsonObject body) {
    /** check id → UP / DOWN */
    Map<String, String> statuses() {
      Map<String, String> out = new TreeMap<>();
      body.getJsonArray("checks", new JsonArray()).forEach(c -> out.put(((JsonObject) c).getString("id"),
          ((JsonObject) c).getString("status")));
      return out;
    }

    JsonObject check(String id) {
      return body.getJsonArray("checks").stream().map(JsonObject.class::cast)
          .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow();
    }
  }

  static Future<Ready> ready() {
    return TestStack.get("/health/ready").map(r -> new Ready(r.statusCode(), r.bodyAsJsonObject()));
  }

  static Future<Void> mariaDb(boolean up) {
    return TestStack.vertx().executeBlocking(() -> {
      if (up) {
        TestStack.engram().mariaDb().start();
      } else {
        TestStack.engram().mariaDb().stop();
      }
      return null;
    });
  }

  @Test
  @DisplayName("With every store up, /health/ready is 200 with mysql, kafka, index, embedding, object storage, cluster UP")
  void allUp(VertxTestContext ctx) {
    ready().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.code(), r.body().encode());
      assertEquals("UP", r.body().getString("status"));
      assertEquals(CHECKS.stream().sorted().toList(), List.copyOf(r.statuses().keySet()));
      r.statuses().forEach((id, status) -> assertEquals("UP", status, id + ": " + r.body().encode()));
      assertEquals(false, r.check("cluster").getJsonObject("data").getBoolean("clustered"));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("MySQL stopped: ready turns 503 naming mysql and why, live stays 200; MySQL back: ready is 200 again")
  void mysqlDown(VertxTestContext ctx) {
    mariaDb(false)
        .compose(x -> TestStack.until(HealthTest::ready, r -> r.code() == 503, 30_000))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals("DOWN", r.body().getString("status"), r.body().encode());
            assertEquals("DOWN", r.statuses().get("mysql"), r.body().encode());
            assertTrue(!r.check("mysql").getJsonObject("data").getString("error", "").isBlank(),
                "the failing check says why: " + r.body().encode());
            // the other stores are still up: only MySQL is named
            CHECKS.stream().filter(id -> !id.equals("mysql"))
                .forEach(id -> assertEquals("UP", r.statuses().get(id), id + ": " + r.body().encode()));
          });
          return TestStack.get("/health/live");
        })
        .compose(live -> {
          ctx.verify(() -> assertEquals(200, live.statusCode()));
          return mariaDb(true);
        })
        .compose(x -> TestStack.until(HealthTest::ready, r -> r.code() == 200, 30_000))
        // whatever happened above, leave MySQL running for the other tests
        .eventually(() -> TestStack.engram().mariaDb().running() ? Future.succeededFuture() : mariaDb(true))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals("UP", r.body().getString("status"), r.body().encode());
          ctx.completeNow();
        })));
  }
}
