package verticles.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The forgetting curve")
class RetentionTest {
  private final Retention seed = Retention.of(new JsonObject());

  @Test
  @DisplayName("retention halves every half-life of the memory's category: the seed's fact 7d, preference 30d, context 1d, skill 90d")
  void halves() {
    assertEquals(1.0, seed.retention("fact", 0), 1e-9);
    assertEquals(0.5, seed.retention("fact", 7 * 86_400), 1e-3);
    assertEquals(0.5, seed.retention("preference", 30 * 86_400), 1e-3);
    assertEquals(0.25, seed.retention("context", 2 * 86_400), 1e-3);
    assertEquals(0.5, seed.retention("skill", 90 * 86_400), 1e-3);
    assertEquals(0.5, seed.retention("general", 30 * 86_400), 1e-3);
    assertEquals(0.5, seed.retention("unknown", 30 * 86_400), 1e-3, "an unknown category has general's");
    assertEquals(Math.exp(-0.693 * 3), seed.retention("fact", 21 * 86_400), 1e-12, "exp(-0.693 dt / half-life)");
  }

  @Test
  @DisplayName("the threshold in half-lives: retention 0.1 after about 3.3, 0.01 after about 6.6")
  void thresholds() {
    assertEquals(3.32, Retention.halfLivesUntil(0.1), 0.01);
    assertEquals(6.65, Retention.halfLivesUntil(0.01), 0.01);
    assertEquals(7 * 86_400, seed.minAgeSeconds());
    assertEquals(0.8 * 10_485_760, seed.maxStorageRatio() * seed.quotaBytes(), 1);
  }

  @Test
  @DisplayName("durations read as seconds or with s, m, h or d; a bad one is a configuration error")
  void durations() {
    assertEquals(3600, Retention.seconds(3600));
    assertEquals(3600, Retention.seconds("1h"));
    assertEquals(90, Retention.seconds("90s"));
    assertEquals(1_209_600, Retention.seconds("14d"));
    assertEquals(120, Retention.seconds("2m"));
    assertThrows(IllegalArgumentException.class, () -> Retention.seconds("a week"));
    assertThrows(IllegalArgumentException.class, () -> Retention.of(new JsonObject().put("compression",
        new JsonObject().put("half_lives", new JsonObject().put("fact", 0)))));
  }
}
