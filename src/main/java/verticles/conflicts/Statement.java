package verticles.conflicts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verticles.extractor.rules.RuleExtractor;

/**
 * One memory's text read for comparison: whom it is about, its core (the claim with negations, degree words and
 * particles taken out, as units: a Chinese character, a Latin word or a number each), the parity of its negations,
 * its numbers and dates, whether it speaks of a change or only of the past, the profile facts the extractor's rules
 * find in it, and the exclusive states it names ({@link Words#STATES}).
 */
final class Statement {
  private static final Pattern PROFILE_TEXT = Pattern.compile("^(?:用户的|user's )(.+?)\\s*[:：]\\s*(.+)$");
  private static final Pattern ISO_DATE = Pattern.compile("(?:(\\d{4})[-/.])?(\\d{1,2})[-/.](\\d{1,2})");
  private static final Pattern ZH_DATE = Pattern.compile("(?:(\\d{4})年)?(\\d{1,2})月(\\d{1,2})[日号]?");
  private static final Pattern EN_DATE = Pattern.compile("(january|february|march|april|may|june|july|august|september"
      + "|october|november|december) (\\d{1,2})(?:st|nd|rd|th)?");
  private static final List<String> MONTHS = List.of("january", "february", "march", "april", "may", "june", "july",
      "august", "september", "october", "november", "december");
  private static final Pattern ZH_NUMBER = Pattern.compile("[零一二两三四五六七八九十百]+(?=[个只岁口年月日号楼天次本件位名条公斤小时分钟杯]|$)");
  private static final int MAX_CLAUSES = 8;
  /** Longer than this, a text is read whole: it is a narrative (a session's summary), not a claim to weigh. */
  private static final int MAX_CLAIM_CHARS = 200;
  private static final Pattern A_MEASURE = Pattern.compile("(?:" + Words.ZH_A + ")");
  private static final Pattern CLAUSES = Pattern.compile("[，,;；。.!！?？]|\\band\\b");
  private static final Pattern NOT_A_VALUE = Pattern.compile("[\\p{P}\\p{S}\\s]+");
  private static final Pattern EN_WORD = Pattern.compile("[a-z0-9]+");
  private static final List<String> EN_NUMBERS = List.of("one", "two", "three", "four", "five", "six", "seven",
      "eight", "nine", "ten", "eleven", "twelve");

  final String text;
  final boolean zh;
  /** Whom it is about: "" for the user, else the person (or pet) named first: 妈妈, sister, 猫. */
  final String subject;
  final List<String> units;
  final int negations;
  final boolean change;
  final boolean past;
  final boolean correction;
  final List<String> numbers;
  final List<String> dates;
  /** Profile key → value, from the metadata of a profile memory or the rules. */
  final Map<String, String> facts;
  /** Exclusive state group → the state named (its index in the group). */
  final Map<String, Integer> states;
  /** English words written with a capital inside the sentence (names: Denver, Austin), as stemmed units. */
  Set<String> names = Set.of();
  /** Its clauses read on their own, when it has more than one (a compound statement makes several claims). */
  List<Statement> clauses = List.of();

  private Statement(String text, boolean zh, String subject, List<String> units, int negations, boolean change,
      boolean past, boolean correction, List<String> numbers, List<String> dates, Map<String, String> facts,
      Map<String, Integer> states) {
    this.text = text;
    this.zh = zh;
    this.subject = subject;
    this.units = units;
    this.negations = negations;
    this.change = change;
    this.past = past;
    this.correction = correction;
    this.numbers = numbers;
    this.dates = dates;
    this.facts = facts;
    this.states = states;
  }

  /** Reads {@code text} and each of its clauses; {@code metadata} may hold a profile memory's key and value. */
  static Statement of(String text, JsonObject metadata) {
    boolean claim = text == null || text.length() <= MAX_CLAIM_CHARS;
    Statement whole = read(text, metadata, claim);
    String[] parts = claim ? CLAUSES.split(whole.text) : new String[0];
    if (parts.length > 1 && parts.length <= MAX_CLAUSES) {
      List<Statement> clauses = new ArrayList<>();
      for (String part : parts) {
        if (!part.isBlank()) {
          clauses.add(read(part, null, false));
        }
      }
      whole.clauses = clauses;
    }
    return whole;
  }

  /** This statement, and its clauses when it has several. */
  List<Statement> parts() {
    if (clauses.isEmpty()) {
      return List.of(this);
    }
    List<Statement> out = new ArrayList<>(clauses);
    out.add(0, this);
    return out;
  }

