package verticles.structured;

import static verticles.structured.Sql.batch;
import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which messages of a post are new to their session ({@code accepted_messages}): what makes session and buffered
 * posts idempotent by (user, character, session, msg id). Runs inside the caller's transaction, so the messages are
 * accepted exactly when their task or buffer rows are written.
 */
final class AcceptedMessages {
  private AcceptedMessages() {}

  /**
   * A post's messages split by what the session knew.
   *
   * @param fresh the messages new to the session, in the post's order (a message without a msg_id is always new)
   * @param duplicates how many were accepted before (or repeat an earlier message of the same post)
   * @param knownTask the newest task holding one of the known messages; null if none (or they were buffered)
   */
  record Split(JsonArray fresh, int duplicates, String knownTask) {}

  /**
   * Records the msg ids of {@code messages} as accepted by {@code acceptedBy} (a request id; for a session post its
   * task id, also given as {@code taskId}) unless the session accepted them before, and splits the messages. Ids
   * are inserted in one order, so two posts sharing ids wait for each other instead of deadlocking; a post that
   * shares ids with one still running waits for it and then finds them taken (or free, if it rolled back).
   */
  static Future<Split> accept(SqlClient c, String user, String character, String session, JsonArray messages,
      String acceptedBy, String taskId) {
    TreeSet<String> ids = new TreeSet<>();
    for (int i = 0; i < messages.size(); i++) {
      String id = msgId(messages.getJsonObject(i));
      if (id != null) {
        ids.add(id);
      }
    }
    if (ids.isEmpty()) {
      return Future.succeededFuture(new Split(messages, 0, null));
    }
    List<Tuple> rows = new ArrayList<>(ids.size());
    for (String id : ids) {
      rows.add(Tuple.of(user, character, session, id, acceptedBy, taskId));
    }
    List<Object> args = new ArrayList<>(List.of(user, character, session));
    args.addAll(ids);
    return batch(c, AcceptedMessageQueries.ACCEPT, rows)
        .compose(x -> run(c, AcceptedMessageQueries.whoAccepted(ids.size()), Tuple.from(args)))
        .map(rs -> {
          Set<String> ours = new HashSet<>();
          long newest = -1;
          String knownTask = null;
          for (Row r : rs) {
            if (acceptedBy.equals(r.getString("accepted_by"))) {
              ours.add(r.getString("msg_id"));
            } else if (r.getString("task_id") != null && r.getLong("id") > newest) {
              newest = r.getLong("id");
              knownTask = r.getString("task_id");
            }
          }
          JsonArray fresh = new JsonArray();
          Set<String> taken = new HashSet<>();
          for (int i = 0; i < messages.size(); i++) {
            JsonObject m = messages.getJsonObject(i);
            String id = msgId(m);
            if (id == null || (ours.contains(id) && taken.add(id))) {
              fresh.add(m);
            }
          }
          return new Split(fresh, messages.size() - fresh.size(), knownTask);
        });
  }

  /** Co-located callers are not validated: an id that is a number still counts, as the extractors read it. */
  private static String msgId(JsonObject message) {
    Object id = message.getValue("msg_id");
    return id == null ? null : String.valueOf(id);
  }
}
