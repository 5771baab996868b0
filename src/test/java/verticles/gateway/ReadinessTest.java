package verticles.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Addresses;

/** The readiness procedures against a bare event bus: which store is DOWN, and why, without the real stack. */
@ExtendWith(VertxExtension.class)
@DisplayName("Readiness names each store that is missing, silent or failing")
class ReadinessTest {
  static final List<String> ADDRESSES = List.of(Addresses.HEALTH_MYSQL, Addresses.HEALTH_KAFKA,
      Addresses.HEALTH_INDEX, Addresses.HEALTH_EMBEDDING, Addresses.HEALTH_ARCHIVE);

  static JsonObject config() {
    return new JsonObject().put("health", new JsonObject().put("timeout_ms", 200));
  }

  /** check id → the check's result */
  static Map<String, CheckResult> byId(CheckResult r) {
    Map<String, CheckResult> out = new TreeMap<>();
    r.getChecks().forEach(c -> out.put(c.getId(), c));
    return out;
  }

  @Test
  @DisplayName("With no verticle serving the stores, each store check is DOWN with 'no node serves' its address")
  void noHandlers(Vertx vertx, VertxTestContext ctx) {
    Readiness.create(vertx, config()).checkStatus().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertFalse(r.getUp());
      Map<String, CheckResult> checks = byId(r);
      assertEquals(List.of("cluster", "embedding", "index", "kafka", "mysql", "object_storage"),
          List.copyOf(checks.keySet()));
      assertEquals("no node serves " + Addresses.HEALTH_MYSQL,
          checks.get("mysql").getData().getString("error"));
      assertTrue(checks.get("cluster").getUp(), "a single node has no cluster to lose");
      checks.forEach((id, c) -> assertEquals(id.equals("cluster"), c.getUp(), id));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("A store silent past health.timeout_ms, or failing, is DOWN with that reason; the rest stay UP")
  void silentAndFailing(Vertx vertx, VertxTestContext ctx) {
    for (String address : ADDRESSES) {
      vertx.eventBus().<JsonObject>consumer(address, msg -> {
        if (address.equals(Addresses.HEALTH_MYSQL)) {
          msg.fail(503, "Connection refused: /127.0.0.1:3306");
        } else if (!address.equals(Addresses.HEALTH_INDEX)) { // the index never answers
          msg.reply(new JsonObject().put("ok", true));
        }
      });
    }
    Readiness.create(vertx, config()).checkStatus().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertFalse(r.getUp());
      Map<String, CheckResult> checks = byId(r);
      assertEquals("Connection refused: /127.0.0.1:3306", checks.get("mysql").getData().getString("error"));
      assertEquals("no answer from " + Addresses.HEALTH_INDEX + " within 200 ms",
          checks.get("index").getData().getString("error"));
      for (String id : List.of("kafka", "embedding", "object_storage", "cluster")) {
        assertTrue(checks.get(id).getUp(), id);
      }
      ctx.completeNow();
    })));
  }
}
