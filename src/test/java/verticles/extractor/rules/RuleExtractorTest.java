package verticles.extractor.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("RuleExtractor, the embedded zh+en extractor")
class RuleExtractorTest {

  /** Wednesday 2024-06-12, 10:00 in Shanghai and 02:00 UTC: the same calendar day in both zones. */
  private static final long WED_2024_06_12 = at("2024-06-12T02:00:00Z");

  private final RuleExtractor extractor = new RuleExtractor();

  // ---------------------------------------------------------------------------------------------------------------
  // Tables
  // ---------------------------------------------------------------------------------------------------------------

  static Stream<Arguments> profileCases() {
    return Stream.of(
        // name
        arguments("我叫小雨", "basic_info", "name", "小雨"),
        arguments("我的名字是王小明，今年25岁", "basic_info", "name", "王小明"),
        arguments("叫我小雨就好", "basic_info", "name", "小雨"),
        arguments("我叫Anna", "basic_info", "name", "Anna"),
        arguments("我姓李", "basic_info", "surname", "李"),
        arguments("My name is Anna", "basic_info", "name", "Anna"),
        arguments("Hi, I'm Sarah and I'm a teacher from Ohio", "basic_info", "name", "Sarah"),
        arguments("I'm Anna", "basic_info", "name", "Anna"),
        arguments("call me Annie", "basic_info", "name", "Annie"),
        // age
        arguments("我今年25岁", "basic_info", "age", "25"),
        arguments("我25了", "basic_info", "age", "25"),
        arguments("我今年二十五岁了", "basic_info", "age", "25"),
        arguments("I'm 25 years old", "basic_info", "age", "25"),
        arguments("I am 25", "basic_info", "age", "25"),
        arguments("I'm twenty-five years old", "basic_info", "age", "25"),
        arguments("I'm 30, and I live in Austin", "basic_info", "age", "30"),
        // birthday
        arguments("我的生日是3月15日", "basic_info", "birthday", "03-15"),
        arguments("我生日是三月十五号", "basic_info", "birthday", "03-15"),
        arguments("我是3月15号生的", "basic_info", "birthday", "03-15"),
        arguments("我的生日在十二月一号", "basic_info", "birthday", "12-01"),
        arguments("我是1998年3月15日出生的", "basic_info", "birthday", "1998-03-15"),
        arguments("明天是我的生日！", "basic_info", "birthday", "06-13"),
        arguments("my birthday is March 15", "basic_info", "birthday", "03-15"),
        arguments("my birthday is on the 15th of March", "basic_info", "birthday", "03-15"),
        arguments("I was born on 1998-03-15", "basic_info", "birthday", "1998-03-15"),
        // work
        arguments("我是一名护士", "basic_info", "occupation", "护士"),
        arguments("我叫小雨，今年25岁，是一名护士", "basic_info", "occupation", "护士"),
        arguments("我是做设计的", "basic_info", "occupation", "设计"),
        arguments("我在腾讯工作", "basic_info", "workplace", "腾讯"),
        arguments("我读大三", "basic_info", "occupation", "学生(大三)"),
        arguments("I work as a nurse", "basic_info", "occupation", "nurse"),
        arguments("I'm a software engineer at Google", "basic_info", "occupation", "software engineer"),
        arguments("I'm a software engineer at Google", "basic_info", "workplace", "Google"),
        arguments("I work at Google", "basic_info", "workplace", "Google"),
        arguments("I'm a student at MIT", "basic_info", "school", "MIT"),
        // places
        arguments("我住在上海", "basic_info", "location", "上海"),
        arguments("我在北京", "basic_info", "location", "北京"),
        arguments("我在北京工作", "basic_info", "location", "北京"),
        arguments("我来自成都", "basic_info", "hometown", "成都"),
        arguments("我是四川人", "basic_info", "hometown", "四川"),
        arguments("我搬到了杭州", "basic_info", "location", "杭州"),
        arguments("我上个月搬到上海了", "basic_info", "location", "上海"),
        arguments("I live in Berlin", "basic_info", "location", "Berlin"),
        arguments("I'm from Texas", "basic_info", "hometown", "Texas"),
        arguments("I moved to London last year", "basic_info", "location", "London"),
        arguments("I was born in Texas", "basic_info", "hometown", "Texas"),
        // likes and dislikes
        arguments("我喜欢吃火锅", "preference", "favorite_food", "火锅"),
        arguments("我最喜欢的颜色是蓝色", "preference", "favorite_color", "蓝色"),
        arguments("我喜欢猫和爬山", "preference", "likes", "猫, 爬山"),
        arguments("我喜欢猫，狗，还有兔子", "preference", "likes", "猫, 狗, 兔子"),
        arguments("我不喜欢香菜", "preference", "dislikes", "香菜"),
        arguments("我讨厌下雨天", "preference", "dislikes", "下雨天"),
        arguments("我不吃辣", "preference", "dislikes", "辣"),
        arguments("我对花粉过敏", "basic_info", "allergies", "花粉"),
        arguments("I love sushi", "preference", "favorite_food", "sushi"),
        arguments("my favorite food is pizza", "preference", "favorite_food", "pizza"),
        arguments("I enjoy reading, cooking and swimming", "preference", "likes", "reading, cooking, swimming"),
        arguments("I hate spiders", "preference", "dislikes", "spiders"),
        arguments("I don't like coffee", "preference", "dislikes", "coffee"),
        arguments("I'm scared of heights", "preference", "fears", "heights"),
        // pets
        arguments("我养了一只猫叫咪咪", "basic_info", "pet", "猫(咪咪)"),
        arguments("我养了一只叫咪咪的猫", "basic_info", "pet", "猫(咪咪)"),
        arguments("我有一只狗，叫旺财", "basic_info", "pet", "狗(旺财)"),
        arguments("I have a dog named Max", "basic_info", "pet", "dog (Max)"),
        arguments("my cat's name is Luna", "basic_info", "pet", "cat (Luna)"),
        // family
        arguments("我妈妈是老师", "relationship", "family_mother", "妈妈，老师"),
        arguments("我有一个妹妹", "relationship", "family_sister", "妹妹"),
        arguments("我男朋友叫阿杰", "relationship", "partner", "男朋友(阿杰)"),
        arguments("我有一个哥哥和一个妹妹", "relationship", "family_brother", "哥哥"),
        arguments("my sister Lily is visiting", "relationship", "family_sister", "sister (Lily)"),
        arguments("my mom is a teacher", "relationship", "family_mother", "mom, teacher"),
        arguments("my boyfriend Jake is cute", "relationship", "partner", "boyfriend (Jake)"),
        arguments("I have a sister and a brother", "relationship", "family_brother", "brother"),
        // personality and the rest
        arguments("我比较内向", "personality", "traits", "内向"),
        arguments("我是个很慢热的人", "personality", "traits", "慢热"),
        arguments("I'm an introvert", "personality", "traits", "introvert"),
        arguments("I'm Chinese", "basic_info", "nationality", "Chinese"),
        arguments("我喜欢和你聊天", "relationship", "feeling_to_ai", "喜欢和你聊天"),
        arguments("I love you", "relationship", "feeling_to_ai", "love you"));
  }

