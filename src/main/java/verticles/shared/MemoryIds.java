package verticles.shared;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The ids of extracted memories, one rule for the extractor (index records) and the MySQL writer (rows). What a task
 * says once is keyed by the task ({@code {task}:summary}, {@code {task}:event:{i}}, {@code {task}:msg:{msg_id}}); what
 * the user may say again in any session is keyed by its subject, so that saying it again finds the same memory: a
 * profile fact by its type and key, a recurring event (a birthday, an anniversary) by its type and title.
 */
public final class MemoryIds {
  private MemoryIds() {}

  /** Event types that recur every year: one memory per title, whichever session stated it. */
  public static final List<String> RECURRING_EVENTS = List.of("birthday", "anniversary");

  public static String summary(String taskId) {
    return taskId + ":summary";
  }

  public static String profile(String user, String character, String type, String key) {
    return "profile:" + sha1(user + '\u0000' + character + '\u0000' + type + '\u0000' + key);
  }

  /** The i-th event of a task; a recurring one is keyed by owner, type and title instead. */
  public static String event(String taskId, int i, String user, String character, String type, String title) {
    if (recurring(type)) {
      return "event:" + sha1(user + '\u0000' + character + '\u0000' + type.toLowerCase(Locale.ROOT) + '\u0000'
          + (title == null ? "" : title));
    }
    return taskId + ":event:" + i;
  }

  public static boolean recurring(String eventType) {
    return eventType != null && RECURRING_EVENTS.contains(eventType.toLowerCase(Locale.ROOT));
  }

  /** Whether a memory of this task is keyed by its subject (it may outlive the task and be restated). */
  public static boolean keyed(String memoryId, String taskId) {
    return taskId == null || !memoryId.startsWith(taskId + ":");
  }

  static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
