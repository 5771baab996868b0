package verticles.intent;

import io.vertx.core.json.JsonObject;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import verticles.intent.IntentRules.Type;

/**
 * Decides, before recall, whether a chat message needs the user's long-term memory, and of which kind.
 * Pure rules over {@link IntentRules}: no I/O, thread-safe, a few microseconds per message.
 *
 * <p>The decision, in order:
 * <ol>
 *   <li>Guard phrases ("记得多喝水", "remember to") are blanked out.</li>
 *   <li>A type matches when one of its {@code ask} patterns does, or one of its {@code about} topics does in a
 *       question or next to a recall cue. Two or more matching types give {@code mixed}.</li>
 *   <li>With no type, a recall cue alone ("你还记得吗？") means history; a recall cue on something of the user's
 *       that no type recognised ("你还记得我是哪年出生的吗" before a rule knew birth years) means mixed, so recall
 *       searches every kind instead of guessing one; a cue on anything else ("do you remember the lyrics to…") is
 *       general knowledge, not recall.</li>
 *   <li>With still nothing, a short follow-up ("那个呢？", "what about her?") inherits the recall of the recent context.</li>
 * </ol>
 *
 * <p>Confidence, a rough probability that the gate is right:
 * <ul>
 *   <li>0.9: no recall, and no signal at all;</li>
 *   <li>0.7: no recall, but something recall-like was seen and set aside (a statement about "my birthday", a guarded
 *       "remember to", a cue about general knowledge);</li>
 *   <li>0.8: one type matched; +0.1 when a recall cue agrees; +0.05 when more than one type matched; at most 0.95;</li>
 *   <li>0.6: from a recall cue only (history or mixed, see above);</li>
 *   <li>0.55: inherited from the recent context.</li>
 * </ul>
 */
public final class IntentDetector {
  public static final String NONE = "none";
  public static final String MIXED = "mixed";

  /** Longer messages are judged on their first and last {@value} characters: the question is nearly always there. */
  static final int EDGE = 1000;
  /** Only the tail of the recent context matters for a follow-up. */
  static final int CONTEXT_TAIL = 500;
  static final int MAX_QUERY_CHARS = 50;
  static final int MAX_QUERY_WORDS = 12;

  private final IntentRules rules;

  public IntentDetector(IntentRules rules) {
    this.rules = rules;
  }

  /** A detector over the shipped rules. */
  public static IntentDetector withDefaultRules() {
    return new IntentDetector(IntentRules.load());
  }

  /** {@code {need_recall, recall_type, search_query, confidence}}; never throws, whatever the text. */
  public JsonObject detect(String message, String recentContext) {
    String text = normalise(message);
    Signals s = signals(text);
    if (!s.types.isEmpty()) {
      double confidence = 0.8 + (s.cue ? 0.1 : 0) + (s.types.size() > 1 ? 0.05 : 0);
      return recall(typeOf(s.types), query(text), Math.min(0.95, confidence));
    }
    if (s.cue && nothingBut(s.clean, rules.cues.in(s.script))) {
      return recall(Type.HISTORY.label(), query(text), 0.6);
    }
    if (s.cue && s.personal) {
      // A recall cue on something of the user's that no type recognised: search every kind rather than guess one.
      return recall(MIXED, query(text), 0.6);
    }
    if (recentContext != null && !recentContext.isBlank() && rules.followUp.in(s.script).matcher(s.clean).find()) {
      String context = normalise(tail(recentContext));
      Signals c = signals(context);
      if (!c.types.isEmpty()) {
        return recall(typeOf(c.types), cap(query(text) + " " + query(context)), 0.55);
      }
    }
    return new JsonObject()
        .put("need_recall", false)
        .put("recall_type", NONE)
        .put("search_query", "")
        .put("confidence", s.weak ? 0.7 : 0.9);
  }

  /** The type of a match: "mixed" for several, the one type otherwise, "none" for none. */
  public String typeOf(Set<Type> types) {
    if (types.isEmpty()) {
      return NONE;
    }
    return types.size() > 1 ? MIXED : types.iterator().next().label();
  }

  /** The search query for a message: content words only, capped; the message itself when nothing is left. */
  public String searchQuery(String message) {
    return query(normalise(message));
  }

  /** What the rules see in one (normalised) text. */
  private record Signals(String clean, IntentRules.Script script, Set<Type> types, boolean cue, boolean personal,
      boolean weak) {}

