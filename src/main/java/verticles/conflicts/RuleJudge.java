package verticles.conflicts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges two statements of one owner without a model: structure first (the profile facts the extractor's rules find,
 * exclusive states), then the claim's sign (negation-aware: 我喜欢猫 / 我其实讨厌猫 are one claim with opposite signs),
 * then a value in a frame that holds one value at a time (我住在杭州 / 我住在上海), and, for a restatement, the
 * embedding's cosine beside the words. The older statement is {@code a}, the newer {@code b}: a clash that the newer
 * one says is a change (搬到, now, no longer) makes {@code a} outdated; without one it is a contradiction (opposite
 * signs) or an inconsistency (different values).
 */
final class RuleJudge {
  /** Profile keys that hold one value at a time; the others (likes, pets, traits) accumulate. */
  private static final Set<String> SINGLE_KEYS = Set.of("name", "age", "birthday", "occupation", "workplace",
      "location", "hometown", "school", "partner", "nationality", "favorite_color", "favorite_book",
      "favorite_movie", "favorite_music", "favorite_sport", "favorite_singer", "居住地", "lives in", "名字", "年龄",
      "生日", "职业", "工作单位", "家乡");
  private static final Set<String> LIKE_KEYS = Set.of("likes", "喜欢", "favorite_food", "最喜欢的食物");
  private static final Set<String> DISLIKE_KEYS = Set.of("dislikes", "不喜欢");

  private static final Set<String> COLOUR_STEMS = Words.COLOURS.stream().map(English::stem)
      .collect(java.util.stream.Collectors.toSet());

  private static final java.util.regex.Pattern FILLER = java.util.regex.Pattern.compile("的|一(?:" + Words.ZH_A + ")");

  private final double duplicateCosine;

  RuleJudge(double duplicateCosine) {
    this.duplicateCosine = duplicateCosine;
  }

  /** What {@code b} (newer) is to {@code a} (older), given the cosine of their embeddings (0 when unknown). */
  Verdict judge(Statement a, Statement b, double cosine) {
    if (a.past || b.past && !b.change) {
      return Verdict.none("one of them speaks of the past only");
    }
    if (!a.subject.equals(b.subject)) {
      return Verdict.none("about different people: '" + a.subject + "' and '" + b.subject + "'");
    }
    List<String> evidence = new ArrayList<>();
    boolean clash = false;
    boolean opposite = false;
    boolean sameFact = false;
    for (Map.Entry<String, String> fact : a.facts.entrySet()) {
      String other = b.facts.get(fact.getKey());
      if (other != null && sameValue(other, fact.getValue())) {
        sameFact = true;
      } else if (other != null && SINGLE_KEYS.contains(fact.getKey())) {
        clash = true;
        evidence.add("same attribute " + fact.getKey() + ": " + fact.getValue() + " / " + other);
      }
    }
    String liked = overlap(a.facts, LIKE_KEYS, b.facts, DISLIKE_KEYS);
    String disliked = overlap(a.facts, DISLIKE_KEYS, b.facts, LIKE_KEYS);
    if (liked != null || disliked != null) {
      opposite = true;
      evidence.add((liked != null ? "liked, then disliked: " + liked : "disliked, then liked: " + disliked));
    }
    if (!clash && !opposite && !a.dates.isEmpty() && !b.dates.isEmpty()
        && a.dates.stream().noneMatch(b.dates::contains)) {
      return Verdict.none("different days: " + a.dates + " / " + b.dates);
    }
    for (Statement x : a.parts()) {
      for (Statement y : b.parts()) {
        if (!x.subject.equals(y.subject)) {
          continue;
        }
        List<String> px = x.plain();
        List<String> py = y.plain();
        int common = lcs(px, py);
        boolean sameClaim = Math.min(px.size(), py.size()) >= (a.zh ? 2 : 1)
            && common >= Math.min(px.size(), py.size()) && 2.0 * common / (px.size() + py.size()) >= 0.6;
        if (!opposite && sameClaim && x.negated() != y.negated()) {
          opposite = true;
          evidence.add("one claim, opposite signs: " + x.text.strip() + " / " + y.text.strip());
        }
        String differs = x.negated() == y.negated() ? valueClash(px, py, a.zh) : null;
        if (!clash && differs != null) {
          clash = true;
          evidence.add(differs);
        }
      }
    }
    for (Map.Entry<String, Integer> state : a.states.entrySet()) {
      Integer other = b.states.get(state.getKey());
      if (other != null && !other.equals(state.getValue())) {
        clash = true;
        evidence.add("exclusive states of " + state.getKey());
      }
    }
    if (opposite || clash) {
      if (b.change) {
        evidence.add("the newer statement says it changed");
        return new Verdict(Verdict.OUTDATED, 0.6, evidence, "keep b (the newer statement) and close a");
      }
      return opposite
          ? new Verdict(Verdict.CONTRADICTION, b.correction ? 0.95 : 0.9, evidence,
              "ask which holds; timestamp_first keeps b, confidence_first the surer one")
          : new Verdict(Verdict.INCONSISTENT, 0.7, evidence, "review: keep the accurate one, or merge them");
    }
    List<String> pa = a.plain();
    List<String> pb = b.plain();
    double ratio = pa.isEmpty() && pb.isEmpty() ? 1 : 2.0 * lcs(pa, pb) / (pa.size() + pb.size());
    boolean sameNumbers = new HashSet<>(a.numbers).equals(new HashSet<>(b.numbers));
    if (a.negated() == b.negated() && sameNumbers
        && (ratio >= 0.8 || sameFact && cosine >= 0.8
            || cosine >= duplicateCosine && ratio >= 0.5 && !namesDiffer(a, b, pa, pb))) {
      evidence.add(String.format("restated: word overlap %.2f, cosine %.2f", ratio, cosine));
      return new Verdict(Verdict.DUPLICATE, 0.3, evidence, "merge: keep a and add b's provenance to it");
    }
    return Verdict.none("compatible");
  }