  static Stream<Arguments> eventCases() {
    // Sent on Wednesday 2024-06-12.
    return Stream.of(
        arguments("我下周三要面试", "plan", "面试", "2024-06-19"),
        arguments("我明天要考试，好紧张", "plan", "考试", "2024-06-13"),
        arguments("后天我要去约会", "plan", "约会", "2024-06-14"),
        arguments("大后天要搬家了", "plan", "搬家", "2024-06-15"),
        arguments("这周六我们去旅行", "plan", "旅行", "2024-06-15"),
        arguments("下个月5号我要去日本旅行", "plan", "旅行", "2024-07-05"),
        arguments("我12月24日有个约会", "plan", "约会", "2024-12-24"),
        arguments("上周五我们吵架了", "emotional", "吵架", "2024-06-07"),
        arguments("昨天我和男朋友分手了", "emotional", "分手", "2024-06-11"),
        arguments("我失恋了，好难过", "emotional", "失恋", "2024-06-12"),
        arguments("我通过了考试！", "achievement", "考试通过", "2024-06-12"),
        arguments("我升职了", "achievement", "升职加薪", "2024-06-12"),
        arguments("我下个月要结婚了", "life_event", "结婚", null),
        arguments("我三天后毕业", "life_event", "毕业", "2024-06-15"),
        arguments("今天是我们的三周年纪念日", "anniversary", "纪念日", "2024-06-12"),
        arguments("我的生日是3月15日", "birthday", "用户生日", "03-15"),
        arguments("我妈的生日是5月1号", "birthday", "妈妈生日", "05-01"),
        arguments("I have a job interview next Friday", "plan", "Job interview", "2024-06-21"),
        arguments("I have an exam tomorrow", "plan", "Exam", "2024-06-13"),
        arguments("we're going on a trip on Saturday", "plan", "Trip", "2024-06-15"),
        arguments("I have a doctor's appointment in 3 days", "plan", "Doctor appointment", "2024-06-15"),
        arguments("my final test is on June 3rd", "plan", "Exam", "2025-06-03"),
        arguments("we broke up yesterday", "emotional", "Breakup", "2024-06-11"),
        arguments("I had a fight with my mom last Friday", "emotional", "Argument", "2024-06-07"),
        arguments("I just got promoted!", "achievement", "Promotion", "2024-06-12"),
        arguments("I graduated last week", "life_event", "Graduation", "2024-06-05"),
        arguments("I'm moving to Seattle in 3 days", "plan", "Moving", "2024-06-15"),
        arguments("Our anniversary is on June 3rd", "anniversary", "Anniversary", "2024-06-03"),
        arguments("my birthday is March 15", "birthday", "User's birthday", "03-15"),
        arguments("my mom's birthday is June 3", "birthday", "Mom's birthday", "06-03"),
        arguments("I'm going to the doctor on Monday", "plan", "Doctor appointment", "2024-06-17"),
        // said now but happened long ago: no date rather than a wrong one
        arguments("我去年毕业了", "life_event", "毕业", null),
        arguments("I miss my dog Buddy, he passed away last year", "emotional", "Loss", null));
  }

