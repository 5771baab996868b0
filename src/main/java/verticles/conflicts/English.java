package verticles.conflicts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads an English statement into a {@link Statement}: words, contractions opened, lightly stemmed. */
final class English {
  private English() {}

  private static final List<String> PAST = List.of("used to", "as a kid", "as a child", "when i was", "childhood",
      "years ago", "back then", "formerly");
  private static final Set<String> DISLIKE = stems(Words.EN_DISLIKE);
  private static final Set<String> LIKE = stems(Words.EN_LIKE);
  private static final Set<String> STOPPED = stems(Words.EN_STOPPED);
  private static final Set<String> PEOPLE = stems(Words.EN_PEOPLE);
  static final Set<String> SINGLE = stems(Words.EN_SINGLE);

  static Statement read(String text, String s, Map<String, String> facts, Map<String, Integer> states,
      List<String> dates) {
    List<String> words = Statement.words(s);
    boolean correction = words.stream().anyMatch(Words.EN_CORRECTION::contains);
    boolean past = PAST.stream().anyMatch(s::contains);
    boolean change = words.stream().anyMatch(Words.EN_CHANGE::contains) || s.contains("any more");
    for (Map.Entry<java.util.regex.Pattern, String> r : Chinese.MOVED) {
      s = r.getKey().matcher(s).replaceAll(r.getValue());
    }
    words = Statement.words(s);
    String subject = "";
    int from = 0;
    if (words.size() > 1 && words.get(0).equals("my")) {
      int i = words.size() > 2 && Set.of("younger", "little", "older", "big", "elder").contains(words.get(1)) ? 2 : 1;
      String who = stem(words.get(i));
      if (PEOPLE.contains(who)) {
        subject = switch (who) {
          case "mother" -> "mom";
          case "father" -> "dad";
          default -> who;
        };
        from = i + 1;
      }
    } else if (!words.isEmpty() && Set.of("he", "she", "they").contains(words.get(0))) {
      subject = words.get(0);
      from = 1;
    }
    List<String> units = new ArrayList<>();
    for (int i = from; i < words.size(); i++) {
      String w = words.get(i);
      String st = stem(w);
      if (w.equals("can") && i + 2 < words.size() && words.get(i + 1).equals("not")
          && words.get(i + 2).startsWith("stand")) {
        units.add(Words.NOT);
        units.add("like");
        i += 2;
      } else if (DISLIKE.contains(st)) {
        units.add(Words.NOT);
        units.add("like");
      } else if (STOPPED.contains(st)) {
        change = true;
        units.add(Words.NOT);
      } else if (LIKE.contains(st)) {
        units.add("like");
      } else if (Words.EN_NEGATORS.contains(w)) {
        units.add(Words.NOT);
      } else if (!Words.EN_FILLERS.contains(w) && !Words.EN_FILLERS.contains(st) && !Words.EN_CHANGE.contains(w)) {
        units.add(st);
      }
    }
    int negations = (int) units.stream().filter(Words.NOT::equals).count();
    Statement out = Statement.make(text, false, subject, units, negations, change, past, correction, facts, states,
        dates);
    out.names = names(text);
    return out;
  }

  /** The words after the first written with a capital letter (not "I"): names, which an embedding may not tell apart. */
  private static Set<String> names(String text) {
    Set<String> out = new java.util.HashSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("[A-Za-z]+").matcher(text);
    boolean first = true;
    while (m.find()) {
      String w = m.group();
      if (!first && !w.equals("I") && Character.isUpperCase(w.charAt(0))) {
        out.add(stem(w.toLowerCase(java.util.Locale.ROOT)));
      }
      first = false;
    }
    return out;
  }

  /** A light stemmer: lives, living and live are one word; so are running and run. */
  static String stem(String w) {
    int n = w.length();
    if (n > 5 && w.endsWith("ing")) {
      w = w.substring(0, n - 3);
    } else if (n > 4 && (w.endsWith("ied") || w.endsWith("ies"))) {
      w = w.substring(0, n - 3) + "y";
    } else if (n > 4 && w.endsWith("ed")) {
      w = w.substring(0, n - 2);
    } else if (n > 4 && (w.endsWith("ches") || w.endsWith("shes") || w.endsWith("sses") || w.endsWith("xes"))) {
      w = w.substring(0, n - 2);
    } else if (n > 3 && w.endsWith("s") && !w.endsWith("ss")) {
      w = w.substring(0, n - 1);
    }
    n = w.length();
    if (n > 3 && w.endsWith("e")) {
      w = w.substring(0, n - 1);
    }
    n = w.length();
    if (n > 3 && w.charAt(n - 1) == w.charAt(n - 2) && "aeiouls".indexOf(w.charAt(n - 1)) < 0) {
      w = w.substring(0, n - 1);
    }
    return w;
  }

  private static Set<String> stems(Set<String> words) {
    return words.stream().map(English::stem).collect(Collectors.toSet());
  }
}