  /** A name in one that the other does not have: an embedding may not tell Denver from Austin, words do. */
  private static boolean namesDiffer(Statement a, Statement b, List<String> pa, List<String> pb) {
    return a.names.stream().anyMatch(n -> !pb.contains(n)) || b.names.stream().anyMatch(n -> !pa.contains(n));
  }

  /** One value said with more or fewer words (腾讯 / 深圳腾讯, 上海的一家银行 / 上海一家银行) is the same value. */
  private static boolean sameValue(String a, String b) {
    String x = FILLER.matcher(a).replaceAll("");
    String y = FILLER.matcher(b).replaceAll("");
    return x.contains(y) || y.contains(x);
  }

  /** An item liked in one and disliked in the other ("猫, 狗" and "猫"), or null. */
  private static String overlap(Map<String, String> a, Set<String> aKeys, Map<String, String> b, Set<String> bKeys) {
    for (String ka : aKeys) {
      for (String kb : bKeys) {
        if (a.containsKey(ka) && b.containsKey(kb)) {
          Set<String> items = new HashSet<>(Arrays.asList(a.get(ka).split("[,，、和]")));
          for (String item : b.get(kb).split("[,，、和]")) {
            if (!item.isBlank() && items.contains(item)) {
              return item;
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * The two differ in one short span inside a shared frame that holds one value (a name, an age, a city, a
   * workplace), or in numbers or colours alone: "住在|杭州" / "住在|上海". Null when not. The frame's word must come
   * before the span in English (named Lily / named Rose, not afraid of heights / scared of heights), and before a
   * span of one Chinese character (叫小雨 / 叫小雪, not 在北京读大学 / 在北京上大学).
   */
  static String valueClash(List<String> a, List<String> b, boolean zh) {
    int p = 0;
    while (p < a.size() && p < b.size() && a.get(p).equals(b.get(p))) {
      p++;
    }
    int s = 0;
    while (s < a.size() - p && s < b.size() - p && a.get(a.size() - 1 - s).equals(b.get(b.size() - 1 - s))) {
      s++;
    }
    List<String> da = a.subList(p, a.size() - s);
    List<String> db = b.subList(p, b.size() - s);
    if (da.isEmpty() || db.isEmpty() || da.size() > 6 || db.size() > 6) {
      return null;
    }
    List<String> prefix = a.subList(0, p);
    List<String> frame = new ArrayList<>(prefix);
    frame.addAll(a.subList(a.size() - s, a.size()));
    boolean wide = p + s >= Math.max(1, 0.5 * Math.min(a.size(), b.size()));
    boolean numbers = numeric(da) && numeric(db) && (wide || p + s == 0);
    boolean colours = colour(da) && colour(db) && wide;
    boolean oneChar = zh && da.size() == 1 && db.size() == 1;
    List<String> after = a.subList(a.size() - s, Math.min(a.size(), a.size() - s + 2));
    boolean valued = singleValued(prefix) || zh && !oneChar && Words.ZH_SINGLE_AFTER.stream()
        .anyMatch(String.join("", after)::startsWith);
    if (numbers || colours || valued) {
      return "one value, two answers: " + String.join("", da) + " / " + String.join("", db) + " (in '"
          + String.join(" ", frame) + "')";
    }
    return null;
  }

  private static boolean singleValued(List<String> frame) {
    String joined = String.join("", frame);
    return frame.stream().anyMatch(English.SINGLE::contains) || Words.ZH_SINGLE.stream().anyMatch(joined::contains);
  }

  private static boolean colour(List<String> units) {
    return units.stream().allMatch(u -> Words.COLOURS.contains(u) || COLOUR_STEMS.contains(u));
  }

  private static boolean numeric(List<String> units) {
    return units.stream().allMatch(u -> u.chars().allMatch(Character::isDigit));
  }

  /** The length of the longest common subsequence of two unit lists. */
  static int lcs(List<String> a, List<String> b) {
    int[] prev = new int[b.size() + 1];
    int[] cur = new int[b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.size()];
  }
}
