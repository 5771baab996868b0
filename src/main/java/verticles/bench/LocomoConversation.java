package verticles.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One LoCoMo file: its turns by session, its questions of categories 1–4 and its gold observations. */
final class LocomoConversation {
  private static final Pattern SESSION = Pattern.compile("session_(\\d+)");
  private static final Pattern DIA_ID = Pattern.compile("D\\s*:?\\s*(\\d+)\\s*:\\s*(\\d+)");
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("h:mm a 'on' d MMMM, yyyy", Locale.ENGLISH);

  record Turn(String diaId, String speaker, String text, long timestamp, int session) {}

  record Question(String question, Set<String> evidence, int category) {}

  final String userId;
  final String speakerA;
  final Map<Integer, List<Turn>> sessions = new TreeMap<>();
  final Map<String, Turn> turns = new LinkedHashMap<>();
  final List<Question> questions = new ArrayList<>();
  final JsonObject json;
  int droppedEvidence;

  private LocomoConversation(String userId, JsonObject json) {
    this.userId = userId;
    this.json = json;
    this.speakerA = json.getString("speaker_a");
  }

  static LocomoConversation read(Path file, String run) throws Exception {
    JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    String name = file.getFileName().toString().replace(".json", "");
    LocomoConversation c = new LocomoConversation(name + "-" + run, json);
    for (String key : json.fieldNames()) {
      Matcher m = SESSION.matcher(key);
      if (!m.matches() || !(json.getValue(key) instanceof JsonArray turns)) {
        continue;
      }
      int n = Integer.parseInt(m.group(1));
      long start = sessionTime(json.getString(key + "_date_time"));
      List<Turn> list = new ArrayList<>();
      for (int i = 0; i < turns.size(); i++) {
        JsonObject t = turns.getJsonObject(i);
        String text = t.getString("text", "");
        if (t.getString("blip_caption") != null) {
          text = text + " [image: " + t.getString("blip_caption") + "]";
        }
        // turns keep their order: one minute apart from the session's start
        Turn turn = new Turn(t.getString("dia_id"), t.getString("speaker"), text, start + 60L * i, n);
        list.add(turn);
        c.turns.put(turn.diaId(), turn);
      }
      c.sessions.put(n, list);
    }
    for (Object o : json.getJsonArray("qa", new JsonArray())) {
      JsonObject q = (JsonObject) o;
      int category = q.getInteger("category", 0);
      if (!LocomoBench.CATEGORIES.containsKey(category)) {
        continue; // 5 = adversarial, unanswerable: left out of retrieval scores
      }
      Set<String> evidence = new LinkedHashSet<>();
      for (Object e : q.getJsonArray("evidence", new JsonArray())) {
        for (String id : normalise(String.valueOf(e))) {
          if (c.turns.containsKey(id)) {
            evidence.add(id);
          } else {
            c.droppedEvidence++;
          }
        }
      }
      if (!evidence.isEmpty()) {
        c.questions.add(new Question(q.getString("question"), evidence, category));
      }
    }
    return c;
  }

  /** Session N's start as epoch seconds (the dataset gives local times without a zone; read as UTC). */
  static long sessionTime(String when) {
    if (when == null) {
      return 1_672_531_200L; // 2023-01-01, for a session without a date
    }
    String s = when.trim().replaceAll("\\s+", " ").replace("am", "AM").replace("pm", "PM");
    return LocalDateTime.parse(s, WHEN).toEpochSecond(ZoneOffset.UTC);
  }

  /** "D8:6; D9:17" → [D8:6, D9:17]; "D:11:26" → [D11:26]; "D" → []. */
  static List<String> normalise(String evidence) {
    List<String> ids = new ArrayList<>();
    Matcher m = DIA_ID.matcher(evidence);
    while (m.find()) {
      ids.add("D" + Integer.parseInt(m.group(1)) + ":" + Integer.parseInt(m.group(2)));
    }
    return ids;
  }
}
