package verticles.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.RestEndpointGroup;
import com.hazelcast.config.XmlConfigBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reads the repository's cluster.xml as the clustered node does; never starts a Hazelcast instance. */
@DisplayName("cluster.xml")
class ClusterXmlTest {
  private static final Path CLUSTER_XML = Path.of("cluster.xml");

  private static Config load(String name, String members, String port, String publicAddress) throws IOException {
    Properties p = new Properties();
    p.setProperty("engram.cluster.name", name);
    p.setProperty("engram.cluster.members", members);
    p.setProperty("engram.cluster.port", port);
    p.setProperty("engram.cluster.public_address", publicAddress);
    try (InputStream in = Files.newInputStream(CLUSTER_XML)) {
      return new XmlConfigBuilder(in).setProperties(p).build();
    }
  }

  @Test
  @DisplayName("the cluster name, members, port and public address come from the engram.cluster variables")
  void variablesAreSubstituted() throws IOException {
    Config c = load("engram-staging", "10.0.0.1, engram-2:5702,engram-3", "5801", "203.0.113.7");
    NetworkConfig net = c.getNetworkConfig();
    assertEquals("engram-staging", c.getClusterName());
    assertEquals(List.of("10.0.0.1", "engram-2:5702", "engram-3"), net.getJoin().getTcpIpConfig().getMembers());
    assertEquals(5801, net.getPort());
    assertTrue(net.isPortAutoIncrement(), "the port auto-increments when taken");
    assertEquals("203.0.113.7", net.getPublicAddress());
  }

  @Test
  @DisplayName("members join over TCP-IP only: multicast and auto-detection are off")
  void tcpIpOnly() throws IOException {
    JoinConfig join = load("engram", "127.0.0.1", "5701", "").getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled(), "TCP-IP join");
    assertFalse(join.getMulticastConfig().isEnabled(), "multicast");
    assertFalse(join.getAutoDetectionConfig().isEnabled(), "auto-detection");
    assertFalse(join.getKubernetesConfig().isEnabled(), "kubernetes");
  }

  @Test
  @DisplayName("every map and multimap Vert.x keeps its cluster state in is configured with at least one backup")
  void vertxStateSurvivesOneMemberLoss() throws IOException {
    Config c = load("engram", "127.0.0.1", "5701", "");
    // getMapConfig() would make up a default for a missing name, so look for the explicit entries
    for (String map : List.of("__vertx.haInfo", "__vertx.nodeInfo", "__vertx.map.lock", "__vertx.map.counter")) {
      assertTrue(c.getMapConfigs().containsKey(map), map + " is configured");
      assertTrue(c.getMapConfigs().get(map).getBackupCount() >= 1, map + " has a backup");
    }
    MultiMapConfig subs = c.getMultiMapConfigs().get("__vertx.subs");
    assertTrue(subs != null, "__vertx.subs is configured");
    assertTrue(subs.getBackupCount() >= 1, "__vertx.subs has a backup");
    assertEquals(MultiMapConfig.ValueCollectionType.SET, subs.getValueCollectionType());
  }

  @Test
  @DisplayName("Hazelcast's REST API answers health checks and nothing else")
  void onlyHealthChecksOverRest() throws IOException {
    var rest = load("engram", "127.0.0.1", "5701", "").getNetworkConfig().getRestApiConfig();
    assertTrue(rest.isEnabled());
    assertEquals(java.util.Set.of(RestEndpointGroup.HEALTH_CHECK), rest.getEnabledGroups());
  }

  @Test
  @DisplayName("an empty public address reaches the config blank, so the loader must drop it before Hazelcast starts")
  void emptyPublicAddressIsBlank() throws IOException {
    // Hazelcast takes "" literally and advertises the loopback address; the clustered node's loader has to set
    // a blank public address to null so that Hazelcast picks one.
    String publicAddress = load("engram", "127.0.0.1", "5701", "").getNetworkConfig().getPublicAddress();
    assertTrue(publicAddress == null || publicAddress.isBlank(), "blank, was '" + publicAddress + "'");
  }
}
