package verticles.extractor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chapter's extraction for its write-back (seed 003 §6): {@code summary}, {@code entity_updates}
 * ({@code entity_name, new_state, attribute_changes}), {@code new_events} ({@code type, summary, involved_entities,
 * story_time}) and {@code relation_changes} ({@code source, target, type, strength}). The model's answer is made safe
 * here (wrong types and empty items dropped, text clipped); without a model, the rule fallback gives the summary only
 * (its first sentences), since names and states need a reader of the story.
 */
public final class Chapters {
  static final int MAX_SUMMARY = 200;
  static final int MAX_TEXT = 1000;
  static final int MAX_NAME = 200;
  static final int MAX_ITEMS = 100;
  private static final Pattern SENTENCE = Pattern.compile("[^。！？!?.\\n]+[。！？!?.]?");

  private Chapters() {}

  /** The rule fallback: the chapter's opening sentences, up to {@value #MAX_SUMMARY / 2} characters, and no items. */
  public static JsonObject rules(String content) {
    StringBuilder summary = new StringBuilder();
    Matcher m = SENTENCE.matcher(content == null ? "" : content);
    while (m.find() && summary.length() < MAX_SUMMARY / 2) {
      String s = m.group().strip();
      if (!s.isEmpty()) {
        summary.append(s);
      }
    }
    return empty().put("summary", summary.length() == 0 ? null : ModelAnswers.text(summary.toString(), MAX_SUMMARY));
  }

  static JsonObject empty() {
    return new JsonObject().putNull("summary").put("entity_updates", new JsonArray()).put("new_events",
        new JsonArray()).put("relation_changes", new JsonArray());
  }

  /** The model's answer in the extraction's shape. */
  static JsonObject normalise(JsonObject raw) {
    JsonObject out = empty();
    String summary = ModelAnswers.text(raw.getValue("summary"), MAX_SUMMARY);
    out.put("summary", summary == null || summary.isBlank() ? null : summary);
    for (JsonObject u : objects(raw.getValue("entity_updates"))) {
      String name = ModelAnswers.text(u.getValue("entity_name"), MAX_NAME);
      String state = ModelAnswers.text(u.getValue("new_state"), MAX_TEXT);
      if (present(name) && present(state)) {
        JsonObject changes = new JsonObject();
        if (u.getValue("attribute_changes") instanceof JsonObject a) {
          a.forEach(e -> {
            String key = ModelAnswers.text(e.getKey(), 64);
            String v = ModelAnswers.text(e.getValue(), MAX_TEXT);
            if (key != null && v != null && changes.size() < 50) {
              changes.put(key, v);
            }
          });
        }
        out.getJsonArray("entity_updates").add(new JsonObject().put("entity_name", name).put("new_state", state)
            .put("attribute_changes", changes));
      }
    }
    for (JsonObject e : objects(raw.getValue("new_events"))) {
      String summaryOf = ModelAnswers.text(e.getValue("summary"), MAX_TEXT);
      if (!present(summaryOf)) {
        continue;
      }
      String type = ModelAnswers.text(e.getValue("type"), 64);
      JsonArray involved = new JsonArray();
      if (e.getValue("involved_entities") instanceof JsonArray names) {
        names.forEach(n -> {
          String name = ModelAnswers.text(n, MAX_NAME);
          if (present(name) && !involved.contains(name)) {
            involved.add(name);
          }
        });
      }
      out.getJsonArray("new_events").add(new JsonObject().put("type", present(type) ? type : "event")
          .put("summary", summaryOf).put("involved_entities", involved)
          .put("story_time", e.getValue("story_time") instanceof Number n && Double.isFinite(n.doubleValue())
              ? n.longValue() : null));
    }
    for (JsonObject r : objects(raw.getValue("relation_changes"))) {
      String source = ModelAnswers.text(r.getValue("source"), MAX_NAME);
      String target = ModelAnswers.text(r.getValue("target"), MAX_NAME);
      String type = ModelAnswers.text(r.getValue("type"), 64);
      if (present(source) && present(target) && present(type)) {
        double strength = r.getValue("strength") instanceof Number n && Double.isFinite(n.doubleValue())
            ? Math.max(0, Math.min(1, n.doubleValue())) : 0.5;
        out.getJsonArray("relation_changes").add(new JsonObject().put("source", source).put("target", target)
            .put("type", type).put("strength", strength));
      }
    }
    return out;
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static java.util.List<JsonObject> objects(Object v) {
    java.util.List<JsonObject> out = new java.util.ArrayList<>();
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof JsonObject j && out.size() < MAX_ITEMS) {
          out.add(j);
        }
      }
    }
    return out;
  }
}
