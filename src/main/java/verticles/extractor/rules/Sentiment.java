package verticles.extractor.rules;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small zh+en sentiment lexicon with one-word negation ("不开心", "not happy"). */
final class Sentiment {

  private Sentiment() {}

  private static final List<String> ZH_POSITIVE = List.of("开心", "高兴", "快乐", "幸福", "兴奋", "激动", "喜欢", "太好了",
      "满意", "期待", "感动", "温暖", "舒服", "轻松", "哈哈", "嘻嘻", "好耶", "顺利", "成功", "惊喜", "美好", "享受", "谢谢",
      "棒", "爽", "好吃", "好玩", "可爱", "放松", "骄傲", "自豪");
  private static final List<String> ZH_NEGATIVE = List.of("难过", "伤心", "痛苦", "累", "烦", "焦虑", "紧张", "压力", "担心",
      "害怕", "生气", "愤怒", "失望", "孤独", "寂寞", "郁闷", "委屈", "崩溃", "哭", "抑郁", "失眠", "讨厌", "糟糕", "倒霉",
      "无聊", "难受", "不舒服", "生病", "分手", "吵架", "失恋", "后悔", "丧", "emo", "心累", "头疼", "怕", "慌", "烦躁");

  private static final Set<String> EN_POSITIVE = Set.of("happy", "glad", "great", "awesome", "amazing", "love", "loved",
      "excited", "wonderful", "fantastic", "good", "nice", "fun", "proud", "grateful", "thankful", "thanks", "relieved",
      "relaxed", "enjoy", "enjoyed", "yay", "haha", "cool", "best", "beautiful", "lucky", "thrilled", "delighted",
      "perfect", "like", "yummy", "delicious", "calm", "hopeful");
  private static final Set<String> EN_NEGATIVE = Set.of("sad", "tired", "exhausted", "stressed", "anxious", "nervous",
      "worried", "angry", "upset", "depressed", "lonely", "bored", "frustrated", "annoyed", "scared", "afraid", "hate",
      "awful", "terrible", "bad", "sick", "hurt", "cry", "cried", "crying", "miserable", "heartbroken", "lost", "failed",
      "fail", "sucks", "ugh", "worst", "horrible", "pain", "panic", "overwhelmed", "broke", "sorry", "mad", "jealous",
      "disappointed", "insomnia", "stress", "anxiety", "unhappy", "down", "stressful", "exhausting");

  private static final Set<String> EN_NEGATORS = Set.of("not", "no", "never", "don't", "dont", "didn't", "isn't",
      "wasn't", "aren't", "can't", "won't", "doesn't", "hardly", "nothing");

  private static final Pattern EN_WORD = Pattern.compile("[a-z][a-z']*");
  private static final Pattern ZH_NEGATOR = Pattern.compile("(?:不|没|没有|别|不太|不怎么)$");

  /** Positive minus negative evidence. */
  record Score(int positive, int negative) {
    String label() {
      return positive > negative ? "positive" : negative > positive ? "negative" : "neutral";
    }
  }

  static boolean isSentimentWord(String enLower) {
    return EN_POSITIVE.contains(enLower) || EN_NEGATIVE.contains(enLower);
  }

  static Score score(String text) {
    int pos = 0;
    int neg = 0;
    for (String w : ZH_POSITIVE) {
      for (int i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length())) {
        if (zhNegated(text, i)) {
          neg++; // 不开心
        } else {
          pos++;
        }
      }
    }
    for (String w : ZH_NEGATIVE) {
      for (int i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length())) {
        if (!zhNegated(text, i)) {
          neg++; // 不难过 counts for nothing
        }
      }
    }
    String prev1 = "";
    String prev2 = "";
    Matcher m = EN_WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      String w = m.group();
      boolean negated = EN_NEGATORS.contains(prev1) || EN_NEGATORS.contains(prev2);
      if (EN_POSITIVE.contains(w)) {
        if (negated) {
          neg++;
        } else {
          pos++;
        }
      } else if (EN_NEGATIVE.contains(w) && !negated) {
        neg++;
      }
      prev2 = prev1;
      prev1 = w;
    }
    return new Score(pos, neg);
  }

  private static boolean zhNegated(String text, int at) {
    int from = Math.max(0, at - 3);
    return ZH_NEGATOR.matcher(text.substring(from, at)).find();
  }

  private static final Pattern ANXIOUS = Pattern.compile(
      "紧张|焦虑|担心|害怕|慌|忐忑|不安|(?i:\\b(?:nervous|anxious|worried|scared|afraid|stressed|freaking out)\\b)");
  private static final Pattern EXCITED = Pattern.compile(
      "激动|兴奋|期待|等不及|好耶|太好了|(?i:\\b(?:excited|thrilled|can't wait|cannot wait|pumped|stoked)\\b)");
  private static final Pattern SAD = Pattern.compile(
      "难过|伤心|哭|心碎|失落|痛苦|(?i:\\b(?:sad|cry|cried|crying|heartbroken|devastated|miserable)\\b)");

  /** The event vocabulary: anxious / excited / sad when a cue says so, else positive / negative, else the fallback. */
  static String eventEmotion(String text, String fallback) {
    if (ANXIOUS.matcher(text).find()) {
      return "anxious";
    }
    if (SAD.matcher(text).find() && !text.contains("不难过")) {
      return "sad";
    }
    if (EXCITED.matcher(text).find()) {
      return "excited";
    }
    if (fallback.equals("sad") || fallback.equals("anxious") || fallback.equals("excited")) {
      return fallback; // the event itself says more than stray sentiment words
    }
    Score s = score(text);
    return s.positive() != s.negative() ? s.label() : fallback;
  }
}
