package verticles.extractor;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a chat model answered, made safe: the JSON object found in the answer (raw, fenced or inside prose), then
 * normalised to the {@link Extractor} shape: known vocabularies only, capped lengths, real calendar dates, and only
 * message ids the conversation really has. Models invent; nothing they say is trusted as-is.
 */
public final class ModelAnswers {
  static final Set<String> PROFILE_TYPES = Set.of("basic_info", "preference", "personality", "relationship");
  static final Set<String> EVENT_TYPES =
      Set.of("birthday", "anniversary", "achievement", "life_event", "emotional", "plan", "memory");
  static final Set<String> SUMMARY_EMOTIONS = Set.of("positive", "negative", "neutral");
  static final Set<String> EVENT_EMOTIONS = Set.of("positive", "negative", "neutral", "excited", "sad", "anxious");

  static final int MAX_VALUE_CHARS = 500;
  static final int MAX_SHORT_CHARS = 100;
  static final int MAX_TOPICS = 10;
  /** A model that gives no confidence gets a middling one, not full trust. */
  static final double DEFAULT_CONFIDENCE = 0.5;
  static final int DEFAULT_IMPORTANCE = 5;

  private static final Pattern FENCE = Pattern.compile("```[A-Za-z]*\\s*(.*?)```", Pattern.DOTALL);
  private static final Pattern MONTH_DAY = Pattern.compile("\\d{2}-\\d{2}");
  private static final Pattern FULL_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private ModelAnswers() {}

