package verticles.structured;

import static verticles.structured.Sql.millis;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import verticles.contracts.Forget;

/** Forgetting a user: the tombstone, the deletes in resumable order, and the check every write path makes. */
final class ForgetRepository {
  /** The actor of a forget's change event: the operators' forget carries no key name. */
  static final String FORGET_ACTOR = "system";
  private final Transactions tx;

  ForgetRepository(Transactions tx) {
    this.tx = tx;
  }

  /**
   * Writes the owner's tombstone, or moves it to now (a repeated forget); returns its time in epoch milliseconds.
   * Nothing is deleted before it exists, so a forget cut short anywhere still blocks every later write.
   */
  Future<Long> tombstone(String user, String character) {
    return tx.run(c -> run(c, ForgetQueries.TOMBSTONE, Tuple.of(user, character))
        .compose(x -> run(c, ForgetQueries.TOMBSTONE_AT, Tuple.of(user, character == null ? "" : character)))
        .map(rs -> millis(rs.iterator().next().getLocalDateTime("forgotten_at"))));
  }

  /**
   * Deletes the owner's tasks (any status), buffered messages and accepted message ids (after a forget, a session
   * sent again is new); returns how many tasks and buffered messages.
   */
  Future<Forget.TasksDeleted> forgetTasks(String user, String character) {
    return delete("memory_generation_tasks", user, character)
        .compose(tasks -> delete("buffered_messages", user, character)
            .compose(buffered -> delete("accepted_messages", user, character)
                .map(x -> new Forget.TasksDeleted(tasks, buffered))));
  }

  /** Deletes the owner's rows of one table, in a transaction of its own; returns how many. */
  private Future<Integer> delete(String table, String user, String character) {
    return tx.run(c -> run(c, ForgetQueries.deleteOwned(table, character != null), Sql.ownerArgs(user, character)))
        .map(RowSet::rowCount);
  }

  /**
   * Deletes the owner's profiles, events, summaries, conflict reports, memories and their versions, entities (V14) (writing the owner's {@code forget}
   * change event with the memories' delete: a forget cut short before it writes none, and asking again writes it),
   * the webhooks' dead letters of the owner, the access counts of their memories, and once more any task or buffered
   * message that arrived during the forget; returns how many of each.
   */
  Future<Forget.RowsDeleted> forgetRows(String user, String character) {
    long[] deleted = new long[5]; // profiles, events, summaries, memories, versions
    return delete("user_profiles", user, character)
        .compose(n -> {
          deleted[0] = n;
          return delete("user_events", user, character);
        })
        .compose(n -> {
          deleted[1] = n;
          return delete("conversation_summaries", user, character);
        })
        .compose(n -> {
          deleted[2] = n;
          return delete("memory_conflicts", user, character); // the reports quote the memories
        })
        .compose(n -> {
          // how often recall returned their memories, found through the memories (a forget resumed after their
          // delete leaves these rows to the forgetting sweep's prune of orphans)
          return tx.run(c -> run(c, ForgetQueries.deleteAccesses(character != null), Sql.ownerArgs(user, character)));
        })
        .compose(x -> {
          // the memories and every version of them; the owner's one forget event commits with the memories' delete
          return delete("memory_versions", user, character);
        })
        .compose(n -> {
          deleted[4] = n;
          return tx.run(c -> run(c, ForgetQueries.deleteOwned("memories", character != null),
              Sql.ownerArgs(user, character))
              .compose(rs -> ChangeRepository.forget(c, user, character, FORGET_ACTOR).map(rs.rowCount())));
        })
        .compose(n -> {
          deleted[3] = n;
          return delete("webhook_dead_letters", user, character)
              .compose(x -> delete("memory_transaction_ops", user, character)) // what transactions staged for them
              .compose(x -> delete("memory_judged", user, character)) // the forgetting sweep's levels
              .compose(x -> forgetEntities(user, character));
        })
        .compose(n -> forgetTasks(user, character))
        .map(late -> new Forget.RowsDeleted(deleted[0], deleted[1], deleted[2], deleted[3], deleted[4], late.tasks(),
            late.bufferedMessages()));
  }

  /** The owner's entities, their aliases, states, relations and events (their memories go with the memories). */
  private Future<Integer> forgetEntities(String user, String character) {
    Future<Integer> done = Future.succeededFuture(0);
    for (String table : EntityQueries.FORGET_TABLES) {
      done = done.compose(x -> delete(table, user, character));
    }
    return done;
  }

  /**
   * Whether a write for this owner must be refused: the owner (or this character of theirs) was forgotten, and what
   * is written was created no later than that: the task's row is gone (the forget deleted it) or was created then or
   * before; without a task, {@code createdAtMs} (default now) is the creation time. Both times are in milliseconds.
   */
  Future<Boolean> forgotten(SqlClient c, String taskId, String user, String character, Long createdAtMs) {
    if (taskId == null && user == null) {
      return Future.succeededFuture(false);
    }
    Future<RowSet<Row>> task = taskId == null ? Future.succeededFuture(null)
        : run(c, ForgetQueries.TASK_OWNER, Tuple.of(taskId));
    return task.compose(rs -> {
      Row row = rs == null || rs.size() == 0 ? null : rs.iterator().next();
      String u = row != null ? row.getString("user_id") : user;
      String ch = row != null ? row.getString("character_id") : character;
      if (u == null) {
        return Future.succeededFuture(false); // an unknown task of an unknown owner: nothing to compare with
      }
      return run(c, ForgetQueries.TOMBSTONES, Tuple.of(u))
          .map(tombstones -> {
            LocalDateTime at = latest(tombstones, ch);
            if (at == null) {
              return false;
            }
            if (row != null) {
              return !row.getLocalDateTime("created_at").isAfter(at);
            }
            // no row: a task the forget deleted, or a write without a task (an import), created at createdAtMs
            return taskId != null || (createdAtMs == null ? System.currentTimeMillis() : createdAtMs) <= millis(at);
          });
    });
  }

  /** The latest tombstone covering {@code character}: one for it, or one for all the user's characters. */
  static LocalDateTime latest(RowSet<Row> tombstones, String character) {
    LocalDateTime latest = null;
    for (Row t : tombstones) {
      String scope = t.getString("character_id");
      if (scope == null || scope.equals(character)) {
        LocalDateTime at = t.getLocalDateTime("forgotten_at");
        latest = latest == null || at.isAfter(latest) ? at : latest;
      }
    }
    return latest;
  }
}
