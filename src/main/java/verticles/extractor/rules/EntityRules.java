package verticles.extractor.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The people, pets, places and organisations of a user's life, as one sentence of a user message names them
 * ("我妹妹叫林小晴", "豆豆是我的狗，最近生病了", "My sister Emma just moved to Boston"). Each finding is an item
 * {@code {name?, mention?, type, aliases, relation?, state?, summary, source_msg_id}}: a {@code name} may create an
 * entity, a bare {@code mention} ("妹妹最近怀孕了") only resolves to one the store already holds by that alias.
 */
public final class EntityRules {
  private EntityRules() {}

  /** Chinese kin and social words → the relation's type (user → the entity). */
  private static final Map<String, String> ZH_KIN = new LinkedHashMap<>();
  /** English ones. */
  private static final Map<String, String> EN_KIN = new LinkedHashMap<>();
  private static final Map<String, String> ZH_PETS = new LinkedHashMap<>();
  private static final List<String> EN_PETS = List.of("dog", "puppy", "cat", "kitten", "rabbit", "bunny", "hamster",
      "parrot", "bird", "turtle", "fish", "horse", "pet");

  static {
    String[][] zh = {{"好朋友", "friend"}, {"男朋友", "boyfriend"}, {"女朋友", "girlfriend"}, {"妹妹", "sister"},
        {"姐姐", "sister"}, {"哥哥", "brother"}, {"弟弟", "brother"}, {"妈妈", "mother"}, {"母亲", "mother"},
        {"爸爸", "father"}, {"父亲", "father"}, {"老公", "husband"}, {"丈夫", "husband"}, {"老婆", "wife"},
        {"妻子", "wife"}, {"儿子", "son"}, {"女儿", "daughter"}, {"爷爷", "grandfather"}, {"奶奶", "grandmother"},
        {"外公", "grandfather"}, {"外婆", "grandmother"}, {"闺蜜", "friend"}, {"朋友", "friend"},
        {"同事", "colleague"}, {"老板", "boss"}, {"室友", "roommate"}, {"同学", "classmate"}, {"表姐", "cousin"},
        {"表妹", "cousin"}, {"表哥", "cousin"}, {"表弟", "cousin"}, {"舅舅", "uncle"}, {"叔叔", "uncle"},
        {"阿姨", "aunt"}, {"姑姑", "aunt"}, {"老师", "teacher"}};
    for (String[] p : zh) {
      ZH_KIN.put(p[0], p[1]);
    }
    for (String w : List.of("sister", "brother", "mother", "father", "mom", "dad", "husband", "wife", "boyfriend",
        "girlfriend", "partner", "son", "daughter", "grandmother", "grandfather", "grandma", "grandpa", "friend",
        "best friend", "colleague", "coworker", "boss", "roommate", "cousin", "uncle", "aunt", "niece", "nephew")) {
      EN_KIN.put(w, switch (w) {
        case "mom" -> "mother";
        case "dad" -> "father";
        case "grandma" -> "grandmother";
        case "grandpa" -> "grandfather";
        case "best friend" -> "friend";
        case "coworker" -> "colleague";
        default -> w;
      });
    }
    for (String w : List.of("狗狗", "小狗", "狗", "猫咪", "小猫", "猫", "兔子", "仓鼠", "鹦鹉", "金鱼", "乌龟")) {
      ZH_PETS.put(w, w.endsWith("狗") ? "狗" : w.endsWith("猫") || w.equals("猫咪") ? "猫" : w);
    }
  }

