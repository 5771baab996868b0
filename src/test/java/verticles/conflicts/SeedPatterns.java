package verticles.conflicts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed's {@code ConflictDetector} (004 §6.1), ported line by line as the baseline to beat: substring patterns
 * (是/有 against 不是/没有, 喜欢 against 不喜欢, "肯定" against "否定", 多/少, 大/小, 高/低), assertions longer than five
 * characters, past and present keywords, and topic overlap between 0.3 and 0.8. It never reports a duplicate. Only
 * the test uses it: it is not shipped.
 */
final class SeedPatterns {
  private SeedPatterns() {}

  private static final List<List<List<String>>> CONTRADICTION_PATTERNS = List.of(
      List.of(List.of("喜欢", "爱", "偏好"), List.of("讨厌", "不喜欢", "厌恶")),
      List.of(List.of("是", "有"), List.of("不是", "没有")),
      // the seed writes these as plain strings, which Python's `in` iterates character by character
      List.of(List.of("肯", "定"), List.of("否", "定")),
      List.of(List.of("正", "确"), List.of("错", "误")),
      List.of(List.of("多"), List.of("少")),
      List.of(List.of("大"), List.of("小")),
      List.of(List.of("高"), List.of("低")));
  private static final Pattern TOPIC = Pattern.compile("\\b[\\u4e00-\\u9fa5a-zA-Z]+\\b",
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Set<String> STOPWORDS = Set.of("的", "是", "在", "了", "和", "与", "或", "这", "那", "有");

  /** The first type the seed's {@code detect} reports for (a, b), or "none": contradiction, outdated, inconsistent. */
  static String classify(String a, String b) {
    List<String> found = new ArrayList<>();
    for (String x : assertions(normalize(a))) {
      for (String y : assertions(normalize(b))) {
        if (contradictory(x, y)) {
          found.add(Verdict.CONTRADICTION);
        }
      }
    }
    boolean aOld = List.of("之前", "以前", "曾经", "过去").stream().anyMatch(a::contains);
    boolean bNow = List.of("现在", "目前", "当前", "最新").stream().anyMatch(b::contains);
    if (aOld && bNow) {
      found.add(Verdict.OUTDATED);
    }
    Set<String> ta = topics(a);
    Set<String> tb = topics(b);
    Set<String> both = new LinkedHashSet<>(ta);
    both.retainAll(tb);
    Set<String> all = new LinkedHashSet<>(ta);
    all.addAll(tb);
    if (!both.isEmpty() && both.size() < all.size()) {
      double similarity = (double) both.size() / all.size();
      if (similarity > 0.3 && similarity < 0.8) {
        found.add(Verdict.INCONSISTENT);
      }
    }
    return found.isEmpty() ? Verdict.NONE : found.get(0);
  }

  private static String normalize(String text) {
    return text.replaceAll("\\s+", " ").replace('，', ',').replace('。', '.').strip();
  }

  private static List<String> assertions(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split("\\.", -1)) {
      if (!s.strip().isEmpty() && s.strip().length() > 5) {
        out.add(s.strip());
      }
    }
    return out;
  }

  private static Set<String> topics(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = TOPIC.matcher(text.toLowerCase());
    while (m.find()) {
      String w = m.group();
      if (!STOPWORDS.contains(w) && w.length() > 1) {
        out.add(w);
      }
    }
    return out;
  }

  private static boolean contradictory(String a, String b) {
    String al = a.toLowerCase();
    String bl = b.toLowerCase();
    for (List<List<String>> pattern : CONTRADICTION_PATTERNS) {
      if (pattern.get(0).stream().anyMatch(al::contains) && pattern.get(1).stream().anyMatch(bl::contains)) {
        return true;
      }
    }
    return false;
  }
}
