package verticles.shared;

import java.util.Map;

/**
 * A profile key ({@code birthday}, {@code family_sister}, {@code favorite_food}) as a reader of the conversation's
 * language says it (生日 / birthday, 姐妹 / sister, 最喜欢的食物 / favorite food): the context block a chat model reads
 * and the text a profile memory is indexed with use these, never the key itself.
 */
public final class ProfileLabels {
  private ProfileLabels() {}

  /** key → {Chinese, English}. */
  private static final Map<String, String[]> KEYS = Map.ofEntries(
      Map.entry("name", new String[] {"名字", "name"}),
      Map.entry("surname", new String[] {"姓", "surname"}),
      Map.entry("age", new String[] {"年龄", "age"}),
      Map.entry("gender", new String[] {"性别", "gender"}),
      Map.entry("birthday", new String[] {"生日", "birthday"}),
      Map.entry("occupation", new String[] {"职业", "occupation"}),
      Map.entry("workplace", new String[] {"工作单位", "workplace"}),
      Map.entry("school", new String[] {"学校", "school"}),
      Map.entry("location", new String[] {"居住地", "lives in"}),
      Map.entry("home", new String[] {"住处", "home"}),
      Map.entry("hometown", new String[] {"家乡", "hometown"}),
      Map.entry("nationality", new String[] {"国籍", "nationality"}),
      Map.entry("allergies", new String[] {"过敏", "allergies"}),
      Map.entry("likes", new String[] {"喜欢", "likes"}),
      Map.entry("dislikes", new String[] {"不喜欢", "dislikes"}),
      Map.entry("pet", new String[] {"宠物", "pet"}),
      Map.entry("pets", new String[] {"宠物", "pets"}),
      Map.entry("partner", new String[] {"伴侣", "partner"}),
      Map.entry("relationship", new String[] {"感情状况", "relationship"}),
      Map.entry("relationships", new String[] {"人际关系", "relationships"}),
      Map.entry("feeling_to_ai", new String[] {"对我的感觉", "feelings towards me"}),
      Map.entry("family", new String[] {"家人", "family"}));

  /** The part after {@code family_} or {@code favorite_} → {Chinese, English}. */
  private static final Map<String, String[]> PARTS = Map.ofEntries(
      Map.entry("mother", new String[] {"妈妈", "mother"}),
      Map.entry("father", new String[] {"爸爸", "father"}),
      Map.entry("parents", new String[] {"父母", "parents"}),
      Map.entry("sister", new String[] {"姐妹", "sister"}),
      Map.entry("brother", new String[] {"兄弟", "brother"}),
      Map.entry("grandmother", new String[] {"奶奶/外婆", "grandmother"}),
      Map.entry("grandfather", new String[] {"爷爷/外公", "grandfather"}),
      Map.entry("child", new String[] {"孩子", "child"}),
      Map.entry("son", new String[] {"儿子", "son"}),
      Map.entry("daughter", new String[] {"女儿", "daughter"}),
      Map.entry("other", new String[] {"其他家人", "other family"}),
      Map.entry("food", new String[] {"食物", "food"}),
      Map.entry("drink", new String[] {"饮品", "drink"}),
      Map.entry("fruit", new String[] {"水果", "fruit"}),
      Map.entry("color", new String[] {"颜色", "color"}),
      Map.entry("animal", new String[] {"动物", "animal"}),
      Map.entry("anime", new String[] {"动漫", "anime"}),
      Map.entry("band", new String[] {"乐队", "band"}),
      Map.entry("book", new String[] {"书", "book"}),
      Map.entry("game", new String[] {"游戏", "game"}),
      Map.entry("movie", new String[] {"电影", "movie"}),
      Map.entry("place", new String[] {"地方", "place"}),
      Map.entry("season", new String[] {"季节", "season"}),
      Map.entry("show", new String[] {"节目", "show"}),
      Map.entry("singer", new String[] {"歌手", "singer"}),
      Map.entry("song", new String[] {"歌", "song"}),
      Map.entry("sport", new String[] {"运动", "sport"}));

  /** The key in Chinese ({@code zh}) or English; a key it does not know reads as its words. */
  public static String of(String key, boolean zh) {
    if (key == null) {
      return "";
    }
    String[] known = KEYS.get(key);
    if (known != null) {
      return known[zh ? 0 : 1];
    }
    if (key.startsWith("family_")) {
      String[] part = PARTS.get(key.substring("family_".length()));
      if (part != null) {
        return part[zh ? 0 : 1];
      }
    }
    if (key.startsWith("favorite_")) {
      String rest = key.substring("favorite_".length());
      String[] part = PARTS.get(rest);
      return zh ? "最喜欢的" + (part != null ? part[0] : rest.replace('_', ' '))
          : "favorite " + (part != null ? part[1] : rest.replace('_', ' '));
    }
    return key.replace('_', ' ');
  }
}
