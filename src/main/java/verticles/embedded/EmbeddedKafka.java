package verticles.embedded;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft mode inside this JVM, logs under {@code dir}. It keeps its ports across
 * stop/start so clients reconnect to the same address (tests stop and restart it mid-stream).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Path dir;
  private final int brokerPort;
  private final int controllerPort;
  private KafkaRaftServer server;
  private DirLock lock;

  public EmbeddedKafka(Path dir, int brokerPort) {
    this.dir = dir;
    this.brokerPort = brokerPort == 0 ? Ports.free() : brokerPort;
    this.controllerPort = Ports.free();
  }

  public synchronized void start() throws Exception {
    lock = DirLock.take(dir, "Kafka data"); // before the controller writes to the metadata log
    Path logs = dir.resolve("logs");
    Properties props = properties(logs);
    Path cfgFile = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(cfgFile)) {
      props.store(out, "Engram embedded Kafka (rewritten at each start)");
    }
    if (!Files.exists(logs.resolve("meta.properties"))) {
      String clusterId = Uuid.randomUuid().toString();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      // execute, not main: main calls System.exit
      int rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", cfgFile.toString(),
          "--ignore-formatted"}, new PrintStream(buf, true, StandardCharsets.UTF_8));
      if (rc != 0) {
        throw new IllegalStateException("kafka storage format failed: " + buf.toString(StandardCharsets.UTF_8));
      }
    }
    server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
    server.startup();
    LOG.info("Embedded Kafka (KRaft) listening on {} (logs in {})", bootstrapServers(), logs);
  }

  private Properties properties(Path logs) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logs.toString());
    p.put("num.partitions", "4");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "true");
    p.put("log.flush.interval.messages", "1"); // durability over throughput: one node, no replicas
    return p;
  }

  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
      LOG.info("Embedded Kafka stopped");
    }
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }

  public boolean running() {
    return server != null;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  @Override
  public void close() {
    stop();
  }
}
