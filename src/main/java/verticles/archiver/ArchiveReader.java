package verticles.archiver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import verticles.bus.Failures;
import verticles.contracts.Archive;

/**
 * Reads a session's archived conversation ({@code memory.archive.read}). The archive's key holds the day of its first
 * message, which the caller does not know, so the owner's conversations are listed and the session's file found.
 * Every store call runs through the store's own breaker (S3: {@code object-storage}), so an open one is a 503.
 */
final class ArchiveReader {
  private final ObjectStore store;

  ArchiveReader(ObjectStore store) {
    this.store = store;
  }

  Future<Archive.Conversation> read(Archive.Read r) {
    String prefix = ArchiverVerticle.conversations(r.userId(), r.characterId());
    String suffix = "/" + r.sessionId() + ".json";
    return store.list(prefix).compose(keys -> {
      // sorted by path: the last is the latest day, should a session id ever be reused on another day
      List<String> found = keys.stream().filter(k -> k.endsWith(suffix)).toList();
      if (found.isEmpty()) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "session " + r.sessionId()
            + " has no archived conversation (yet)", new JsonObject().put("field", "session_id")));
      }
      String key = found.get(found.size() - 1);
      return store.get(key).map(bytes -> conversation(r, key, new JsonObject(bytes)));
    });
  }

  private static Archive.Conversation conversation(Archive.Read r, String key, JsonObject archived) {
    JsonArray messages = new JsonArray();
    for (Object o : archived.getJsonArray("messages", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      JsonObject out = new JsonObject().put("msg_id", m.getString("msg_id")).put("role", m.getString("role"));
      if (m.getString("name") != null) {
        out.put("name", m.getString("name"));
      }
      messages.add(out.put("content", m.getString("content")).put("timestamp", m.getValue("timestamp")));
    }
    return new Archive.Conversation(r.sessionId(), r.userId(), r.characterId(), key, messages);
  }
}
