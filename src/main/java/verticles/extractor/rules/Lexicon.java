package verticles.extractor.rules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Word lists for the rule extractor. Small on purpose: each entry should pay for itself. */
final class Lexicon {

  private Lexicon() {}

  // --- places ------------------------------------------------------------------------------------------------------

  /** Longest first, so 呼和浩特 wins over a shorter prefix. */
  static final List<String> ZH_PLACES = sortedLongestFirst(List.of(
      "北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙", "郑州", "青岛", "厦门",
      "大连", "沈阳", "哈尔滨", "济南", "合肥", "福州", "昆明", "南昌", "贵阳", "南宁", "太原", "石家庄", "长春", "兰州", "呼和浩特",
      "乌鲁木齐", "拉萨", "银川", "西宁", "海口", "三亚", "无锡", "宁波", "佛山", "东莞", "珠海", "温州", "香港", "澳门", "台北",
      "台湾", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东",
      "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "内蒙古", "广西", "西藏", "宁夏", "新疆", "东北", "中国", "美国", "英国",
      "日本", "韩国", "法国", "德国", "加拿大", "澳大利亚", "新加坡", "意大利", "西班牙", "俄罗斯", "泰国", "东京", "大阪", "首尔",
      "纽约", "伦敦", "巴黎", "洛杉矶", "悉尼", "柏林", "温哥华", "多伦多", "旧金山", "墨尔本"));

  static final Set<String> ZH_COUNTRIES = set("中国", "美国", "英国", "日本", "韩国", "法国", "德国", "加拿大", "澳大利亚",
      "新加坡", "意大利", "西班牙", "俄罗斯", "泰国");

  private static final Pattern ZH_PLACE_SUFFIX = Pattern.compile("[\\p{IsHan}]{1,6}(?:市|省|县|区|镇|村|州)");

  /** The place a Chinese value starts with ("上海浦东" → "上海"; "昆山市" → "昆山市"), or null. */
  static String zhPlace(String value) {
    if (value == null) {
      return null;
    }
    for (String p : ZH_PLACES) {
      if (value.startsWith(p)) {
        String rest = value.substring(p.length());
        return rest.startsWith("市") || rest.startsWith("省") ? p + rest.charAt(0) : p;
      }
    }
    var m = ZH_PLACE_SUFFIX.matcher(value);
    return m.lookingAt() ? m.group() : null;
  }

  static final Set<String> EN_NATIONALITIES = set("chinese", "american", "british", "english", "french", "german",
      "japanese", "korean", "canadian", "australian", "indian", "italian", "spanish", "mexican", "russian", "brazilian",
      "dutch", "swedish", "irish", "scottish", "polish", "thai", "vietnamese", "filipino", "singaporean", "taiwanese");

  // --- names -------------------------------------------------------------------------------------------------------

  /** Capitalised words that follow "I'm" without being a name ("I'm Tired", "I'm So sorry"). */
  static final Set<String> EN_NOT_NAMES = set("tired", "sorry", "fine", "good", "ok", "okay", "back", "here", "there",
      "not", "so", "just", "really", "also", "going", "gonna", "home", "happy", "sad", "in", "at", "on", "from", "with",
      "sure", "glad", "busy", "bored", "boring", "excited", "scared", "afraid", "worried", "nervous", "stressed", "angry",
      "upset", "hungry", "thirsty", "sick", "ill", "well", "great", "alright", "done", "ready", "late", "early", "still",
      "very", "too", "kinda", "kind", "sort", "pretty", "quite", "feeling", "trying", "working", "thinking", "looking",
      "married", "single", "engaged", "divorced", "pregnant", "alone", "lonely", "free", "off", "out", "up", "down",
      "new", "old", "young", "a", "an", "the", "only", "always", "never", "almost", "about", "like", "literally",
      "honestly", "actually", "exhausted", "confused", "curious", "lost", "serious", "kidding", "joking", "fucking",
      "dying", "dead", "alive", "awake", "asleep", "hot", "cold", "cool", "bad", "better", "worse", "best", "lucky",
      "proud", "grateful", "thankful", "sleepy", "crazy", "broke", "rich", "poor", "right", "wrong", "certain", "positive",
      "interested", "obsessed", "addicted", "allergic", "into", "over", "under", "now", "currently", "finally", "officially",
      "no", "yes", "yeah", "hi", "hello", "hey", "thanks", "learning", "studying", "living", "moving", "leaving",
      "planning", "starting", "getting", "having", "doing", "making", "taking", "coming", "sitting", "waiting", "ready",
      "human", "english", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "it", "this",
      "that", "what", "who", "why", "how", "where", "when", "and", "or", "but", "because", "if", "then", "all", "both");

