package verticles.app;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bench.Bench;

/** {@code bin/engram serve|bench ...}: the one entry point. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    Deque<String> a = new ArrayDeque<>(List.of(args));
    String cmd = a.isEmpty() ? "serve" : a.pop();
    switch (cmd) {
      case "serve" -> serve(a);
      case "bench" -> Bench.run(a);
      default -> {
        LOG.error("unknown command '{}'; usage: engram serve [--data DIR] [--port N] [--config FILE]"
            + " [--cluster [--roles gateway,recall,worker,index|all]]"
            + " | engram bench embed|ingest [options]", cmd);
        System.exit(2);
      }
    }
  }

  /** Reads the options every command shares into a config. */
  public static JsonObject config(Deque<String> args, Map<String, String> extra) {
    String configFile = null;
    String data = null;
    Integer port = null;
    while (!args.isEmpty()) {
      String opt = args.pop();
      switch (opt) {
        case "--config" -> configFile = args.pop();
        case "--data" -> data = args.pop();
        case "--port" -> port = Integer.parseInt(args.pop());
        default -> {
          if (opt.startsWith("--")) {
            // an option without a value (the end, or another option next) is a flag
            boolean flag = args.isEmpty() || args.peek().startsWith("--");
            extra.put(opt.substring(2), flag ? "true" : args.pop());
          } else {
            throw new IllegalArgumentException("unknown option " + opt);
          }
        }
      }
    }
    JsonObject cfg = Config.load(configFile, System.getenv());
    String devKey = System.getenv("ENGRAM_API_KEY"); // the development key of the embedded profile
    if (devKey != null && !devKey.isBlank()) {
      cfg.getJsonObject("auth").put("dev_key", devKey);
    }
    if (data != null) {
      cfg.put("data_dir", data);
    }
    if (port != null) {
      cfg.getJsonObject("http").put("port", port);
    }
    return cfg;
  }

  private static void serve(Deque<String> args) throws Exception {
    Map<String, String> extra = new java.util.HashMap<>();
    JsonObject cfg = config(args, extra);
    JsonObject cluster = cfg.getJsonObject("cluster");
    if (extra.containsKey("cluster")) {
      cluster.put("enabled", !"false".equals(extra.remove("cluster")));
    }
    if (extra.containsKey("roles")) {
      cluster.put("roles", extra.remove("roles"));
    }
    if (!extra.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) for serve: --" + String.join(", --", extra.keySet()));
    }
    if (cluster.getBoolean("enabled", false)) {
      Roles.parse(cluster.getString("roles", "all")); // a bad role fails here, before anything starts
    } else if (!"all".equals(cluster.getString("roles", "all"))) {
      throw new IllegalArgumentException("--roles needs --cluster: a single node runs every role");
    }
    Engram engram = Engram.start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping Engram");
      engram.close();
      stopped.countDown();
    }, "engram-shutdown"));
    stopped.await();
  }
}
