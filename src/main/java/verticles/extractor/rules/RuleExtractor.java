package verticles.extractor.rules;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.extractor.Extractor;

/**
 * The embedded extractor: regular expressions and word lists for Chinese and English, no model. Pure CPU, so
 * {@link #extract} completes immediately and needs no Vert.x instance.
 *
 * <p>Only user messages yield profile facts and events; assistant messages only feed the summary. Each message is
 * capped at {@value Text#MAX_CHARS} characters, split into sentences and clauses, and questions and hypotheticals
 * ("你喜欢什么?", "if I were a nurse") are dropped before any rule runs.
 *
 * <p>Time zone: relative dates ("明天", "next Friday") resolve against the message timestamp in Asia/Shanghai when the
 * message contains Chinese characters and in UTC otherwise, unless a fixed zone is passed to the constructor.
 */
public final class RuleExtractor implements Extractor {

  private static final Logger log = LoggerFactory.getLogger(RuleExtractor.class);

  static final ZoneId CHINESE_ZONE = ZoneId.of("Asia/Shanghai");
  private static final int MAX_ITEMS_PER_KEY = 10;
  private static final long MAX_EPOCH_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z

  private final ZoneId fixedZone;

  /** Per-message zone: Asia/Shanghai for Chinese text, UTC otherwise. */
  public RuleExtractor() {
    this(null);
  }

  /** One zone for every message; null means the per-message default. */
  public RuleExtractor(ZoneId zone) {
    this.fixedZone = zone;
  }

  @Override
  public String name() {
    return "rules";
  }

  @Override
  public Future<JsonObject> extract(JsonObject task) {
    return Future.succeededFuture(extractNow(task));
  }

  /** The synchronous core of {@link #extract}. Never throws; a message that trips a rule is skipped and logged. */
  public JsonObject extractNow(JsonObject task) {
    List<Msg> messages = parse(task);
    ProfileBook profiles = new ProfileBook();
    Map<String, JsonObject> events = new LinkedHashMap<>();
    JsonArray entities = new JsonArray();
    List<Summarizer.Candidate> candidates = new ArrayList<>();
    JsonArray msgIds = new JsonArray();

    for (Msg msg : messages) {
      if (msg.id() != null) {
        msgIds.add(msg.id());
      }
      try {
        boolean zh = Text.hasHan(msg.text());
        ZoneId zone = fixedZone != null ? fixedZone : zh ? CHINESE_ZONE : ZoneOffset.UTC;
        LocalDate ref = Instant.ofEpochSecond(msg.timestamp()).atZone(zone).toLocalDate();
        for (Text.Sentence sentence : Text.sentences(msg.text())) {
          int findings = 0;
          if (msg.user()) {
            List<String> clauses = Text.usableClauses(sentence);
            if (!clauses.isEmpty()) {
              findings = extractFrom(clauses, ref, msg.id(), profiles, events);
              EntityRules.extract(clauses.stream().map(c -> c.strip().replaceAll("[，,、；;]+$", ""))
                  .collect(java.util.stream.Collectors.joining(zh ? "，" : ", ")), msg.id()).forEach(entities::add);
            }
          }
          boolean question = sentence.questionMark() || Text.isQuestion(sentence.text(), false);
          candidates.add(new Summarizer.Candidate(sentence.text(), msg.user(), question, findings, candidates.size()));
        }
      } catch (RuntimeException e) {
        log.warn("rules extractor skipped message {} of task {}", msg.id(), task == null ? null : task.getValue("task_id"), e);
      }
    }

    Summarizer.Summary summary = Summarizer.build(candidates, profiles.keys());
    JsonObject summaryJson = summary == null ? null : new JsonObject()
        .put("text", summary.text())
        .put("topics", new JsonArray(new ArrayList<>(summary.topics())))
        .put("emotion", summary.emotion())
        .put("msg_ids", msgIds);
    return new JsonObject()
        .put("summary", summaryJson)
        .put("profiles", profiles.toJson())
        .put("events", new JsonArray(new ArrayList<>(events.values())))
        .put("entities", entities);
  }