  private static final String ZH_NAME = "([\\p{IsHan}]{2,4}|[A-Za-z][A-Za-z]{1,15})";
  private static final String ZH_KIN_ALT = String.join("|", ZH_KIN.keySet());
  private static final String ZH_PET_ALT = String.join("|", ZH_PETS.keySet());
  private static final Pattern ZH_KIN_NAMED = Pattern.compile("我(?:的)?(" + ZH_KIN_ALT + ")(?:叫做|叫|名叫|的名字叫|的名字是)"
      + ZH_NAME);
  private static final Pattern ZH_NAME_IS_KIN = Pattern.compile(ZH_NAME + "是我(?:的)?(" + ZH_KIN_ALT + ")");
  private static final Pattern ZH_PET_NAMED = Pattern.compile("我(?:家)?(?:的)?(?:养的)?(?:那)?(?:一)?(?:只|条)?("
      + ZH_PET_ALT + ")(?:叫做|叫|名叫|的名字叫|的名字是)" + ZH_NAME);
  private static final Pattern ZH_KEPT_PET = Pattern.compile("我(?:家)?养了(?:一)?(?:只|条)(" + ZH_PET_ALT
      + ")[，,]?(?:它)?(?:叫做|叫|名叫)" + ZH_NAME);
  private static final Pattern ZH_NAME_IS_PET = Pattern.compile(ZH_NAME + "是我(?:家)?(?:的)?(?:养的)?(" + ZH_PET_ALT
      + ")");
  private static final Pattern ZH_WORKS_AT = Pattern.compile("我在([\\p{IsHan}A-Za-z]{2,12}?(?:公司|集团|银行|医院|大学|学院|中学|小学))"
      + "(上班|工作|实习|读书|上学)");
  private static final Pattern ZH_STATE = Pattern.compile("(?:最近|刚刚|刚|已经|又|也|昨天|今天|上周)*(生病|住院|出院|怀孕|去世|"
      + "结婚|离婚|毕业|失业|康复|感冒|发烧|骨折|手术|退休|分手|辞职|升职|(?:搬到|搬去|去了|考上)[\\p{IsHan}A-Za-z]{2,10}?)了");
  private static final Pattern ZH_MENTION = Pattern.compile("^(?:我的|我家的?|我)?([\\p{IsHan}]{1,4}?|[A-Za-z]{2,16})"
      + "(?:最近|刚刚|刚|已经|又|也|昨天|今天|上周)*(?:生病|住院|出院|怀孕|去世|结婚|离婚|毕业|失业|康复|感冒|发烧|骨折|"
      + "手术|退休|分手|辞职|升职|搬到|搬去|去了|考上)");

  private static final String EN_NAME = "([A-Z][a-z]+(?: [A-Z][a-z]+)?)";
  private static final String EN_KIN_ALT = String.join("|", EN_KIN.keySet().stream()
      .sorted((a, b) -> b.length() - a.length()).toList());
  private static final String EN_PET_ALT = String.join("|", EN_PETS);
  private static final Pattern EN_KIN_NAMED = Pattern.compile("(?i:\\bmy (?:little |big |older |younger )?(" + EN_KIN_ALT
      + "))(?:,? |'s name is | is (?i:called|named) )" + EN_NAME);
  private static final Pattern EN_NAME_IS_KIN = Pattern.compile("\\b" + EN_NAME + " is my (?i:(" + EN_KIN_ALT + "))\\b");
  private static final Pattern EN_PET_NAMED = Pattern.compile("(?i:\\b(?:my|our) (" + EN_PET_ALT
      + "))(?:,? |'s name is | is (?i:called|named) )" + EN_NAME);
  private static final Pattern EN_HAVE_PET = Pattern.compile("(?i:\\bI (?:have|got|adopted) an? (" + EN_PET_ALT
      + ") (?:called|named) )" + EN_NAME);
  private static final Pattern EN_NAME_IS_PET = Pattern.compile("\\b" + EN_NAME + " is my (?i:(" + EN_PET_ALT + "))\\b");
  private static final Pattern EN_WORKS_AT = Pattern.compile("(?i:\\bI (?:work|am working|intern) (?:at|for) )"
      + "([A-Z][A-Za-z&]+(?: [A-Z][A-Za-z&]+){0,3})");
  private static final Pattern EN_STATE = Pattern.compile("(?i)\\b(?:just |recently |finally )?(moved to [A-Z][a-z]+"
      + "(?: [A-Z][a-z]+)?|got sick|is sick|is ill|got ill|is in (?:the )?hospital|got married|got divorced|is pregnant"
      + "|passed away|died|graduated|got a new job|lost (?:his|her|their) job|broke up|retired|had a baby|got engaged"
      + "|recovered)\\b");
  private static final Pattern EN_MENTION = Pattern.compile("^(?:(?i:my) (?:little |big |older |younger )?((?i:"
      + EN_KIN_ALT + "|" + EN_PET_ALT + "))|([A-Z][a-z]+))(?: (?:has |have |just |recently |finally |is |was ){0,2})?"
      + "(?i:moved|got|is|was|passed|died|graduated|lost|broke|retired|had|recovered)\\b");
  private static final Set<String> NOT_NAMES = Set.of("他", "她", "它", "这", "那", "谁", "什么", "这个", "那个", "我们",
      "你", "我", "他们", "她们", "自己", "一个", "有个", "最近", "今天", "昨天", "现在", "I", "He", "She", "It", "This",
      "That", "The", "My", "We", "They", "You", "Who", "What", "Just", "Today", "Yesterday", "There");

