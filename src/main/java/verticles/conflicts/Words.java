package verticles.conflicts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The word lists the rule judge reads statements with, Chinese and English. Chinese is matched on whole phrases, in
 * order, never on single characters alone where a character is part of common words: 喜欢 sits inside 不喜欢, 是 and
 * 有 are in most sentences, 非 is in 非常 ("very"), 不 in 不错 ("good"). So the words that only look negated are
 * rewritten first ({@link #ZH_NOT_NEGATIONS}), then the antonyms of liking become a negation of 喜欢, then the
 * negators become the negation mark.
 */
final class Words {
  private Words() {}

  /** Rewrites as compiled patterns, once. */
  static List<Map.Entry<Pattern, String>> compiled(List<String[]> rewrites) {
    List<Map.Entry<Pattern, String>> out = new ArrayList<>();
    rewrites.forEach(r -> out.add(Map.entry(Pattern.compile(r[0]), r[1])));
    return List.copyOf(out);
  }

  /** The negation mark in a statement's units. */
  static final String NOT = "¬";

  /**
   * Compounds whose 不/没/无/非/未/爱 is no negation (or no liking), as patterns: rewritten to a neutral word first.
   * 不过 is "but", yet 不过敏 is "not allergic".
   */
  static final List<String[]> ZH_NOT_NEGATIONS = List.of(
      new String[] {"非常", "很"}, new String[] {"不错", "好"}, new String[] {"不过(?!敏)", "但是"}, new String[] {"不同", "异"},
      new String[] {"不少", "多"}, new String[] {"不仅", "仅"}, new String[] {"不断", "续"}, new String[] {"不管", "任"},
      new String[] {"无论", "任"}, new String[] {"无聊", "闷"}, new String[] {"未来", "将来"}, new String[] {"差不多", "约"},
      new String[] {"对不起", "歉"}, new String[] {"了不起", "棒"}, new String[] {"不得不", "必须"},
      new String[] {"忍不住", "忍"}, new String[] {"不好意思", "歉"}, new String[] {"来不及", "迟"},
      new String[] {"没关系", "好"}, new String[] {"没事", "好"}, new String[] {"不一定", "或"}, new String[] {"不久", "近"},
      new String[] {"可爱", "萌"}, new String[] {"爱好", "兴趣"}, new String[] {"爱人", "配偶"}, new String[] {"恋爱", "恋"},
      new String[] {"亲爱", "亲"}, new String[] {"爱心", "心意"}, new String[] {"无线", "线"}, new String[] {"非洲", "洲"});

  /** Dislike is a negated liking, so 我喜欢猫 and 我讨厌猫 compare as the same statement with opposite signs. */
  static final List<String> ZH_DISLIKE = List.of("受不了", "讨厌", "厌恶", "反感", "嫌弃", "烦死", "不待见", "恨");
  static final List<String> ZH_LIKE = List.of("喜欢", "喜爱", "热爱", "钟爱", "超爱", "爱");

  /** Negations that also say something changed: 我不再喝咖啡, 我戒烟了. */
  static final List<String> ZH_STOPPED = List.of("再也不", "已经不", "不再", "戒掉了", "戒掉", "戒了", "戒", "放弃了",
      "停止了", "分手", "离婚", "搬出", "卖掉了", "卖了");

  static final List<String> ZH_NEGATORS = List.of("从来没有", "从来没", "从来不", "从没有", "从没", "从不", "根本没有",
      "根本没", "根本不", "绝不", "并没有", "并没", "并不", "一点儿也不", "一点也不", "一点都不", "不太", "不怎么",
      "不是很", "没有", "没", "不", "别", "未", "无", "非");

  /** Said of a change: the newer statement replaces the older one (outdated) rather than contradicting it. */
  static final List<String> ZH_CHANGE = List.of("搬到", "搬去", "搬来", "搬家", "搬出", "换了", "换成", "改成", "改学",
      "改名", "变成", "转行", "现在", "如今", "目前", "后来", "辞职", "离职", "跳槽", "毕业", "退休", "卖了", "学会",
      "结束", "结婚了", "剪了", "已经");

  /** Said of the past only (小时候住在农村 is no claim about today). */
  static final List<String> ZH_PAST = List.of("小时候", "以前", "之前", "曾经", "过去", "当年");

  /** A correction of what was said (其实): a contradiction, not a change. */
  static final List<String> ZH_CORRECTION = List.of("其实", "实际上", "事实上", "说实话", "老实说");

  /** Words that change no claim: degree, particles, time and frequency adverbs. */
  static final List<String> ZH_FILLERS = List.of("真的", "确实", "实在", "特别", "超级", "根本", "一直", "最近", "刚刚",
      "上个月", "上周", "上礼拜", "去年", "今年", "前几天", "平时", "经常", "常常", "总是", "老是", "通常", "一般", "都会",
      "很", "挺", "蛮", "比较", "太", "都", "也", "还", "就", "真", "刚", "了", "呢", "啊", "吧", "嘛", "哦", "呀", "啦",
      "的", "地", "会", "要", "把", "只");

  /** The measure words of "a" ("一只猫" is "a cat"); a count (两只, 一杯) stays. */
  static final String ZH_A = "个|只|名|位|条|头|部|辆|本|家|件|套|所";
  static final String ZH_ONE_MEASURE = "一(?:" + ZH_A + ")|(?<=[有是养])(?:个|只|名|位)";

  /** Moving somewhere is living there from then on: the verb becomes 住在 / live (its change noted first). */
  static final List<String[]> MOVED = List.of(new String[] {"搬到了?", "住在"}, new String[] {"搬去了?", "住在"},
      new String[] {"搬来了?", "住在"}, new String[] {"\\b(?:moved|relocated) (?:to|into)\\b", "live in"});

  /** Chinese subjects other than the user (a pet is the user's: 我的猫叫咪咪 is a fact of the user's), which make a statement about someone else. */
  static final List<String> ZH_PEOPLE = List.of("男朋友", "女朋友", "妈妈", "爸爸", "妹妹", "姐姐", "哥哥", "弟弟",
      "老公", "老婆", "丈夫", "妻子", "儿子", "女儿", "孩子", "奶奶", "爷爷", "外婆", "外公", "朋友", "同事", "老板",
      "室友", "同学", "邻居", "对象", "家人", "父母", "妈", "爸", "他", "她");

  /** Frames that hold one value at a time: a name, an age, where one lives, works, studies, comes from. */
  static final List<String> ZH_SINGLE = List.of("叫", "名字", "住", "居住", "来自", "老家", "家乡", "生日", "身高",
      "体重", "专业", "颜色", "职业", "年级", "最喜欢", "手机", "开");
  /** The same, said after the value: 25岁, 北京人, 在腾讯工作, 北京大学. */
  static final List<String> ZH_SINGLE_AFTER = List.of("岁", "口人", "楼", "人", "工作", "上班", "读书", "上学", "就读",
      "学校", "大学", "公司", "出生");

  static final Map<String, String> ZH_NUMERALS = Map.of("零", "0", "一", "1", "二", "2", "两", "2", "三", "3",
      "四", "4", "五", "5", "六", "6", "七", "7", "八", "8");

  // ---- English ----

  static final Set<String> EN_NEGATORS = Set.of("not", "never", "no", "none", "nobody", "nothing", "neither", "nor",
      "without", "hardly");
  static final Set<String> EN_LIKE = Set.of("like", "love", "adore", "enjoy", "fond");
  static final Set<String> EN_DISLIKE = Set.of("hate", "dislike", "detest", "loathe", "despise");
  /** Negations that also say something changed. */
  static final Set<String> EN_STOPPED = Set.of("quit", "stopped", "stop", "gave", "broke", "split", "divorced", "sold");
  static final Set<String> EN_CHANGE = Set.of("moved", "move", "relocated", "now", "nowadays", "currently", "anymore",
      "longer", "switched", "changed", "new", "started", "graduated", "retired", "finally", "down", "just", "got",
      "these", "bought");
  static final Set<String> EN_PAST = Set.of("used", "kid", "child", "childhood", "ago", "formerly", "once");
  static final Set<String> EN_CORRECTION = Set.of("actually", "honestly", "fact", "truth");
  static final Set<String> EN_FILLERS = Set.of("really", "very", "so", "much", "quite", "also", "too", "still", "the",
      "a", "an", "do", "does", "did", "am", "is", "are", "was", "were", "be", "any", "some", "every", "day", "morning",
      "last", "week", "month", "year", "ago", "recently", "lately", "today", "yesterday", "i", "we", "in", "fact",
      "truth", "to", "and", "of", "for", "at", "on", "as", "been", "go", "going", "gone");
  static final Set<String> EN_PEOPLE = Set.of("boyfriend", "girlfriend", "mom", "mother", "dad", "father", "sister",
      "brother", "husband", "wife", "son", "daughter", "kid", "friend", "colleague", "boss", "roommate", "neighbor",
      "partner", "parent", "grandma", "grandpa", "he", "she", "they");
  static final Set<String> EN_SINGLE = Set.of("name", "named", "called", "call", "year", "old", "age", "aged", "live",
      "living", "from", "born", "birthday", "height", "tall", "weigh", "weight", "major", "study", "school", "college",
      "university", "work", "job", "married", "color", "colour", "favorite", "favourite", "grade", "drive", "hometown");
  static final Set<String> COLOURS = Set.of("white", "black", "red", "blue", "green", "yellow", "orange", "purple",
      "pink", "brown", "grey", "gray", "silver", "gold", "beige", "白", "黑", "红", "蓝", "绿", "黄", "橙", "紫", "粉", "棕", "灰");

  /**
   * States of a person that exclude each other (one at a time): a statement naming one state of a group clashes with
   * one naming another. Each group: its states, each a list of words in either language.
   */
  static final Map<String, List<List<String>>> STATES = Map.of(
      "relationship", List.of(List.of("单身", "分手", "离婚", "single", "broke", "split", "divorced"),
          List.of("结婚", "已婚", "老公", "老婆", "married", "husband", "wife"),
          List.of("男朋友", "女朋友", "对象", "boyfriend", "girlfriend", "dating")),
      "siblings", List.of(List.of("独生", "only child"), List.of("哥哥", "弟弟", "姐姐", "妹妹", "brother", "sister")),
      "diet", List.of(List.of("吃素", "素食", "vegetarian", "vegan"), List.of("吃肉", "eat meat")),
      "household", List.of(List.of("一个人住", "独居", "自己住", "live alone"),
          List.of("室友", "合租", "和父母", "跟父母", "roommate", "with my parents")));
}
