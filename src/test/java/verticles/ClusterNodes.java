package verticles;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import verticles.app.Engram;
import verticles.embedded.Ports;

/**
 * A test cluster: Engram nodes with roles, in this JVM or as child JVMs (which a test can kill outright), joined by
 * Hazelcast on 127.0.0.1 and sharing the test JVM's embedded MariaDB and Kafka. Each cluster has its own name,
 * ports, database, topic and consumer group, so clusters of different tests never meet.
 */
final class ClusterNodes implements AutoCloseable {
  private final String name = "engram-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final int basePort;
  private final String database;
  private final String topic;
  private final List<Engram> local = new ArrayList<>();
  private final List<Child> children = new ArrayList<>();
  private JsonObject overrides = new JsonObject();

  ClusterNodes() throws Exception {
    basePort = freeRange(8);
    database = "engram_" + name.substring("engram-test-".length());
    topic = "tasks-" + name;
    // Flyway migrates inside an existing database; the embedded server only made the default one.
    Future.await(TestStack.sql().query("CREATE DATABASE IF NOT EXISTS " + database
        + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").execute());
  }

  /** A port whose next {@code n - 1} are free as well, so this cluster's members never land on another's. */
  private static int freeRange(int n) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = Ports.free();
      boolean free = true;
      for (int p = base + 1; p < base + n && free; p++) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free && base + n < 65_536) {
        return base;
      }
    }
    throw new IllegalStateException("no " + n + " free consecutive ports");
  }

  /** Config merged over every node's, e.g. the extractor's LLM endpoint. */
  ClusterNodes with(JsonObject overrides) {
    this.overrides = overrides;
    return this;
  }

  /** The config of a node with these roles: the test settings, the shared stores, this cluster. */
  JsonObject config(String roles, Path data) {
    JsonObject cfg = TestStack.testConfig(data);
    JsonObject shared = TestStack.engram().config();
    JsonObject mysql = shared.getJsonObject("mysql");
    cfg.getJsonObject("mysql").put("embedded", false).put("host", mysql.getString("host"))
        .put("port", mysql.getInteger("port")).put("user", mysql.getString("user"))
        .put("password", mysql.getString("password")).put("database", database);
    cfg.getJsonObject("kafka").put("embedded", false)
        .put("bootstrap_servers", shared.getJsonObject("kafka").getString("bootstrap_servers"))
        .put("topic", topic).put("dlq_topic", topic + ".dlq").put("group_id", "workers-" + name)
        .put("session_timeout_ms", 6000); // the broker's minimum: a killed worker's partitions move soon
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(basePort + i);
    }
    cfg.getJsonObject("cluster").put("enabled", true).put("roles", roles).put("name", name)
        .put("members", members.toString()).put("port", basePort).put("host", "127.0.0.1")
        .put("hazelcast_properties", new JsonObject()
            .put("hazelcast.local.localAddress", "127.0.0.1")
            .put("hazelcast.wait.seconds.before.join", 1)
            // a killed member is declared dead in seconds, not a minute
            .put("hazelcast.heartbeat.interval.seconds", 1)
            .put("hazelcast.max.no.heartbeat.seconds", 6));
    cfg.mergeIn(overrides.copy(), true);
    return cfg;
  }

  /** Starts a node in this JVM. */
  Engram start(String roles) throws Exception {
    return start(roles, new JsonObject());
  }

  /** Starts a node in this JVM with {@code extra} merged over its config. */
  Engram start(String roles, JsonObject extra) throws Exception {
    Engram e = Engram.start(config(roles, TestStack.scratch("engram-node-")).mergeIn(extra, true));
    local.add(e);
    return e;
  }

  /** Starts a node as a child JVM through {@code Main serve --cluster --roles}, with its data in {@code data}. */
  Child spawn(String roles, Path data) throws Exception {
    Path dir = Files.createDirectories(data);
    Path config = dir.resolve("engram.json");
    JsonObject cfg = config(roles, dir);
    cfg.getJsonObject("cluster").remove("roles"); // given on the command line, as an operator would
    Files.writeString(config, cfg.encodePrettily());
    Path log = TestStack.scratch("engram-child-").resolve("out.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx768m", "-cp", classpath, "verticles.app.Main", "serve",
        "--config", config.toString(), "--cluster", "--roles", roles)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ENGRAM_"));
    Child child = new Child(pb.start(), log);
    children.add(child);
    child.awaitLog("clustered node with roles", 120_000);
    return child;
  }

  @Override
  public void close() {
    children.forEach(Child::kill);
    for (Engram e : local) {
      e.close();
    }
  }

  /** A node in its own JVM. */
  static final class Child {
    final Process process;
    final Path log;

    Child(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    String log() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }

    /** Polls the child's log (its only outward sign) until {@code text} appears; fails if the child dies first. */
    void awaitLog(String text, long timeoutMs) throws Exception {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!log().contains(text)) {
        if (!process.isAlive()) {
          throw new AssertionError("child node exited with " + process.exitValue() + ":\n" + tail());
        }
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("child node never logged '" + text + "':\n" + tail());
        }
        Thread.sleep(200);
      }
    }

    String tail() {
      String l = log();
      return l.substring(Math.max(0, l.length() - 4000));
    }

    /** Destroys the JVM at once, as a crash or kill -9 would: no shutdown hook, no goodbye to the cluster. */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return Future.await(f);
  }
}
