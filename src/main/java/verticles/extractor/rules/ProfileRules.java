package verticles.extractor.rules;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Profile facts from what the user says about themselves, in Chinese and English. Every rule is anchored on the
 * first person (我 / I / my) so that "我朋友叫小明" or "she loves sushi" yield nothing; questions and hypotheticals never
 * reach this class (see {@link Text#usableClauses}).
 */
final class ProfileRules {

  private ProfileRules() {}

  /** Facts stated in one sentence's usable clauses; ref is the local date the message was sent. */
  static List<Fact> extract(List<String> clauses, LocalDate ref) {
    List<Fact> out = new ArrayList<>();
    for (String clause : clauses) {
      zhClause(clause, ref, out);
      enClause(clause, ref, out);
    }
    // Pets may name the animal in the next clause: "我养了一只猫，叫咪咪" / "I have a dog, his name is Max".
    String joined = String.join("，", clauses);
    zhPets(joined, out);
    enPets(joined, out);
    return out;
  }

  // ================================================================================================================
  // Chinese
  // ================================================================================================================

  private static final String HAN = "\\p{IsHan}";
  private static final String END = "(?=$|[，,。.!！?？;；、~～…\\s]|了|呢|啊|呀|哦|吧|哈|嘛|啦|哟|噢|喔)";
  private static final String NAME_END = "(?=$|[，,。.!！?？;；、~～…\\s]|了|呢|啊|呀|哦|吧|哈|嘛|啦|哟|噢|喔|就|也|今年|来自|住在"
      + "|是|在|喜欢|[0-9]|平时|目前|现在|今天|好了|哈)";
  private static final String ZH_NAME = "([" + HAN + "]{1,4}?|[A-Za-z][A-Za-z'\\-]{0,19})" + NAME_END;
  private static final String ZN = "[0-9]{1,3}|[零一二两三四五六七八九十百]{1,4}";
  private static final String ADV = "(?:也|还|很|特别|超|超级|真的|非常|最|挺|蛮|比较|好|一直|从小就?|其实|就|都|平时|真|可|贼|巨)*";
  private static final String OBJ = "([^。.!！?？;；~～…]{1,30})";
  private static final String LOC_END = "(?=$|[，,。.!！?？;；、~～…\\s]|了|呢|啊|呀|哦|吧|哈|嘛|啦|的|已经|这边|那边|附近|工作|上班"
      + "|读书|上学|生活|住|待|呆|一年|两年|三年|好几年|很久|很多年|多年|快|现在|和|跟|与|出生|长大)";

  private static final Pattern ZH_NAME_P = Pattern.compile("(?:我的?名字(?:叫做|叫|是)|我叫做|我叫)\\s*" + ZH_NAME);
  private static final Pattern ZH_CALL_ME = Pattern.compile("(?:^|你|可以|就|请|都|以后|大家|他们|朋友们?)叫我\\s*" + ZH_NAME);
  private static final Pattern ZH_SURNAME = Pattern.compile("我姓([" + HAN + "]{1,2}?)(?=$|[，,。.!！\\s]|叫|名|呢|啊|呀|哦|吧)");

  private static final Pattern ZH_AGE = Pattern.compile(
      "我(?:今年|现在|已经|都|才|刚|刚刚|快|也)*满?(" + ZN + ")周?岁(?!的时候|时|那年|那会|以前|之前|左右的|生日)");
  private static final Pattern ZH_AGE_BARE = Pattern.compile("(?:^|[，,])\\s*(?:今年|现在)(?:已经|都|才|刚)?满?(" + ZN + ")周?岁(?!的时候|时)");
  private static final Pattern ZH_AGE_ONLY = Pattern.compile("(?:^|[，,])\\s*(" + ZN + ")周?岁了?\\s*(?=$|[，,])");
  private static final Pattern ZH_AGE_LE = Pattern.compile("我(?:今年|现在|都|已经)*([1-9][0-9])了(?![0-9])");

  private static final Pattern ZH_BIRTHDAY = Pattern.compile("我的?生日(?!快乐|礼物|派对|蛋糕|聚会|愿望)");
  private static final Pattern ZH_BORN = Pattern.compile("我(?:是|在|于)?(.{2,16}?)(?:出生|生的|生)");
  private static final Pattern ZH_BORN_ON = Pattern.compile("我的?出生(?:日期)?(?:是|于|在)");

  private static final Pattern ZH_I_AM = Pattern.compile(
      "我(?:现在|目前|其实|本身|也|就)?是(?:一名|一个|一位|名|个|位)?([" + HAN + "A-Za-z]{1,10}?)"
          + "(?=$|[，,。.!！?？;；、~～…\\s]|了|呢|啊|呀|哦|吧|哈|嘛|啦|哟|在|来的)");
  /** "我叫小雨，是一名护士": the subject was given in an earlier clause. */
  private static final Pattern ZH_IS_JOB = Pattern.compile(
      "(?:^|[，,])\\s*(?:现在|目前)?是(?:一名|一个|一位|名|个|位)?([" + HAN + "A-Za-z]{1,10}?)(?=$|[，,。.!！\\s]|了|呢|啊|呀|哦|吧)");
  private static final Pattern ZH_DO = Pattern.compile("我(?:是)?(?:做|搞|干)([" + HAN + "A-Za-z]{1,6}?)的(?!时|人|东西|事|话|菜|饭)");
  private static final Pattern ZH_JOB_IS = Pattern.compile("我的?(?:工作|职业)是(?:一名|一个)?([" + HAN + "A-Za-z]{1,10}?)" + END);
  private static final Pattern ZH_WORK_AT = Pattern.compile(
      "我(?:现在|目前|一直|平时|也)?在([" + HAN + "A-Za-z0-9]{1,12}?)(?:工作|上班|实习|任职|打工)");
  private static final Pattern ZH_STUDY_AT = Pattern.compile(
      "我(?:现在|目前)?在([" + HAN + "A-Za-z]{2,12}?)(?:读书|上学|念书|读大学|读研|读博|上大学|读高中|读初中)");
  private static final Pattern ZH_GRADE = Pattern.compile(
      "我(?:现在|目前|今年)?(?:在)?(?:读|上)(大一|大二|大三|大四|研一|研二|研三|高一|高二|高三|初一|初二|初三|博一|博二|博三)");

  private static final Pattern ZH_LIVE = Pattern.compile(
      "我(?:现在|目前|一直|已经|也|还)?(住在|居住在|生活在|定居在|定居|住|在)([" + HAN + "A-Za-z]{1,12}?)" + LOC_END);
  private static final Pattern ZH_MOVED = Pattern.compile(
      "我(?:已经|刚|刚刚|去年|今年|前段时间|前几天|最近|上个?月|上周|上星期|上礼拜|年初|年底)?(?:搬到|搬去|搬来)了?([" + HAN + "A-Za-z]{1,12}?)" + LOC_END);
  private static final Pattern ZH_FROM = Pattern.compile("我(?:来自|是从)([" + HAN + "A-Za-z]{1,12}?)(?:来的)?" + LOC_END);
  private static final Pattern ZH_LAOJIA = Pattern.compile("我的?老家(?:是|在)([" + HAN + "A-Za-z]{1,12}?)" + LOC_END);
  private static final Pattern ZH_BORN_IN = Pattern.compile(
      "我(?:出生|长大)(?:在|于)([" + HAN + "]{1,12}?)" + LOC_END + "|我(?:是)?在([" + HAN + "]{1,12}?)(?:出生|长大)");

  private static final Pattern ZH_FAV = Pattern.compile(
      "我的?最?(?:喜欢|爱)的([" + HAN + "A-Za-z]{1,6}?)(?:是|就是)([^，,。.!！?？;；~～…]{1,20})");
  private static final Pattern ZH_LIKE = Pattern.compile(
      "我(" + ADV + ")(喜欢|爱|喜爱|热爱|钟爱|迷上了|沉迷于|沉迷)" + OBJ);
  private static final Pattern ZH_HOBBY = Pattern.compile("我的?(?:兴趣)?爱好(?:是|有|就是)" + OBJ);
  private static final Pattern ZH_DISLIKE = Pattern.compile(
      "我" + ADV + "(讨厌|厌恶|受不了|烦死了|烦死|恨|不喜欢|不太喜欢|不怎么喜欢|一点也不喜欢|一点都不喜欢|不爱|不吃|不喝|不能吃|吃不了"
          + "|害怕|怕)" + OBJ);
  private static final Pattern ZH_ALLERGY = Pattern.compile("我对([" + HAN + "A-Za-z]{1,8}?)过敏|我([" + HAN + "]{1,6}?)过敏");

  private static final Pattern ZH_TRAIT = Pattern.compile(
      "我(?:这个人)?(?:性格)?(?:比较|很|挺|特别|非常|超|有点|蛮|是个|是一个|是)*(" + Lexicon.alternation(Lexicon.ZH_TRAITS) + ")");
  private static final Pattern ZH_TRAIT_PERSON = Pattern.compile(
      "我(?:是一个|是个|是)(?:很|比较|挺|特别|非常|超|有点|蛮)?([" + HAN + "]{1,6}?)的人");
  private static final Pattern ZH_GENDER = Pattern.compile("我是(?:个|一个)?(男生|女生|男孩子?|女孩子?|男的|女的|男人|女人)");

  private static final String ZH_KIN = "(" + Lexicon.alternation(Lexicon.ZH_KIN.keySet()) + ")(?!们|夫|子们)";
  private static final Pattern ZH_KIN_NAME = Pattern.compile(
      "我的?" + ZH_KIN + "(?:的名字叫|的名字是|名字叫|名字是|叫做|叫)" + ZH_NAME);
  private static final Pattern ZH_KIN_JOB = Pattern.compile(
      "我的?" + ZH_KIN + "(?:现在|目前|也)?是(?:一名|一个|一位|个|名|位)?([" + HAN + "A-Za-z]{1,10}?)" + END);
  private static final Pattern ZH_KIN_HAVE = Pattern.compile(
      "我(?:还|也)?有(?:一个|一位|一|个|[两三四五]个)?" + ZH_KIN);
  private static final Pattern ZH_KIN_MORE = Pattern.compile(
      "\\G(?:和|跟|还有|、|，|,)\\s*(?:一个|一位|个|[两三四五]个)?" + ZH_KIN);

  private static final Pattern ZH_PET = Pattern.compile(
      "我(?:家里?|家的)?(?:养了|养着|养|有|收养了|领养了|捡了)(?:[一两二三四五六七八九十几]?(?:只|条|个|匹|头)|好几只)?"
          + "(?:叫([" + HAN + "A-Za-z]{1,6}?)的)?(?:[" + HAN + "]{1,4}的)?(" + Lexicon.alternation(Lexicon.ZH_PETS) + ")"
          + "(?:[，,]?\\s*(?:它|他|她)?(?:的名字)?(?:叫做|叫|名字叫|名字是|取名叫?)" + ZH_NAME + ")?");
  private static final Pattern ZH_PET_NAMED = Pattern.compile(
      "我(?:家|的|家的)(" + Lexicon.alternation(Lexicon.ZH_PETS) + ")(?:的名字叫|的名字是|名字叫|名字是|叫做|叫)" + ZH_NAME);

  private static final Set<String> ZH_STOP_OBJECTS = Set.of("他", "她", "它", "他们", "她们", "这个", "那个", "这样", "那样",
      "这些", "那些", "什么", "一切", "所有", "自己", "这", "那", "的", "啊", "上", "了", "过", "东西", "事情");
  private static final Set<String> ZH_GENERIC_PLACES = Set.of("公司", "单位", "家", "这里", "那里", "这边", "那边", "外地",
      "外面", "家里", "宿舍", "学校");

  private static void zhClause(String c, LocalDate ref, List<Fact> out) {
    if (!Text.hasHan(c)) {
      return;
    }
    Matcher m;
    if (c.indexOf('我') < 0) {
      zhSubjectless(c, out); // cheap exit: every other Chinese rule is anchored on 我
      return;
    }
    // name
    m = ZH_NAME_P.matcher(c);
    while (m.find()) {
      if (Lexicon.plausibleZhName(m.group(1))) {
        out.add(Fact.of("basic_info", "name", m.group(1), 0.95));
      }
    }
    m = ZH_CALL_ME.matcher(c);
    while (m.find()) {
      if (Lexicon.plausibleZhName(m.group(1))) {
        out.add(Fact.callMe(m.group(1), 0.85));
      }
    }
    m = ZH_SURNAME.matcher(c);
    if (m.find()) {
      out.add(Fact.of("basic_info", "surname", m.group(1), 0.9));
    }
    zhBirthday(c, ref, out);
    zhWork(c, out);
    zhPlaces(c, out);
    zhPreferences(c, out);
    zhPersonality(c, out);
    zhFamily(c, out);
    zhSubjectless(c, out);
  }

  /** Clauses that continue a self-description without repeating 我: "今年25岁", "是一名护士". */
  private static void zhSubjectless(String c, List<Fact> out) {
    Matcher m;
    for (Pattern p : List.of(ZH_AGE, ZH_AGE_BARE, ZH_AGE_ONLY, ZH_AGE_LE)) {
      m = p.matcher(c);
      if (m.find()) {
        int age = DateResolver.num(m.group(1));
        if (age >= 1 && age <= 120) {
          out.add(Fact.of("basic_info", "age", String.valueOf(age), p == ZH_AGE_LE || p == ZH_AGE_ONLY ? 0.8 : 0.95));
          break;
        }
      }
    }
    m = ZH_IS_JOB.matcher(c);
    if (m.find() && Lexicon.isZhJob(m.group(1))) {
      out.add(Fact.of("basic_info", "occupation", m.group(1), 0.8));
    }
  }

  private static void zhBirthday(String c, LocalDate ref, List<Fact> out) {
    DateResolver.Hit hit = null;
    if (ZH_BIRTHDAY.matcher(c).find() || ZH_BORN_ON.matcher(c).find()) {
      hit = DateResolver.find(c, ref, DateResolver.Tense.UNKNOWN);
    } else {
      Matcher m = ZH_BORN.matcher(c);
      if (m.find()) {
        // Only "我是<date>生的": the text between 我 and 生 must be the date itself, not 妈妈是3月15号.
        String between = m.group(1).replaceFirst("的$", "");
        DateResolver.Hit h = DateResolver.find(between, ref, DateResolver.Tense.PAST);
        if (h != null && h.start() == 0 && h.end() >= between.length() - 1) {
          hit = h;
        }
      }
    }
    if (hit != null && hit.exact()) {
      out.add(Fact.of("basic_info", "birthday", hit.yearStated() ? hit.iso() : hit.monthDay(), 0.95));
    }
  }

  private static void zhWork(String c, List<Fact> out) {
    Matcher m = ZH_I_AM.matcher(c);
    while (m.find()) {
      String v = m.group(1);
      if (Lexicon.isZhJob(v)) {
        out.add(Fact.of("basic_info", "occupation", v, 0.9));
      } else if (v.endsWith("人") && v.length() >= 3) {
        String place = Lexicon.zhPlace(v.substring(0, v.length() - 1));
        if (place != null && Lexicon.ZH_COUNTRIES.contains(place)) {
          out.add(Fact.of("basic_info", "nationality", place, 0.85));
        } else if (place != null) {
          out.add(Fact.of("basic_info", "hometown", place, 0.85));
        }
      }
    }
    m = ZH_DO.matcher(c);
    if (m.find() && !Set.of("饭", "梦", "错", "事", "完", "好", "什么", "啥", "这个", "那个", "作业", "家务").contains(m.group(1))
        && "完了过好得着".indexOf(m.group(1).charAt(0)) < 0) {
      out.add(Fact.of("basic_info", "occupation", m.group(1), 0.8));
    }
    m = ZH_JOB_IS.matcher(c);
    if (m.find()) {
      out.add(Fact.of("basic_info", "occupation", m.group(1), 0.9));
    }
    m = ZH_WORK_AT.matcher(c);
    if (m.find()) {
      String v = m.group(1);
      String place = Lexicon.zhPlace(v);
      String rest = place == null ? v : v.substring(place.length());
      rest = rest.replaceFirst("^(?:的|一家|一个|家)", "");
      if (place != null) {
        out.add(Fact.of("basic_info", "location", place, 0.8));
      }
      if (!rest.isEmpty() && !ZH_GENERIC_PLACES.contains(rest) && !rest.startsWith("家")) {
        out.add(Fact.of("basic_info", "workplace", rest, 0.85));
      }
    }
    m = ZH_STUDY_AT.matcher(c);
    if (m.find() && !ZH_GENERIC_PLACES.contains(m.group(1))) {
      out.add(Fact.of("basic_info", "school", m.group(1), 0.85));
      out.add(Fact.of("basic_info", "occupation", "学生", 0.8));
    }
    m = ZH_GRADE.matcher(c);
    if (m.find()) {
      out.add(Fact.of("basic_info", "occupation", "学生(" + m.group(1) + ")", 0.85));
    }
  }

  private static void zhPlaces(String c, List<Fact> out) {
    Matcher m = ZH_LIVE.matcher(c);
    while (m.find()) {
      String verb = m.group(1);
      String v = m.group(2);
      String place = Lexicon.zhPlace(v);
      if (verb.equals("住") || verb.equals("在")) {
        if (place != null) {
          out.add(Fact.of("basic_info", "location", place, verb.equals("在") ? 0.75 : 0.85));
        }
      } else if (place != null || v.length() <= 8 && !ZH_GENERIC_PLACES.contains(v) && "院校你他她这那".indexOf(v.charAt(0)) < 0) {
        out.add(Fact.of("basic_info", "location", place != null ? place : v, 0.9));
      }
    }
    m = ZH_MOVED.matcher(c);
    if (m.find() && DateResolver.tenseOf(c.substring(0, m.start() + 1)) != DateResolver.Tense.FUTURE
        && !c.contains("要搬") && !c.contains("准备搬") && !c.contains("打算搬")) {
      String place = Lexicon.zhPlace(m.group(1));
      if (place != null || !ZH_GENERIC_PLACES.contains(m.group(1))) {
        out.add(Fact.of("basic_info", "location", place != null ? place : m.group(1), 0.85));
      }
    }
    for (Pattern p : List.of(ZH_FROM, ZH_LAOJIA)) {
      m = p.matcher(c);
      if (m.find() && !ZH_GENERIC_PLACES.contains(m.group(1))) {
        String place = Lexicon.zhPlace(m.group(1));
        out.add(Fact.of("basic_info", "hometown", place != null ? place : m.group(1), 0.9));
      }
    }
    m = ZH_BORN_IN.matcher(c);
    if (m.find()) {
      String v = m.group(1) != null ? m.group(1) : m.group(2);
      String place = Lexicon.zhPlace(v);
      if (place != null) {
        out.add(Fact.of("basic_info", "hometown", place, 0.85));
      }
    }
  }

  private static void zhPreferences(String c, List<Fact> out) {
    Matcher m = ZH_FAV.matcher(c);
    boolean favorite = false;
    while (m.find()) {
      String key = zhFavoriteKey(m.group(1));
      for (String item : zhItems(m.group(2))) {
        out.add(Fact.many("preference", key, item, 0.9));
        favorite = true;
      }
    }
    m = ZH_LIKE.matcher(c);
    while (m.find() && !favorite) {
      String verb = m.group(2);
      String obj = zhTrimObject(m.group(3));
      if (obj.isEmpty() || "上过着了的人".indexOf(obj.charAt(0)) >= 0) {
        continue; // 爱上了他, 喜欢过, 喜欢的人, 我爱人 (= my spouse)
      }
      if (obj.matches("^(?:你|和你|跟你|与你).*")) {
        out.add(Fact.of("relationship", "feeling_to_ai", verb + obj, 0.8));
        continue;
      }
      String key = null;
      if (obj.startsWith("吃")) {
        key = "favorite_food";
        obj = obj.substring(1);
      } else if (obj.startsWith("喝")) {
        key = "favorite_drink";
        obj = obj.substring(1);
      }
      for (String item : zhItems(obj)) {
        String k = key != null ? key : Lexicon.ZH_FOODS.contains(item) ? "favorite_food" : "likes";
        out.add(Fact.many("preference", k, item, 0.85));
      }
    }
    m = ZH_HOBBY.matcher(c);
    while (m.find()) {
      for (String item : zhItems(zhTrimObject(m.group(1)))) {
        out.add(Fact.many("preference", "likes", item, 0.9));
      }
    }
    m = ZH_DISLIKE.matcher(c);
    while (m.find()) {
      String verb = m.group(1);
      String obj = zhTrimObject(m.group(2)).replaceFirst("^[吃喝]", "");
      if (obj.isEmpty() || "了过着的".indexOf(obj.charAt(0)) >= 0) {
        continue;
      }
      if (obj.startsWith("你")) {
        out.add(Fact.of("relationship", "feeling_to_ai", verb + obj, 0.7));
        continue;
      }
      boolean fear = verb.endsWith("怕");
      for (String item : zhItems(obj)) {
        if (fear && item.length() > 3) {
          continue; // 怕明天的面试 is a worry, not a phobia
        }
        out.add(Fact.many("preference", fear ? "fears" : "dislikes", item, 0.85));
      }
    }
    m = ZH_ALLERGY.matcher(c);
    if (m.find()) {
      String v = m.group(1) != null ? m.group(1) : m.group(2);
      if (!v.matches("有点|有|也|会|很|比较|容易|好像|特别|严重")) {
        out.add(Fact.many("basic_info", "allergies", v.replaceFirst("^(?:有点|比较|对)", ""), 0.9));
      }
    }
  }

  private static String zhFavoriteKey(String category) {
    return switch (category) {
      case "食物", "菜", "吃的", "美食", "零食" -> "favorite_food";
      case "饮料", "喝的" -> "favorite_drink";
      case "颜色" -> "favorite_color";
      case "电影" -> "favorite_movie";
      case "歌手", "明星", "偶像" -> "favorite_singer";
      case "歌", "歌曲" -> "favorite_song";
      case "动物" -> "favorite_animal";
      case "书" -> "favorite_book";
      case "运动" -> "favorite_sport";
      case "游戏" -> "favorite_game";
      case "季节" -> "favorite_season";
      case "水果" -> "favorite_fruit";
      case "城市", "地方" -> "favorite_place";
      case "电视剧", "剧" -> "favorite_show";
      case "动漫", "动画" -> "favorite_anime";
      default -> "likes";
    };
  }

  private static String zhTrimObject(String raw) {
    String s = raw.strip();
    s = s.split("因为|所以|但是|可是|不过|而且|尤其|特别是|就是|然后|的时候")[0];
    s = s.replaceAll("(?:了|的|啊|呀|哦|呢|吧|哈|嘛|啦|哟|噢|喔|得不得了|得要命|死了|极了|一点|\\s)+$", "");
    return s.strip();
  }

  private static List<String> zhItems(String obj) {
    List<String> items = new ArrayList<>();
    for (String part : obj.split("(?<=.)(?:[，,]\\s*(?:还有|以及|和)?|和|、|跟|还有|以及|与)")) {
      String p = zhTrimObject(part);
      if (!p.isEmpty() && p.length() <= 12 && !ZH_STOP_OBJECTS.contains(p) && !p.contains("他") && !p.contains("她")) {
        items.add(p);
      }
    }
    return items;
  }

  private static void zhPersonality(String c, List<Fact> out) {
    Matcher m = ZH_TRAIT.matcher(c);
    while (m.find()) {
      out.add(Fact.many("personality", "traits", m.group(1), 0.85));
    }
    m = ZH_TRAIT_PERSON.matcher(c);
    while (m.find()) {
      String v = m.group(1).replaceFirst("^(?:很|比较|挺|特别|非常|超|有点|蛮)", "");
      if (!v.isEmpty() && !v.matches(".*(?:这样|那样|怎样|什么|一样|你|他|她|好|坏).*")) {
        out.add(Fact.many("personality", "traits", v, 0.8));
      }
    }
    m = ZH_GENDER.matcher(c);
    if (m.find()) {
      out.add(Fact.of("basic_info", "gender", m.group(1).startsWith("男") ? "男" : "女", 0.9));
    }
  }

  private static void zhFamily(String c, List<Fact> out) {
    Matcher m = ZH_KIN_NAME.matcher(c);
    while (m.find()) {
      if (Lexicon.plausibleZhName(m.group(2))) {
        out.add(Fact.person(Lexicon.ZH_KIN.get(m.group(1)), m.group(1), m.group(2), null, 0.9));
      }
    }
    m = ZH_KIN_JOB.matcher(c);
    while (m.find()) {
      if (Lexicon.isZhJob(m.group(2))) {
        out.add(Fact.person(Lexicon.ZH_KIN.get(m.group(1)), m.group(1), null, m.group(2), 0.85));
      }
    }
    m = ZH_KIN_HAVE.matcher(c);
    while (m.find()) {
      out.add(Fact.person(Lexicon.ZH_KIN.get(m.group(1)), m.group(1), null, null, 0.8));
      Matcher more = ZH_KIN_MORE.matcher(c).region(m.end(), c.length()); // 我有一个哥哥和一个妹妹
      while (more.find()) {
        out.add(Fact.person(Lexicon.ZH_KIN.get(more.group(1)), more.group(1), null, null, 0.8));
      }
    }
  }

  private static void zhPets(String text, List<Fact> out) {
    if (!Text.hasHan(text)) {
      return;
    }
    Matcher m = ZH_PET.matcher(text);
    while (m.find()) { // 我养过 / 我想养 do not match: the verb must follow 我 (or 我家) directly
      String name = m.group(1) != null ? m.group(1) : m.group(3);
      out.add(Fact.many("basic_info", "pet", petValue(m.group(2), name, true), 0.9));
    }
    m = ZH_PET_NAMED.matcher(text);
    while (m.find()) {
      if (Lexicon.plausibleZhName(m.group(2))) {
        out.add(Fact.many("basic_info", "pet", petValue(m.group(1), m.group(2), true), 0.9));
      }
    }
  }

  static String petValue(String animal, String name, boolean zh) {
    if (name == null || name.isBlank()) {
      return animal;
    }
    return zh ? animal + "(" + name + ")" : animal + " (" + name + ")";
  }

  // ================================================================================================================
  // English
  // ================================================================================================================

  private static final Pattern EN_FIRST_PERSON = Pattern.compile("(?i)\\b(?:i|i'm|im|my|me)\\b");
  private static final String I_AM = "(?i:\\b(?:i'm|i am|im)\\s+)";
  private static final String PHRASE = "([^,.;!?，。！？]{1,60})";
  /** Like PHRASE, but runs across commas: list items stay in their clause (see Text#clauses). */
  private static final String LIST = "([^.;!?。！？]{1,80})";
  private static final String CAP = "([A-Z][a-z]+(?:[-'][A-Za-z]+)?)";

  private static final Pattern EN_NAME =
      Pattern.compile("(?i:\\bmy name(?:'s| is)\\s+)([A-Za-z][A-Za-z'\\-]*)(?:\\s+([A-Z][a-z]+))?");
  private static final Pattern EN_I_AM_NAME = Pattern.compile(I_AM + CAP + "(?:\\s+([A-Z][a-z]+))?\\b(?!')");
  private static final Pattern EN_CALL_ME = Pattern.compile("(?i:\\bcall me\\s+)" + CAP + "\\b");

  private static final Pattern EN_AGE_YEARS = Pattern.compile(
      I_AM + "([0-9]{1,3}|(?i:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|ten|eleven|twelve|thirteen|fourteen"
          + "|fifteen|sixteen|seventeen|eighteen|nineteen)(?:[- ](?i:one|two|three|four|five|six|seven|eight|nine))?)"
          + "(?i:\\s*(?:years?|yrs?)[- ]old|\\s*y/?o\\b)");
  private static final Pattern EN_AGE_BARE = Pattern.compile(
      I_AM + "([0-9]{1,3})(?=\\s*(?:$|[,.!;]|(?i:and|now|this year|btw|lol|haha|already|too|as well|myself)\\b))");
  private static final Pattern EN_AGE_TURNED =
      Pattern.compile("(?i:\\bI (?:just |recently )?turned\\s+|\\bmy age is\\s+)([0-9]{1,3})\\b");

  private static final Pattern EN_BIRTHDAY = Pattern.compile(
      "(?i:\\bmy (?:b-?day|birthday)\\b(?!\\s+(?:party|gift|present|cake|wish|plans?|dinner|celebration))"
          + "|\\bI was born\\b|^born\\b|\\bmy date of birth\\b|\\bmy dob\\b)");
  private static final Pattern EN_OTHER_BIRTHDAY = Pattern.compile(
      "(?i:\\b(?:my\\s+)?(?:mom|mother|mum|dad|father|sister|brother|husband|wife|boyfriend|girlfriend|partner|son|daughter"
          + "|friend|best friend|grandma|grandpa)(?:'s|s')\\s+(?:b-?day|birthday)|\\b(?:his|her|their)\\s+(?:b-?day|birthday))");

  private static final String JOB_PHRASE = "([A-Za-z][A-Za-z\\-]*(?:\\s+[A-Za-z][A-Za-z\\-]*){0,3}?)"
      + "(?=\\s+(?i:at|for|in|and|but|so|who|with|from|by|now|here|there|since|too)\\b|\\s*$|\\s*[,.!;])";
  private static final Pattern EN_WORK_AS =
      Pattern.compile("(?i:\\bI (?:currently |now |still |also )?work as\\s+(?:an?\\s+)?)" + JOB_PHRASE);
  private static final Pattern EN_I_AM_A = Pattern.compile(
      I_AM + "(?i:(?:currently |now |still |also |actually |just )?(?:working as )?(?:an?)\\s+)" + JOB_PHRASE);
  private static final Pattern EN_FROM_AFTER_JOB = Pattern.compile("^\\s+(?i:from)\\s+" + PHRASE);
  private static final Pattern EN_AT_ORG = Pattern.compile("^\\s+(?i:at|for)\\s+" + PHRASE);
  private static final Pattern EN_WORK_AT =
      Pattern.compile("(?i:\\bI (?:currently |now |still |also )?work (at|for|in)\\s+)" + PHRASE);
  private static final Pattern EN_STUDY_AT =
      Pattern.compile("(?i:\\bI (?:study|go to school|am studying|'m studying) at\\s+)" + PHRASE);
  private static final Pattern EN_STATUS = Pattern.compile(
      I_AM + "(?i:(retired|unemployed|self-employed|a freelancer|between jobs|a stay-at-home (?:mom|dad|parent)))\\b");

  private static final Pattern EN_LIVE = Pattern.compile(
      "(?i:\\bI (?:currently |now |still |also )?(?:live|reside) in\\s+|" + "\\b(?:i'm|i am|im)\\s+(?:currently |now )?"
          + "(?:living|based|staying) in\\s+|\\bI (?:just |recently |finally )?moved to\\s+)" + PHRASE);
  private static final Pattern EN_FROM = Pattern.compile(
      "(?i:\\b(?:i'm|i am|im)\\s+(?:originally )?from\\s+|\\bI (?:come|came) from\\s+|\\bI grew up in\\s+"
          + "|\\bI was born (?:and raised )?in\\s+)" + PHRASE);
  private static final Pattern EN_NATIONALITY =
      Pattern.compile(I_AM + "(?i:(" + String.join("|", Lexicon.EN_NATIONALITIES) + "))\\b");

  private static final Pattern EN_LIKE = Pattern.compile(
      "(?i:\\bI (?:really |really really |absolutely |just |also |totally |do |truly |kinda |kind of |still |especially"
          + " |genuinely |sincerely |so )*(love|like|adore|enjoy|dig)\\s+|\\b(?:i'm|i am|im)\\s+(?:really |so |also |totally )?"
          + "(into|obsessed with|a (?:big |huge )?fan of|crazy about|passionate about)\\s+)" + LIST);
  private static final Pattern EN_FAV = Pattern.compile(
      "(?i:\\bmy (?:absolute |all-time |all time |most )?favou?rite\\s+([a-z]+(?:\\s+[a-z]+)?)\\s+(?:is|are|has to be|would be|was)\\s+)"
          + LIST);
  private static final Pattern EN_HOBBY = Pattern.compile("(?i:\\bmy hobb(?:y is|ies are|ies include)\\s+)" + LIST);
  private static final Pattern EN_DISLIKE = Pattern.compile(
      "(?i:\\bI (?:really |absolutely |just |also |totally |truly |kinda |still |seriously |honestly )*(hate|dislike|detest|loathe"
          + "|can't stand|cannot stand|can not stand|don't like|do not like|don't really like|don't eat|do not eat|don't drink"
          + "|never eat|can't eat|don't care for)\\s+|\\b(?:i'm|i am|im)\\s+(not (?:a |really a |much of a )?(?:big |huge )?fan of"
          + "|(?:really |so |very )?(?:scared|afraid|terrified) of)\\s+)" + LIST);
  private static final Pattern EN_ALLERGY =
      Pattern.compile(I_AM + "(?i:(?:very |severely |super |really )?allergic to\\s+)" + LIST);

  private static final Pattern EN_TRAIT = Pattern.compile(I_AM + "(?i:(?:a bit |kind of |kinda |pretty |quite |very |really |an |a "
      + "|such an? |so |super |a total |a huge |a real |definitely an? |more of an? |totally |an? big )*("
      + String.join("|", Lexicon.EN_TRAITS) + "))\\b");
  private static final Pattern EN_GENDER =
      Pattern.compile(I_AM + "(?i:an?\\s+(guy|girl|woman|man|boy|dude|gal))\\b(?!\\s+(?i:of|who|that))");

  private static final String EN_KIN = "((?:(?:little|big|older|younger|baby|twin|elder|step|half)[- ])?(?:"
      + String.join("|", Lexicon.EN_KIN.keySet()) + "))";
  private static final Pattern EN_KIN_NAME = Pattern.compile(
      "(?i:\\bmy\\s+" + EN_KIN + "(?:'s name is|\\s+is (?:named|called)|,)?\\s+)" + CAP + "\\b");
  private static final Pattern EN_KIN_JOB = Pattern.compile(
      "(?i:\\bmy\\s+" + EN_KIN + "\\s+(?:is|works as)\\s+an?\\s+)" + JOB_PHRASE);
  private static final Pattern EN_KIN_HAVE = Pattern.compile(
      "(?i:\\bI (?:have|'ve got|have got|also have)\\s+(?:an?|one|two|three|four|[0-9])\\s+" + EN_KIN + "(?:s)?\\b)");
  private static final Pattern EN_KIN_MORE = Pattern.compile(
      "\\G(?i:(?:\\s*,\\s*and\\s+|\\s*,\\s*|\\s+and\\s+)(?:an?|one|two|three|four|[0-9])\\s+" + EN_KIN + "(?:s)?\\b)");

  private static final Pattern EN_PET = Pattern.compile(
      "(?i:\\bI (?:have|own|got|adopted|have got|'ve got|rescued|also have)\\s+(?:a|an|one|two|three|[0-9]+)\\s+"
          + "(?:little |new |cute |baby |old |big |small |sweet |black |white |fat |lazy )?(" + String.join("|", Lexicon.EN_PETS)
          + ")(?:s|es)?\\b)(?:(?i:[,，]?\\s+(?:named|called|whose name is)\\s+|[,，]\\s*(?:and )?(?:his|her|its) name is\\s+)"
          + CAP + ")?");
  private static final Pattern EN_PET_NAMED = Pattern.compile(
      "(?i:\\bmy (?:little |new |cute |baby |old )?(" + String.join("|", Lexicon.EN_PETS) + ")(?:'s name is|\\s+is (?:named|called)"
          + "|,)?\\s+)" + CAP + "\\b");

  private static final Set<String> EN_STOP_OBJECTS = Set.of("it", "that", "this", "them", "him", "her", "everything",
      "anything", "nothing", "something", "how", "when", "what", "the way", "all", "one", "those", "these", "myself", "me",
      "us", "people", "life", "stuff", "things", "doing", "being", "there", "here", "so", "too", "a lot", "lot", "both",
      "either", "each", "most", "some", "none", "much", "more", "less", "to", "going", "having", "getting", "making", "way");
  private static final Set<String> EN_STOP_PLACES = Set.of("future", "past", "work", "home", "here", "there", "bed", "a",
      "the", "now", "my", "your", "this", "that", "it", "school", "office", "house", "apartment", "place", "night",
      "nights", "weekends", "the moment", "person", "remote", "remotely", "shifts", "love");

  private static void enClause(String c, LocalDate ref, List<Fact> out) {
    if (!EN_FIRST_PERSON.matcher(c).find()) {
      return; // every English rule is anchored on I / my / me
    }
    enNames(c, out);
    enAge(c, out);
    enBirthday(c, ref, out);
    enWork(c, out);
    enPlaces(c, out);
    enPreferences(c, out);
    enPersonality(c, out);
    enFamily(c, out);
  }

  private static void enNames(String c, List<Fact> out) {
    Matcher m = EN_NAME.matcher(c);
    while (m.find()) {
      String first = m.group(1);
      if (first.length() >= 2 && !Lexicon.EN_NOT_NAMES.contains(first.toLowerCase(Locale.ROOT))) {
        String last = m.group(2) != null && Lexicon.plausibleEnName(m.group(2)) ? " " + m.group(2) : "";
        out.add(Fact.of("basic_info", "name", capitalize(first) + last, 0.95));
      }
    }
    m = EN_I_AM_NAME.matcher(c);
    while (m.find()) {
      if (Lexicon.plausibleEnName(m.group(1))) {
        String last = m.group(2) != null && Lexicon.plausibleEnName(m.group(2)) ? " " + m.group(2) : "";
        out.add(Fact.of("basic_info", "name", m.group(1) + last, 0.8));
      }
    }
    m = EN_CALL_ME.matcher(c);
    while (m.find()) {
      String before = c.substring(Math.max(0, m.start() - 12), m.start()).toLowerCase(Locale.ROOT);
      if (Lexicon.plausibleEnName(m.group(1)) && !before.matches(".*(?:n't|not|never)\\s*$")) {
        out.add(Fact.callMe(m.group(1), 0.85));
      }
    }
  }

  private static void enAge(String c, List<Fact> out) {
    Matcher m = EN_AGE_YEARS.matcher(c);
    int age = -1;
    double conf = 0.95;
    if (m.find()) {
      age = enNumber(m.group(1));
    } else if ((m = EN_AGE_BARE.matcher(c)).find()) {
      age = Integer.parseInt(m.group(1));
      conf = 0.8;
    } else if ((m = EN_AGE_TURNED.matcher(c)).find()) {
      age = Integer.parseInt(m.group(1));
      conf = 0.9;
    }
    if (age >= 1 && age <= 120) {
      out.add(Fact.of("basic_info", "age", String.valueOf(age), conf));
    }
  }

  private static void enBirthday(String c, LocalDate ref, List<Fact> out) {
    if (!EN_BIRTHDAY.matcher(c).find() || EN_OTHER_BIRTHDAY.matcher(c).find()) {
      return;
    }
    DateResolver.Hit hit = DateResolver.find(c, ref, DateResolver.Tense.UNKNOWN);
    if (hit != null && hit.exact()) {
      out.add(Fact.of("basic_info", "birthday", hit.yearStated() ? hit.iso() : hit.monthDay(), 0.95));
    }
  }

  private static void enWork(String c, List<Fact> out) {
    for (Pattern p : List.of(EN_WORK_AS, EN_I_AM_A)) {
      Matcher m = p.matcher(c);
      while (m.find()) {
        String job = m.group(1).strip();
        if (p == EN_I_AM_A && !Lexicon.isEnJob(job)) {
          continue;
        }
        if (p == EN_WORK_AS && job.split("\\s+").length > 4) {
          continue;
        }
        out.add(Fact.of("basic_info", "occupation", job.toLowerCase(Locale.ROOT), 0.9));
        Matcher from = EN_FROM_AFTER_JOB.matcher(c.substring(m.end()));
        if (from.find()) {
          String place = enPlaceLike(from.group(1)); // "a teacher from Ohio"
          if (place != null && Character.isUpperCase(place.charAt(0))) {
            out.add(Fact.of("basic_info", "hometown", place, 0.8));
          }
        }
        Matcher at = EN_AT_ORG.matcher(c.substring(m.end()));
        if (at.find()) {
          String org = enPlaceLike(at.group(1));
          if (org != null) {
            boolean student = job.toLowerCase(Locale.ROOT).endsWith("student");
            out.add(Fact.of("basic_info", student ? "school" : "workplace", org, 0.85));
          }
        }
      }
    }
    Matcher m = EN_WORK_AT.matcher(c);
    while (m.find()) {
      String org = enPlaceLike(m.group(2));
      if (org == null) {
        continue;
      }
      String raw = m.group(2).strip().toLowerCase(Locale.ROOT);
      boolean industry = m.group(1).equalsIgnoreCase("in") && !raw.matches("^(?:a|an|the)\\s.*")
          && !Character.isUpperCase(org.charAt(0));
      out.add(Fact.of("basic_info", industry ? "industry" : "workplace", org, 0.85));
    }
    m = EN_STUDY_AT.matcher(c);
    if (m.find()) {
      String org = enPlaceLike(m.group(1));
      if (org != null) {
        out.add(Fact.of("basic_info", "school", org, 0.85));
      }
    }
    m = EN_STATUS.matcher(c);
    if (m.find()) {
      out.add(Fact.of("basic_info", "occupation", m.group(1).toLowerCase(Locale.ROOT).replaceFirst("^an?\\s+", ""), 0.85));
    }
  }

  private static void enPlaces(String c, List<Fact> out) {
    Matcher m = EN_LIVE.matcher(c);
    while (m.find()) {
      String before = c.substring(0, m.start()).toLowerCase(Locale.ROOT);
      boolean notYet = before.matches(".*\\b(?:will|going to|gonna|want to|plan to)\\s*$");
      if (notYet && m.group().toLowerCase(Locale.ROOT).contains("moved to")) {
        continue;
      }
      String place = enPlaceLike(m.group(1));
      if (place != null) {
        out.add(Fact.of("basic_info", "location", place, Character.isUpperCase(place.charAt(0)) ? 0.9 : 0.7));
      }
    }
    m = EN_FROM.matcher(c);
    while (m.find()) {
      String place = enPlaceLike(m.group(1));
      if (place != null && DateResolver.find(place, LocalDate.of(2000, 1, 1), DateResolver.Tense.UNKNOWN) == null
          && !place.matches(".*[0-9].*")) {
        out.add(Fact.of("basic_info", "hometown", place, Character.isUpperCase(place.charAt(0)) ? 0.9 : 0.7));
      }
    }
    m = EN_NATIONALITY.matcher(c);
    if (m.find()) {
      out.add(Fact.of("basic_info", "nationality", capitalize(m.group(1).toLowerCase(Locale.ROOT)), 0.85));
    }
  }

  private static void enPreferences(String c, List<Fact> out) {
    Matcher m = EN_FAV.matcher(c);
    boolean favorite = false;
    while (m.find()) {
      String key = enFavoriteKey(m.group(1).toLowerCase(Locale.ROOT));
      for (String item : enItems(m.group(2))) {
        out.add(Fact.many("preference", key, item, 0.9));
        favorite = true;
      }
    }
    m = EN_LIKE.matcher(c);
    while (m.find() && !favorite) {
      String verb = (m.group(1) != null ? m.group(1) : m.group(2)).toLowerCase(Locale.ROOT);
      String obj = m.group(3).strip();
      String lower = obj.toLowerCase(Locale.ROOT);
      if (lower.matches("^(?:you|u|your|talking (?:to|with) you|chatting with you|our (?:chats?|talks?)|it when you)\\b.*")) {
        out.add(Fact.of("relationship", "feeling_to_ai", verb + " " + enCut(obj, 5), 0.8));
        continue;
      }
      String key = null;
      if (lower.matches("^(?:to )?eat(?:ing)?\\s.*")) {
        key = "favorite_food";
        obj = obj.replaceFirst("(?i)^(?:to )?eat(?:ing)?\\s+", "");
      } else if (lower.matches("^(?:to )?drink(?:ing)?\\s.*")) {
        key = "favorite_drink";
        obj = obj.replaceFirst("(?i)^(?:to )?drink(?:ing)?\\s+", "");
      }
      for (String item : enItems(obj)) {
        String il = item.toLowerCase(Locale.ROOT);
        String k = key != null ? key
            : Lexicon.EN_FOODS.contains(il) ? "favorite_food" : Lexicon.EN_DRINKS.contains(il) ? "favorite_drink" : "likes";
        out.add(Fact.many("preference", k, item, 0.85));
      }
    }
    m = EN_HOBBY.matcher(c);
    while (m.find()) {
      for (String item : enItems(m.group(1))) {
        out.add(Fact.many("preference", "likes", item, 0.9));
      }
    }
    m = EN_DISLIKE.matcher(c);
    while (m.find()) {
      String verb = (m.group(1) != null ? m.group(1) : m.group(2)).toLowerCase(Locale.ROOT);
      String obj = m.group(3).strip().replaceFirst("(?i)^(?:to )?(?:eat|drink)(?:ing)?\\s+", "");
      if (obj.toLowerCase(Locale.ROOT).matches("^(?:you|u)\\b.*")) {
        out.add(Fact.of("relationship", "feeling_to_ai", verb + " you", 0.7));
        continue;
      }
      String key = verb.matches(".*(?:scared|afraid|terrified).*") ? "fears" : "dislikes";
      for (String item : enItems(obj)) {
        out.add(Fact.many("preference", key, item, 0.85));
      }
    }
    m = EN_ALLERGY.matcher(c);
    if (m.find()) {
      for (String item : enItems(m.group(1))) {
        out.add(Fact.many("basic_info", "allergies", item, 0.9));
      }
    }
  }

  private static String enFavoriteKey(String category) {
    String cat = category.replaceAll("[^a-z ]", "").strip();
    return switch (cat) {
      case "food", "dish", "meal", "snack", "cuisine", "thing to eat" -> "favorite_food";
      case "drink", "beverage" -> "favorite_drink";
      case "color", "colour" -> "favorite_color";
      case "movie", "film" -> "favorite_movie";
      case "show", "tv show", "series" -> "favorite_show";
      case "book", "novel" -> "favorite_book";
      case "band", "group" -> "favorite_band";
      case "singer", "artist" -> "favorite_singer";
      case "song" -> "favorite_song";
      case "animal" -> "favorite_animal";
      case "game", "video game" -> "favorite_game";
      case "sport" -> "favorite_sport";
      case "season" -> "favorite_season";
      case "fruit" -> "favorite_fruit";
      case "place", "city", "country" -> "favorite_place";
      default -> cat.matches("[a-z]{2,15}") ? "favorite_" + cat : "likes";
    };
  }

  private static void enPersonality(String c, List<Fact> out) {
    Matcher m = EN_TRAIT.matcher(c);
    while (m.find()) {
      out.add(Fact.many("personality", "traits", m.group(1).toLowerCase(Locale.ROOT), 0.85));
    }
    m = EN_GENDER.matcher(c);
    if (m.find()) {
      String g = m.group(1).toLowerCase(Locale.ROOT);
      out.add(Fact.of("basic_info", "gender", g.matches("girl|woman|gal") ? "female" : "male", 0.85));
    }
  }

  private static void enFamily(String c, List<Fact> out) {
    Matcher m = EN_KIN_NAME.matcher(c);
    while (m.find()) {
      if (Lexicon.plausibleEnName(m.group(2))) {
        String label = m.group(1).toLowerCase(Locale.ROOT);
        out.add(Fact.person(enKinKey(label), label, m.group(2), null, 0.9));
      }
    }
    m = EN_KIN_JOB.matcher(c);
    while (m.find()) {
      if (Lexicon.isEnJob(m.group(2))) {
        String label = m.group(1).toLowerCase(Locale.ROOT);
        out.add(Fact.person(enKinKey(label), label, null, m.group(2).toLowerCase(Locale.ROOT), 0.85));
      }
    }
    m = EN_KIN_HAVE.matcher(c);
    while (m.find()) {
      String label = m.group(1).toLowerCase(Locale.ROOT);
      out.add(Fact.person(enKinKey(label), label, null, null, 0.8));
      Matcher more = EN_KIN_MORE.matcher(c).region(m.end(), c.length()); // "a sister and a brother"
      while (more.find()) {
        String next = more.group(1).toLowerCase(Locale.ROOT);
        out.add(Fact.person(enKinKey(next), next, null, null, 0.8));
      }
    }
  }

  private static String enKinKey(String label) {
    String base = label.replaceFirst("^(?:little|big|older|younger|baby|twin|elder|step|half)[- ]", "");
    return Lexicon.EN_KIN.getOrDefault(base, "family_other");
  }

  private static void enPets(String text, List<Fact> out) {
    Matcher m = EN_PET.matcher(text);
    while (m.find()) {
      String name = m.group(2) != null && Lexicon.plausibleEnName(m.group(2)) ? m.group(2) : null;
      out.add(Fact.many("basic_info", "pet", petValue(m.group(1).toLowerCase(Locale.ROOT), name, false), 0.9));
    }
    m = EN_PET_NAMED.matcher(text);
    while (m.find()) {
      if (Lexicon.plausibleEnName(m.group(2))) {
        out.add(Fact.many("basic_info", "pet", petValue(m.group(1).toLowerCase(Locale.ROOT), m.group(2), false), 0.9));
      }
    }
  }

  // --- English value clean-up --------------------------------------------------------------------------------------

  private static final Pattern EN_CUT = Pattern.compile(
      "(?i)\\s+(?:because|but|so|when|since|though|although|if|which|that's|especially|lol|haha|a lot|so much|very much"
          + "|as well|now|right now|more than|than|and then|these days|nowadays|anymore|though|tbh|honestly|for now|where"
          + "|who|with my|at the moment|too|either)\\b.*$");

  /** Cuts a phrase at the first connective and caps it at maxWords (null if nothing is left). */
  private static String enCut(String raw, int maxWords) {
    String s = EN_CUT.matcher(raw.strip()).replaceFirst("").strip();
    String[] words = s.split("\\s+");
    if (s.isEmpty()) {
      return null;
    }
    return words.length <= maxWords ? s : null;
  }

  private static List<String> enItems(String raw) {
    List<String> items = new ArrayList<>();
    String s = enCut(raw, 12);
    if (s == null) {
      return items;
    }
    for (String part : s.split("(?i)\\s*,\\s*|\\s+and\\s+|\\s*&\\s*")) {
      String p = part.strip().replaceFirst("(?i)^(?:to |a |an |the |some |really |also )+", "").strip();
      String lower = p.toLowerCase(Locale.ROOT);
      if (p.isEmpty() || p.split("\\s+").length > 4 || EN_STOP_OBJECTS.contains(lower)
          || lower.matches("^(?:it|that|this|how|when|what|where|why|who|you|them|him|her)\\b.*")) {
        continue;
      }
      items.add(p);
    }
    return items;
  }

  private static final Pattern EN_CAPITALISED_RUN =
      Pattern.compile("^(?:the\\s+)?([A-Z][\\w&'.\\-]*(?:\\s+(?:of\\s+|&\\s+|de\\s+)?[A-Z][\\w&'.\\-]*){0,4})");

  /** Places and organisations: a capitalised run ("New York City", "St Mary's") or a short lower-case phrase. */
  private static String enPlaceLike(String raw) {
    String s = raw.strip();
    Matcher cap = EN_CAPITALISED_RUN.matcher(s);
    if (cap.find()) {
      String v = cap.group(1).replaceAll("[.]$", "");
      return EN_STOP_PLACES.contains(v.toLowerCase(Locale.ROOT)) ? null : v;
    }
    String v = enCut(s, 4);
    if (v == null) {
      return null;
    }
    v = v.replaceFirst("(?i)^(?:a|an|the)\\s+", "").replaceAll("\\s+(?i:(?:at|in|on|for|with|and)\\b.*)$", "").strip();
    return v.isEmpty() || EN_STOP_PLACES.contains(v.toLowerCase(Locale.ROOT)) ? null : v;
  }

  private static final Map<String, Integer> EN_NUMBERS = Map.ofEntries(Map.entry("ten", 10), Map.entry("eleven", 11),
      Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14), Map.entry("fifteen", 15),
      Map.entry("sixteen", 16), Map.entry("seventeen", 17), Map.entry("eighteen", 18), Map.entry("nineteen", 19),
      Map.entry("twenty", 20), Map.entry("thirty", 30), Map.entry("forty", 40), Map.entry("fifty", 50),
      Map.entry("sixty", 60), Map.entry("seventy", 70), Map.entry("eighty", 80), Map.entry("ninety", 90),
      Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5),
      Map.entry("six", 6), Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9));

  /** "25", "twenty-five", "thirty" → number; -1 if unreadable. */
  private static int enNumber(String s) {
    if (s.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(s);
    }
    int total = 0;
    for (String part : s.toLowerCase(Locale.ROOT).split("[- ]")) {
      Integer v = EN_NUMBERS.get(part);
      if (v == null) {
        return -1;
      }
      total += v;
    }
    return total;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
