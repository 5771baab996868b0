package verticles.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The Hazelcast cluster manager of a clustered node: {@code cluster.xml} (config {@code cluster.config}) with its
 * variables filled from config, so one file serves every environment: {@code engram.cluster.name},
 * {@code engram.cluster.members} (comma-separated host or host:port), {@code engram.cluster.port} and
 * {@code engram.cluster.public_address}.
 */
final class ClusterConfig {
  private ClusterConfig() {}

  static HazelcastClusterManager manager(JsonObject cluster) {
    return new HazelcastClusterManager(hazelcast(cluster));
  }

  static Config hazelcast(JsonObject cluster) {
    Path file = Path.of(cluster.getString("config", "cluster.xml"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("cluster.config: no Hazelcast file at " + file.toAbsolutePath());
    }
    Properties vars = new Properties();
    vars.setProperty("engram.cluster.name", cluster.getString("name", "engram"));
    vars.setProperty("engram.cluster.members", cluster.getString("members", "127.0.0.1"));
    vars.setProperty("engram.cluster.port", String.valueOf(cluster.getValue("port", 5701)));
    String publicAddress = cluster.getString("public_address", "");
    vars.setProperty("engram.cluster.public_address", publicAddress);
    Config hz;
    try {
      hz = new XmlConfigBuilder(file.toString()).setProperties(vars).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (publicAddress.isBlank()) {
      hz.getNetworkConfig().setPublicAddress(null); // Hazelcast picks the address it binds
    }
    // Hazelcast logs through SLF4J like the rest, and never calls home.
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    JsonObject extra = cluster.getJsonObject("hazelcast_properties", new JsonObject());
    extra.forEach(e -> hz.setProperty(e.getKey(), String.valueOf(e.getValue())));
    return hz;
  }
}