  /**
   * The profile facts one statement makes, as the rules read a user's message ({@code {type, key, value}} each): the
   * conflict detector compares two memories by them (the same key with another value). Never throws.
   */
  public static JsonArray facts(String text) {
    JsonArray out = new JsonArray();
    try {
      LocalDate ref = LocalDate.now(ZoneOffset.UTC);
      for (Text.Sentence sentence : Text.sentences(text)) {
        List<String> clauses = Text.usableClauses(sentence);
        if (!clauses.isEmpty()) {
          for (Fact f : ProfileRules.extract(clauses, ref)) {
            out.add(new JsonObject().put("type", f.type()).put("key", f.key()).put("value", f.value()));
          }
        }
      }
    } catch (RuntimeException e) {
      log.debug("rules found no facts in a statement: {}", e.toString());
    }
    return out;
  }

  /** Runs the profile and event rules on one sentence of a user message; returns a weight of what it found. */
  private static int extractFrom(List<String> clauses, LocalDate ref, String msgId, ProfileBook profiles,
      Map<String, JsonObject> events) {
    List<Fact> facts = ProfileRules.extract(clauses, ref);
    String sentence = String.join("，", clauses);
    boolean birthday = false;
    for (Fact f : facts) {
      profiles.add(f, msgId);
      if (f.key().equals("birthday")) {
        birthday = true;
        addEvent(events, EventRules.birthday(sentence, f.value()), msgId);
      }
    }
    List<EventRules.Found> found = EventRules.extract(clauses, ref, birthday);
    for (EventRules.Found e : found) {
      addEvent(events, e, msgId);
    }
    // Events weigh more than facts for the summary: they are what this conversation was about.
    return facts.size() + 2 * (found.size() + (birthday ? 1 : 0));
  }

  /** Same type, title and date is the same event: merge provenance, keep the first wording. */
  private static void addEvent(Map<String, JsonObject> events, EventRules.Found e, String msgId) {
    String key = e.type() + "|" + e.title() + "|" + e.date();
    JsonObject existing = events.get(key);
    if (existing == null) {
      existing = new JsonObject()
          .put("type", e.type())
          .put("title", e.title())
          .put("summary", e.summary())
          .put("date", e.date())
          .put("emotion", e.emotion())
          .put("importance", e.importance())
          .put("source_msg_ids", new JsonArray());
      events.put(key, existing);
    } else {
      existing.put("importance", Math.max(existing.getInteger("importance"), e.importance()));
    }
    JsonArray ids = existing.getJsonArray("source_msg_ids");
    if (msgId != null && !ids.contains(msgId)) {
      ids.add(msgId);
    }
  }

  // --- input ---------------------------------------------------------------------------------------------------------

  private record Msg(String id, boolean user, String text, long timestamp) {}

  private static List<Msg> parse(JsonObject task) {
    List<Msg> out = new ArrayList<>();
    JsonArray raw = task == null ? null : task.getValue("messages") instanceof JsonArray a ? a : null;
    if (raw == null) {
      return out;
    }
    List<Long> stamps = new ArrayList<>();
    List<JsonObject> objs = new ArrayList<>();
    for (Object o : raw) {
      if (o instanceof JsonObject m) {
        objs.add(m);
        stamps.add(epochSeconds(m.getValue("timestamp")));
      }
    }
    for (int i = 0; i < objs.size(); i++) {
      JsonObject m = objs.get(i);
      Object id = m.getValue("msg_id");
      Object content = m.getValue("content");
      out.add(new Msg(
          id == null ? null : String.valueOf(id),
          "user".equalsIgnoreCase(String.valueOf(m.getValue("role"))),
          Text.normalize(content instanceof String s ? s : null),
          timestampNear(stamps, i)));
    }
    return out;
  }

  /** A message without a timestamp borrows its nearest neighbour's; with none at all, the current time. */
  private static long timestampNear(List<Long> stamps, int i) {
    for (int d = 0; d < stamps.size(); d++) {
      if (i - d >= 0 && stamps.get(i - d) != null) {
        return stamps.get(i - d);
      }
      if (i + d < stamps.size() && stamps.get(i + d) != null) {
        return stamps.get(i + d);
      }
    }
    log.debug("no message timestamps, resolving relative dates against now");
    return Instant.now().getEpochSecond();
  }

