package verticles.forgetting;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extractive compression of a memory's text (seed 004 §7), in Chinese and English, with no model: light drops repeated
 * lines; medium keeps the most informative sentences, in their order, until about half the length; aggressive keeps
 * the one most informative sentence. A sentence's information is how much of the text's recurring vocabulary it holds
 * (terms: English words outside a stop list, numbers, CJK character pairs), with names and numbers weighed up, per
 * square root of its length, so a long sentence does not win by length alone.
 *
 * <p>The result carries the seed's fields: sizes in characters (code points), the ratio, the key points (the
 * original's three most informative sentences) that the compressed text kept, and a quality score, which the seed
 * derived from the ratio alone; here it is the share of the original's ten key terms (its most frequent terms,
 * names and numbers first) that the compressed text still holds.
 */
final class Compressor {
  private Compressor() {}

  /** 1 light, 2 medium, 3 aggressive: by how often recall returned the memory in the last days. */
  enum Level {
    LIGHT, MEDIUM, AGGRESSIVE;

    static Level of(int n) {
      return n <= 1 ? LIGHT : n == 2 ? MEDIUM : AGGRESSIVE;
    }

    int number() {
      return ordinal() + 1;
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A compressed text and how it compares with its original. */
  record Result(String text, int originalSize, int compressedSize, List<String> keyPointsPreserved, double quality,
      String method) {
    double ratio() {
      return originalSize == 0 ? 1.0 : Math.round(1000.0 * compressedSize / originalSize) / 1000.0;
    }
  }

  private static final Pattern LATIN = Pattern.compile("[\\p{IsLatin}][\\p{IsLatin}'’-]*|\\d+(?:[.:/-]\\d+)*");
  private static final Set<String> STOP = Set.of("the", "a", "an", "and", "or", "but", "if", "so", "to", "of", "in",
      "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "am", "do",
      "does", "did", "have", "has", "had", "i", "you", "he", "she", "it", "we", "they", "me", "him", "her", "us",
      "them", "my", "your", "his", "its", "our", "their", "this", "that", "these", "those", "there", "here", "what",
      "which", "who", "when", "where", "why", "how", "not", "no", "yes", "just", "really", "very", "too", "also",
      "can", "could", "would", "should", "will", "shall", "may", "might", "must", "about", "into", "up", "out",
      "then", "than", "all", "any", "some", "much", "many", "more", "most", "oh", "wow", "yeah", "hey", "hi", "ok",
      "okay", "like", "get", "got", "it's", "i'm", "that's", "you're", "i've", "don't", "thanks", "thank");
  /** Function characters that make a CJK pair say nothing on their own. */
  private static final String CJK_FUNCTION = "的了是我你他她它们在有和就都也很吗呢吧啊呀哦嗯这那个一不";

  /** Light: each line once (compared stripped and lower-cased), blank runs kept to one. */
  static String light(String content) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    boolean blank = false;
    for (String line : content.split("\n", -1)) {
      String key = line.strip().toLowerCase(Locale.ROOT);
      if (key.isEmpty()) {
        if (!blank && !out.isEmpty()) {
          out.add("");
        }
        blank = true;
        continue;
      }
      blank = false;
      if (seen.add(key)) {
        out.add(line.stripTrailing());
      }
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return String.join("\n", out);
  }

  /** The text at {@code level}, extractively. */
  static Result compress(String content, Level level) {
    String base = light(content);
    String text = switch (level) {
      case LIGHT -> base;
      case MEDIUM -> keep(base, 0.5, Integer.MAX_VALUE);
      case AGGRESSIVE -> keep(base, 0.0, 1);
    };
    return result(content, text, "extractive");
  }

  /** The comparison of a compressed text with its original. */
  static Result result(String original, String compressed, String method) {
    List<String> points = keyPoints(original);
    String squeezed = compressed.replaceAll("\\s+", " ");
    List<String> kept = points.stream().filter(p -> squeezed.contains(p.replaceAll("\\s+", " "))).toList();
    List<String> terms = keyTerms(original, 10);
    Set<String> left = terms(compressed).keySet();
    double quality = terms.isEmpty() ? 1.0 : Math.round(100.0 * terms.stream().filter(left::contains).count()
        / terms.size()) / 100.0;
    return new Result(compressed, size(original), size(compressed), kept, quality, method);
  }

  static int size(String s) {
    return s.codePointCount(0, s.length());
  }

  /** The sentences, each with its closing punctuation, stripped; blanks dropped. */
  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean newline = c == '\n';
      if (!newline) {
        current.append(c);
      }
      boolean closes = "。！？!?；;".indexOf(c) >= 0 || c == '…'
          || c == '.' && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)));
      // closing punctuation runs ("?!", "。。") and closing quotes stay with their sentence
      boolean more = i + 1 < text.length() && "。！？!?；;.…\"'”’）)".indexOf(text.charAt(i + 1)) >= 0;
      if (newline || closes && !more) {
        add(out, current);
      }
    }
    add(out, current);
    return out;
  }

  private static void add(List<String> out, StringBuilder current) {
    String s = current.toString().strip();
    if (!s.isEmpty()) {
      out.add(s);
    }
    current.setLength(0);
  }

  /**
   * The most informative sentences, in their order: at least {@code share} of the text's length (0: one sentence at
   * least), at most {@code most} sentences. A text of one sentence comes back as it is.
   */
  static String keep(String text, double share, int most) {
    List<String> sentences = sentences(text);
    if (sentences.size() <= 1) {
      return text;
    }
    Map<String, Integer> tf = terms(text);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      order.add(i);
    }
    double[] score = new double[sentences.size()];
    for (int i = 0; i < sentences.size(); i++) {
      score[i] = score(sentences.get(i), tf) * (i == 0 ? 1.1 : 1.0); // the lead sentence often states the topic
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparing(i -> i));
    int total = size(text);
    int kept = 0;
    Set<Integer> chosen = new java.util.TreeSet<>();
    for (int i : order) {
      if (chosen.size() >= most || (!chosen.isEmpty() && kept >= share * total)) {
        break;
      }
      chosen.add(i);
      kept += size(sentences.get(i));
    }
    boolean cjk = text.codePoints().anyMatch(Compressor::isCjk);
    List<String> out = new ArrayList<>();
    chosen.forEach(i -> out.add(sentences.get(i)));
    return String.join(cjk ? "" : " ", out);
  }

  /** The original's three most informative sentences (each at most 120 characters). */
  static List<String> keyPoints(String text) {
    List<String> sentences = sentences(text);
    Map<String, Integer> tf = terms(text);
    return sentences.stream().distinct().sorted(Comparator.comparingDouble((String s) -> -score(s, tf))).limit(3)
        .filter(s -> size(s) <= 120).toList();
  }

  /** The text's {@code n} key terms: numbers and names first, then the most frequent. */
  static List<String> keyTerms(String text, int n) {
    Map<String, Integer> tf = terms(text);
    return tf.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, Integer> e) -> -(e.getValue() * weight(e.getKey(),
            text))).thenComparing(Map.Entry::getKey))
        .limit(n).map(Map.Entry::getKey).toList();
  }

  private static double score(String sentence, Map<String, Integer> tf) {
    Map<String, Integer> own = terms(sentence);
    if (own.isEmpty()) {
      return 0;
    }
    double sum = 0;
    for (String t : own.keySet()) {
      sum += tf.getOrDefault(t, 1) * weight(t, sentence);
    }
    return sum / Math.sqrt(own.size() + 1.0);
  }

  /** Numbers and names (capitalised in the text) weigh double: they are what a later question asks for. */
  private static double weight(String term, String text) {
    if (Character.isDigit(term.charAt(0))) {
      return 2.0;
    }
    if (Character.isLetter(term.charAt(0)) && !isCjk(term.codePointAt(0))) {
      int at = text.toLowerCase(Locale.ROOT).indexOf(term);
      return at >= 0 && Character.isUpperCase(text.charAt(at)) ? 2.0 : 1.0;
    }
    return 1.0;
  }

  /** Term frequencies: English words (lower-cased, stop words out), numbers, and CJK character pairs. */
  static Map<String, Integer> terms(String text) {
    Map<String, Integer> tf = new LinkedHashMap<>();
    Matcher m = LATIN.matcher(text);
    while (m.find()) {
      String w = m.group().toLowerCase(Locale.ROOT);
      if (!STOP.contains(w) && (w.length() > 1 || Character.isDigit(w.charAt(0)))) {
        tf.merge(w, 1, Integer::sum);
      }
    }
    int[] cps = text.codePoints().toArray();
    for (int i = 0; i + 1 < cps.length; i++) {
      if (isCjk(cps[i]) && isCjk(cps[i + 1]) && (CJK_FUNCTION.indexOf(cps[i]) < 0
          || CJK_FUNCTION.indexOf(cps[i + 1]) < 0)) {
        tf.merge(new String(cps, i, 2), 1, Integer::sum);
      }
    }
    return tf;
  }

  static boolean isCjk(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
  }

  /** Whether a compression is worth a version: it saves at least a tenth of the text. */
  static boolean worthwhile(Result r) {
    return r.compressedSize() > 0 && r.compressedSize() <= 0.9 * r.originalSize();
  }
}
