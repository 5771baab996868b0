package verticles.extractor.rules;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verticles.extractor.rules.DateResolver.Tense;

/**
 * Key events from what the user says: a keyword table (zh + en) gives the seed's event type, a short title and a base
 * importance; the date comes from {@link DateResolver} on the same clause, else the same sentence.
 */
final class EventRules {

  private EventRules() {}

  /** An event before provenance is attached. date is "YYYY-MM-DD", "MM-DD" or null. */
  record Found(String type, String title, String summary, String date, String emotion, int importance) {}

  /**
   * One row of the keyword table.
   *
   * @param mood a passing feeling or a memory: kept only when nothing more concrete happened in the sentence
   */
  private record Kind(String type, String titleZh, String titleEn, int importance, String emotion, Pattern zh, Pattern en,
      boolean mood) {}

  private static Kind kind(String type, String zhTitle, String enTitle, int importance, String emotion, String zh,
      String en) {
    return new Kind(type, zhTitle, enTitle, importance, emotion, Pattern.compile(zh),
        Pattern.compile("\\b(?:" + en + ")\\b", Pattern.CASE_INSENSITIVE), false);
  }

  private static Kind mood(String zhTitle, String enTitle, String emotion, String zh, String en) {
    return new Kind("emotional", zhTitle, enTitle, 5, emotion, Pattern.compile(zh),
        Pattern.compile("\\b(?:" + en + ")\\b", Pattern.CASE_INSENSITIVE), true);
  }

