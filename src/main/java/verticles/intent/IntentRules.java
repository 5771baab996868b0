package verticles.intent;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rule lists behind {@link IntentDetector}, read from {@code conf/intent-rules.json} so they can be tuned without
 * touching Java. Every list holds Chinese ("zh") and English ("en") regexes; each list is compiled once into one
 * case-insensitive alternation. A bad pattern fails loading, naming the list, so a typo never reaches a request.
 *
 * <p>What the lists mean (see the JSON for the patterns themselves):
 * <ul>
 *   <li>{@code question}: the message asks something (a question mark, 吗/什么/哪, a leading what/when/do…).</li>
 *   <li>{@code personal}: the message is about the user or "us" (我/咱, my/I/we/our).</li>
 *   <li>{@code cues}: the companion is asked to recall (还记得/来着, do you remember/again?).</li>
 *   <li>{@code guards}: ordinary-chat phrases that look like cues ("记得多喝水", "remember to"); their spans are blanked
 *       before anything else is matched.</li>
 *   <li>{@code types.<type>.ask}: patterns that by themselves mean "recall this type" ("我叫什么", "we talked about").</li>
 *   <li>{@code types.<type>.about}: topics of that type ("我的生日", "my interview") that count only in a question or
 *       next to a recall cue, so statements such as "今天是我的生日！" stay ordinary chat.</li>
 *   <li>{@code follow_up}: short follow-ups ("那个呢?", "what about her?") that inherit a recall from the recent context.</li>
 *   <li>{@code stop_words}: what query extraction drops: Chinese phrases, Chinese single characters, English words.</li>
 * </ul>
 */
public final class IntentRules {
  public static final String DEFAULT_RESOURCE = "conf/intent-rules.json";

  /** The three types a rule can point at; "mixed" and "none" are outcomes, not rules. */
  public enum Type {
    PROFILE, EVENT, HISTORY;

    public String label() {
      return name().toLowerCase();
    }
  }

  /** The two pattern lists of one type. */
  public record TypeRules(Rule ask, Rule about) {}

  /** What a text is written in, as far as the rules care: Chinese patterns need Han, English ones Latin letters. */
  public enum Script {
    ZH, EN, MIXED;

    public static Script of(String text) {
      boolean han = false;
      boolean latin = false;
      for (int i = 0; i < text.length() && !(han && latin); i++) {
        char c = text.charAt(i);
        latin |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        han |= Character.isIdeographic(c);
      }
      return han == latin ? MIXED : han ? ZH : EN;
    }
  }

  /**
   * One list compiled three ways: its Chinese patterns, its English ones, and all. A Chinese message is matched
   * against the Chinese patterns alone, since the English ones (all word-bounded) cannot match it; that halved the
   * regex work, the largest item of an event loop's time in a saturated profile. A "?" is in both languages' lists.
   */
  public record Rule(Pattern zh, Pattern en, Pattern all) {
    public Pattern in(Script script) {
      return switch (script) {
        case ZH -> zh;
        case EN -> en;
        case MIXED -> all;
      };
    }
  }

  final Rule question;
  final Rule personal;
  final Rule cues;
  final Rule guards;
  final Rule followUp;
  final Map<Type, TypeRules> types;
  final List<String> zhStopPhrases;
  final Set<Integer> zhStopChars;
  final Set<String> enStopWords;

  private IntentRules(JsonObject json) {
    question = compile(json, "question");
    personal = compile(json, "personal");
    cues = compile(json, "cues");
    guards = compile(json, "guards");
    followUp = compile(json, "follow_up");
    JsonObject t = json.getJsonObject("types", new JsonObject());
    types = new EnumMap<>(Type.class);
    for (Type type : Type.values()) {
      JsonObject one = t.getJsonObject(type.label(), new JsonObject());
      types.put(type, new TypeRules(compile(one, "ask"), compile(one, "about")));
    }
    JsonObject stop = json.getJsonObject("stop_words", new JsonObject());
    // Longest first, so "你还记得" goes before "记得" leaves "你还" behind.
    zhStopPhrases = strings(stop.getJsonArray("zh_phrases")).stream()
        .sorted((a, b) -> b.length() - a.length()).toList();
    zhStopChars = Set.copyOf(strings(stop.getJsonArray("zh_chars")).stream()
        .flatMap(s -> s.codePoints().boxed()).toList());
    enStopWords = Set.copyOf(strings(stop.getJsonArray("en")).stream().map(String::toLowerCase).toList());
  }

  /** The rules shipped in {@value #DEFAULT_RESOURCE}. */
  public static IntentRules load() {
    return load(DEFAULT_RESOURCE);
  }

  /** Rules from a classpath resource. */
  public static IntentRules load(String resource) {
    try (InputStream in = IntentRules.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("intent rules not on the classpath: " + resource);
      }
      return fromJson(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static IntentRules fromJson(JsonObject json) {
    return new IntentRules(json);
  }

  public TypeRules rules(Type type) {
    return types.get(type);
  }

  /** One list ({"zh": [...], "en": [...]}); an absent or empty list never matches. */
  private static Rule compile(JsonObject parent, String name) {
    JsonObject lists = parent.getJsonObject(name, new JsonObject());
    List<String> zh = strings(lists.getJsonArray("zh"));
    List<String> en = strings(lists.getJsonArray("en"));
    for (String lang : lists.fieldNames()) {
      if (!lang.equals("zh") && !lang.equals("en")) {
        throw new IllegalStateException("intent list '" + name + "' has language '" + lang + "'; expected zh or en");
      }
    }
    List<String> all = new ArrayList<>(zh);
    all.addAll(en);
    return new Rule(alternation(name, zh), alternation(name, en), alternation(name, all));
  }

  private static Pattern alternation(String name, List<String> all) {
    if (all.isEmpty()) {
      return Pattern.compile("(?!)");
    }
    StringBuilder alternation = new StringBuilder();
    for (String p : all) {
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new IllegalStateException("bad intent pattern in '" + name + "': " + p, e);
      }
      alternation.append(alternation.isEmpty() ? "" : "|").append("(?:").append(p).append(')');
    }
    // ASCII case folding is enough (English); Unicode folding cost ~7 % of a saturated recall's CPU in a profile
    return Pattern.compile(alternation.toString(), Pattern.CASE_INSENSITIVE);
  }

  private static List<String> strings(JsonArray array) {
    if (array == null) {
      return List.of();
    }
    return array.stream().map(String::valueOf).toList();
  }
}