  private static Long epochSeconds(Object v) {
    long t;
    if (v instanceof Number n) {
      t = n.longValue();
    } else if (v instanceof String s && s.strip().matches("[0-9]{1,15}")) {
      t = Long.parseLong(s.strip());
    } else {
      return null;
    }
    t = t > 100_000_000_000L ? t / 1000 : t; // milliseconds by mistake
    return t < 0 || t > MAX_EPOCH_SECONDS ? null : t;
  }

  // --- profile merging -------------------------------------------------------------------------------------------------

  /** Merges facts by key: last statement wins, lists accumulate, people merge name and detail. */
  private static final class ProfileBook {

    private static final class Entry {
      String type;
      String key;
      String value;
      double confidence;
      String source;
      final Set<String> items = new LinkedHashSet<>();
      String label;
      String person;
      String detail;
      boolean fromCallMe;
    }

    private final Map<String, Entry> byKey = new LinkedHashMap<>();

    Set<String> keys() {
      return byKey.keySet();
    }

    void add(Fact f, String msgId) {
      switch (f.mode()) {
        case REPLACE -> {
          Entry e = entry(f, msgId);
          if (f.key().equals("name") && e.fromCallMe && e.value != null && !e.value.equals(f.value())) {
            addNickname(e.value, e.confidence, e.source); // "call me Annie" came first, "my name is Anna" now
          }
          e.value = f.value();
          e.fromCallMe = false;
        }
        case CALL_ME -> {
          Entry name = byKey.get("name");
          if (name != null && !name.fromCallMe) {
            if (!name.value.equals(f.value())) {
              addNickname(f.value(), f.confidence(), msgId); // "my name is Anna, call me Annie"
            }
          } else {
            Entry e = entry(f, msgId);
            e.value = f.value();
            e.fromCallMe = true;
          }
        }
        case ACCUMULATE -> {
          Entry e = entry(f, msgId);
          String opposite = f.key().equals("likes") ? "dislikes" : f.key().equals("dislikes") ? "likes" : null;
          if (opposite != null && byKey.containsKey(opposite)) {
            byKey.get(opposite).items.removeIf(i -> i.equalsIgnoreCase(f.value())); // changed their mind
          }
          if (e.items.stream().noneMatch(i -> i.equalsIgnoreCase(f.value())) && e.items.size() < MAX_ITEMS_PER_KEY) {
            e.items.add(f.value());
          }
        }
        case PERSON -> {
          Entry e = entry(f, msgId);
          if (e.label == null || f.person() != null || f.detail() != null) {
            e.label = f.label();
          }
          e.person = f.person() != null ? f.person() : e.person;
          e.detail = f.detail() != null ? f.detail() : e.detail;
        }
      }
    }

    private void addNickname(String value, double confidence, String msgId) {
      add(Fact.of("basic_info", "nickname", value, confidence), msgId);
    }

    private Entry entry(Fact f, String msgId) {
      Entry e = byKey.computeIfAbsent(f.key(), k -> new Entry());
      e.type = f.type();
      e.key = f.key();
      e.confidence = Math.max(e.confidence, f.confidence());
      e.source = msgId;
      return e;
    }

    JsonArray toJson() {
      JsonArray out = new JsonArray();
      for (Entry e : byKey.values()) {
        String value;
        if (e.label != null) {
          value = personValue(e);
        } else if (!e.items.isEmpty()) {
          value = String.join(", ", e.items);
        } else {
          value = e.value;
        }
        if (value == null || value.isBlank()) {
          continue; // e.g. every like was later taken back
        }
        out.add(new JsonObject()
            .put("type", e.type)
            .put("key", e.key)
            .put("value", value)
            .put("confidence", Math.round(e.confidence * 100) / 100.0)
            .put("source_msg_id", e.source));
      }
      return out;
    }

    /** "男朋友(阿杰)，程序员" / "sister (Lily), nurse". */
    private static String personValue(Entry e) {
      boolean zh = Text.hasHan(e.label);
      StringBuilder b = new StringBuilder(e.label);
      if (e.person != null) {
        b.append(zh ? "(" : " (").append(e.person).append(')');
      }
      if (e.detail != null) {
        b.append(zh ? "，" : ", ").append(e.detail);
      }
      return b.toString();
    }
  }
}
