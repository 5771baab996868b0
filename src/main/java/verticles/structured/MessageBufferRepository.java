package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import verticles.contracts.Sessions;
import verticles.contracts.Tasks;

/** The message buffer ({@code POST /v1/messages}) and the cuts that turn a session's messages into a task. */
final class MessageBufferRepository {
  private final Pool pool;
  private final Transactions tx;
  private final TaskRepository tasks;

  MessageBufferRepository(Pool pool, Transactions tx, TaskRepository tasks) {
    this.pool = pool;
    this.tx = tx;
    this.tasks = tasks;
  }

  /**
   * Buffers the messages new to the session (a retried post buffers nothing again); then, in a transaction of its
   * own, cuts a task when the session holds {@code threshold} messages. Two transactions, so that posts to one
   * session do not hold their new rows while they wait for each other's cut (that deadlocked); a node dying between
   * the two leaves the messages buffered, for the next post, the session's end or the idle sweep to cut.
   */
  Future<Sessions.Buffered> bufferMessages(Sessions.Buffer req, int threshold, int maxRetries) {
    String user = req.userId();
    String character = req.characterId();
    String session = req.sessionId();
    String request = UUID.randomUUID().toString();
    return tx.run(c -> AcceptedMessages.accept(c, user, character, session, req.messages(), request, null)
            .compose(split -> {
              List<Tuple> rows = new ArrayList<>();
              for (int i = 0; i < split.fresh().size(); i++) {
                rows.add(Tuple.of(user, character, session, split.fresh().getJsonObject(i).encode()));
              }
              Future<?> insert = rows.isEmpty() ? Future.succeededFuture()
                  : batch(c, MessageBufferQueries.INSERT, rows);
              return insert.compose(x -> run(c, MessageBufferQueries.COUNT_SESSION, Tuple.of(user, character, session)))
                  .map(rs -> new Sessions.Buffered(rs.iterator().next().getLong("n"), null, split.duplicates(),
                      split.fresh().stream().map(m -> ((JsonObject) m).getString("msg_id")).toList()));
            }))
        .compose(buffered -> buffered.buffered() < threshold ? Future.succeededFuture(buffered)
            : tx.run(c -> cut(c, user, character, session, "threshold", threshold, maxRetries))
                .map(task -> task == null ? buffered : new Sessions.Buffered(0, task, buffered.duplicates(),
                    buffered.fresh())));
  }

  /** Cuts a task from a session's buffered messages (session end); null task when nothing was buffered. */
  Future<Sessions.Cut> endSession(String user, String character, String session, String trigger, int maxRetries) {
    return tx.run(conn -> cut(conn, user, character, session, trigger, 1, maxRetries)).map(Sessions.Cut::new);
  }

  /** Sessions with buffered messages and nothing new for {@code idleSeconds}. */
  Future<JsonArray> idleSessions(long idleSeconds, int limit) {
    return run(pool, MessageBufferQueries.IDLE_SESSIONS, Tuple.of(idleSeconds, limit))
        .map(rs -> {
          JsonArray out = new JsonArray();
          rs.forEach(r -> out.add(new JsonObject().put("user_id", r.getString("user_id"))
              .put("character_id", r.getString("character_id")).put("session_id", r.getString("session_id"))));
          return out;
        });
  }

  /** A task of the session's buffered messages, if it holds at least {@code least} (>= 1) when locked; else null. */
  private Future<Tasks.Work> cut(SqlClient c, String user, String character, String session, String trigger,
      int least, int maxRetries) {
    return run(c, MessageBufferQueries.LOCK_SESSION, Tuple.of(user, character, session))
        .compose(rs -> {
          if (rs.size() < least) {
            return Future.succeededFuture((Tasks.Work) null);
          }
          JsonArray messages = new JsonArray();
          long maxId = 0;
          for (Row r : rs) {
            messages.add(new JsonObject(r.getValue("message").toString()));
            maxId = Math.max(maxId, r.getLong("id"));
          }
          long last = maxId;
          return tasks.createTask(c, user, character, session, trigger, messages, maxRetries)
              .compose(task -> run(c, MessageBufferQueries.DELETE_CUT, Tuple.of(user, character, session, last))
                  .map(x -> task));
        });
  }
}
