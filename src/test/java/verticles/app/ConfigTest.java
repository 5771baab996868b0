package verticles.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Config")
class ConfigTest {

  @Test
  @DisplayName("the production profile refuses to start without API keys, before any store starts")
  void productionNeedsKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    JsonObject cfg = Config.load("production.json", Map.of());
    cfg.put("data_dir", dir.toString());
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> Engram.start(cfg));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("auth.keys"), e.getMessage());
  }

  @Test
  @DisplayName("environment overrides keep their types: booleans, whole numbers, decimals and strings")
  void envOverridesKeepTypes() {
    JsonObject cfg = new JsonObject()
        .put("index", new JsonObject().put("speaker_bonus", 0.1))
        .put("object_store", new JsonObject().put("bucket", "b"))
        .put("extractor", new JsonObject().put("llm", new JsonObject().put("api_key", "")));
    Config.applyEnv(cfg, Map.of(
        "ENGRAM_INDEX_SPEAKER_BONUS", "0.25",
        "ENGRAM_INDEX_FEEDBACK_TERMS", "5",
        "ENGRAM_INDEX_EXACT", "false",
        "ENGRAM_OBJECT_STORE_BUCKET", "1.2.3",
        "ENGRAM_EXTRACTOR_LLM_API_KEY", "sk-1.5"));
    assertEquals(0.25, cfg.getJsonObject("index").getDouble("speaker_bonus"));
    assertEquals(5, cfg.getJsonObject("index").getInteger("feedback_terms"));
    assertEquals(false, cfg.getJsonObject("index").getBoolean("exact"));
    assertEquals("1.2.3", cfg.getJsonObject("object_store").getString("bucket"));
    assertEquals("sk-1.5", cfg.getJsonObject("extractor").getJsonObject("llm").getString("api_key"));
  }
}