  static boolean plausibleEnName(String word) {
    if (word == null || word.length() < 2 || word.length() > 20) {
      return false;
    }
    String w = word.toLowerCase(Locale.ROOT);
    return Character.isUpperCase(word.charAt(0)) && !EN_NOT_NAMES.contains(w) && !EN_NATIONALITIES.contains(w)
        && !EN_JOBS.contains(w) && !(w.endsWith("ing") && w.length() >= 6) && !Sentiment.isSentimentWord(w);
  }

  /** Things after 我叫 that are not names (我叫外卖 = I ordered takeout). */
  static final Set<String> ZH_NOT_NAMES = set("外卖", "车", "醒", "起来", "什么", "啥", "一下", "做", "了", "过", "人",
      "你", "他", "她", "它", "大家", "朋友", "妈妈", "爸爸", "老公", "老婆", "出租车", "快递", "滴滴", "救护车");

  static boolean plausibleZhName(String v) {
    if (v == null || v.isEmpty() || ZH_NOT_NAMES.contains(v)) {
      return false;
    }
    return "了过你我他她它们什啥外车醒起去来吃做帮别不也都就还是在的".indexOf(v.charAt(0)) < 0;
  }

  // --- work --------------------------------------------------------------------------------------------------------

  static final Set<String> EN_JOBS = set("nurse", "doctor", "teacher", "student", "chef", "cook", "lawyer", "engineer",
      "developer", "programmer", "designer", "artist", "writer", "accountant", "consultant", "manager", "cashier",
      "barista", "waiter", "waitress", "pilot", "driver", "firefighter", "officer", "cop", "soldier", "scientist",
      "researcher", "professor", "dentist", "pharmacist", "therapist", "vet", "veterinarian", "mechanic", "electrician",
      "plumber", "carpenter", "farmer", "journalist", "editor", "photographer", "musician", "singer", "actor", "actress",
      "dancer", "model", "analyst", "architect", "secretary", "receptionist", "librarian", "paramedic", "surgeon",
      "intern", "freelancer", "entrepreneur", "streamer", "youtuber", "influencer", "tutor", "coach", "trainer", "banker",
      "clerk", "salesman", "saleswoman", "technician", "marketer", "housewife", "homemaker", "translator", "interpreter",
      "psychologist", "physician", "administrator", "assistant", "specialist", "director", "executive", "founder", "ceo",
      "cto", "recruiter", "auditor", "paralegal", "janitor", "guard", "baker", "butcher", "bartender", "server",
      "hairdresser", "barber", "stylist", "caregiver", "counselor", "counsellor", "midwife", "policeman", "policewoman",
      "detective", "judge", "pastor", "priest", "tester", "sysadmin", "contractor", "worker", "employee", "undergrad",
      "undergraduate", "postdoc", "phd", "grad", "lecturer", "instructor", "illustrator", "animator", "producer",
      "composer", "programmer", "coder", "dev", "pharmacist", "cleaner", "courier", "miner", "fisherman", "welder");

  /** "software engineer", "high school teacher": the last word decides. */
  static boolean isEnJob(String phrase) {
    if (phrase == null || phrase.isBlank()) {
      return false;
    }
    String[] words = phrase.toLowerCase(Locale.ROOT).trim().split("\\s+");
    return words.length <= 4 && EN_JOBS.contains(words[words.length - 1]);
  }

  private static final Pattern ZH_JOB = Pattern.compile(
      ".{0,6}(?:师|员|医生|学生|生|作家|画家|专家|艺术家|手|士|官|警察|经理|总监|主管|老板|会计|主播|博主|编辑|记者|模特|演员|司机|农民|工人"
          + "|销售|财务|运营|教授|创业者|自由职业者|上班族|打工人|程序猿|码农|宝妈|家庭主妇|全职妈妈|up主|UP主|HR|hr|店长|厂长|院长|校长|老师)");

