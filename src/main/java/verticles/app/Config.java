package verticles.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;

/**
 * Configuration: the embedded defaults in {@code conf/engram.json}, then a profile file ({@code --config}), then
 * environment variables. {@code ENGRAM_<SECTION>_<KEY>} overrides {@code section.key}, e.g.
 * {@code ENGRAM_MYSQL_PASSWORD}, {@code ENGRAM_KAFKA_BOOTSTRAP_SERVERS}, {@code ENGRAM_OBJECT_STORE_SECRET_KEY},
 * {@code ENGRAM_EXTRACTOR_LLM_API_KEY} (nested one more level when the section has such an object).
 */
public final class Config {
  private Config() {}

  public static JsonObject defaults() {
    try (InputStream in = Config.class.getResourceAsStream("/conf/engram.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Defaults, merged with the profile file (a path or a classpath name under conf/) and the environment. */
  public static JsonObject load(String profileFile, Map<String, String> env) {
    JsonObject cfg = defaults();
    if (profileFile != null) {
      cfg.mergeIn(readProfile(profileFile), true);
    }
    applyEnv(cfg, env);
    return cfg;
  }

  static JsonObject readProfile(String name) {
    try {
      Path p = Path.of(name);
      if (Files.exists(p)) {
        return new JsonObject(Files.readString(p));
      }
      try (InputStream in = Config.class.getResourceAsStream("/conf/" + name)) {
        if (in == null) {
          throw new IllegalArgumentException("config file not found: " + name);
        }
        return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void applyEnv(JsonObject cfg, Map<String, String> env) {
    env.forEach((name, value) -> {
      if (!name.startsWith("ENGRAM_")) {
        return;
      }
      String rest = name.substring("ENGRAM_".length()).toLowerCase();
      JsonObject target = cfg;
      // descend through the longest matching section names: object_store before object
      while (true) {
        String prefix = longestSection(target, rest);
        if (prefix == null) {
          break;
        }
        target = target.getJsonObject(prefix);
        rest = rest.substring(prefix.length()).replaceFirst("^_", "");
      }
      if (target != cfg && !rest.isEmpty()) {
        target.put(rest, parse(value));
      } else if (target == cfg && cfg.containsKey(rest) && !(cfg.getValue(rest) instanceof JsonObject)) {
        cfg.put(rest, parse(value));
      }
    });
  }

  private static String longestSection(JsonObject obj, String rest) {
    return obj.fieldNames().stream()
        .filter(k -> obj.getValue(k) instanceof JsonObject && (rest.equals(k) || rest.startsWith(k + "_")))
        .max(Comparator.comparingInt(String::length))
        .orElse(null);
  }

  private static Object parse(String v) {
    if ("true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v)) {
      return Boolean.parseBoolean(v);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException notLong) {
      // weights and thresholds are decimals; anything else (hosts, keys, "1.2.3") stays a string
      return v.matches("-?\\d+\\.\\d+") ? (Object) Double.parseDouble(v) : v;
    }
  }
}