  /** {@code choices[0].message.content}. */
  public static String answer(JsonObject response) {
    try {
      JsonArray choices = response.getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        JsonObject message = choices.getJsonObject(0).getJsonObject("message");
        if (message != null && message.getString("content") != null) {
          return message.getString("content");
        }
      }
    } catch (ClassCastException e) {
      // fall through to the failure below
    }
    throw new IllegalStateException("malformed chat completion: no choices[0].message.content");
  }

  // ---- parsing the model's answer ----

  /**
   * The first JSON object in a model answer: raw JSON, JSON in a ``` fence, or JSON inside prose (first balanced
   * {...}, braces inside strings ignored). Anything else fails with "malformed".
   */
  public static JsonObject parseModelJson(String kind, String answer) {
    if (answer == null || answer.isBlank()) {
      throw new IllegalStateException("malformed " + kind + " answer: empty");
    }
    String text = answer;
    Matcher fence = FENCE.matcher(text);
    int firstBrace = text.indexOf('{');
    // A fence counts only if it opens before any JSON: a ``` inside a JSON string value is not a fence.
    if (fence.find() && (firstBrace < 0 || fence.start() < firstBrace)) {
      text = fence.group(1);
    }
    int start = text.indexOf('{');
    if (start < 0) {
      throw new IllegalStateException("malformed " + kind + " answer: no JSON object in " + preview(answer));
    }
    int end = balancedEnd(text, start);
    if (end < 0) {
      throw new IllegalStateException("malformed " + kind + " answer: unbalanced JSON in " + preview(answer));
    }
    try {
      return new JsonObject(text.substring(start, end + 1));
    } catch (DecodeException e) {
      throw new IllegalStateException("malformed " + kind + " answer: invalid JSON in " + preview(answer), e);
    }
  }

  /** Index of the '}' closing the '{' at {@code start}, or -1. */
  private static int balancedEnd(String text, int start) {
    int depth = 0;
    boolean inString = false;
    boolean escaped = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String preview(String s) {
    String flat = s.replaceAll("\\s+", " ").trim();
    return '"' + (flat.length() > 120 ? flat.substring(0, 120) + "..." : flat) + '"';
  }

  // ---- normalising to the Extractor shape ----

  static JsonObject normaliseSummary(JsonObject raw, Set<String> knownIds) {
    String text = text(raw.getValue("summary") != null ? raw.getValue("summary") : raw.getValue("text"),
        MAX_VALUE_CHARS);
    if (text == null) {
      return null;
    }
    Set<String> topics = new LinkedHashSet<>();
    for (Object t : array(raw.getValue("topics"))) {
      String topic = text(t, MAX_SHORT_CHARS);
      if (topic != null && topics.size() < MAX_TOPICS) {
        topics.add(topic);
      }
    }
    return new JsonObject()
        .put("text", text)
        .put("topics", new JsonArray(new ArrayList<>(topics)))
        .put("emotion", vocabulary(raw.getValue("emotion"), SUMMARY_EMOTIONS, "neutral"))
        // The summary covers the whole conversation.
        .put("msg_ids", new JsonArray(new ArrayList<>(knownIds)));
  }

  static JsonArray normaliseProfiles(JsonObject raw, Set<String> knownIds) {
    JsonArray out = new JsonArray();
    for (Object o : array(raw.getValue("profiles"))) {
      if (!(o instanceof JsonObject p)) {
        continue;
      }
      String type = vocabulary(p.getValue("type"), PROFILE_TYPES, null);
      String key = text(p.getValue("key"), MAX_SHORT_CHARS);
      String value = text(p.getValue("value"), MAX_VALUE_CHARS);
      if (type == null || key == null || value == null) {
        continue;
      }
      out.add(new JsonObject()
          .put("type", type)
          .put("key", key.toLowerCase(Locale.ROOT).replaceAll("[\\s-]+", "_"))
          .put("value", value)
          .put("confidence", Math.max(0.0, Math.min(1.0, number(p.getValue("confidence"), DEFAULT_CONFIDENCE))))
          .put("source_msg_id", knownId(p.getValue("source_msg_id"), knownIds)));
    }
    return out;
  }

  private static final Set<String> ENTITY_TYPES = Set.of("person", "pet", "place", "item", "organisation");

  /**
   * The people, pets and places of the user's life the model found (in the profiles answer): {@code name} or a bare
   * {@code mention}, type, aliases, relation and state, in {@link verticles.extractor.rules.EntityRules}' shape.
   */
  static JsonArray normaliseEntities(JsonObject raw, Set<String> knownIds) {
    JsonArray out = new JsonArray();
    for (Object o : array(raw.getValue("entities"))) {
      if (!(o instanceof JsonObject e)) {
        continue;
      }
      String name = text(e.getValue("name"), MAX_SHORT_CHARS);
      String mention = text(e.getValue("mention"), MAX_SHORT_CHARS);
      if (name == null && mention == null) {
        continue;
      }
      JsonArray aliases = new JsonArray();
      for (Object a : array(e.getValue("aliases"))) {
        String alias = text(a, MAX_SHORT_CHARS);
        if (alias != null && !aliases.contains(alias) && !alias.equals(name) && aliases.size() < 10) {
          aliases.add(alias);
        }
      }
      String relation = text(e.getValue("relation"), 64);
      JsonObject item = new JsonObject().put("aliases", aliases)
          .put("state", text(e.getValue("state"), MAX_VALUE_CHARS))
          .put("summary", text(e.getValue("summary"), MAX_VALUE_CHARS))
          .put("source_msg_id", knownId(e.getValue("source_msg_id"), knownIds));
      if (name != null) {
        item.put("name", name).put("type", vocabulary(e.getValue("type"), ENTITY_TYPES, "person"))
            .put("relation", relation == null ? null : relation.toLowerCase(Locale.ROOT).replaceAll("[\\s-]+", "_"));
      } else {
        item.put("mention", mention);
      }
      if (item.getString("summary") == null) {
        item.put("summary", (name != null ? name : mention) + (item.getString("state") == null ? ""
            : ": " + item.getString("state")));
      }
      out.add(item);
    }
    return out;
  }

  static JsonArray normaliseEvents(JsonObject raw, Set<String> knownIds) {
    JsonArray out = new JsonArray();
    for (Object o : array(raw.getValue("events"))) {
      if (!(o instanceof JsonObject e)) {
        continue;
      }
      String type = vocabulary(e.getValue("type"), EVENT_TYPES, null);
      String title = text(e.getValue("title"), MAX_SHORT_CHARS);
      if (type == null || title == null) {
        continue;
      }
      String summary = text(e.getValue("summary"), MAX_VALUE_CHARS);
      Object ids = e.getValue("source_msg_ids");
      Set<String> sources = new LinkedHashSet<>();
      for (Object id : ids instanceof String ? List.of(ids) : array(ids)) {
        String known = knownId(id, knownIds);
        if (known != null) {
          sources.add(known);
        }
      }
      long importance = Math.round(number(e.getValue("importance"), DEFAULT_IMPORTANCE));
      out.add(new JsonObject()
          .put("type", type)
          .put("title", title)
          .put("summary", summary == null ? title : summary)
          .put("date", date(e.getValue("date")))
          .put("emotion", vocabulary(e.getValue("emotion"), EVENT_EMOTIONS, "neutral"))
          .put("importance", (int) Math.max(1, Math.min(10, importance)))
          .put("source_msg_ids", new JsonArray(new ArrayList<>(sources))));
    }
    return out;
  }

  /** Trimmed text capped at {@code max} code points (never splits an emoji); null if blank or not a scalar. */
  static String text(Object value, int max) {
    if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
      return null;
    }
    String s = String.valueOf(value).trim();
    if (s.isEmpty()) {
      return null;
    }
    return s.codePointCount(0, s.length()) > max ? s.substring(0, s.offsetByCodePoints(0, max)).trim() : s;
  }

  private static String vocabulary(Object value, Set<String> allowed, String fallback) {
    String s = value instanceof String str ? str.trim().toLowerCase(Locale.ROOT) : null;
    return s != null && allowed.contains(s) ? s : fallback;
  }

  private static double number(Object value, double fallback) {
    if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        double d = Double.parseDouble(s.trim());
        return Double.isFinite(d) ? d : fallback;
      } catch (NumberFormatException ignored) {
        return fallback;
      }
    }
    return fallback;
  }

  /** Iterating a JsonArray (not its raw list) hands nested objects back as JsonObject. */
  private static Iterable<?> array(Object value) {
    return value instanceof JsonArray a ? a : List.of();
  }

  /** A cited message id, only if it is one of this conversation's ids (models invent ids; "[m2]" is accepted). */
  private static String knownId(Object value, Set<String> knownIds) {
    if (!(value instanceof String || value instanceof Number)) {
      return null;
    }
    String exact = String.valueOf(value);
    if (knownIds.contains(exact)) {
      return exact; // ids compare exactly: " m1" is not "m1"
    }
    String id = exact.trim().replaceAll("^\\[|]$", "").trim();
    return knownIds.contains(id) ? id : null;
  }

  /** MM-DD or YYYY-MM-DD naming a real calendar day, else null. */
  static String date(Object value) {
    if (!(value instanceof String s)) {
      return null;
    }
    s = s.trim();
    try {
      if (MONTH_DAY.matcher(s).matches()) {
        MonthDay.parse("--" + s);
        return s;
      }
      if (FULL_DATE.matcher(s).matches()) {
        LocalDate.parse(s);
        return s;
      }
    } catch (DateTimeException e) {
      return null;
    }
    return null;
  }
}