  private static final Set<String> ZH_NOT_JOBS = set("男生", "女生", "先生", "独生", "学生会", "高手", "新手", "对手",
      "老手", "帮手", "选手", "女士", "男士", "人士", "骗子", "陌生", "一生", "人生", "卫生", "发生", "出生", "天生", "医生家");

  /** 护士, 程序员, 软件工程师, 大学生… but not 男生 or 高手. */
  static boolean isZhJob(String v) {
    return v != null && v.length() <= 8 && !ZH_NOT_JOBS.contains(v) && ZH_JOB.matcher(v).matches()
        && !v.contains("的") && !v.contains("你");
  }

  // --- personality -------------------------------------------------------------------------------------------------

  static final List<String> ZH_TRAITS = sortedLongestFirst(List.of("内向", "外向", "开朗", "害羞", "社恐", "社牛", "慢热",
      "乐观", "悲观", "急性子", "慢性子", "完美主义者", "完美主义", "话痨", "吃货", "夜猫子", "宅男", "宅女", "工作狂", "路痴",
      "i人", "e人", "I人", "E人"));

  static final List<String> EN_TRAITS = sortedLongestFirst(List.of("introvert", "introverted", "extrovert", "extroverted",
      "extravert", "ambivert", "shy", "outgoing", "optimist", "optimistic", "pessimist", "pessimistic", "night owl",
      "morning person", "perfectionist", "homebody", "foodie", "workaholic", "social butterfly", "early bird",
      "people person", "cat person", "dog person", "bookworm", "neat freak"));

  // --- pets --------------------------------------------------------------------------------------------------------

  static final List<String> ZH_PETS = sortedLongestFirst(List.of("猫咪", "小猫", "猫", "狗狗", "小狗", "狗", "兔子", "小兔子",
      "仓鼠", "鹦鹉", "乌龟", "金鱼", "柯基", "金毛", "哈士奇", "泰迪", "柴犬", "边牧", "拉布拉多", "布偶猫", "布偶", "英短", "美短",
      "橘猫", "龙猫", "刺猬", "蜥蜴", "小鸟", "猫猫"));

  static final List<String> EN_PETS = sortedLongestFirst(List.of("cat", "kitten", "kitty", "dog", "puppy", "rabbit",
      "bunny", "hamster", "guinea pig", "parrot", "bird", "goldfish", "fish", "turtle", "tortoise", "lizard", "snake",
      "ferret", "horse", "hedgehog", "corgi", "golden retriever", "husky", "labrador", "poodle", "chihuahua", "pug",
      "beagle"));

  // --- family ------------------------------------------------------------------------------------------------------

  /** Chinese kinship word → profile key. Ordered longest first for the regex alternation. */
  static final Map<String, String> ZH_KIN = orderedLongestFirst(Map.ofEntries(
      Map.entry("爸妈", "family_parents"), Map.entry("父母", "family_parents"),
      Map.entry("妈妈", "family_mother"), Map.entry("老妈", "family_mother"), Map.entry("母亲", "family_mother"),
      Map.entry("妈", "family_mother"), Map.entry("爸爸", "family_father"), Map.entry("老爸", "family_father"),
      Map.entry("父亲", "family_father"), Map.entry("爸", "family_father"), Map.entry("哥哥", "family_brother"),
      Map.entry("弟弟", "family_brother"), Map.entry("哥", "family_brother"), Map.entry("姐姐", "family_sister"),
      Map.entry("妹妹", "family_sister"), Map.entry("姐", "family_sister"), Map.entry("老公", "partner"), Map.entry("爱人", "partner"),
      Map.entry("丈夫", "partner"), Map.entry("老婆", "partner"), Map.entry("妻子", "partner"), Map.entry("媳妇", "partner"),
      Map.entry("男朋友", "partner"), Map.entry("男友", "partner"), Map.entry("女朋友", "partner"), Map.entry("女友", "partner"),
      Map.entry("对象", "partner"), Map.entry("未婚夫", "partner"), Map.entry("未婚妻", "partner"),
      Map.entry("儿子", "family_son"), Map.entry("女儿", "family_daughter"), Map.entry("孩子", "family_child"),
      Map.entry("宝宝", "family_child"), Map.entry("爷爷", "family_grandfather"), Map.entry("外公", "family_grandfather"),
      Map.entry("姥爷", "family_grandfather"), Map.entry("奶奶", "family_grandmother"), Map.entry("外婆", "family_grandmother"),
      Map.entry("姥姥", "family_grandmother"), Map.entry("闺蜜", "best_friend"), Map.entry("好朋友", "best_friend"),
      Map.entry("最好的朋友", "best_friend"), Map.entry("死党", "best_friend"), Map.entry("发小", "best_friend"),
      Map.entry("室友", "roommate")));

