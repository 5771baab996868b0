package verticles.extractor.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The extractive conversation summary: the most informative user sentences, topics from a keyword map, a tone. */
final class Summarizer {

  private Summarizer() {}

  /**
   * A sentence that may go into the summary.
   *
   * @param findings weight of the facts (1 each) and events (2 each) extracted from it
   */
  record Candidate(String text, boolean user, boolean question, int findings, int order) {}

  record Summary(String text, List<String> topics, String emotion) {}

  private record Topic(String zh, String en, List<String> zhWords, Pattern enPattern) {}

  private static Topic topic(String zh, String en, String zhWords, String enWords) {
    return new Topic(zh, en, List.of(zhWords.split("\\|")),
        Pattern.compile("\\b(?:" + enWords + ")\\b", Pattern.CASE_INSENSITIVE));
  }

  private static final List<Topic> TOPICS = List.of(
      topic("工作", "work", "工作|上班|加班|老板|同事|面试|公司|职位|项目|辞职|离职|升职|加薪|工资|入职|跳槽|offer|领导|客户",
          "jobs?|work(?:ing)?|boss|office|interviews?|meetings?|colleagues?|coworkers?|promot(?:ed|ion)|career|salary|"
              + "hired|fired|laid off|shift|deadline|clients?"),
      topic("学习", "study", "考试|学习|作业|学校|考研|论文|上课|毕业|大学|高考|复习|老师|同学|专业|课程",
          "exams?|school|class(?:es)?|homework|university|college|study(?:ing)?|tests?|finals|graduat\\w*|thesis|courses?"),
      topic("美食", "food", "吃|火锅|美食|做饭|餐厅|好吃|奶茶|咖啡|外卖|烧烤|零食|甜品|早饭|午饭|晚饭|饭",
          "food|eat(?:ing)?|cook(?:ing)?|dinner|lunch|breakfast|restaurant|pizza|sushi|coffee|tea|delicious|recipe|snacks?"),
      topic("家人", "family", "妈妈|爸爸|家人|父母|哥哥|姐姐|弟弟|妹妹|家里|爸妈|孩子|儿子|女儿|奶奶|爷爷|外婆|老妈|老爸",
          "mom|mum|mother|dad|father|sister|brother|family|parents|kids?|son|daughter|grandma|grandpa"),
      topic("恋爱", "relationships", "男朋友|女朋友|约会|分手|恋爱|表白|喜欢的人|对象|老公|老婆|暗恋|失恋|结婚|男友|女友",
          "boyfriend|girlfriend|date|dating|broke up|breakup|crush|partner|husband|wife|married|wedding|love life"),
      topic("宠物", "pets", "猫|狗|宠物|铲屎|遛狗|猫咪|狗狗|仓鼠|兔子", "cats?|dogs?|pets?|puppy|kitten|hamster|rabbit"),
      topic("旅行", "travel", "旅行|旅游|出差|机票|酒店|景点|度假|出去玩|自驾",
          "trip|travel\\w*|vacation|holiday|flight|hotel|beach|abroad"),
      topic("健康", "health", "生病|医院|感冒|发烧|头疼|睡眠|失眠|减肥|健身|运动|跑步|医生|体检|吃药|熬夜|睡觉",
          "sick|doctor|hospital|sleep(?:ing)?|insomnia|gym|workout|exercise|diet|headache|health|run(?:ning)?|medicine"),
      topic("娱乐", "entertainment", "电影|游戏|音乐|追剧|综艺|动漫|小说|演唱会|唱歌|看书|电视剧|打游戏|B站|抖音",
          "movies?|films?|games?|gaming|music|songs?|shows?|series|anime|books?|reading|concert|netflix"),
      topic("情绪", "feelings", "难过|开心|焦虑|压力|累|烦|伤心|心情|崩溃|孤独|紧张|郁闷|委屈",
          "sad|happy|anxious|stress(?:ed)?|tired|lonely|upset|mood|feel(?:ing)?s?|depressed|nervous"),
      topic("生日", "birthday", "生日|蛋糕|礼物", "birthday|bday|cake|presents?|gifts?"),
      topic("天气", "weather", "天气|下雨|下雪|好热|好冷|晴天|台风", "weather|rain(?:ing|y)?|snow(?:ing)?|sunny|hot today|cold today"));