  private Signals signals(String text) {
    IntentRules.Script script = IntentRules.Script.of(text);
    String clean = rules.guards.in(script).matcher(text).replaceAll(" ");
    boolean question = rules.question.in(script).matcher(clean).find();
    boolean cue = rules.cues.in(script).matcher(clean).find();
    boolean personal = rules.personal.in(script).matcher(clean).find();
    boolean weak = !clean.equals(text) || cue;
    Set<Type> types = EnumSet.noneOf(Type.class);
    for (Type type : Type.values()) {
      IntentRules.TypeRules r = rules.rules(type);
      boolean about = r.about().in(script).matcher(clean).find();
      if (r.ask().in(script).matcher(clean).find() || (about && (question || cue))) {
        types.add(type);
      } else if (about) {
        weak = true;
      }
    }
    return new Signals(clean, script, types, cue, personal, weak);
  }

  /** True when the text holds nothing beyond the given pattern and stop words, e.g. "你还记得吗？". */
  private boolean nothingBut(String text, Pattern pattern) {
    return extract(pattern.matcher(text).replaceAll(" ")).isEmpty();
  }

  private JsonObject recall(String type, String query, double confidence) {
    return new JsonObject()
        .put("need_recall", true)
        .put("recall_type", type)
        .put("search_query", query)
        .put("confidence", Math.round(confidence * 100) / 100.0);
  }

  private String query(String text) {
    String q = extract(text);
    return q.isEmpty() ? cap(text.strip()) : q;
  }

  /**
   * Content words: Chinese runs lose stop phrases (还记得, 来着…) then stop characters (你, 我, 的…); other words are
   * lower-cased, lose a possessive "'s", and are dropped when they are stop words or recall verbs. Emoji and
   * punctuation only separate words. At most {@value #MAX_QUERY_WORDS} English words and {@value #MAX_QUERY_CHARS}
   * characters.
   */
  String extract(String text) {
    List<String> parts = new ArrayList<>();
    int words = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      if (isHan(cp)) {
        int end = i;
        while (end < text.length() && isHan(text.codePointAt(end))) {
          end += Character.charCount(text.codePointAt(end));
        }
        String han = chinese(text.substring(i, end));
        if (!han.isEmpty()) {
          parts.add(han);
        }
        i = end;
      } else if (Character.isLetterOrDigit(cp)) {
        int end = i;
        while (end < text.length()) {
          int c = text.codePointAt(end);
          if (isHan(c) || !(Character.isLetterOrDigit(c) || c == '\'')) {
            break;
          }
          end += Character.charCount(c);
        }
        String word = english(text.substring(i, end));
        if (!word.isEmpty() && words < MAX_QUERY_WORDS) {
          parts.add(word);
          words++;
        }
        i = end;
      } else {
        i += Character.charCount(cp);
      }
    }
    return cap(String.join(" ", parts));
  }

  private String chinese(String run) {
    for (String phrase : rules.zhStopPhrases) {
      run = run.replace(phrase, "");
    }
    StringBuilder kept = new StringBuilder();
    run.codePoints().filter(c -> !rules.zhStopChars.contains(c)).forEach(kept::appendCodePoint);
    return kept.toString();
  }

  private String english(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    if (w.endsWith("'s")) {
      w = w.substring(0, w.length() - 2);
    }
    w = w.replace("'", "");
    return rules.enStopWords.contains(w) || rules.enStopWords.contains(word.toLowerCase(Locale.ROOT)) ? "" : w;
  }

  private static boolean isHan(int cp) {
    return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
  }

  /** At most {@value #MAX_QUERY_CHARS} code points, never splitting a surrogate pair. */
  private static String cap(String s) {
    s = s.strip();
    if (s.codePointCount(0, s.length()) <= MAX_QUERY_CHARS) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, MAX_QUERY_CHARS)).strip();
  }

  /** Full-width forms folded (？→?), curly apostrophes straightened, very long text cut to its two ends. */
  static String normalise(String message) {
    if (message == null) {
      return "";
    }
    String s = message.length() > 2 * EDGE
        ? message.substring(0, EDGE) + "\n" + message.substring(message.length() - EDGE)
        : message;
    return Normalizer.normalize(s, Normalizer.Form.NFKC).replace('\u2019', '\'').replace('\u2018', '\'');
  }

  private static String tail(String context) {
    return context.length() > CONTEXT_TAIL ? context.substring(context.length() - CONTEXT_TAIL) : context;
  }
}