  /** Order matters only for overlapping keywords: achievements before the plans they complete (考上 before 考试). */
  private static final List<Kind> KINDS = List.of(
      kind("achievement", "考试通过", "Passed an exam", 7, "excited",
          "考上了?|考过了|通过了?考试|上岸了?|考试通过|拿到了?(?:驾照|证书|学位)",
          "passed (?:my|the|our) [a-z ]{0,20}?(?:exam|test|finals)|got accepted|got into (?:college|university|grad school)"
              + "|got my (?:license|degree|certificate)"),
      kind("achievement", "升职加薪", "Promotion", 7, "excited", "升职|加薪|涨工资|晋升|升了职",
          "got (?:a |the )?promot(?:ed|ion)|promoted|got a raise|pay raise"),
      kind("achievement", "获奖", "Won an award", 7, "excited", "获奖|得奖|拿了?(?:冠军|第一名?|奖)|得了?(?:冠军|第一名?)",
          "won (?:an? |the |first )?(?:award|prize|competition|contest|championship|place|game|tournament)"),
      kind("life_event", "新工作", "New job", 8, "excited",
          "入职|新工作|找到了?工作|换了?工作|跳槽|拿到了?offer|收到了?offer|上班第一天|被录用|被录取",
          "new job|got (?:a|the) job|got hired|job offer|first day at (?:work|my new job)|start(?:ing|ed)? (?:a|my) new job"),
      kind("life_event", "离职", "Left a job", 7, "negative", "辞职|离职|被裁|裁员|失业|被开除|丢了工作",
          "quit my job|laid off|got fired|lost my job|resign(?:ed)?|unemployed"),
      kind("life_event", "毕业", "Graduation", 8, "excited", "毕业", "graduat(?:e|ed|ing|ion)"),
      kind("life_event", "订婚", "Engagement", 9, "excited", "订婚|求婚", "got engaged|proposed to|engagement"),
      kind("life_event", "结婚", "Wedding", 9, "excited", "结婚|婚礼|领证|办酒", "get(?:ting)? married|got married|wedding"),
      kind("life_event", "怀孕", "Baby on the way", 9, "excited", "怀孕|怀上了|生了?宝宝|生孩子|当妈妈|当爸爸",
          "pregnant|having a baby|had a baby|expecting a baby"),
      kind("life_event", "买房", "Bought a home", 8, "excited", "买房|买了房|买了?新房|买了?房子",
          "bought (?:a|our|my) (?:house|home|flat|apartment|condo)"),
      kind("life_event", "住院", "Hospital stay", 7, "sad", "住院|手术", "hospitali[sz]ed|in the hospital|surgery"),
      kind("life_event", "生病", "Got sick", 5, "sad", "生病|病了|发烧|感冒|病倒",
          "got sick|(?:i'm|i am|been) sick|have a fever|caught a cold|have the flu|got covid"),
      kind("emotional", "离婚", "Divorce", 8, "sad", "离婚", "divorce(?:d)?"),
      kind("emotional", "分手", "Breakup", 7, "sad", "分手|被甩|分开了",
          "broke up|break up|breaking up|breakup|got dumped|dumped me"),
      kind("emotional", "失恋", "Heartbreak", 7, "sad", "失恋", "heartbroken|heartbreak"),
      kind("emotional", "吵架", "Argument", 6, "negative", "吵架|吵了一架|闹矛盾|冷战|闹别扭",
          "(?:had|got into) (?:a|an|another) (?:fight|argument)|argued|fought with"),
      kind("emotional", "亲人离世", "Loss", 8, "sad", "去世|过世|离世|葬礼|走了(?=.{0,3}(?:难过|伤心|哭))",
          "passed away|died|funeral"),
      kind("plan", "面试", "Job interview", 6, "neutral", "面试", "interviews?|interviewing"),
      kind("plan", "考试", "Exam", 6, "neutral", "考试|期末考|期中考|考研|高考|中考|考驾照|考证|四六级|雅思|托福|笔试|答辩",
          "exams?|finals|midterms?|(?:driving|math|english|chemistry|physics|history|biology|final) test|SAT|GRE|GMAT"
              + "|IELTS|TOEFL|bar exam|thesis defen[cs]e"),
      kind("plan", "旅行", "Trip", 6, "excited", "旅行|旅游|出去玩|度假|出差|自驾游|去[\\p{IsHan}]{1,5}玩",
          "trip|vacation|holiday|travel(?:l?ing)?|fly(?:ing)? to|flight to|road trip"),
      kind("plan", "约会", "Date", 6, "excited", "约会", "(?:a|first|second|dinner|hot|blind) date|date night|on a date"),
      kind("plan", "搬家", "Moving", 6, "neutral", "搬家|搬到|搬去", "mov(?:e|ing) (?:to|out|house|into|in with)|moving"),
      kind("plan", "看医生", "Doctor appointment", 6, "anxious", "看医生|看病|体检|复查|挂号|看牙",
          "doctor'?s? appointment|(?:see|seeing|go(?:ing)? to|visit(?:ing)?) (?:a|the|my) (?:doctor|dentist|therapist)"
              + "|dentist appointment|check-?up"),
      kind("plan", "会议汇报", "Meeting", 5, "neutral", "开会|汇报|述职|演讲|路演", "presentation|big meeting|pitch"),
      kind("plan", "截止日期", "Deadline", 5, "anxious", "截止|ddl|DDL|交稿", "deadline|due date"),
      kind("plan", "比赛", "Competition", 6, "excited", "比赛", "competition|tournament|match|race|marathon"),
      kind("plan", "演唱会", "Concert", 6, "excited", "演唱会|音乐会|音乐节", "concert|festival|gig"),
      kind("plan", "聚会", "Party", 5, "excited", "聚会|派对|聚餐", "party|get-together|reunion"),
      kind("anniversary", "纪念日", "Anniversary", 7, "positive", "纪念日|周年", "anniversary"),
      mood("心情低落", "Feeling down", "sad", "难过|伤心|哭了|想哭|崩溃|心情不好|不开心|抑郁|郁闷",
          "sad|depressed|feel(?:ing)? (?:so |really )?(?:down|awful|terrible)|cried|crying"),
      mood("压力焦虑", "Stress", "anxious", "压力(?:好|很|特别|太|超)?大|焦虑|紧张|失眠",
          "stressed|anxious|nervous|can't sleep|insomnia|overwhelmed"),
      mood("开心的事", "Happy moment", "positive", "(?:超|特别|太|好|非常|很)(?:开心|高兴)|开心死了|高兴死了",
          "so happy|really happy|best day|so excited|thrilled"),
      new Kind("memory", "回忆", "Memory", 4, "neutral", Pattern.compile("小时候|那时候|曾经|当年|回忆|记得以前"),
          Pattern.compile("\\b(?:when I was (?:a kid|little|young|a child|in (?:high school|college|school))|I remember when"
              + "|back when|childhood|used to)\\b", Pattern.CASE_INSENSITIVE), true));

