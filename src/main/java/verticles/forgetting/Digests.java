package verticles.forgetting;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Old verbatim messages are consolidated, not cut: a session's messages due for aggressive compression are taken in
 * their order, a few turns at a time ({@code compression.consolidate_turns}), into one digest memory (type message:
 * it stands for what was said, so a recall that asks for messages finds it) that cites every message it consolidates
 * ({@code source_msg_ids}, and {@code metadata.compression.consolidates} the memory ids). Without a model the digest
 * is the turns themselves, one line each, {@code speaker: text}, repeated lines dropped; the messages' own copies of
 * their neighbours ({@code metadata.context}, an indexing aid) and their rows are what it saves. With a model, a
 * summary of the turns.
 */
final class Digests {
  private Digests() {}

  /** A digest to create, and the messages it consolidates (the sweep's candidates). */
  record Digest(String id, JsonObject record, List<JsonObject> members, Compressor.Result result) {}

  /**
   * The messages in groups of {@code turns}, per user, character and session, in the order they were said; a last
   * group of one joins the one before it (a digest of one message would only rename it).
   */
  static List<List<JsonObject>> groups(List<JsonObject> messages, int turns) {
    Map<String, List<JsonObject>> bySession = new LinkedHashMap<>();
    messages.stream()
        .sorted(Comparator.comparing((JsonObject m) -> m.getString("user_id"))
            .thenComparing(m -> m.getString("character_id"))
            .thenComparing(m -> String.valueOf(m.getString("session_id")))
            .thenComparingLong(m -> m.getLong("valid_from", m.getLong("created_at", 0L)))
            .thenComparing(m -> m.getString("id")))
        .forEach(m -> bySession.computeIfAbsent(m.getString("user_id") + '\0' + m.getString("character_id") + '\0'
            + m.getString("session_id"), k -> new ArrayList<>()).add(m));
    List<List<JsonObject>> out = new ArrayList<>();
    for (List<JsonObject> session : bySession.values()) {
      List<List<JsonObject>> own = new ArrayList<>();
      for (int from = 0; from < session.size(); from += Math.max(2, turns)) {
        own.add(new ArrayList<>(session.subList(from, Math.min(session.size(), from + Math.max(2, turns)))));
      }
      if (own.size() > 1 && own.get(own.size() - 1).size() == 1) {
        own.get(own.size() - 2).addAll(own.remove(own.size() - 1));
      }
      own.stream().filter(g -> g.size() > 1).forEach(out::add);
    }
    return out;
  }

  /** Each turn as one line, {@code speaker: text}. */
  static List<String> lines(List<JsonObject> members) {
    List<String> out = new ArrayList<>();
    for (JsonObject m : members) {
      String speaker = m.getJsonObject("metadata", new JsonObject()).getString("speaker");
      String text = Compressor.light(m.getString("content", "")).replaceAll("\\s*\\n\\s*", " ").strip();
      out.add(speaker == null || speaker.isBlank() ? text : speaker + ": " + text);
    }
    return out;
  }

  /** The turns' own text, each line once. */
  static String verbatim(List<JsonObject> members) {
    return Compressor.light(String.join("\n", lines(members)));
  }

  /** The digest of {@code members} with {@code text} (the turns themselves, or a model's summary of them). */
  static Digest of(List<JsonObject> members, String text, String method, long nowSeconds) {
    JsonObject first = members.get(0);
    String original = String.join("\n", members.stream().map(m -> m.getString("content", "")).toList());
    Compressor.Result result = Compressor.result(original, text, method);
    Set<String> msgIds = new LinkedHashSet<>();
    List<String> ids = new ArrayList<>();
    Set<String> speakers = new LinkedHashSet<>();
    int importance = 1;
    for (JsonObject m : members) {
      m.getJsonArray("source_msg_ids", new JsonArray()).forEach(x -> msgIds.add(String.valueOf(x)));
      ids.add(m.getString("id"));
      speakers.add(String.valueOf(m.getJsonObject("metadata", new JsonObject()).getString("speaker")));
      importance = Math.max(importance, m.getInteger("importance", 5));
    }
    // kept small: a digest is there to save storage (its level is aggressive, its time its creation)
    JsonObject metadata = new JsonObject().put("compression", new JsonObject().put("method", method)
        .put("consolidates", new JsonArray(ids)));
    if (speakers.size() == 1 && !speakers.contains("null")) {
      metadata.put("speaker", speakers.iterator().next()); // one speaker's turns: the speaker bonus still applies
    }
    String id = "digest:" + sha1(first.getString("user_id") + '\0' + String.join("\0", ids));
    JsonObject record = new JsonObject().put("id", id).put("user_id", first.getString("user_id"))
        .put("character_id", first.getString("character_id")).put("memory_type", "message").put("content", text)
        .put("timestamp", first.getLong("valid_from", first.getLong("created_at", nowSeconds)))
        .put("importance", importance).put("session_id", first.getString("session_id"))
        .put("source_msg_ids", new JsonArray(new ArrayList<>(msgIds))).put("metadata", metadata);
    return new Digest(id, record, members, result);
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
