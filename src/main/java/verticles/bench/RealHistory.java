package verticles.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Real-length chat texts for {@code bench recall --history real}: companion messages of ~60 characters made of
 * MemDaily's messages (a trajectory's consecutive messages joined, as a user tells several things in one message, in
 * three groupings so ~13,000 distinct texts exist) and LoCoMo's turns; and questions never ingested (MemDaily's and
 * LoCoMo's questions, then a message followed by a question). Deterministic: files in name order, fixed seeds.
 */
final class RealHistory {
  /** A joined message stops growing at this many characters (or four messages). */
  static final int TARGET_CHARS = 55;

  final List<String> texts;
  final List<String> questions;
  private final List<String> messages;

  private RealHistory(List<String> texts, List<String> questions, List<String> messages) {
    this.texts = texts;
    this.questions = questions;
    this.messages = messages;
  }

  static RealHistory read(Path memdaily, Path locomo) throws Exception {
    if (!Files.isDirectory(memdaily) || !Files.isDirectory(locomo)) {
      throw new IllegalArgumentException("--history real reads " + memdaily.toAbsolutePath() + " and "
          + locomo.toAbsolutePath() + " (--memdaily DIR, --locomo DIR)");
    }
    Set<List<String>> trajectories = new LinkedHashSet<>(); // the same trajectory recurs across question files
    Set<String> questions = new LinkedHashSet<>();
    for (MemDaily.Trajectory t : MemDaily.read(memdaily)) {
      trajectories.add(t.messages().stream().map(MemDaily.Message::text).toList());
      t.questions().forEach(q -> questions.add(q.text()));
    }
    Set<String> texts = new LinkedHashSet<>();
    Set<String> messages = new LinkedHashSet<>();
    for (int pass = 0; pass < 3; pass++) {
      for (List<String> t : trajectories) {
        texts.addAll(joined(t, pass));
        messages.addAll(t);
      }
    }
    try (var files = Files.list(locomo)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonObject json = new JsonObject(Files.readString(f, StandardCharsets.UTF_8));
        json.fieldNames().stream().filter(k -> k.matches("session_\\d+")).sorted().forEach(k -> {
          if (json.getValue(k) instanceof JsonArray turns) {
            turns.forEach(o -> texts.add(((JsonObject) o).getString("text", "")));
          }
        });
        json.getJsonArray("qa", new JsonArray()).forEach(o -> questions.add(((JsonObject) o).getString("question")));
      }
    }
    texts.remove("");
    questions.removeAll(texts);
    List<String> q = new ArrayList<>(questions);
    Collections.shuffle(q, new Random(7));
    return new RealHistory(List.copyOf(texts), List.copyOf(q), List.copyOf(messages));
  }

  /**
   * A trajectory's messages joined into ~{@link #TARGET_CHARS}-character texts; {@code pass} shifts where groups start
   * (0, 1, 2 messages in), so each pass groups them differently.
   */
  static List<String> joined(List<String> messages, int pass) {
    List<String> out = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int parts = 0;
    for (int i = pass % Math.max(1, messages.size()); i < messages.size(); i++) {
      text.append(messages.get(i));
      if (++parts == 4 || text.length() >= TARGET_CHARS) {
        out.add(text.toString());
        text.setLength(0);
        parts = 0;
      }
    }
    if (parts > 1) {
      out.add(text.toString());
    }
    return out;
  }

  /** User {@code u}'s history: the first {@code n} texts of a shuffle of its own (every text distinct). */
  List<String> history(int u, int n) {
    if (n > texts.size()) {
      throw new IllegalArgumentException("--sizes asks for " + n + " memories per user; the real history has "
          + texts.size() + " distinct texts");
    }
    List<String> mine = new ArrayList<>(texts);
    Collections.shuffle(mine, new Random(1000L + u));
    return mine.subList(0, n);
  }

  /**
   * The {@code i}-th question of the run, each asked once: the datasets' questions, then a message followed by a
   * question (a remark and then the ask, as a user writes), never the same text twice.
   */
  String question(int i) {
    if (i < questions.size()) {
      return questions.get(i);
    }
    int j = i - questions.size();
    return messages.get(j % messages.size()) + questions.get((j / messages.size()) % questions.size());
  }
}