  private static Statement read(String text, JsonObject metadata, boolean withFacts) {
    String s = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC).strip();
    Map<String, String> facts = new LinkedHashMap<>();
    s = profileSentence(s, facts);
    if (metadata != null && metadata.getValue("profile_key") instanceof String key
        && metadata.getValue("profile_value") instanceof String value) {
      facts.put(key, norm(value));
    }
    boolean zh = s.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    s = zh ? s.replace("用户", "我") : s.replaceFirst("(?i)^user:\\s*", "").replaceFirst("(?i)^user\\b", "I");
    JsonArray found = withFacts ? RuleExtractor.facts(s) : new JsonArray();
    for (int i = 0; i < found.size(); i++) {
      JsonObject f = found.getJsonObject(i);
      facts.putIfAbsent(f.getString("key"), norm(f.getString("value")));
    }
    String lower = s.toLowerCase(Locale.ROOT);
    Map<String, Integer> states = states(lower);
    List<String> dates = new ArrayList<>();
    lower = zh ? zhNumbers(lower) : lower;
    lower = dates(lower, dates);
    return zh ? Chinese.read(text, lower, facts, states, dates) : English.read(text, lower, facts, states, dates);
  }

  static Statement make(String text, boolean zh, String subject, List<String> units, int negations, boolean change,
      boolean past, boolean correction, Map<String, String> facts, Map<String, Integer> states, List<String> dates) {
    List<String> numbers = units.stream().filter(u -> u.chars().allMatch(Character::isDigit)).toList();
    return new Statement(text, zh, subject, units, negations, change, past, correction, numbers, dates, facts,
        states);
  }

  /** The core without negation marks. */
  List<String> plain() {
    return units.stream().filter(u -> !u.equals(Words.NOT)).toList();
  }

  boolean negated() {
    return negations % 2 == 1;
  }

  /** "用户的居住地：杭州" (a profile memory as text) as the sentence it stands for, its fact noted. */
  private static String profileSentence(String s, Map<String, String> facts) {
    Matcher m = PROFILE_TEXT.matcher(s.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return s;
    }
    String label = m.group(1).strip();
    String value = s.substring(s.length() - m.group(2).length()).strip();
    facts.put(label, norm(value));
    return switch (label) {
      case "喜欢" -> "我喜欢" + value;
      case "不喜欢" -> "我不喜欢" + value;
      case "居住地" -> "我住在" + value;
      case "likes" -> "I like " + value;
      case "dislikes" -> "I dislike " + value;
      case "lives in" -> "I live in " + value;
      default -> label.matches(".*\\p{IsHan}.*") ? "我的" + label + "是" + value : "My " + label + " is " + value;
    };
  }

  private static Map<String, Integer> states(String lower) {
    Map<String, Integer> out = new LinkedHashMap<>();
    STATES.forEach((group, states) -> {
      for (int i = 0; i < states.size(); i++) {
        if (states.get(i).stream().anyMatch(p -> p.matcher(lower).find())) {
          out.put(group, i); // the first state of the group named: a change (分手, divorced) before a noun
          return;
        }
      }
    });
    return out;
  }

  /** {@link Words#STATES} as patterns: an English word whole ("single", not "singles"), Chinese as written. */
  private static final Map<String, List<List<Pattern>>> STATES = new LinkedHashMap<>();

  static {
    Words.STATES.forEach((group, states) -> STATES.put(group, states.stream().map(words -> words.stream()
        .map(w -> Pattern.compile(w.matches("[a-z ]+") ? "\\b" + w + "\\b" : Pattern.quote(w))).toList()).toList()));
  }

  /** Chinese numerals before a measure word, as digits: 三个 → 3个, 二十五岁 → 25岁. */
  private static String zhNumbers(String s) {
    Matcher m = ZH_NUMBER.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) { // a lone 一 before 只, 个 is "a" (一只猫), left for the measure words' rule
      boolean a = m.group().equals("一") && A_MEASURE.matcher(s).region(m.end(), s.length()).lookingAt();
      m.appendReplacement(out, Matcher.quoteReplacement(a ? "一" : numeral(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String numeral(String zh) {
    if (zh.equals("十")) {
      return "10";
    }
    int value = 0;
    int digit = 0;
    for (char c : zh.toCharArray()) {
      if (c == '十') {
        value += (digit == 0 ? 1 : digit) * 10;
        digit = 0;
      } else if (c == '百') {
        value += (digit == 0 ? 1 : digit) * 100;
        digit = 0;
      } else {
        String d = Words.ZH_NUMERALS.get(String.valueOf(c));
        digit = d == null ? c == '九' ? 9 : 0 : Integer.parseInt(d);
      }
    }
    return String.valueOf(value + digit);
  }

  /** Takes the dates out (as MM-DD or YYYY-MM-DD) so that the numbers left are counts and amounts. */
  private static String dates(String s, List<String> out) {
    for (Pattern p : List.of(ISO_DATE, ZH_DATE, EN_DATE)) {
      Matcher m = p.matcher(s);
      StringBuilder rest = new StringBuilder();
      while (m.find()) {
        String month = p == EN_DATE ? String.valueOf(MONTHS.indexOf(m.group(1)) + 1) : m.group(2);
        String day = p == EN_DATE ? m.group(2) : m.group(3);
        String year = p == EN_DATE ? null : m.group(1);
        out.add((year == null ? "" : year + "-") + pad(month) + "-" + pad(day));
        m.appendReplacement(rest, " ");
      }
      m.appendTail(rest);
      s = rest.toString();
    }
    return s;
  }

  private static String pad(String n) {
    return n.length() == 1 ? "0" + n : n;
  }

  /** A value as compared: lower case, without spaces and punctuation. */
  static String norm(String value) {
    return value == null ? "" : Normalizer.normalize(value, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT)
        .transform(v -> NOT_A_VALUE.matcher(v).replaceAll(""));
  }

  /** English words of a lower-cased text, contractions opened. */
  static List<String> words(String lower) {
    String s = lower.replace("’", "'").replace("cannot", "can not").replace("can't", "can not").replace("won't", "will not")
        .replace("n't", " not").replace("'m", " am").replace("'re", " are").replace("'ve", " have")
        .replace("'ll", " will").replace("'d", " would").replace("'s", "");
    List<String> out = new ArrayList<>();
    Matcher m = EN_WORD.matcher(s);
    while (m.find()) {
      int n = EN_NUMBERS.indexOf(m.group());
      out.add(n < 0 ? m.group() : String.valueOf(n + 1));
    }
    return out;
  }
}
