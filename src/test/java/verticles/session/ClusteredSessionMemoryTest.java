package verticles.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.embedded.Ports;

/**
 * The embedded store on a cluster of two nodes (Hazelcast, as {@code cluster.xml} configures it): what one node
 * writes the other reads, and both nodes appending to one session at once lose no turn.
 */
@DisplayName("The embedded session store is shared by the nodes of a cluster")
class ClusteredSessionMemoryTest {

  private static final java.util.Map<Vertx, HazelcastClusterManager> MANAGERS = new java.util.HashMap<>();

  private static Vertx member(String cluster, int port, String members) throws Exception {
    Properties vars = new Properties();
    vars.setProperty("engram.cluster.name", cluster);
    vars.setProperty("engram.cluster.members", members);
    vars.setProperty("engram.cluster.port", Integer.toString(port));
    vars.setProperty("engram.cluster.public_address", "");
    Config hz = new XmlConfigBuilder("cluster.xml").setProperties(vars).build();
    hz.getNetworkConfig().setPublicAddress(null).setPortAutoIncrement(false);
    hz.getNetworkConfig().getRestApiConfig().setEnabled(false);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    HazelcastClusterManager manager = new HazelcastClusterManager(hz);
    Vertx vertx = Future.await(Vertx.builder().with(options).withClusterManager(manager).buildClustered());
    MANAGERS.put(vertx, manager);
    return vertx;
  }

  @Test
  @DisplayName("a context set on one node is read on the other; concurrent PATCHes through both nodes lose no turn;"
      + " each update sets the entry's TTL")
  void sharedAcrossNodes() throws Exception {
    String cluster = "engram-session-test-" + UUID.randomUUID();
    int portA = Ports.free();
    int portB = Ports.free();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    JsonObject cfg = new JsonObject().put("store", "embedded").put("max_turns", 100).put("ttl_seconds", 3600);
    try (SessionNode a = SessionNode.start(cfg, member(cluster, portA, members));
        SessionNode b = SessionNode.start(cfg, member(cluster, portB, members))) {
      String user = "u-cluster-" + UUID.randomUUID();
      JsonObject owner = new JsonObject().put("user_id", user).put("character_id", "c1");
      String path = "/v1/sessions/s-cluster/context";
      String query = "?user_id=" + user + "&character_id=c1";
      assertEquals(200, Future.await(a.client.put(path).sendJsonObject(owner.copy().put("current_location", "北京")))
          .statusCode());
      HttpResponse<Buffer> read = Future.await(b.client.get(path + query).send());
      assertEquals(200, read.statusCode(), read.bodyAsString());
      assertEquals("北京", read.bodyAsJsonObject().getString("current_location"));

      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        SessionNode via = i % 2 == 0 ? a : b;
        sent.add(via.client.patch(path).sendJsonObject(owner.copy().put("turns", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "turn " + i)))));
      }
      Future.await(Future.all(new ArrayList<>(sent)));
      for (Future<HttpResponse<Buffer>> f : sent) {
        assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
      }
      for (SessionNode node : List.of(a, b)) {
        JsonObject got = Future.await(node.client.get(path + query).send()).bodyAsJsonObject();
        Set<Object> turns = new HashSet<>();
        got.getJsonArray("turns").forEach(t -> turns.add(((JsonObject) t).getString("content")));
        assertEquals(40, turns.size(), got.encode());
        assertEquals(40, got.getLong("turns_total"));
        assertTrue(turns.contains("turn 0") && turns.contains("turn 39"), got.encode());
      }
      com.hazelcast.core.EntryView<Object, Object> entry = MANAGERS.get(b.vertx).getHazelcastInstance()
          .getMap(EmbeddedSessionStore.MAP).getEntryView("engram:session:" + new JsonArray().add("default:" + user)
              .add("c1").add("s-cluster").encode());
      assertEquals(3_600_000L, entry.getTtl(), "the TTL of session_memory.ttl_seconds");
      assertTrue(entry.getExpirationTime() > System.currentTimeMillis() + 3_500_000L, entry.toString());
      assertEquals(1L, SessionStoresTest.forget(a, new JsonObject().put("user_id", "default:" + user)));
      assertEquals(404, Future.await(b.client.get(path + query).send()).statusCode());
    }
  }
}
