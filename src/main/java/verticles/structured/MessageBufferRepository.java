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
import verticles.contracts.Sessions;
import verticles.contracts.Tasks;

/** The message buffer ({@code POST /v1/messages}) and the cuts that turn a session's messages into a task. */
final class MessageBufferRepository {
  private final Pool pool;
  private final TaskRepository tasks;

  MessageBufferRepository(Pool pool, TaskRepository tasks) {
    this.pool = pool;
    this.tasks = tasks;
  }

  /** Buffers messages; cuts a task when the session reaches {@code threshold}. */
  Future<Sessions.Buffered> bufferMessages(Sessions.Buffer req, int threshold, int maxRetries) {
    String user = req.userId();
    String character = req.characterId();
    String session = req.sessionId();
    JsonArray messages = req.messages();
    return pool.withTransaction(c -> {
      List<Tuple> rows = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        rows.add(Tuple.of(user, character, session, messages.getJsonObject(i).encode()));
      }
      return batch(c, MessageBufferQueries.INSERT, rows)
          .compose(x -> run(c, MessageBufferQueries.COUNT_SESSION, Tuple.of(user, character, session)))
          .compose(rs -> {
            long n = rs.iterator().next().getLong("n");
            if (n < threshold) {
              return Future.succeededFuture(new Sessions.Buffered(n, null));
            }
            return cut(c, user, character, session, "threshold", maxRetries)
                .map(task -> new Sessions.Buffered(0, task));
          });
    });
  }

  /** Cuts a task from a session's buffered messages (session end); null task when nothing was buffered. */
  Future<Sessions.Cut> endSession(String user, String character, String session, String trigger, int maxRetries) {
    return pool.withTransaction(conn -> cut(conn, user, character, session, trigger, maxRetries))
        .map(Sessions.Cut::new);
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

  private Future<Tasks.Work> cut(SqlClient c, String user, String character, String session, String trigger,
      int maxRetries) {
    return run(c, MessageBufferQueries.LOCK_SESSION, Tuple.of(user, character, session))
        .compose(rs -> {
          if (rs.size() == 0) {
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
