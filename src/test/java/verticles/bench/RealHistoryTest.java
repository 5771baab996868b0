package verticles.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("bench recall --history real gives users real-length, distinct texts and asks questions never ingested")
class RealHistoryTest {

  @Test
  @DisplayName("a trajectory's messages are joined into texts of about 55 characters, each pass grouping them anew")
  void joined() {
    List<String> messages = List.of("我妹妹下个月结婚了，婚礼在杭州。", "她的未婚夫是个医生，人很好。", "我要当伴娘，还没想好穿什么。",
        "婚礼前一周我得请假。", "我妈妈特别高兴。");
    List<String> first = RealHistory.joined(messages, 0);
    assertEquals(String.join("", messages.subList(0, 4)), first.get(0));
    List<String> second = RealHistory.joined(messages, 1);
    assertTrue(second.get(0).startsWith(messages.get(1)));
    assertFalse(first.equals(second));
  }

  @Test
  @DisplayName("from the shared data: 10,000 distinct texts per user, deterministic, and questions none of them")
  void fromData() throws Exception {
    Path memdaily = Path.of("../shared/data/memdaily");
    Path locomo = Path.of("../shared/data/locomo");
    Assumptions.assumeTrue(Files.isDirectory(memdaily) && Files.isDirectory(locomo), "no shared data here");
    RealHistory real = RealHistory.read(memdaily, locomo);
    List<String> history = real.history(1, 10_000);
    assertEquals(10_000, new HashSet<>(history).size());
    assertEquals(history, RealHistory.read(memdaily, locomo).history(1, 10_000));
    double mean = history.stream().mapToInt(String::length).average().orElse(0);
    assertTrue(mean >= 50 && mean <= 90, "mean length " + mean);
    Set<String> asked = new HashSet<>();
    Set<String> texts = new HashSet<>(real.texts);
    for (int i = 0; i < real.questions.size() + 5_000; i++) {
      String q = real.question(i);
      assertTrue(asked.add(q), "asked twice: " + q);
      assertFalse(texts.contains(q), "ingested: " + q);
    }
  }
}