  /** Fact keys that imply a topic even when no topic word was said ("我养了只猫" is about pets). */
  private static final Map<String, String> KEY_TOPICS = Map.ofEntries(
      Map.entry("occupation", "工作"), Map.entry("workplace", "工作"), Map.entry("industry", "工作"),
      Map.entry("school", "学习"), Map.entry("favorite_food", "美食"), Map.entry("favorite_drink", "美食"),
      Map.entry("pet", "宠物"), Map.entry("partner", "恋爱"), Map.entry("birthday", "生日"),
      Map.entry("family_mother", "家人"), Map.entry("family_father", "家人"), Map.entry("family_sister", "家人"),
      Map.entry("family_brother", "家人"), Map.entry("family_parents", "家人"), Map.entry("family_son", "家人"),
      Map.entry("family_daughter", "家人"), Map.entry("family_child", "家人"), Map.entry("allergies", "健康"));

  private static final Set<String> EN_STOPWORDS = Set.of("the", "and", "that", "this", "with", "have", "just", "really",
      "what", "when", "your", "about", "they", "them", "there", "their", "would", "could", "should", "been", "were",
      "will", "from", "like", "because", "going", "know", "think", "want", "yeah", "okay", "also", "very", "some", "much",
      "more", "then", "than", "it's", "i'm", "don't", "that's", "can't", "didn't", "you're", "today", "tomorrow", "feel",
      "maybe", "still", "even", "well", "make", "made", "good", "thing", "things", "lot", "got", "get", "one", "time",
      "said", "tell", "told", "thanks", "sure", "right", "here", "other", "into", "over", "only", "again", "pretty",
      "kind", "sorry", "hope", "need", "sounds", "let's", "yes", "how", "way", "you", "me", "my", "for", "but", "not",
      "are", "was", "is", "so", "do", "it", "to", "of", "in", "on", "at", "a", "an", "i", "we", "he", "she", "be", "or",
      "if", "as", "up", "no", "all", "any", "can", "had", "has", "did", "our", "out", "too", "who", "why", "his", "her",
      "him", "its", "am", "oh", "haha", "lol", "next", "last", "week", "day", "days", "year", "years", "month", "ago");

  private static final Pattern EN_WORD = Pattern.compile("[a-z][a-z'-]{3,}");

  static Summary build(List<Candidate> candidates, Set<String> factKeys) {
    List<Candidate> users = candidates.stream().filter(Candidate::user).toList();
    List<Candidate> pool = users.isEmpty() ? candidates : users;
    if (pool.isEmpty()) {
      return null;
    }
    int hanChars = 0;
    int latinChars = 0;
    for (Candidate c : pool) {
      for (int i = 0; i < c.text().length(); i++) {
        char ch = c.text().charAt(i);
        if (Character.UnicodeScript.of(ch) == Character.UnicodeScript.HAN) {
          hanChars++;
        } else if (ch < 128 && Character.isLetter(ch)) {
          latinChars++;
        }
      }
    }
    // A Chinese character carries about as much as an English word (~4-5 letters).
    boolean zh = hanChars * 4 >= latinChars;

    String text = summaryText(pool, zh);
    if (text == null || text.isBlank()) {
      return null;
    }
    return new Summary(text, topics(candidates, factKeys, zh), emotion(users));
  }

  private static String summaryText(List<Candidate> pool, boolean zh) {
    List<double[]> scored = new ArrayList<>(); // {score, index}
    for (int i = 0; i < pool.size(); i++) {
      Candidate c = pool.get(i);
      scored.add(new double[] {score(c), i});
    }
    List<Candidate> chosen = scored.stream()
        .filter(s -> s[0] > 0)
        .sorted(Comparator.<double[]>comparingDouble(s -> -s[0]).thenComparingDouble(s -> s[1]))
        .limit(3)
        .sorted(Comparator.comparingDouble(s -> s[1]))
        .map(s -> pool.get((int) s[1]))
        .toList();
    if (chosen.isEmpty()) {
      return null; // only greetings and "哈哈": nothing worth remembering
    }
    StringBuilder b = new StringBuilder();
    for (Candidate c : chosen) {
      String s = c.text().strip();
      if (zh) {
        b.append(c.user() ? Text.thirdPersonZh(s) : "AI：" + s);
        b.append(c.question() ? "？" : "。");
      } else {
        if (b.length() > 0) {
          b.append(' ');
        }
        b.append(s).append(c.question() ? "?" : ".");
      }
    }
    String text = b.toString();
    if (zh) {
      return Text.capChars(text, 100);
    }
    String prefix = chosen.get(0).user() ? "User: " : "Assistant: ";
    return prefix + Text.capWords(text, 60);
  }

