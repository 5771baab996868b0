package verticles.extractor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import verticles.shared.Languages;
import verticles.shared.MemoryIds;
import verticles.shared.ProfileLabels;
import verticles.vectorsearch.MemoryRecord;

/**
 * Turns a task's extraction into vector-index records, one per summary, event, profile fact and (by default)
 * message, each with its source message ids. Ids are deterministic, so a replay overwrites instead of adding.
 */
final class MemoryRecords {
  private MemoryRecords() {}

  /**
   * How messages are indexed: at all, with the speaker's name, and with how many turns before and after as
   * context (see {@link MemoryRecord#indexText()}); {@code afterEnglish} turns after a message without a Han
   * character, {@code after} after a Chinese one.
   */
  record MessageIndexing(boolean enabled, boolean speakers, int before, int after, int afterEnglish) {
    MessageIndexing(boolean enabled, boolean speakers, int before, int after) {
      this(enabled, speakers, before, after, after);
    }

    /**
     * {@code message_context_after} "auto" (the default): the next turn for an English message, none for a Chinese
     * one (measured: it helps the English model on LoCoMo and lowers Chinese R@5, see docs/benchmarks.md).
     */
    static MessageIndexing from(JsonObject extractorConfig) {
      Object after = extractorConfig.getValue("message_context_after", "auto");
      int zh;
      int en;
      if ("auto".equals(after)) {
        zh = 0;
        en = 1;
      } else if (after instanceof Number n) {
        zh = en = n.intValue();
      } else {
        throw new IllegalArgumentException("extractor.message_context_after must be a number of turns or \"auto\": "
            + after);
      }
      return new MessageIndexing(extractorConfig.getBoolean("index_messages", true),
          extractorConfig.getBoolean("message_speakers", true), extractorConfig.getInteger("message_context_before", 1),
          zh, en);
    }

    int after(String content) {
      return Languages.chinese(content) ? after : afterEnglish;
    }
  }

  /** A neighbouring turn in a message's context: long turns are cut, the context is a hint, not the memory. */
  static final int CONTEXT_CHARS = 200;

  static List<MemoryRecord> from(JsonObject task, JsonObject extraction, MessageIndexing messageIndexing) {
    String taskId = task.getString("task_id");
    String user = task.getString("user_id");
    String character = task.getString("character_id");
    String session = task.getString("session_id");
    JsonArray messages = task.getJsonArray("messages", new JsonArray());
    long lastTs = messages.isEmpty() ? 0 : messages.getJsonObject(messages.size() - 1).getLong("timestamp", 0L);
    List<MemoryRecord> out = new ArrayList<>();

    JsonObject summary = extraction.getJsonObject("summary");
    if (summary != null && !summary.getString("text", "").isBlank()) {
      out.add(new MemoryRecord(MemoryIds.summary(taskId), taskId, user, character, "summary", summary.getString("text"),
          lastTs, 5, session, ids(summary.getJsonArray("msg_ids")),
          new JsonObject().put("topics", summary.getJsonArray("topics", new JsonArray()))
              .put("emotion", summary.getString("emotion")), null));
    }

    JsonArray events = extraction.getJsonArray("events", new JsonArray());
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      List<String> src = ids(e.getJsonArray("source_msg_ids"));
      String content = e.getString("summary", e.getString("title", ""));
      String date = e.getString("date");
      if (date != null && !content.contains(date)) {
        content = content + " (" + date + ")";
      }
      // a recurring event (a birthday) is one memory whichever session states it: a restated date adds nothing
      String id = MemoryIds.event(taskId, i, user, character, e.getString("type"), e.getString("title"));
      out.add(new MemoryRecord(id, taskId, user, character, "event", content,
          timestampOf(messages, src, lastTs), e.getInteger("importance", 5), session, src,
          new JsonObject().put("event_type", e.getString("type")).put("event_title", e.getString("title"))
              .put("event_date", date), null));
    }

