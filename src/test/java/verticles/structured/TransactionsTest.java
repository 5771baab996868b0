package verticles.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.TestStack;

@ExtendWith(VertxExtension.class)
@DisplayName("MySQL writes run again, as a whole, when InnoDB picks them as a deadlock victim")
class TransactionsTest {
  private static final String UPDATE = "UPDATE user_profiles SET profile_value = ? WHERE id = ?";

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  /** Two profile rows of a fresh user; returns their ids. */
  private static Future<List<Long>> twoRows(Pool sql, String user) {
    String insert = "INSERT INTO user_profiles (user_id, character_id, profile_type, profile_key, profile_value,"
        + " extracted_at) VALUES (?, 'c1', 'basic_info', ?, 'x', UTC_TIMESTAMP())";
    return sql.preparedQuery(insert).executeBatch(List.of(Tuple.of(user, "name"), Tuple.of(user, "birthday")))
        .compose(x -> sql.preparedQuery("SELECT id FROM user_profiles WHERE user_id = ? ORDER BY id")
            .execute(Tuple.of(user)))
        .map(rs -> {
          List<Long> ids = new java.util.ArrayList<>();
          for (Row r : rs) {
            ids.add(r.getLong("id"));
          }
          return ids;
        });
  }

  @Test
  @DisplayName("Two transactions that lock two rows in opposite orders (batch statements, whose errors the client "
      + "wraps) both commit: the victim runs again, and the retry is counted")
  void deadlockVictimRunsAgain(VertxTestContext ctx) {
    Pool sql = TestStack.sql();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Transactions tx = new Transactions(TestStack.vertx(), sql, registry);
    String user = "default:u-tx-" + UUID.randomUUID();
    Promise<Void> aHolds = Promise.promise();
    Promise<Void> bHolds = Promise.promise();
    AtomicInteger attempts = new AtomicInteger();
    twoRows(sql, user).compose(ids -> {
      long first = ids.get(0);
      long second = ids.get(1);
      // A: first, then second; B: second, then first. Each waits until the other holds its first row, so they meet.
      Future<String> a = tx.run(c -> {
        attempts.incrementAndGet();
        return c.preparedQuery(UPDATE).executeBatch(List.of(Tuple.of("a", first)))
            .compose(x -> {
              aHolds.tryComplete();
              return bHolds.future();
            })
            .compose(x -> c.preparedQuery(UPDATE).executeBatch(List.of(Tuple.of("a", second))))
            .map("a");
      });
      Future<String> b = tx.run(c -> {
        attempts.incrementAndGet();
        return c.preparedQuery(UPDATE).executeBatch(List.of(Tuple.of("b", second)))
            .compose(x -> {
              bHolds.tryComplete();
              return aHolds.future();
            })
            .compose(x -> c.preparedQuery(UPDATE).executeBatch(List.of(Tuple.of("b", first))))
            .map("b");
      });
      return Future.all(a, b);
    })
        .compose(x -> sql.preparedQuery("SELECT profile_value FROM user_profiles WHERE user_id = ?")
            .execute(Tuple.of(user)))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertEquals(3, attempts.get(), "the victim ran twice, the other once");
          String winner = rs.iterator().next().getString("profile_value");
          for (Row r : rs) {
            assertEquals(winner, r.getString("profile_value"), "each transaction wrote both rows or none");
          }
          assertEquals(1.0, registry.get("engram_mysql_lock_retries").tag("error", "deadlock").counter().count());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A failure that is no lock conflict is not run again")
  void otherFailuresFailAtOnce(VertxTestContext ctx) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Transactions tx = new Transactions(TestStack.vertx(), TestStack.sql(), registry);
    AtomicInteger attempts = new AtomicInteger();
    tx.run(c -> {
      attempts.incrementAndGet();
      return c.query("SELECT * FROM no_such_table").execute();
    }).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(1, attempts.get());
      assertEquals(0, Transactions.lockConflict(e));
      assertEquals(0.0, registry.get("engram_mysql_lock_retries").tag("error", "deadlock").counter().count());
      ctx.completeNow();
    })));
  }
}
