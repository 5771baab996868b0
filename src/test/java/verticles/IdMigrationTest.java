package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.structured.Mysql;

/**
 * V6 on a database that already holds rows (migrated to V5 in a database of its own on the shared MariaDB): every
 * row is kept as it was, and afterwards ids that the old collation took for one are apart, keys included.
 */
@DisplayName("Binary id columns by migration")
class IdMigrationTest {
  private static final List<String> TABLES = List.of("user_profiles", "user_events", "conversation_summaries",
      "memory_generation_tasks", "buffered_messages", "forgotten_users");

  @Test
  @DisplayName("V6 keeps every row of a V5 database, and then BOB1 and 'bob1 ' are not bob1, in keys too")
  void keepsRowsAndSeparatesIds() throws Exception {
    JsonObject mysql = TestStack.engram().config().getJsonObject("mysql");
    String db = "engram_v5_" + UUID.randomUUID().toString().substring(0, 8);
    String server = "jdbc:mariadb://" + mysql.getString("host") + ":" + mysql.getInteger("port") + "/";
    String user = mysql.getString("user");
    String password = mysql.getString("password", "");
    try (Connection c = DriverManager.getConnection(server, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    try (Connection c = DriverManager.getConnection(server + db, user, password); Statement s = c.createStatement()) {
      Flyway.configure().dataSource(server + db, user, password).locations("classpath:db/migration").target("5")
          .load().migrate();
      s.execute("INSERT INTO user_profiles (user_id, character_id, profile_type, profile_key, profile_value,"
          + " source_msg_id, extracted_at) VALUES ('default:bob1', 'c1', 'basic_info', 'name', '林小雨', 'm1', NOW())");
      s.execute("INSERT INTO user_events (user_id, character_id, event_type, event_title, event_summary, vector_id,"
          + " task_id, session_id) VALUES ('default:bob1', 'c1', 'interview', '面试', '下周三面试', 'v1', 't1', 's1')");
      s.execute("INSERT INTO conversation_summaries (user_id, character_id, summary_text, start_time, end_time,"
          + " message_count, vector_id, archive_path, task_id, session_id) VALUES ('default:bob1', 'c1', '聊了面试',"
          + " NOW(), NOW(), 2, 'v2', 'conversations/default:bob1/c1/s1.json', 't1', 's1')");
      s.execute("INSERT INTO memory_generation_tasks (task_id, user_id, character_id, task_type, source_data,"
          + " session_id) VALUES ('t1', 'default:bob1', 'c1', 'full', '[]', 's1')");
      s.execute("INSERT INTO buffered_messages (user_id, character_id, session_id, message)"
          + " VALUES ('default:bob1', 'c1', 's2', '{}')");
      s.execute("INSERT INTO forgotten_users (user_id, character_id, forgotten_at)"
          + " VALUES ('default:gone', NULL, NOW(3)), ('default:gone', 'c1', NOW(3))");
      List<String> before = dump(s);

      int applied = Future.await(Mysql.migrate(TestStack.vertx(), mysql.copy().put("database", db)));
      assertTrue(applied >= 1, "V6 and the migrations after it: " + applied);

      assertEquals(before, dump(s), "every row as it was");
      assertEquals(0, count(s, "user_profiles WHERE user_id = 'default:BOB1' OR user_id = 'default:bob1 '"));
      assertEquals(1, count(s, "user_profiles WHERE user_id = 'default:bob1'"));
      assertEquals(0, count(s, "memory_generation_tasks WHERE task_id = 'T1'"));
      assertEquals(0, count(s, "forgotten_users WHERE user_id = 'default:GONE' OR character_key = 'C1'"));
      // the unique keys hold exactly: a look-alike is a row of its own, the same id still collides
      s.execute("INSERT INTO user_profiles (user_id, character_id, profile_type, profile_key, profile_value,"
          + " extracted_at) VALUES ('default:BOB1', 'c1', 'basic_info', 'name', '王大海', NOW())");
      s.execute("INSERT INTO forgotten_users (user_id, character_id, forgotten_at) VALUES ('default:gone ', NULL, NOW(3))");
      assertThrows(SQLIntegrityConstraintViolationException.class, () -> s.execute("INSERT INTO forgotten_users"
          + " (user_id, character_id, forgotten_at) VALUES ('default:gone', NULL, NOW(3))"));
      assertThrows(SQLIntegrityConstraintViolationException.class, () -> s.execute("INSERT INTO"
          + " memory_generation_tasks (task_id, user_id, character_id, task_type, source_data)"
          + " VALUES ('t1', 'default:x', 'c1', 'full', '[]')"));
      assertEquals(1, count(s, "memory_generation_tasks WHERE task_id = 't1'"));
    } finally {
      try (Connection c = DriverManager.getConnection(server, user, password); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE `" + db + "`");
      }
    }
  }

  /** Every row of every table as text, in id order (the tombstones with their generated scope key). */
  private static List<String> dump(Statement s) throws SQLException {
    List<String> rows = new ArrayList<>();
    for (String table : TABLES) {
      try (ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, String> row = new TreeMap<>(); // by name: character_key moved to the end of its row
          for (int i = 1; i <= columns; i++) {
            row.put(rs.getMetaData().getColumnName(i), rs.getString(i));
          }
          rows.add(table + " " + row);
        }
      }
    }
    return rows;
  }

  private static long count(Statement s, String fromWhere) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + fromWhere)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
