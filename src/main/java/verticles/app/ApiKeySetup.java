package verticles.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.gateway.ApiKeys;

/** The API keys a gateway node starts with. */
final class ApiKeySetup {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeySetup.class);

  private ApiKeySetup() {}

  /**
   * API keys: the configured ones; with none configured, production refuses to start and the embedded profile uses
   * a development key of tenant {@code default}: {@code ENGRAM_API_KEY} (config {@code auth.dev_key}), or one
   * generated at first start and printed once, whose hash is kept in {@code <data>/auth/dev-key.sha256}.
   */
  static void prepare(JsonObject config, Path data) throws IOException {
    JsonObject auth = config.getJsonObject("auth");
    if (auth == null) {
      auth = new JsonObject();
      config.put("auth", auth);
    }
    JsonArray keys = auth.getJsonArray("keys", new JsonArray());
    auth.put("keys", keys);
    if (!keys.isEmpty()) {
      return;
    }
    if ("production".equals(config.getString("profile"))) {
      throw new IllegalStateException("auth.keys is empty: production needs API keys (name, tenant, sha256)");
    }
    String devKey = auth.getString("dev_key", "");
    String hash;
    Path stored = data.resolve("auth").resolve("dev-key.sha256");
    if (!devKey.isBlank()) {
      hash = ApiKeys.sha256(devKey);
      LOG.info("Development API key from ENGRAM_API_KEY (tenant default)");
    } else if (Files.exists(stored)) {
      hash = Files.readString(stored).strip();
      LOG.info("Development API key as generated at first start (its hash is in {}; delete it for a new key, or set"
          + " ENGRAM_API_KEY)", stored);
    } else {
      String key = ApiKeys.generate();
      hash = ApiKeys.sha256(key);
      Files.createDirectories(stored.getParent());
      Files.writeString(stored, hash);
      // shown once, like a password at account creation; only its hash is kept
      LOG.warn("Generated a development API key (tenant default), shown only now: {}", key);
    }
    keys.add(new JsonObject().put("name", "dev").put("tenant", "default").put("sha256", hash)
        .put("scopes", new JsonArray().add("memory").add("admin")));
  }
}
