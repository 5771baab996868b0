package verticles.structured;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** MySQL (or MariaDB) access: the reactive pool for the verticles, Flyway over JDBC for migrations. */
public final class Mysql {
  private static final Logger LOG = LoggerFactory.getLogger(Mysql.class);

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
      Flyway flyway = Flyway.configure()
          .dataSource(url, cfg.getString("user"), cfg.getString("password", ""))
          .locations("classpath:db/migration")
          .load();
      int applied = flyway.migrate().migrationsExecuted;
      LOG.info("Schema migrations applied: {}", applied);
      return applied;
    });
  }
}
