package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** MySQL (or MariaDB) access: the reactive pool for the verticles, Flyway over JDBC for migrations. */
public final class Mysql {
  private static final Logger LOG = LoggerFactory.getLogger(Mysql.class);

  /** Binary NO PAD collations for id columns, the preferred first. */
  public static final List<String> ID_COLLATIONS = List.of("utf8mb4_nopad_bin", "utf8mb4_0900_bin");

  private Mysql() {}

  /** {@code cfg} is the "mysql" section with host and port resolved. */
  public static Pool pool(Vertx vertx, JsonObject cfg) {
    MySQLConnectOptions connect = new MySQLConnectOptions()
        .setHost(cfg.getString("host"))
        .setPort(cfg.getInteger("port"))
        .setDatabase(cfg.getString("database"))
        .setUser(cfg.getString("user"))
        .setPassword(cfg.getString("password", ""))
        .setCharset("utf8mb4")
        .setCollation("utf8mb4_unicode_ci")
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        .setReconnectAttempts(0);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(cfg.getInteger("pool_size", 8))
        .setMaxWaitQueueSize(cfg.getInteger("max_wait_queue", 256))
        .setConnectionTimeout(cfg.getInteger("pool_wait_ms", 2000))
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setName("engram-mysql")
        .setShared(true);
    NetClientOptions net = new NetClientOptions().setConnectTimeout(cfg.getInteger("connect_timeout_ms", 2000));
    return MySQLBuilder.pool().with(pool).with(net).connectingTo(connect).using(vertx)
        // all times are UTC, whatever the server's zone
        .withConnectHandler(conn -> conn.query("SET time_zone = '+00:00'").execute().eventually(conn::close))
        .build();
  }

  /** Applies the Flyway migrations on a worker thread (JDBC blocks). */
  public static Future<Integer> migrate(Vertx vertx, JsonObject cfg) {
    return vertx.executeBlocking(() -> {
      String url = "jdbc:mariadb://" + cfg.getString("host") + ":" + cfg.getInteger("port") + "/"
          + cfg.getString("database") + "?connectTimeout=5000";
      FluentConfiguration config = Flyway.configure()
          .dataSource(url, cfg.getString("user"), cfg.getString("password", ""))
          .locations("classpath:db/migration");
      Flyway flyway = config.placeholders(Map.of("id_collation", idCollation(config.getDataSource()))).load();
      int applied = flyway.migrate().migrationsExecuted;
      LOG.info("Schema migrations applied: {}", applied);
      return applied;
    });
  }

  /**
   * The collation of id columns (V6): binary and NO PAD, so ids compare byte for byte, trailing spaces included.
   * MariaDB calls it utf8mb4_nopad_bin, MySQL 8.0.17+ utf8mb4_0900_bin; a server with neither cannot keep ids apart.
   */
  static String idCollation(DataSource db) throws SQLException {
    Set<String> present = new HashSet<>();
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT COLLATION_NAME FROM information_schema.COLLATIONS"
             + " WHERE COLLATION_NAME IN ('" + String.join("', '", ID_COLLATIONS) + "')")) {
      while (rs.next()) {
        present.add(rs.getString(1));
      }
    }
    return ID_COLLATIONS.stream().filter(present::contains).findFirst().orElseThrow(() -> new IllegalStateException(
        "The database server has no binary NO PAD collation for ids (one of " + ID_COLLATIONS
            + "): MariaDB 10.2+ or MySQL 8.0.17+ is needed"));
  }
}