  private static final Pattern VAGUE_PAST = Pattern.compile(
      "去年|前年|上个月|上个?星期|以前|之前|小时候|那时候|当年|(?i:\\b(?:last (?:year|month)|(?:years?|months?|a while) ago"
          + "|back in|when I was|in (?:19|20)[0-9]{2})\\b)");
  private static final Pattern ZH_NEGATION = Pattern.compile("(?:没有?|不用|不需要|不会|不要|不是?|不太|不怎么|别|未|没能|取消了?)$");
  private static final Pattern EN_NEGATION = Pattern.compile(
      "\\b(?:not|no|don't|didn't|won't|never|doesn't|isn't|aren't|wasn't|cancel(?:l)?ed|without)\\b(?:\\s+\\S+){0,2}\\s*$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTEND_WEDDING = Pattern.compile(
      "参加|喝喜酒|(?:朋友|同事|同学|姐姐|哥哥|弟弟|妹妹|闺蜜|表姐|表哥|堂姐|堂哥)的婚礼"
          + "|(?i:\\b(?:attend|[a-z]+'s wedding|friend's|cousin's|sister's|brother's)\\b)");
  private static final Set<String> WEDDING_OR_HEALTH = Set.of("结婚", "Wedding", "住院", "Hospital stay", "生病", "Got sick");

  /** Someone else is the subject ("我朋友升职了", "my sister is getting married"). */
  private static final Pattern SOMEONE_ELSE = Pattern.compile(
      "(?:^|[，,\\s]|我的?)(?:他|她|朋友|同事|同学|闺蜜|室友|姐姐|哥哥|弟弟|妹妹|表姐|表哥|堂姐|堂哥|老板)(?!的生日)"
          + "|(?i:\\b(?:he|she|they|my (?:friend|best friend|sister|brother|cousin|coworker|colleague|roommate|boss|bestie)"
          + "(?:'s)?(?:\\s+[A-Z][a-z]+)?)\\s+(?:is|was|got|just|has|will|'s)\\b)");

  private static final Map<String, String> KIN_BIRTHDAY_TITLES = Map.ofEntries(
      Map.entry("妈妈", "妈妈生日"), Map.entry("妈", "妈妈生日"), Map.entry("母亲", "妈妈生日"), Map.entry("爸爸", "爸爸生日"),
      Map.entry("爸", "爸爸生日"), Map.entry("父亲", "爸爸生日"), Map.entry("男朋友", "男朋友生日"), Map.entry("女朋友", "女朋友生日"),
      Map.entry("老公", "老公生日"), Map.entry("老婆", "老婆生日"), Map.entry("姐姐", "姐姐生日"), Map.entry("妹妹", "妹妹生日"),
      Map.entry("哥哥", "哥哥生日"), Map.entry("弟弟", "弟弟生日"), Map.entry("儿子", "儿子生日"), Map.entry("女儿", "女儿生日"),
      Map.entry("奶奶", "奶奶生日"), Map.entry("爷爷", "爷爷生日"), Map.entry("闺蜜", "闺蜜生日"), Map.entry("对象", "对象生日"));
  private static final Pattern ZH_KIN_BIRTHDAY = Pattern.compile(
      "我的?(" + Lexicon.alternation(KIN_BIRTHDAY_TITLES.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList())
          + ")的?生日");
  private static final Pattern EN_KIN_BIRTHDAY = Pattern.compile(
      "\\bmy\\s+(mom|mother|mum|dad|father|sister|brother|husband|wife|boyfriend|girlfriend|partner|son|daughter"
          + "|best friend|grandma|grandpa)(?:'s|s')\\s+(?:b-?day|birthday)\\b", Pattern.CASE_INSENSITIVE);

