package verticles.merger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The seed's context block: profile lines, then dated memories; Chinese headings unless the message is English. */
final class ContextFormatter {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private ContextFormatter() {}

  static boolean isChinese(String text) {
    return text != null && text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
  }

  static String format(String message, JsonArray profiles, JsonArray memories) {
    boolean zh = isChinese(message);
    StringBuilder sb = new StringBuilder();
    if (!profiles.isEmpty()) {
      sb.append(zh ? "### 关于用户的信息\n" : "### About the user\n");
      for (int i = 0; i < profiles.size(); i++) {
        JsonObject p = profiles.getJsonObject(i);
        sb.append("- ").append(p.getString("profile_key")).append(": ").append(p.getString("profile_value")).append('\n');
      }
      sb.append('\n');
    }
    if (!memories.isEmpty()) {
      sb.append(zh ? "### 相关的历史记忆\n" : "### Relevant memories\n");
      for (int i = 0; i < memories.size(); i++) {
        JsonObject m = memories.getJsonObject(i);
        sb.append('[').append(DAY.format(Instant.ofEpochSecond(m.getLong("timestamp", 0L)))).append("] ")
            .append(m.getString("content")).append('\n');
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
