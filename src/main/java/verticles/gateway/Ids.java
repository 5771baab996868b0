package verticles.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The one rule for the ids a client names (user, character, session, message, task), wherever they arrive: body,
 * path, query or WebSocket frame. Ids are compared exactly, code point for code point, in every store, and never
 * normalised (no case folding, no NFC, no trimming): {@code bob1}, {@code BOB1}, {@code bob1 } and {@code bób1} are
 * four users. So what cannot be told apart on sight, or breaks paths and logs, is refused rather than kept: an id is
 * 1-64 code points, not {@code .} or {@code ..}, without {@code /}, {@code \}, control characters (C0, DEL, C1),
 * format characters (category Cf: zero-width, bidi, BOM...), line or paragraph separators, unpaired surrogates or
 * U+FFFD (what a path of invalid UTF-8 decodes to).
 */
final class Ids {
  static final int MAX_CODE_POINTS = 64;
  private static final List<String> BODY_IDS = List.of("user_id", "character_id", "session_id");

  private Ids() {}

  /** Throws a 400 naming {@code field} unless {@code value} is an id. */
  static void check(String field, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new RequestValidator.ValidationException(field, problem);
    }
  }

  /** Every id among a request body's {@code declared} fields, once the body passed its schema (so each is a string). */
  static void checkBody(JsonObject body, Set<String> declared) {
    for (String field : BODY_IDS) {
      if (declared.contains(field) && body.getValue(field) instanceof String id) {
        check(field, id);
      }
    }
    if (declared.contains("messages") && body.getValue("messages") instanceof JsonArray messages) {
      for (int i = 0; i < messages.size(); i++) {
        if (messages.getValue(i) instanceof JsonObject m && m.getValue("msg_id") instanceof String id) {
          check("messages[" + i + "].msg_id", id);
        }
      }
    }
    if (declared.contains("source_msg_ids") && body.getValue("source_msg_ids") instanceof JsonArray ids) {
      for (int i = 0; i < ids.size(); i++) {
        if (ids.getValue(i) instanceof String id) {
          check("source_msg_ids[" + i + "]", id);
        }
      }
    }
  }

  /** Why {@code value} is not an id, or null when it is one. */
  static String problem(String value) {
    if (value == null || value.isEmpty()) {
      return "must not be empty";
    }
    if (value.equals(".") || value.equals("..")) {
      return "must not be '.' or '..'";
    }
    int count = 0;
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      String bad = forbidden(cp);
      if (bad != null) {
        return String.format("contains U+%04X (%s)", cp, bad);
      }
      i += Character.charCount(cp);
      count++;
    }
    return count > MAX_CODE_POINTS ? "longer than " + MAX_CODE_POINTS + " characters (Unicode code points)" : null;
  }

  private static String forbidden(int cp) {
    if (cp == '/' || cp == '\\') {
      return "a path separator";
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL -> "a control character";
      case Character.FORMAT -> "an invisible format character";
      case Character.SURROGATE -> "an unpaired surrogate";
      case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line separator";
      default -> cp == 0xFFFD ? "the replacement character: the id was not valid UTF-8" : null;
    };
  }
}
