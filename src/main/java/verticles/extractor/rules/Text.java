package verticles.extractor.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Text plumbing for the rule extractor: normalising, sentence and clause splitting, question and hypothetical tests. */
final class Text {

  /** Per-message cap, so a pasted novel costs the same as a long message. */
  static final int MAX_CHARS = 2000;

  private Text() {}

  /** One sentence: its clauses, and whether it ended with a question mark. */
  record Sentence(String text, List<String> clauses, boolean questionMark) {}

  static boolean hasHan(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.UnicodeScript.of(s.charAt(i)) == Character.UnicodeScript.HAN) {
        return true;
      }
    }
    return false;
  }

  /**
   * Caps the length, folds full-width digits and letters to ASCII (so one set of regexes sees "２５" as "25"), unifies
   * apostrophes, and turns emoji and control characters into spaces. Chinese punctuation is kept.
   */
  static String normalize(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    String s = raw;
    if (s.length() > MAX_CHARS) {
      int cut = Character.isHighSurrogate(s.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
      s = s.substring(0, cut);
    }
    StringBuilder b = new StringBuilder(s.length());
    boolean lastSpace = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      int out;
      if (cp >= 0xFF10 && cp <= 0xFF19 || cp >= 0xFF21 && cp <= 0xFF3A || cp >= 0xFF41 && cp <= 0xFF5A) {
        out = cp - 0xFEE0;
      } else if (cp == '\u2019' || cp == '\u2018' || cp == '\uFF07') {
        out = '\'';
      } else if (cp == '\n' || cp == '\r') {
        out = '\n';
      } else if (isNoise(cp)) {
        out = ' ';
      } else {
        out = cp;
      }
      if (out == ' ') {
        if (!lastSpace) {
          b.append(' ');
        }
        lastSpace = true;
      } else {
        b.appendCodePoint(out);
        lastSpace = false;
      }
    }
    // Chinese has no spaces between words, so a space (or an emoji) between two Chinese characters separates clauses.
    return HAN_SPACE_HAN.matcher(b.toString().trim()).replaceAll("，");
  }

  private static final Pattern HAN_SPACE_HAN = Pattern.compile("(?<=\\p{IsHan}) (?=\\p{IsHan})");

  private static boolean isNoise(int cp) {
    if (cp == '\t' || cp == '\u3000' || cp == '\u00A0' || cp == 0x200D || cp == 0xFE0F || cp == 0xFE0E) {
      return true;
    }
    if (cp >= 0x1F000 && cp <= 0x1FAFF || cp >= 0x2600 && cp <= 0x27BF || cp >= 0xE0000) {
      return true; // emoji, dingbats, tags
    }
    int type = Character.getType(cp);
    return type == Character.OTHER_SYMBOL || type == Character.CONTROL || type == Character.SURROGATE
        || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
  }

  private static final String TERMINATORS = "。！？!?；;\n…~～";
  private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "prof",
      "e.g", "i.e", "a.m", "p.m", "u.s", "no");

  /** Splits at sentence punctuation; an English period only ends a sentence before whitespace and after a non-abbreviation. */
  static List<Sentence> sentences(String text) {
    List<Sentence> out = new ArrayList<>();
    int start = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      boolean end = TERMINATORS.indexOf(c) >= 0 || c == '.' && isSentencePeriod(text, i);
      if (!end) {
        i++;
        continue;
      }
      boolean question = false;
      int j = i;
      while (j < n && (TERMINATORS.indexOf(text.charAt(j)) >= 0 || text.charAt(j) == '.' || text.charAt(j) == ' ')) {
        question |= text.charAt(j) == '?' || text.charAt(j) == '？';
        j++;
      }
      add(out, text.substring(start, i), question);
      start = j;
      i = j;
    }
    add(out, text.substring(start), false);
    return out;
  }

  private static boolean isSentencePeriod(String text, int i) {
    if (i + 1 < text.length() && !Character.isWhitespace(text.charAt(i + 1))) {
      return false; // 3.5, example.com, U.S.A
    }
    int k = i;
    while (k > 0 && (Character.isLetter(text.charAt(k - 1)) || text.charAt(k - 1) == '.')) {
      k--;
    }
    String word = text.substring(k, i).toLowerCase();
    return !ABBREVIATIONS.contains(word) && !(word.length() == 1 && Character.isUpperCase(text.charAt(k)));
  }

  private static void add(List<Sentence> out, String raw, boolean question) {
    String s = raw.strip();
    if (s.isEmpty()) {
      return;
    }
    out.add(new Sentence(s, clauses(s), question));
  }

  /**
   * Clause split at commas, except inside numbers ("10,000"), before a year ("March 15, 1998"), and before a bare list
   * item ("I enjoy reading, cooking and swimming", "我喜欢猫，狗，还有兔子"), which stays with its clause.
   */
  static List<String> clauses(String sentence) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= sentence.length(); i++) {
      if (i < sentence.length()) {
        char c = sentence.charAt(i);
        if (c != ',' && c != '，' && c != ':' && c != '：') {
          continue;
        }
        if (c == ',' && (i > 0 && Character.isDigit(sentence.charAt(i - 1)) && i + 1 < sentence.length()
            && Character.isDigit(sentence.charAt(i + 1)) || YEAR_AFTER_COMMA.matcher(sentence).region(i + 1,
            sentence.length()).lookingAt())) {
          continue;
        }
      }
      String part = sentence.substring(start, i).strip();
      if (!part.isEmpty()) {
        if (!out.isEmpty() && (charAt(sentence, start - 1) == ',' || charAt(sentence, start - 1) == '，') && isListItem(part)) {
          out.set(out.size() - 1, out.get(out.size() - 1) + sentence.charAt(start - 1) + " " + part);
        } else {
          out.add(part);
        }
      }
      start = i + 1;
    }
    return out;
  }

  private static char charAt(String s, int i) {
    return i >= 0 && i < s.length() ? s.charAt(i) : 0;
  }

  private static final Pattern ZH_LIST_ITEM = Pattern.compile("(?:还有|以及|和)?[\\p{IsHan}A-Za-z]{1,6}");
  private static final Pattern ZH_NOT_ITEM = Pattern.compile("^[好很太真超特非有也都还就但可不没所因然而]|[了吧啊呢呀哦吗嘛啦哈我你他她它们]");
  private static final Pattern EN_LIST_ITEM = Pattern.compile("(?i)(?:and |or |& )?[a-z][a-z'\\-]*(?:\\s+[a-z][a-z'\\-]*){0,3}");
  private static final Pattern EN_NOT_ITEM = Pattern.compile(
      "(?i)\\b(?:i|i'm|im|i've|i'd|i'll|me|my|you|your|u|we|he|she|they|it|it's|but|so|because|what|who|how|when|where|why"
          + "|nice|thanks|thank|hi|hello|hey|please|is|are|was|were|am|do|does|did|can|will|would|yes|no|ok|okay|lol|haha"
          + "|too|though|anyway|right|well|oh|just|not|also|very|really)\\b");

  /** A short noun-like fragment that continues a list rather than starting a new clause. */
  private static boolean isListItem(String part) {
    if (isQuestion(part, false) || isHypothetical(part)) {
      return false;
    }
    if (hasHan(part)) {
      return ZH_LIST_ITEM.matcher(part).matches() && (part.startsWith("还有") || !ZH_NOT_ITEM.matcher(part).find());
    }
    return EN_LIST_ITEM.matcher(part).matches() && !EN_NOT_ITEM.matcher(part.replaceFirst("(?i)^(?:and|or)\\s+", "")).find();
  }

  private static final Pattern YEAR_AFTER_COMMA = Pattern.compile("\\s*[0-9]{4}\\b");

  // --- questions and hypotheticals -------------------------------------------------------------------------------

  private static final Pattern ZH_QUESTION = Pattern.compile(
      "吗\\s*$|么\\s*$|什么|啥|谁|哪(?!怕)|怎么|为什么|为啥|多少|几岁|几号|几点|几月|第几|是不是|有没有|能不能|可不可以|会不会|要不要"
          + "|对不对|好不好|行不行|知不知道|记不记得|还记得|你呢|呢\\s*$");
  private static final Pattern EN_QUESTION = Pattern.compile(
      "^(?:and |so |but |hey |well |um |oh )?(?:(?:do|does|did|is|are|am|was|were|can|could|would|will|should|shall|have|has"
          + "|may|might|must)(?:n't)?\\s+(?:you|i|we|he|she|it|they|my|your|there|that|this|anyone|u)\\b"
          + "|(?:what|who|whom|whose|where|when|why|how|which)(?:'s|'re|'d|\\s+(?:is|are|was|were|do|does|did|can|could|would"
          + "|will|should|about|kind|time|day|else|much|many|old|long)\\b|\\s*$)|what\\b|how\\b|guess\\b)",
      Pattern.CASE_INSENSITIVE);

  /** A clause asks rather than tells: it carries no facts. */
  static boolean isQuestion(String clause, boolean endsWithQuestionMark) {
    if (endsWithQuestionMark) {
      return true;
    }
    return ZH_QUESTION.matcher(clause).find() || EN_QUESTION.matcher(clause.strip()).find();
  }

  private static final Pattern HYPOTHETICAL = Pattern.compile(
      "如果|假如|假设|(?<![主只就不还总])要是|万一|假装|想象|梦见|梦到|做梦|幻想|如若|倘若"
          + "|(?i:\\b(?:if|imagine|imagining|pretend|pretending|suppose|supposing|hypothetically|wish|wished|dreamt|dreamed"
          + "|would|wonder|let's say|as if|in a dream)\\b|\\bI'd\\b)");

  /** "If I were a nurse", "假如我叫小雨": nothing in or after this clause is a fact. */
  static boolean isHypothetical(String clause) {
    return HYPOTHETICAL.matcher(clause).find();
  }

  /**
   * The clauses of a sentence that may state facts: questions are dropped, and a hypothetical taints the rest of its
   * sentence ("如果我是护士，我会…").
   */
  static List<String> usableClauses(Sentence s) {
    List<String> out = new ArrayList<>();
    List<String> cs = s.clauses();
    for (int i = 0; i < cs.size(); i++) {
      String c = cs.get(i);
      if (isHypothetical(c)) {
        break;
      }
      if (!isQuestion(c, s.questionMark() && i == cs.size() - 1)) {
        out.add(c);
      }
    }
    return out;
  }

  /** "我下周三要面试" → "用户下周三要面试": memories read better in the third person. */
  static String thirdPersonZh(String s) {
    // a leading greeting says nothing worth summarising ("你好呀，我叫小雨" → "用户叫小雨")
    String t = s.replaceFirst("^(你好|您好|嗨|哈喽|早上好|晚上好)[呀啊哦~！!，,。\\s]*", "");
    if (t.isBlank()) {
      t = s;
    }
    return t.replace("我们", "他们").replace("我", "用户").replaceAll("你(?![们好])", "AI");
  }

  /** Cuts to at most max characters (code points kept whole), marking the cut. */
  static String capChars(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }

  /** Cuts to at most max whitespace-separated words. */
  static String capWords(String s, int max) {
    String[] words = s.split("\\s+");
    if (words.length <= max) {
      return s;
    }
    return String.join(" ", java.util.Arrays.copyOf(words, max)) + "…";
  }
}