  static Stream<String> nothingCases() {
    return Stream.of(
        // questions
        "你喜欢什么？",
        "你知道我叫什么吗",
        "你住在哪里？",
        "你明天要面试吗？",
        "what's my name?",
        "do you like cats?",
        "Do you live in Berlin",
        "how old are you?",
        // hypotheticals
        "如果我是护士，我会很开心",
        "假如我叫小雨",
        "If I were a nurse I'd be happy",
        "imagine I lived in Paris",
        // not facts
        "I'm tired",
        "I'm so tired",
        "I'm Going home",
        "I'm not a nurse",
        "I'm 25 minutes late",
        "I like it when it rains",
        "my friend's name is Bob",
        "She loves sushi",
        "I don't live in Berlin anymore",
        "我叫外卖了",
        "他叫我去吃饭",
        "我在家",
        "我想养一只猫",
        "I'd like a dog someday",
        "我朋友叫小明",
        "我朋友升职了",
        "我没考上",
        "我不用考试",
        "我喜欢他",
        "我的朋友住在上海",
        // nothing at all
        "",
        "   ",
        "😂😂😂",
        "哈哈哈",
        "ok",
        "...");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Table tests
  // ---------------------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" → {1}/{2} = {3}")
  @MethodSource("profileCases")
  @DisplayName("a self-disclosure becomes a profile fact with the message as its source")
  void profileFacts(String message, String type, String key, String value) {
    JsonObject p = profile(run(message), key);
    assertNotNull(p, () -> "no " + key + " in " + run(message).encode());
    assertEquals(type, p.getString("type"));
    assertEquals(value, p.getString("value"));
    assertEquals("m1", p.getString("source_msg_id"));
    double c = p.getDouble("confidence");
    assertTrue(c > 0 && c <= 1, "confidence " + c);
  }

  @ParameterizedTest(name = "\"{0}\" → {1} \"{2}\" on {3}")
  @MethodSource("eventCases")
  @DisplayName("an event gets the seed's type, a short title and a date resolved against the message time")
  void events(String message, String type, String title, String date) {
    JsonObject out = run(message);
    JsonObject e = event(out, title);
    assertNotNull(e, () -> "no event " + title + " in " + out.encode());
    assertEquals(type, e.getString("type"));
    assertEquals(date, e.getString("date"));
    assertEquals(new JsonArray().add("m1"), e.getJsonArray("source_msg_ids"));
    int importance = e.getInteger("importance");
    assertTrue(importance >= 1 && importance <= 10);
    assertFalse(e.getString("summary").isBlank());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("nothingCases")
  @DisplayName("questions, hypotheticals, other people and small talk yield no facts and no events")
  void nothing(String message) {
    JsonObject out = run(message);
    assertEquals(0, out.getJsonArray("profiles").size(), out::encode);
    assertEquals(0, out.getJsonArray("events").size(), out::encode);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Dates
  // ---------------------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" sent {1} → {2}")
  @CsvSource(delimiter = '|', value = {
      "我下周三要面试              | 2024-12-30T02:00:00Z | 2025-01-08",
      "I have an exam tomorrow     | 2024-12-31T12:00:00Z | 2025-01-01",
      "明天要考试                  | 2024-12-31T17:00:00Z | 2025-01-02",
      "下个月5号我要去旅行          | 2024-12-20T02:00:00Z | 2025-01-05",
      "I have an interview in 3 days | 2024-02-27T12:00:00Z | 2024-03-01",
      "大后天要搬家                | 2023-02-27T02:00:00Z | 2023-03-02",
      "上周五我们吵架了             | 2025-01-01T02:00:00Z | 2024-12-27",
      "last Friday we broke up     | 2025-01-01T12:00:00Z | 2024-12-27",
      "I have an interview next Friday | 2024-12-29T12:00:00Z | 2025-01-03",
      "我12月24日有个约会           | 2025-01-02T02:00:00Z | 2025-12-24",
      "昨天我和男朋友分手了          | 2025-01-01T02:00:00Z | 2024-12-31",
      "圣诞节我要去约会             | 2024-12-01T02:00:00Z | 2024-12-25",
      "I have an exam on the 3rd   | 2024-01-30T12:00:00Z | 2024-02-03",
  })
  @DisplayName("relative dates resolve across month and year ends")
  void datesAcrossBoundaries(String message, String sentAt, String expected) {
    JsonObject out = run(message, at(sentAt));
    JsonArray events = out.getJsonArray("events");
    assertEquals(1, events.size(), out::encode);
    assertEquals(expected, events.getJsonObject(0).getString("date"));
  }

  @Test
  @DisplayName("Chinese messages resolve in Asia/Shanghai, others in UTC, unless one zone is configured")
  void timeZones() {
    long lateEvening = at("2024-06-12T20:00:00Z"); // already 04:00 on the 13th in Shanghai
    assertEquals("2024-06-14", onlyEvent(run("明天要考试", lateEvening)).getString("date"));
    assertEquals("2024-06-13", onlyEvent(run("I have an exam tomorrow", lateEvening)).getString("date"));
    RuleExtractor utc = new RuleExtractor(ZoneOffset.UTC);
    JsonObject out = utc.extractNow(task(msg("m1", "user", "明天要考试", lateEvening)));
    assertEquals("2024-06-13", onlyEvent(out).getString("date"));
  }

  @Test
  @DisplayName("relative event dates are spelled out in the event summary")
  void summaryCarriesResolvedDate() {
    JsonObject e = onlyEvent(run("我下周三要面试"));
    assertEquals("用户下周三要面试（2024-06-19）", e.getString("summary"));
    assertEquals("面试", e.getString("title"));
  }

  @Test
  @DisplayName("a timestamp in milliseconds is read as seconds")
  void millisecondTimestamps() {
    JsonObject out = run("I have an exam tomorrow", WED_2024_06_12 * 1000);
    assertEquals("2024-06-13", onlyEvent(out).getString("date"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Provenance and merging
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  @DisplayName("facts and events point at the user message that stated them; the summary lists every message")
  void provenance() {
    JsonObject out = extractor.extractNow(task(
        msg("m1", "user", "我叫小雨", WED_2024_06_12),
        msg("m2", "assistant", "你好小雨！我叫小助手，我喜欢猫。", WED_2024_06_12),
        msg("m3", "user", "我养了一只猫叫咪咪。我下周三要面试。", WED_2024_06_12),
        msg("m4", "user", "面试好紧张，下周三就要面试了", WED_2024_06_12)));
    assertEquals("m1", profile(out, "name").getString("source_msg_id"));
    assertEquals("小雨", profile(out, "name").getString("value"));
    assertEquals("m3", profile(out, "pet").getString("source_msg_id"));
    assertNull(profile(out, "likes"), "assistant messages state no user facts");
    JsonObject interview = event(out, "面试");
    assertEquals(new JsonArray().add("m3").add("m4"), interview.getJsonArray("source_msg_ids"));
    assertEquals(1, out.getJsonArray("events").size(), out::encode);
    assertEquals(new JsonArray().add("m1").add("m2").add("m3").add("m4"),
        out.getJsonObject("summary").getJsonArray("msg_ids"));
  }

  @Test
  @DisplayName("a message without msg_id still yields facts, with a null source, and is left out of msg_ids")
  void missingMessageId() {
    JsonObject noId = new JsonObject().put("role", "user").put("content", "I live in Berlin").put("timestamp", WED_2024_06_12);
    JsonObject out = extractor.extractNow(task(noId, msg("m2", "user", "I love sushi", WED_2024_06_12)));
    JsonObject location = profile(out, "location");
    assertEquals("Berlin", location.getString("value"));
    assertTrue(location.containsKey("source_msg_id"));
    assertNull(location.getString("source_msg_id"));
    assertEquals(new JsonArray().add("m2"), out.getJsonObject("summary").getJsonArray("msg_ids"));
  }

  @Test
  @DisplayName("\"我不喜欢X\" is a dislike, and a later dislike takes X out of the likes")
  void negationAndChangeOfMind() {
    JsonObject out = run("我不喜欢猫");
    assertNull(profile(out, "likes"));
    assertEquals("猫", profile(out, "dislikes").getString("value"));

    out = extractor.extractNow(task(
        msg("m1", "user", "我喜欢猫和狗", WED_2024_06_12),
        msg("m2", "user", "其实我不喜欢狗", WED_2024_06_12)));
    assertEquals("猫", profile(out, "likes").getString("value"));
    assertEquals("狗", profile(out, "dislikes").getString("value"));
    assertEquals("m2", profile(out, "dislikes").getString("source_msg_id"));
  }

  @Test
  @DisplayName("likes accumulate across messages; a given name plus \"call me\" gives name and nickname")
  void accumulationAndNicknames() {
    JsonObject out = extractor.extractNow(task(
        msg("m1", "user", "My name is Anna, but call me Annie", WED_2024_06_12),
        msg("m2", "user", "I love hiking", WED_2024_06_12),
        msg("m3", "user", "I also love jazz and hiking", WED_2024_06_12)));
    assertEquals("Anna", profile(out, "name").getString("value"));
    assertEquals("Annie", profile(out, "nickname").getString("value"));
    assertEquals("hiking, jazz", profile(out, "likes").getString("value"));
    assertEquals("m3", profile(out, "likes").getString("source_msg_id"));

    out = extractor.extractNow(task(msg("m1", "user", "My name is Anna. Call me Anna!", WED_2024_06_12)));
    assertEquals("Anna", profile(out, "name").getString("value"));
    assertNull(profile(out, "nickname"));
  }

  @Test
  @DisplayName("a missing or absurd timestamp borrows a neighbour's")
  void badTimestamps() {
    JsonObject noTime = new JsonObject().put("msg_id", "m1").put("role", "user").put("content", "明天要考试");
    JsonObject absurd = msg("m2", "user", "I have an exam tomorrow", Long.MAX_VALUE);
    JsonObject out = extractor.extractNow(task(noTime, absurd, msg("m3", "assistant", "加油！", WED_2024_06_12)));
    assertEquals(2, out.getJsonArray("events").size(), out::encode);
    for (Object o : out.getJsonArray("events")) {
      assertEquals("2024-06-13", ((JsonObject) o).getString("date"));
    }
  }

  @Test
  @DisplayName("a family member's name and job merge into one relationship fact")
  void familyMerge() {
    JsonObject out = extractor.extractNow(task(
        msg("m1", "user", "我妹妹叫小美", WED_2024_06_12),
        msg("m2", "user", "我妹妹是一名医生", WED_2024_06_12)));
    JsonObject sister = profile(out, "family_sister");
    assertEquals("relationship", sister.getString("type"));
    assertEquals("妹妹(小美)，医生", sister.getString("value"));
  }

  @Test
  @DisplayName("a taste for travel is a like, not a plan; a dated trip is a plan")
  void tastesAreNotPlans() {
    JsonObject out = run("I love to travel");
    assertEquals("travel", profile(out, "likes").getString("value"));
    assertEquals(0, out.getJsonArray("events").size(), out::encode);
    assertEquals("旅行", profile(run("我喜欢旅行"), "likes").getString("value"));
    assertEquals(0, run("我喜欢旅行").getJsonArray("events").size());
    assertEquals("2024-06-15", onlyEvent(run("这周六我要去旅行")).getString("date"));
  }

  @Test
  @DisplayName("a birthday is both a profile fact and an importance-8 birthday event")
  void birthdayIsFactAndEvent() {
    JsonObject out = run("我的生日是3月15日");
    assertEquals("03-15", profile(out, "birthday").getString("value"));
    JsonObject e = onlyEvent(out);
    assertEquals("birthday", e.getString("type"));
    assertEquals("03-15", e.getString("date"));
    assertEquals(8, e.getInteger("importance"));
    assertEquals("positive", e.getString("emotion"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Summary
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  @DisplayName("the Chinese summary is extractive, third person, at most 100 characters, with topics and tone")
  void chineseSummary() {
    JsonObject out = extractor.extractNow(task(
        msg("m1", "user", "你好呀", WED_2024_06_12),
        msg("m2", "assistant", "你好！今天过得怎么样？", WED_2024_06_12),
        msg("m3", "user", "最近工作压力好大，天天加班，好累", WED_2024_06_12),
        msg("m4", "user", "我下周三要面试，好紧张。我养了一只猫叫咪咪。", WED_2024_06_12)));
    JsonObject s = out.getJsonObject("summary");
    String text = s.getString("text");
    assertTrue(text.codePointCount(0, text.length()) <= 100, text);
    assertTrue(text.contains("用户下周三要面试"), text);
    assertFalse(text.contains("你好呀"), text);
    List<String> topics = strings(s.getJsonArray("topics"));
    assertTrue(topics.contains("工作"), topics::toString);
    assertTrue(topics.contains("宠物"), topics::toString);
    assertEquals("negative", s.getString("emotion"));
  }

  @Test
  @DisplayName("the English summary stays within about 60 words and reads the tone")
  void englishSummary() {
    JsonObject out = extractor.extractNow(task(
        msg("e1", "user", "I got a new job today and I'm so happy! I start at Google on Monday.", WED_2024_06_12),
        msg("e2", "assistant", "Congratulations, that's amazing news!", WED_2024_06_12),
        msg("e3", "user", "Thanks! My family is proud of me. We're going to a restaurant to celebrate.", WED_2024_06_12)));
    JsonObject s = out.getJsonObject("summary");
    assertTrue(s.getString("text").startsWith("User: "), s.getString("text"));
    assertTrue(s.getString("text").split("\\s+").length <= 62, s.getString("text"));
    List<String> topics = strings(s.getJsonArray("topics"));
    assertTrue(topics.contains("work"), topics::toString);
    assertTrue(topics.contains("family"), topics::toString);
    assertEquals("positive", s.getString("emotion"));
    assertNotNull(event(out, "New job"), out::encode);
  }

  @Test
  @DisplayName("plain news has a neutral tone; greetings alone leave no summary; the assistant alone still can")
  void neutralGreetingsAndAssistantOnly() {
    JsonObject out = run("我今天去超市买了牛奶和面包");
    assertEquals("neutral", out.getJsonObject("summary").getString("emotion"));

    out = extractor.extractNow(task(
        msg("m1", "user", "你好", WED_2024_06_12),
        msg("m2", "assistant", "你好呀", WED_2024_06_12),
        msg("m3", "user", "哈哈哈，好的", WED_2024_06_12)));
    assertNull(out.getValue("summary"), out::encode);

    out = extractor.extractNow(task(msg("a1", "assistant", "记得明天早上九点去公司面试哦", WED_2024_06_12)));
    JsonObject summary = out.getJsonObject("summary");
    assertEquals("AI：记得明天早上九点去公司面试哦。", summary.getString("text"));
    assertEquals(List.of("工作"), strings(summary.getJsonArray("topics")));
    assertEquals(0, out.getJsonArray("profiles").size(), "assistant messages state no user facts");
    assertEquals(0, out.getJsonArray("events").size());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Robustness and contract
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  @DisplayName("emoji and mixed languages do not get in the way")
  void emojiAndMixedLanguage() {
    JsonObject out = run("我叫小雨😊今年25岁🎂 I love sushi 🍣");
    assertEquals("小雨", profile(out, "name").getString("value"));
    assertEquals("25", profile(out, "age").getString("value"));
    assertEquals("sushi", profile(out, "favorite_food").getString("value"));
  }

  @ParameterizedTest(name = "content {0}")
  @ValueSource(strings = {"null", "number", "missing", "array"})
  @DisplayName("content that is missing or not a string is treated as empty")
  void oddContent(String kind) {
    JsonObject m = new JsonObject().put("msg_id", "m1").put("role", "user").put("timestamp", WED_2024_06_12);
    switch (kind) {
      case "null" -> m.putNull("content");
      case "number" -> m.put("content", 42);
      case "array" -> m.put("content", new JsonArray().add("我叫小雨"));
      default -> { }
    }
    JsonObject out = extractor.extractNow(task(m));
    assertNull(out.getValue("summary"));
    assertEquals(0, out.getJsonArray("profiles").size());
    assertEquals(0, out.getJsonArray("events").size());
  }

  @Test
  @DisplayName("a task without messages, or no task at all, gives an empty result")
  void emptyTasks() {
    for (JsonObject t : new JsonObject[] {null, new JsonObject(), new JsonObject().put("messages", "oops"),
        new JsonObject().put("messages", new JsonArray().add("not an object").add(7))}) {
      JsonObject out = extractor.extractNow(t);
      assertTrue(out.containsKey("summary"));
      assertNull(out.getValue("summary"));
      assertEquals(new JsonArray(), out.getJsonArray("profiles"));
      assertEquals(new JsonArray(), out.getJsonArray("events"));
    }
  }

  @Test
  @DisplayName("a 10k-character message is capped and handled quickly")
  void veryLongMessages() {
    String zh = "我喜欢猫。" + "今天天气不错，".repeat(2000);
    String en = "I live in Berlin. " + "blah ".repeat(2000) + "my name is Bob";
    String noPunctuation = "我".repeat(10_000);
    JsonObject out = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> extractor.extractNow(task(
        msg("m1", "user", zh, WED_2024_06_12),
        msg("m2", "user", en, WED_2024_06_12),
        msg("m3", "user", noPunctuation, WED_2024_06_12))));
    assertEquals("猫", profile(out, "likes").getString("value"));
    assertEquals("Berlin", profile(out, "location").getString("value"));
    assertNull(profile(out, "name"), "text past the cap is not read");
    String text = out.getJsonObject("summary").getString("text");
    assertTrue(text.codePointCount(0, text.length()) <= 100);
  }

  @Test
  @DisplayName("extract() completes at once with the same result as extractNow(), and the name is \"rules\"")
  void contract() {
    JsonObject t = task(msg("m1", "user", "I'm Anna and I have an exam tomorrow", WED_2024_06_12));
    Future<JsonObject> f = extractor.extract(t);
    assertTrue(f.succeeded());
    assertEquals(extractor.extractNow(t), f.result());
    assertEquals("rules", extractor.name());

    JsonObject out = f.result();
    JsonObject p = out.getJsonArray("profiles").getJsonObject(0);
    assertEquals(List.of("type", "key", "value", "confidence", "source_msg_id"), new ArrayList<>(p.fieldNames()));
    JsonObject e = out.getJsonArray("events").getJsonObject(0);
    assertEquals(List.of("type", "title", "summary", "date", "emotion", "importance", "source_msg_ids"),
        new ArrayList<>(e.fieldNames()));
    assertTrue(e.getString("date").matches("\\d{4}-\\d{2}-\\d{2}"));
    assertTrue(List.of("positive", "negative", "neutral", "excited", "sad", "anxious").contains(e.getString("emotion")));
    assertEquals(List.of("text", "topics", "emotion", "msg_ids"),
        new ArrayList<>(out.getJsonObject("summary").fieldNames()));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------------------------

  private static long at(String iso) {
    return Instant.parse(iso).getEpochSecond();
  }

  private JsonObject run(String content) {
    return run(content, WED_2024_06_12);
  }

  private JsonObject run(String content, long timestamp) {
    return extractor.extractNow(task(msg("m1", "user", content, timestamp)));
  }

  private static JsonObject msg(String id, String role, String content, long timestamp) {
    return new JsonObject().put("msg_id", id).put("role", role).put("content", content).put("timestamp", timestamp);
  }

  private static JsonObject task(JsonObject... messages) {
    JsonArray arr = new JsonArray();
    for (JsonObject m : messages) {
      arr.add(m);
    }
    return new JsonObject().put("task_id", "t1").put("user_id", "u1").put("character_id", "c1")
        .put("session_id", "s1").put("messages", arr);
  }

  private static JsonObject profile(JsonObject out, String key) {
    for (Object o : out.getJsonArray("profiles")) {
      JsonObject p = (JsonObject) o;
      if (key.equals(p.getString("key"))) {
        return p;
      }
    }
    return null;
  }

  private static JsonObject event(JsonObject out, String title) {
    for (Object o : out.getJsonArray("events")) {
      JsonObject e = (JsonObject) o;
      if (title.equals(e.getString("title"))) {
        return e;
      }
    }
    return null;
  }

  private static JsonObject onlyEvent(JsonObject out) {
    JsonArray events = out.getJsonArray("events");
    assertEquals(1, events.size(), out::encode);
    return events.getJsonObject(0);
  }

  private static List<String> strings(JsonArray arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(o -> out.add(String.valueOf(o)));
    return out;
  }
}