  /**
   * Events in one sentence.
   *
   * @param clauses the sentence's usable clauses
   * @param hasBirthday the sentence already yielded the user's own birthday (so no mood event on top)
   */
  static List<Found> extract(List<String> clauses, LocalDate ref, boolean hasBirthday) {
    List<Found> concrete = new ArrayList<>();
    List<Found> moods = new ArrayList<>();
    String sentence = String.join("，", clauses);
    Set<String> seenTitles = new LinkedHashSet<>();
    for (String clause : clauses) {
      boolean zh = Text.hasHan(clause);
      Tense tense = DateResolver.tenseOf(clause);
      List<int[]> claimed = new ArrayList<>();
      for (Kind k : KINDS) {
        Matcher m = k.zh().matcher(clause);
        boolean found = m.find();
        if (!found) {
          m = k.en().matcher(clause);
          found = m.find();
        }
        if (!found || overlaps(claimed, m.start(), m.end())) {
          continue; // 通过了考试 is an achievement, not also an exam to plan for
        }
        claimed.add(new int[] {m.start(), m.end()});
        if (negated(clause, m.start())) {
          continue;
        }
        String type = k.type();
        String title = zh ? k.titleZh() : k.titleEn();
        int importance = k.importance();
        Matcher other = SOMEONE_ELSE.matcher(clause);
        boolean someoneElse = other.find() && other.start() < m.start();
        if (someoneElse && (type.equals("achievement")
            || type.equals("life_event") && !WEDDING_OR_HEALTH.contains(title))) {
          continue; // a friend's promotion is not the user's milestone (but a family member in hospital still matters)
        }
        if (title.equals("结婚") || title.equals("Wedding")) {
          if (someoneElse || ATTEND_WEDDING.matcher(clause).find()) {
            type = "plan";
            title = zh ? "参加婚礼" : "Attend a wedding";
            importance = 5;
          }
        }
        if ((title.equals("搬家") || title.equals("Moving")) && tense == Tense.PAST) {
          type = "life_event";
          importance = 7;
        }
        Tense dateTense = type.equals("plan") && tense != Tense.PAST ? Tense.FUTURE : tense;
        DateResolver.Hit hit = DateResolver.find(clause, ref, dateTense);
        if (hit == null) {
          hit = DateResolver.find(sentence, ref, dateTense);
        }
        if (type.equals("plan") && hit == null && tense != Tense.FUTURE) {
          continue; // "I love to travel" is a taste, not a plan
        }
        if (!seenTitles.add(title)) {
          continue;
        }
        // Breakups, promotions, moods happened around the time they were told, so the message date stands in.
        boolean datedWhenTold = !type.equals("plan") && !type.equals("memory") && !type.equals("anniversary");
        datedWhenTold &= !VAGUE_PAST.matcher(sentence).find(); // "去年", "years ago": not today, but no day either
        String date = hit != null ? hit.iso() : datedWhenTold && tense != Tense.FUTURE ? ref.toString() : null;
        String emotion = Sentiment.eventEmotion(sentence, k.emotion());
        Found f = new Found(type, title, summaryOf(sentence, hit), date, emotion, importance);
        (k.mood() ? moods : concrete).add(f);
      }
      kinBirthday(clause, ref, concrete, seenTitles);
    }
    if (concrete.isEmpty() && !hasBirthday) {
      // A feeling or a memory is worth keeping only when nothing more concrete happened in the sentence.
      return moods.isEmpty() ? concrete : List.of(moods.get(0));
    }
    return concrete;
  }

  private static void kinBirthday(String clause, LocalDate ref, List<Found> out, Set<String> seenTitles) {
    Matcher zh = ZH_KIN_BIRTHDAY.matcher(clause);
    Matcher en = EN_KIN_BIRTHDAY.matcher(clause);
    String title;
    if (zh.find()) {
      title = KIN_BIRTHDAY_TITLES.get(zh.group(1));
    } else if (en.find()) {
      String kin = en.group(1).toLowerCase(Locale.ROOT);
      title = Character.toUpperCase(kin.charAt(0)) + kin.substring(1) + "'s birthday";
    } else {
      return;
    }
    DateResolver.Hit hit = DateResolver.find(clause, ref, Tense.UNKNOWN);
    if (hit == null || !hit.exact() || !seenTitles.add(title)) {
      return;
    }
    String date = hit.yearStated() ? hit.iso() : hit.monthDay();
    out.add(new Found("birthday", title, summaryOf(clause, hit), date, "positive", 7));
  }

  private static boolean overlaps(List<int[]> spans, int start, int end) {
    for (int[] s : spans) {
      if (start < s[1] && end > s[0]) {
        return true;
      }
    }
    return false;
  }

  private static boolean negated(String clause, int at) {
    String before = clause.substring(Math.max(0, at - 24), at);
    return ZH_NEGATION.matcher(before).find() || EN_NEGATION.matcher(before).find();
  }

  /** The user's sentence in the third person, with a relative date spelled out so the memory ages well. */
  static String summaryOf(String sentence, DateResolver.Hit hit) {
    String s = Text.capChars(sentence.strip(), 120);
    boolean zh = Text.hasHan(s);
    String text = zh ? Text.thirdPersonZh(s) : "User said: " + s;
    if (hit != null && hit.relative()) {
      text += zh ? "（" + hit.iso() + "）" : " (" + hit.iso() + ")";
    }
    return text;
  }

  /** The user's own birthday, as an event. */
  static Found birthday(String sentence, String date) {
    boolean zh = Text.hasHan(sentence);
    return new Found("birthday", zh ? "用户生日" : "User's birthday", summaryOf(sentence, null), date, "positive", 8);
  }
}
