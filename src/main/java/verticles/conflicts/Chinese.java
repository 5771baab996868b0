package verticles.conflicts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads a Chinese statement into a {@link Statement}: phrases first, so 不 in 不错 or 爱 in 可爱 is never a sign. */
final class Chinese {
  private Chinese() {}

  private static final List<Map.Entry<Pattern, String>> NOT_NEGATIONS = Words.compiled(Words.ZH_NOT_NEGATIONS);
  static final List<Map.Entry<Pattern, String>> MOVED = Words.compiled(Words.MOVED);
  private static final Pattern ONE_MEASURE = Pattern.compile(Words.ZH_ONE_MEASURE);

  /** Adverbs of change, the past and correction: said of the claim, not part of it. */
  private static final List<String> ADVERBS = List.of("现在", "如今", "目前", "后来", "已经", "小时候", "以前", "之前",
      "曾经", "过去", "当年", "其实", "实际上", "事实上", "说实话", "老实说");

  static Statement read(String text, String s, Map<String, String> facts, Map<String, Integer> states,
      List<String> dates) {
    boolean correction = any(s, Words.ZH_CORRECTION);
    boolean past = any(s, Words.ZH_PAST);
    boolean change = any(s, Words.ZH_CHANGE);
    for (Map.Entry<Pattern, String> r : NOT_NEGATIONS) {
      s = r.getKey().matcher(s).replaceAll(r.getValue());
    }
    for (Map.Entry<Pattern, String> r : MOVED) {
      s = r.getKey().matcher(s).replaceAll(r.getValue());
    }
    for (String w : Words.ZH_STOPPED) {
      if (s.contains(w)) {
        change = true;
        s = s.replace(w, Words.NOT);
      }
    }
    for (String w : Words.ZH_DISLIKE) {
      s = s.replace(w, Words.NOT + "喜欢");
    }
    for (String w : Words.ZH_LIKE) {
      s = s.replace(w, "喜欢");
    }
    for (String w : Words.ZH_NEGATORS) {
      s = s.replace(w, w.endsWith("有") ? Words.NOT + "有" : Words.NOT);
    }
    s = ONE_MEASURE.matcher(s).replaceAll(""); // before the fillers take 只 out of 一只
    for (String w : ADVERBS) {
      s = s.replace(w, "");
    }
    for (String w : Words.ZH_FILLERS) {
      s = s.replace(w, "");
    }
    String subject = "";
    s = s.strip().replaceFirst("^我们?", "");
    for (String person : Words.ZH_PEOPLE) {
      if (s.startsWith(person)) {
        subject = person.equals("妈") ? "妈妈" : person.equals("爸") ? "爸爸" : person;
        s = s.substring(person.length());
        break;
      }
    }
    List<String> units = units(s);
    int negations = (int) units.stream().filter(Words.NOT::equals).count();
    return Statement.make(text, true, subject, units, negations, change, past, correction, facts, states, dates);
  }

  /** A Han character, a run of Latin letters or of digits, or the negation mark: one unit each. */
  static List<String> units(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder run = new StringBuilder();
    s.codePoints().forEach(c -> {
      boolean word = c < 128 && Character.isLetterOrDigit(c);
      if (!word && run.length() > 0) {
        out.add(run.toString());
        run.setLength(0);
      }
      if (word) {
        if (run.length() > 0 && Character.isDigit(c) != Character.isDigit(run.charAt(run.length() - 1))) {
          out.add(run.toString());
          run.setLength(0);
        }
        run.appendCodePoint(c);
      } else if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN || Words.NOT.codePointAt(0) == c) {
        out.add(new String(Character.toChars(c)));
      }
    });
    if (run.length() > 0) {
      out.add(run.toString());
    }
    return out;
  }

  private static boolean any(String s, List<String> words) {
    return words.stream().anyMatch(s::contains);
  }
}
