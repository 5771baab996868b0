package verticles.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.bench.MemDaily.Message;
import verticles.bench.MemDaily.Trajectory;

@DisplayName("bench memdaily reads MemDaily as written and scores it as bench locomo scores LoCoMo")
class MemDailyBenchTest {

  private static JsonArray file(String firstMessage, int trajectories) {
    JsonArray out = new JsonArray();
    for (int t = 0; t < trajectories; t++) {
      JsonArray messages = new JsonArray();
      for (int m = 0; m < 4; m++) {
        messages.add(new JsonObject().put("mid", m).put("message", firstMessage + " " + t + "/" + m)
            .put("time", "2024年04月0" + (m + 1) + "日 周一 08:3" + m).put("place", "广东深圳"));
      }
      out.add(new JsonObject().put("tid", t).put("message_list", messages).put("question_list", new JsonArray()
          .add(new JsonObject().put("qid", 0).put("question", "问题" + t).put("target_step_id", new JsonArray().add(1).add(3))
              .put("time", "2024年04月05日 周五 18:28"))));
    }
    return out;
  }

  @Test
  @DisplayName("a message's time is read in Asia/Shanghai, with or without the weekday, one-digit hours too")
  void time() {
    long expected = ZonedDateTime.of(2024, 4, 1, 8, 39, 0, 0, ZoneId.of("Asia/Shanghai")).toEpochSecond();
    assertEquals(expected, MemDaily.time("2024年04月01日 周一 08:39"));
    assertEquals(1_711_931_940L, MemDaily.time("2024年04月01日 周一 08:39"));
    assertEquals(expected, MemDaily.time("2024年4月1日 8:39"));
    assertEquals(expected + 86_400 * 6 + 3600 * 15 + 60 * 7, MemDaily.time("2024年04月07日 周日 23:46"));
    assertThrows(IllegalArgumentException.class, () -> MemDaily.time("April 1, 2024"));
    assertThrows(IllegalArgumentException.class, () -> MemDaily.time(null));
  }

  @Test
  @DisplayName("a file gives its type and entity from its name, messages as m<mid>, evidence as the same ids")
  void parse() {
    List<Trajectory> ts = MemDaily.parse("05_post_processing_roles.json", file("张伟是我的表弟", 2));
    assertEquals(2, ts.size());
    Trajectory t = ts.get(1);
    assertEquals("05_post_processing_roles", t.file());
    assertEquals("05", t.type());
    assertEquals("05 post-processing", t.typeName());
    assertEquals("roles", t.entity());
    assertEquals(1, t.tid());
    assertEquals(List.of("m0", "m1", "m2", "m3"), t.messages().stream().map(Message::id).toList());
    assertEquals(Set.of("m1", "m3"), t.questions().get(0).evidence());
    assertEquals(MemDaily.time("2024年04月05日 周五 18:28"), t.questions().get(0).timestamp());
    assertThrows(IllegalArgumentException.class, () -> MemDaily.parse("notes.json", new JsonArray()));
  }

  @Test
  @DisplayName("noise comes from other types and entities, deterministically, never as evidence ids, inside the"
      + " trajectory's time span and in time order")
  void noise() {
    List<Trajectory> pool = new ArrayList<>();
    pool.addAll(MemDaily.parse("01_simple_roles.json", file("角色", 3)));
    pool.addAll(MemDaily.parse("02_conditional_roles.json", file("同一实体", 3)));
    pool.addAll(MemDaily.parse("01_simple_events.json", file("同一类型", 3)));
    pool.addAll(MemDaily.parse("02_conditional_events.json", file("事件", 3)));
    Trajectory t = pool.get(0);
    List<Message> held = MemDaily.withNoise(t, pool, 5, 16);
    assertEquals(9, held.size());
    assertEquals(held, MemDaily.withNoise(t, pool, 5, 16));
    assertNotEquals(held, MemDaily.withNoise(t, pool, 5, 17));
    assertEquals(t.messages(), MemDaily.withNoise(t, pool, 0, 16));
    List<Message> noise = held.stream().filter(m -> m.id().startsWith("x")).toList();
    assertEquals(5, noise.size());
    for (Message m : noise) {
      assertTrue(m.text().startsWith("事件"), m.text()); // 02_conditional_events: another type and entity
      assertTrue(m.timestamp() >= t.messages().get(0).timestamp()
          && m.timestamp() < t.questions().get(0).timestamp(), m.toString());
    }
    for (int i = 1; i < held.size(); i++) {
      assertTrue(held.get(i - 1).timestamp() <= held.get(i).timestamp());
    }
    assertEquals(5, held.stream().map(Message::text).distinct().count() - 4);
  }

  @Test
  @DisplayName("a subset takes the first trajectories of each file of the asked types")
  void select() {
    List<Trajectory> pool = new ArrayList<>();
    pool.addAll(MemDaily.parse("01_simple_roles.json", file("a", 3)));
    pool.addAll(MemDaily.parse("01_simple_events.json", file("b", 3)));
    pool.addAll(MemDaily.parse("02_conditional_events.json", file("c", 3)));
    assertEquals(9, MemDailyBench.select(pool, List.of(), 0).size());
    List<Trajectory> two = MemDailyBench.select(pool, List.of("01"), 2);
    assertEquals(List.of("01_simple_roles#0", "01_simple_roles#1", "01_simple_events#0", "01_simple_events#1"),
        two.stream().map(t -> t.file() + "#" + t.tid()).toList());
  }

  @Test
  @DisplayName("the session holds the user's messages, moved so that the question is asked now, their spacing kept")
  void session() {
    Trajectory t = MemDaily.parse("01_simple_roles.json", file("a", 1)).get(0);
    long now = 2_000_000_000L;
    JsonArray messages = MemDailyBench.session(t, t.messages(), "r", now).getJsonArray("messages");
    long shift = now - t.questions().get(0).timestamp();
    for (int i = 0; i < 4; i++) {
      JsonObject m = messages.getJsonObject(i);
      assertEquals("m" + i, m.getString("msg_id"));
      assertEquals("user", m.getString("role"));
      assertEquals(t.messages().get(i).timestamp() + shift, m.getLong("timestamp"));
    }
  }

  @Test
  @DisplayName("recall@k is the share of the evidence messages among the first k cited, per type and overall")
  void score() {
    Trajectory t = MemDaily.parse("04_aggregative_roles.json", file("a", 1)).get(0); // evidence m1, m3
    LocomoBench.Result result = new LocomoBench.Result(new int[] {1, 3, 5}, List.of("overall", "04 aggregative"));
    MemDailyBench.score(result, t, t.questions().get(0), List.of("m3", "x2", "m0", "m1"));
    MemDailyBench.score(result, t, t.questions().get(0), List.of());
    JsonObject row = result.report("messages", 0, 1).getJsonObject("recall").getJsonObject("04 aggregative");
    assertEquals(2, row.getInteger("questions"));
    assertEquals(25.0, row.getDouble("R@1")); // (1/2 + 0) / 2
    assertEquals(25.0, row.getDouble("R@3"));
    assertEquals(50.0, row.getDouble("R@5"));
    JsonObject ranks = result.questions.getJsonObject(0).getJsonObject("evidence_ranks");
    assertEquals(4, ranks.getInteger("m1"));
    assertEquals(1, ranks.getInteger("m3"));
  }
}