  private static final Pattern SMALL_TALK = Pattern.compile(
      "^(?:你好|您好|你好呀|在吗|在不在|哈+|嘿+|嗯+|好的?|好吧|行|哦+|噢+|早上好|早安|晚安|谢谢|拜拜|hi|hello|hey|ok|okay|yes|no"
          + "|yeah|yep|lol|haha|thanks|thank|you|bye|good night|morning|hmm+|cool|nice|sure)[!！。.~～啊呀呢吧啦]*$",
      Pattern.CASE_INSENSITIVE);

  private static double score(Candidate c) {
    String t = c.text();
    if (Arrays.stream(t.split("[，,\\s]+")).allMatch(part -> part.isEmpty() || SMALL_TALK.matcher(part).matches())) {
      return 0; // "哈哈哈，好的", "ok thanks"
    }
    double s = 2.0 * c.findings();
    s += topicHits(t) + 0.5 * sentimentHits(t);
    int len = Text.hasHan(t) ? t.length() : t.split("\\s+").length * 2;
    s += Math.min(len / 20.0, 1.0);
    if (c.question()) {
      s -= 1;
    }
    if (len < 4) {
      s -= 1;
    }
    return s;
  }

  private static int topicHits(String t) {
    int hits = 0;
    for (Topic topic : TOPICS) {
      hits += count(topic, t) > 0 ? 1 : 0;
    }
    return hits;
  }

  private static int sentimentHits(String t) {
    Sentiment.Score s = Sentiment.score(t);
    return s.positive() + s.negative();
  }

  private static int count(Topic topic, String t) {
    int n = 0;
    for (String w : topic.zhWords()) {
      for (int i = t.indexOf(w); i >= 0; i = t.indexOf(w, i + w.length())) {
        n++;
      }
    }
    Matcher m = topic.enPattern().matcher(t);
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static List<String> topics(List<Candidate> candidates, Set<String> factKeys, boolean zh) {
    Map<String, Double> scores = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      double weight = c.user() ? 1.0 : 0.5;
      for (Topic topic : TOPICS) {
        int n = count(topic, c.text());
        if (n > 0) {
          scores.merge(topic.zh(), n * weight, Double::sum);
        }
      }
    }
    for (String key : factKeys) {
      String t = KEY_TOPICS.get(key);
      if (t != null) {
        scores.merge(t, 2.0, Double::sum);
      }
    }
    Map<String, String> toEn = new HashMap<>();
    for (Topic t : TOPICS) {
      toEn.put(t.zh(), t.en());
    }
    List<String> out = new ArrayList<>();
    scores.entrySet().stream()
        .filter(e -> e.getValue() >= 1.0)
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .limit(4)
        .forEach(e -> out.add(zh ? e.getKey() : toEn.get(e.getKey())));
    if (!zh && out.size() < 2) {
      frequentWord(candidates, out);
    }
    return out;
  }

  /** English fallback: a content word the user kept coming back to. */
  private static void frequentWord(List<Candidate> candidates, List<String> out) {
    Map<String, Integer> freq = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      if (!c.user()) {
        continue;
      }
      Matcher m = EN_WORD.matcher(c.text().toLowerCase(Locale.ROOT));
      while (m.find()) {
        String w = m.group();
        if (!EN_STOPWORDS.contains(w)) {
          freq.merge(w, 1, Integer::sum);
        }
      }
    }
    freq.entrySet().stream()
        .filter(e -> e.getValue() >= 2 && !out.contains(e.getKey()))
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(2 - out.size())
        .forEach(e -> out.add(e.getKey()));
  }

  private static String emotion(List<Candidate> users) {
    int pos = 0;
    int neg = 0;
    for (Candidate c : users) {
      Sentiment.Score s = Sentiment.score(c.text());
      pos += s.positive();
      neg += s.negative();
    }
    return new Sentiment.Score(pos, neg).label();
  }
}
