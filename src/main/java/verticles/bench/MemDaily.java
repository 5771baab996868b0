package verticles.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MemDaily (MemSim's Chinese personal-assistant data, {@code ../shared/data/memdaily}): files
 * {@code NN_<type>_<entity>.json} of trajectories, each the user's messages and a question whose
 * {@code target_step_id} names the evidence messages. Pure reading and mixing, no I/O but the files.
 */
final class MemDaily {
  /** Question types by the file name's number. */
  static final Map<String, String> TYPES = Map.of("01", "simple", "02", "conditional", "03", "comparative",
      "04", "aggregative", "05", "post-processing", "06", "noisy");
  static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
  private static final Pattern WHEN = Pattern.compile("(\\d{4})年(\\d{1,2})月(\\d{1,2})日\\s*(?:周.)?\\s*(\\d{1,2}):(\\d{2})");
  private static final Pattern FILE = Pattern.compile("(\\d\\d)_([a-z_]+?)_(roles|events|items|places|hybrid)\\.json");

  /** One message: {@code id} is {@code m<mid>} for the trajectory's own, {@code x<n>} for noise. */
  record Message(String id, String text, long timestamp) {}

  record Question(String text, Set<String> evidence, long timestamp) {}

  /** {@code file} is the name without {@code .json}; {@code type} e.g. "01", {@code entity} e.g. "roles". */
  record Trajectory(String file, String type, String entity, int tid, List<Message> messages,
      List<Question> questions) {
    String typeName() {
      return type + " " + TYPES.get(type);
    }
  }

  private MemDaily() {}

  /** "2024年04月01日 周一 08:39" as epoch seconds, read in Asia/Shanghai. */
  static long time(String when) {
    Matcher m = WHEN.matcher(when == null ? "" : when.trim());
    if (!m.find()) {
      throw new IllegalArgumentException("not a MemDaily time: " + when);
    }
    return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))).atZone(ZONE).toEpochSecond();
  }

  /** Every {@code NN_<type>_<entity>.json} of {@code dir}, sorted by name, each file's trajectories in order. */
  static List<Trajectory> read(Path dir) throws Exception {
    List<Path> files;
    try (var list = Files.list(dir)) {
      files = list.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
    }
    List<Trajectory> all = new ArrayList<>();
    for (Path f : files) {
      all.addAll(parse(f.getFileName().toString(), new JsonArray(Files.readString(f, StandardCharsets.UTF_8))));
    }
    return all;
  }

  static List<Trajectory> parse(String fileName, JsonArray json) {
    Matcher name = FILE.matcher(fileName);
    if (!name.matches() || !TYPES.containsKey(name.group(1))) {
      throw new IllegalArgumentException("not a MemDaily file name: " + fileName);
    }
    List<Trajectory> out = new ArrayList<>();
    for (Object o : json) {
      JsonObject t = (JsonObject) o;
      List<Message> messages = new ArrayList<>();
      for (Object m : t.getJsonArray("message_list")) {
        JsonObject msg = (JsonObject) m;
        messages.add(new Message("m" + msg.getInteger("mid"), msg.getString("message"), time(msg.getString("time"))));
      }
      List<Question> questions = new ArrayList<>();
      for (Object q : t.getJsonArray("question_list", new JsonArray())) {
        JsonObject question = (JsonObject) q;
        Set<String> evidence = new LinkedHashSet<>();
        question.getJsonArray("target_step_id", new JsonArray()).forEach(id -> evidence.add("m" + id));
        if (!evidence.isEmpty()) {
          questions.add(new Question(question.getString("question"), evidence, time(question.getString("time"))));
        }
      }
      out.add(new Trajectory(fileName.replace(".json", ""), name.group(1), name.group(3), t.getInteger("tid"),
          messages, questions));
    }
    return out;
  }

  /**
   * The messages a trajectory's user holds: its own and, with {@code noise} > 0, that many messages of trajectories
   * from files of another question type and another entity (so of other topics), each placed at a random time between
   * the trajectory's first message and its first question, all sorted by time. The choice depends only on the seed,
   * the trajectory's file and tid and the pool, so a subset run (--limit, --types) gives each trajectory the noise it
   * has in the full run.
   */
  static List<Message> withNoise(Trajectory t, List<Trajectory> pool, int noise, long seed) {
    List<Message> out = new ArrayList<>(t.messages());
    if (noise > 0) {
      List<Trajectory> others = pool.stream()
          .filter(o -> !o.type().equals(t.type()) && !o.entity().equals(t.entity())).toList();
      if (others.isEmpty()) {
        throw new IllegalArgumentException("no trajectory of another type and entity to draw noise from for "
            + t.file());
      }
      Set<String> own = new LinkedHashSet<>();
      t.messages().forEach(m -> own.add(m.text()));
      Random r = new Random(seed * 31 + (t.file() + "#" + t.tid()).hashCode());
      long from = t.messages().get(0).timestamp();
      long to = t.questions().isEmpty() ? t.messages().get(t.messages().size() - 1).timestamp()
          : t.questions().get(0).timestamp();
      for (int n = 0, tries = 0; n < noise && tries < noise * 20; tries++) {
        Trajectory o = others.get(r.nextInt(others.size()));
        Message m = o.messages().get(r.nextInt(o.messages().size()));
        long at = from + (long) (r.nextDouble() * Math.max(1, to - from - 60));
        if (own.add(m.text())) { // never a copy of a message the user holds already
          out.add(new Message("x" + n, m.text(), at));
          n++;
        }
      }
      out.sort(Comparator.comparingLong(Message::timestamp));
    }
    return out;
  }

  /** What a question's recall sends: the message, and the conversation before it (null: none). */
  record Asked(String message, JsonArray recentContext) {}

  /** The vague follow-ups of {@code --conversation followup}, in the user's words. */
  private static final List<String> FOLLOW_UPS = List.of("你觉得呢？", "帮我想想吧。", "嗯，然后呢？", "那该怎么办？",
      "你帮我理一理。");

  /**
   * How a question is asked in a conversation ({@code --conversation}): {@code none}, the question alone;
   * {@code followup}, the question is the user's previous turn, the companion answered, and the message is a vague
   * follow-up (what the memory needs is only in the conversation); {@code distract}, the question is the message and
   * the turns before it are two messages of another topic's trajectory (the conversation says nothing useful, and
   * must not cost the question its answer). Deterministic in the seed, the trajectory and the question.
   */
  static Asked ask(Trajectory t, Question q, List<Trajectory> pool, String mode, long seed) {
    Random r = new Random(seed * 17 + (t.file() + "#" + t.tid() + "#" + q.text()).hashCode());
    return switch (mode) {
      case "none" -> new Asked(q.text(), null);
      case "followup" -> new Asked(FOLLOW_UPS.get(r.nextInt(FOLLOW_UPS.size())), new JsonArray()
          .add(turn("user", q.text())).add(turn("assistant", "嗯，我在听，你接着说。")));
      case "distract" -> {
        List<Trajectory> others = pool.stream()
            .filter(o -> !o.type().equals(t.type()) && !o.entity().equals(t.entity())).toList();
        Trajectory o = others.get(r.nextInt(others.size()));
        int at = r.nextInt(Math.max(1, o.messages().size() - 1));
        JsonArray turns = new JsonArray().add(turn("user", o.messages().get(at).text()))
            .add(turn("assistant", "嗯，我记下了。"));
        if (at + 1 < o.messages().size()) {
          turns.add(turn("user", o.messages().get(at + 1).text())).add(turn("assistant", "好的。"));
        }
        yield new Asked(q.text(), turns);
      }
      default -> throw new IllegalArgumentException("--conversation must be none, followup or distract: " + mode);
    };
  }

  private static JsonObject turn(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }
}