    boolean zh = messages.stream().anyMatch(m -> hasHan(((JsonObject) m).getString("content", "")));
    JsonArray profiles = extraction.getJsonArray("profiles", new JsonArray());
    for (int i = 0; i < profiles.size(); i++) {
      JsonObject p = profiles.getJsonObject(i);
      String src = p.getString("source_msg_id");
      List<String> srcIds = src == null ? List.of() : List.of(src);
      // one record per user + character + fact key: a newer value replaces the older one
      String id = MemoryIds.profile(user, character, p.getString("type"), p.getString("key"));
      out.add(new MemoryRecord(id, taskId, user, character, "profile", profileText(p, zh), timestampOf(messages, srcIds,
          lastTs), 7, session, srcIds,
          new JsonObject().put("profile_type", p.getString("type")).put("profile_key", p.getString("key"))
              .put("profile_value", p.getString("value")), null));
    }

    if (messageIndexing.enabled()) {
      for (int i = 0; i < messages.size(); i++) {
        JsonObject m = messages.getJsonObject(i);
        String content = m.getString("content", "");
        if (content.isBlank()) {
          continue;
        }
        String msgId = m.getString("msg_id");
        JsonObject metadata = new JsonObject().put("role", m.getString("role")).put("name", m.getString("name"));
        if (messageIndexing.speakers()) {
          metadata.put("speaker", speaker(m));
        }
        String context = context(messages, i, messageIndexing);
        if (!context.isEmpty()) {
          metadata.put("context", context);
        }
        out.add(new MemoryRecord(taskId + ":msg:" + (msgId == null ? "#" + i : msgId), taskId, user, character,
            "message", content, m.getLong("timestamp", lastTs), 3, session,
            msgId == null ? List.of() : List.of(msgId), metadata, null));
      }
    }
    return out;
  }

  /** The speaker's name when the client gave one, else the role. */
  private static String speaker(JsonObject m) {
    String name = m.getString("name");
    return name != null && !name.isBlank() ? name : m.getString("role", "user");
  }

  /** The turns around message i, "speaker: text" each, in order, each cut to {@value #CONTEXT_CHARS} characters. */
  private static String context(JsonArray messages, int i, MessageIndexing how) {
    List<String> turns = new ArrayList<>();
    int after = how.after(messages.getJsonObject(i).getString("content", ""));
    for (int j = Math.max(0, i - how.before()); j <= Math.min(messages.size() - 1, i + after); j++) {
      String text = messages.getJsonObject(j).getString("content", "");
      if (j == i || text.isBlank()) {
        continue;
      }
      if (text.length() > CONTEXT_CHARS) {
        int cut = Character.isHighSurrogate(text.charAt(CONTEXT_CHARS - 1)) ? CONTEXT_CHARS - 1 : CONTEXT_CHARS;
        text = text.substring(0, cut) + "…";
      }
      turns.add((how.speakers() ? speaker(messages.getJsonObject(j)) + ": " : "") + text);
    }
    return String.join("\n", turns);
  }

  private static boolean hasHan(String s) {
    return s.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
  }

  /** A fact as a sentence in the conversation's language, so it embeds close to questions about it. */
  static String profileText(JsonObject p, boolean conversationIsChinese) {
    String key = p.getString("key", "");
    String value = p.getString("value", "");
    boolean zh = conversationIsChinese || hasHan(value);
    return zh ? "用户的" + ProfileLabels.of(key, true) + "：" + value
        : "User's " + ProfileLabels.of(key, false) + ": " + value;
  }

  private static long timestampOf(JsonArray messages, List<String> msgIds, long fallback) {
    if (!msgIds.isEmpty()) {
      for (int i = 0; i < messages.size(); i++) {
        JsonObject m = messages.getJsonObject(i);
        if (msgIds.get(0).equals(m.getString("msg_id"))) {
          return m.getLong("timestamp", fallback);
        }
      }
    }
    return fallback;
  }

  private static List<String> ids(JsonArray a) {
    if (a == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    a.forEach(x -> {
      if (x != null) {
        out.add(String.valueOf(x));
      }
    });
    return out;
  }

  static JsonArray toJson(List<MemoryRecord> records) {
    JsonArray a = new JsonArray();
    records.forEach(r -> a.add(r.toJson()));
    return a;
  }
}