  /** The entities a usable sentence of a user message names (empty for questions, which the caller drops). */
  public static List<JsonObject> extract(String sentence, String msgId) {
    List<JsonObject> out = new ArrayList<>();
    boolean zh = Text.hasHan(sentence);
    if (zh) {
      named(out, ZH_KIN_NAMED.matcher(sentence), 2, 1, "person", false);
      named(out, ZH_NAME_IS_KIN.matcher(sentence), 1, 2, "person", false);
      named(out, ZH_PET_NAMED.matcher(sentence), 2, 1, "pet", true);
      named(out, ZH_KEPT_PET.matcher(sentence), 2, 1, "pet", true);
      named(out, ZH_NAME_IS_PET.matcher(sentence), 1, 2, "pet", true);
      Matcher w = ZH_WORKS_AT.matcher(sentence);
      if (w.find()) {
        boolean study = w.group(2).equals("读书") || w.group(2).equals("上学");
        out.add(item(w.group(1), "organisation", List.of(), study ? "studies_at" : "works_at"));
      }
    } else {
      named(out, EN_KIN_NAMED.matcher(sentence), 2, 1, "person", false);
      named(out, EN_NAME_IS_KIN.matcher(sentence), 1, 2, "person", false);
      named(out, EN_PET_NAMED.matcher(sentence), 2, 1, "pet", true);
      named(out, EN_HAVE_PET.matcher(sentence), 2, 1, "pet", true);
      named(out, EN_NAME_IS_PET.matcher(sentence), 1, 2, "pet", true);
      Matcher w = EN_WORKS_AT.matcher(sentence);
      if (w.find() && !NOT_NAMES.contains(w.group(1))) {
        out.add(item(w.group(1), "organisation", List.of(), "works_at"));
      }
    }
    String state = state(sentence, zh);
    if (state != null) {
      JsonObject subject = out.stream().filter(i -> !i.getString("type").equals("organisation")).findFirst()
          .orElse(null);
      if (subject != null) {
        subject.put("state", state); // "豆豆是我的狗，最近生病了": the sentence's named entity
      } else if (out.isEmpty()) {
        String mention = mention(sentence, zh);
        if (mention != null) {
          out.add(new JsonObject().put("mention", mention).put("aliases", new JsonArray()).put("state", state));
        }
      }
    }
    for (JsonObject i : out) {
      i.put("summary", sentence).put("source_msg_id", msgId);
    }
    return out;
  }

  private static void named(List<JsonObject> out, Matcher m, int nameGroup, int labelGroup, String type, boolean pet) {
    while (m.find()) {
      String name = m.group(nameGroup);
      String label = m.group(labelGroup);
      if (NOT_NAMES.contains(name) || ZH_KIN.containsKey(name) || ZH_PETS.containsKey(name)
          || EN_KIN.containsKey(name.toLowerCase(Locale.ROOT))) {
        continue;
      }
      if (out.stream().anyMatch(i -> name.equals(i.getString("name")))) {
        continue;
      }
      boolean zh = Text.hasHan(label);
      String key = label.toLowerCase(Locale.ROOT);
      String alias = pet ? (zh ? "我的" + ZH_PETS.get(label) : "my " + key) : key;
      String relation = pet ? "pet" : zh ? ZH_KIN.get(label) : EN_KIN.get(key);
      out.add(item(name, type, List.of(alias), relation));
    }
  }

  private static JsonObject item(String name, String type, List<String> aliases, String relation) {
    return new JsonObject().put("name", name).put("type", type).put("aliases", new JsonArray(aliases))
        .put("relation", relation);
  }

  private static String state(String sentence, boolean zh) {
    Matcher m = (zh ? ZH_STATE : EN_STATE).matcher(sentence);
    if (!m.find()) {
      return null;
    }
    String s = m.group(1);
    return zh ? s : s.replaceFirst("^(?i)is ", "");
  }

  /** The subject a state is said of, when the sentence names no entity of its own ("妹妹最近怀孕了"). */
  private static String mention(String sentence, boolean zh) {
    Matcher m = (zh ? ZH_MENTION : EN_MENTION).matcher(sentence.strip());
    if (!m.find()) {
      return null;
    }
    String s = zh ? m.group(1) : m.group(1) != null ? m.group(1).toLowerCase(Locale.ROOT) : m.group(2);
    if (s == null || NOT_NAMES.contains(s)) {
      return null;
    }
    boolean pet = zh ? ZH_PETS.containsKey(s) : EN_PETS.contains(s);
    return pet ? (zh ? "我的" + ZH_PETS.get(s) : "my " + s) : s;
  }
}
