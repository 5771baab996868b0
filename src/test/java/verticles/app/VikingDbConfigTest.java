package verticles.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Config of the VikingDB index")
class VikingDbConfigTest {

  @Test
  @DisplayName("Lucene stays the default; index.vikingdb holds the seed's collection and takes keys from the env")
  void defaultsAndEnv() {
    JsonObject defaults = Config.load(null, Map.of()).getJsonObject("index");
    assertEquals("lucene", defaults.getString("type"));
    JsonObject viking = defaults.getJsonObject("vikingdb");
    assertEquals("ai_companion_long_memory", viking.getString("collection"));
    assertEquals("https", viking.getString("scheme"));
    assertEquals("cn-beijing", viking.getString("region"));

    JsonObject index = Config.load(null, Map.of(
        "ENGRAM_INDEX_TYPE", "vikingdb",
        "ENGRAM_INDEX_VIKINGDB_ACCESS_KEY", "AKLTxyz",
        "ENGRAM_INDEX_VIKINGDB_SECRET_KEY", "secret",
        "ENGRAM_INDEX_VIKINGDB_MAX_RETRIES", "5")).getJsonObject("index");
    assertEquals("vikingdb", index.getString("type"));
    assertEquals("AKLTxyz", index.getJsonObject("vikingdb").getString("access_key"));
    assertEquals("secret", index.getJsonObject("vikingdb").getString("secret_key"));
    assertEquals(5, index.getJsonObject("vikingdb").getInteger("max_retries"));
  }
}