  static final Map<String, String> EN_KIN = orderedLongestFirst(Map.ofEntries(
      Map.entry("mom", "family_mother"), Map.entry("mother", "family_mother"), Map.entry("mum", "family_mother"),
      Map.entry("mommy", "family_mother"), Map.entry("dad", "family_father"), Map.entry("father", "family_father"),
      Map.entry("daddy", "family_father"), Map.entry("parents", "family_parents"), Map.entry("sister", "family_sister"),
      Map.entry("brother", "family_brother"), Map.entry("husband", "partner"), Map.entry("wife", "partner"),
      Map.entry("boyfriend", "partner"), Map.entry("girlfriend", "partner"), Map.entry("partner", "partner"),
      Map.entry("fiance", "partner"), Map.entry("fiancé", "partner"), Map.entry("fiancee", "partner"),
      Map.entry("fiancée", "partner"), Map.entry("bf", "partner"), Map.entry("gf", "partner"), Map.entry("son", "family_son"),
      Map.entry("daughter", "family_daughter"), Map.entry("kid", "family_child"), Map.entry("grandma", "family_grandmother"),
      Map.entry("grandmother", "family_grandmother"), Map.entry("grandpa", "family_grandfather"),
      Map.entry("grandfather", "family_grandfather"), Map.entry("best friend", "best_friend"),
      Map.entry("bestie", "best_friend"), Map.entry("roommate", "roommate")));

  /** Regex alternation of the keys, longest first. */
  static String alternation(Iterable<String> words) {
    StringBuilder b = new StringBuilder();
    for (String w : words) {
      if (b.length() > 0) {
        b.append('|');
      }
      b.append(Pattern.quote(w));
    }
    return b.toString();
  }

  // --- food --------------------------------------------------------------------------------------------------------

  static final Set<String> ZH_FOODS = set("火锅", "烧烤", "寿司", "披萨", "拉面", "面条", "饺子", "包子", "米饭", "炸鸡",
      "汉堡", "甜品", "蛋糕", "冰淇淋", "巧克力", "麻辣烫", "串串", "小龙虾", "烤鸭", "水果", "辣条", "螺蛳粉", "牛排", "海鲜",
      "川菜", "湘菜", "粤菜", "日料", "西餐", "奶茶", "咖啡", "可乐", "酸奶", "辣", "甜食", "零食", "草莓", "西瓜", "芒果", "榴莲");

  static final Set<String> EN_FOODS = set("sushi", "pizza", "pasta", "ramen", "burgers", "burger", "tacos", "chocolate",
      "ice cream", "noodles", "dumplings", "steak", "curry", "fries", "bbq", "barbecue", "seafood", "cake", "cheese",
      "hot pot", "hotpot", "spicy food", "sweets", "donuts", "bread", "salad", "fried chicken", "kimchi", "pho", "ramen",
      "dim sum", "strawberries", "mango", "bananas", "apples");

  static final Set<String> EN_DRINKS = set("coffee", "tea", "boba", "bubble tea", "milk tea", "beer", "wine", "soda",
      "juice", "coke", "whiskey", "latte", "matcha", "cocktails");

  // --- helpers -----------------------------------------------------------------------------------------------------

  /** Like Set.of, but tolerant of duplicates in hand-written lists. */
  private static Set<String> set(String... words) {
    return Set.copyOf(Arrays.asList(words));
  }

  private static List<String> sortedLongestFirst(List<String> words) {
    return words.stream().distinct().sorted((a, b) -> b.length() - a.length()).toList();
  }

  private static Map<String, String> orderedLongestFirst(Map<String, String> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.keySet().stream().sorted((a, b) -> b.length() - a.length()).forEach(k -> out.put(k, m.get(k)));
    return out;
  }
}
