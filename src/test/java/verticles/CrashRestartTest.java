package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.embedded.Ports;

/**
 * The serving JVM, a real {@code Main serve} child process, is killed with SIGKILL while sessions stream in, and
 * started again on the same data directory each time. SIGKILL runs no shutdown hook, so the embedded MariaDB (a
 * child process of that JVM) is left behind exactly as after the OOM killer.
 */
@DisplayName("A node killed outright comes back by itself on its data directory")
class CrashRestartTest {

  /** How each round's node dies. */
  enum Kill {
    /** During the first start, while MariaDB's install script runs on the new data directory. */
    WHILE_INSTALLING,
    /** The JVM alone: its watchdog stops the MariaDB it leaves. */
    JVM,
    /** The watchdog first, then the JVM: the MariaDB orphan stays up, and the next start must stop it. */
    JVM_AND_WATCHDOG
  }

  private static final Logger LOG = LoggerFactory.getLogger(CrashRestartTest.class);
  private static final int SESSIONS_PER_ROUND = 15;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Sessions streamed through SIGKILLs of the serving JVM are each completed once, their memories stored once")
  void sessionsSurviveKills() throws Exception {
    Path data = TestStack.scratch("engram-crash-");
    int port = Ports.free();
    Path config = data.resolve("engram.json");
    JsonObject cfg = TestStack.testConfig(data);
    cfg.getJsonObject("kafka").put("session_timeout_ms", 6000); // the crashed consumers leave their group sooner
    Files.writeString(config, cfg.encodePrettily());
    Vertx vertx = Vertx.vertx();
    WebClient http = TestStack.client(vertx, port, TestStack.API_KEY);
    Streamer stream = new Streamer(vertx, http);
    List<ProcessHandle> mariaDbs = new ArrayList<>(); // to stop in the end whatever a failure left running
    Node node = null;
    try {
      for (Kill kill : List.of(Kill.WHILE_INSTALLING, Kill.JVM, Kill.JVM_AND_WATCHDOG)) {
        if (node == null) {
          node = new Node(data, config, port);
        }
        if (kill == Kill.WHILE_INSTALLING) {
          node.awaitDescendant("--datadir=");
          node.kill();
          node = null;
          continue;
        }
        node.awaitReady(vertx, http);
        if (stream.control == null) {
          stream.control = stream.controlSession();
        }
        stream.open();
        await(stream.acceptedAtLeast(stream.accepted.size() + SESSIONS_PER_ROUND));
        stream.close(); // what is in flight now meets the kill; what comes next waits for the next node
        ProcessHandle mariaDb = node.child("mariadbd").orElseThrow(() -> new AssertionError("no MariaDB child"));
        mariaDbs.add(mariaDb);
        LOG.info("Killing the node ({}): {} sessions accepted, {} unanswered so far", kill, stream.accepted.size(),
            stream.unanswered.size());
        if (kill == Kill.JVM) {
          node.kill();
          node = null;
          await(Future.fromCompletionStage(mariaDb.onExit())); // the watchdog's doing
        } else {
          ProcessHandle watchdog = node.child("-c").orElseThrow(() -> new AssertionError("no MariaDB watchdog"));
          watchdog.destroyForcibly();
          await(Future.fromCompletionStage(watchdog.onExit()));
          node.kill();
          assertTrue(mariaDb.isAlive(), "MariaDB outlives the JVM killed with SIGKILL");
          node = new Node(data, config, port);
          node.awaitReady(vertx, http);
          assertFalse(mariaDb.isAlive(), "the restart stopped the MariaDB orphan of the dead node");
        }
      }
      if (node == null) {
        node = new Node(data, config, port);
      }
      node.awaitReady(vertx, http);
      stream.open();
      await(stream.acceptedAtLeast(stream.accepted.size() + SESSIONS_PER_ROUND));
      stream.stop();
      await(Future.join(stream.lanes));
      JsonObject tasks = await(until(vertx, () -> get(http, "/v1/stats").map(r -> r.getJsonObject("tasks")),
          t -> t.getInteger("pending") == 0 && t.getInteger("processing") == 0, 180_000));
      LOG.info("All tasks settled: {}; {} sessions accepted, {} unanswered", tasks.encode(), stream.accepted.size(),
          stream.unanswered.size());
      verify(http, stream, tasks);
    } finally {
      stream.stop();
      if (node != null) {
        node.stop();
      }
      mariaDbs.forEach(ProcessHandle::destroyForcibly); // none is alive unless the test failed
      await(vertx.close());
    }
  }

  /** Polls {@code probe} every 200 ms until {@code done} accepts its value, or fails after the timeout. */
  static <T> Future<T> until(Vertx vertx, java.util.function.Supplier<Future<T>> probe,
      java.util.function.Predicate<T> done, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return probe.get().transform(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        return Future.succeededFuture(ar.result());
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("condition not met in time; last: "
            + (ar.succeeded() ? ar.result() : ar.cause())));
      }
      return vertx.timer(200).compose(x -> until(vertx, probe, done, deadline - System.currentTimeMillis()));
    });
  }

  /** Each accepted session: one completed task, memories as the control's; an unanswered one: at most that. */
  private static void verify(WebClient http, Streamer stream, JsonObject tasks) throws Exception {
    JsonObject reference = memories(await(get(http, "/v1/users/crash-control/stats")));
    assertTrue(reference.getJsonObject("memories").getInteger("summaries") == 1
        && reference.getJsonObject("index").getJsonObject("by_type").getInteger("message") == 3, reference.encode());
    int withTask = 1; // the control session
    for (Map.Entry<Integer, String> e : stream.accepted.entrySet()) {
      String user = "crash-" + e.getKey();
      JsonArray list = await(get(http, "/v1/tasks?user_id=" + user)).getJsonArray("tasks");
      assertEquals(1, list.size(), user + " has one task: " + list.encode());
      assertEquals(e.getValue(), list.getJsonObject(0).getString("task_id"), user);
      assertEquals("completed", list.getJsonObject(0).getString("status"), user);
      assertEquals(reference, memories(await(get(http, "/v1/users/" + user + "/stats"))), user + "'s memories");
      withTask++;
    }
    for (int i : stream.unanswered) {
      String user = "crash-" + i;
      JsonArray list = await(get(http, "/v1/tasks?user_id=" + user)).getJsonArray("tasks");
      assertTrue(list.size() <= 1, user + " (unanswered) has at most one task: " + list.encode());
      JsonObject stats = memories(await(get(http, "/v1/users/" + user + "/stats")));
      if (list.size() == 1) {
        assertEquals("completed", list.getJsonObject(0).getString("status"), user);
        assertEquals(reference, stats, user + "'s memories");
        withTask++;
      } else {
        assertEquals(0, stats.getJsonObject("index").getInteger("total"), user + " (no task) has no memories");
      }
    }
    assertEquals(0, tasks.getInteger("failed"), tasks.encode());
    assertEquals(withTask, tasks.getInteger("completed"), "no task besides the sessions' own: " + tasks.encode());
  }

  private static JsonObject memories(JsonObject stats) {
    return new JsonObject().put("memories", stats.getJsonObject("memories"))
        .put("index", stats.getJsonObject("index"));
  }

  private static Future<JsonObject> get(WebClient http, String path) {
    return http.get(path).send().compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r.bodyAsJsonObject())
        : Future.failedFuture(new AssertionError("GET " + path + " → " + r.statusCode() + " " + r.bodyAsString())));
  }

  static JsonObject session(String user, String session) {
    long ts = Instant.now().getEpochSecond() - 300;
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", session)
        .put("messages", new JsonArray()
            .add(new JsonObject().put("msg_id", "m1").put("role", "user").put("content", "我叫小林，我的生日是十二月一号")
                .put("timestamp", ts))
            .add(new JsonObject().put("msg_id", "m2").put("role", "assistant").put("content", "记住啦，小林")
                .put("timestamp", ts + 5))
            .add(new JsonObject().put("msg_id", "m3").put("role", "user").put("content", "上个月我搬家到了杭州")
                .put("timestamp", ts + 10)));
  }

  /**
   * Clients posting sessions one after another in a few lanes, each session a user of its own. Every 202 is an
   * accepted session; a request without an answer (the node died under it) is not sent again, since its outcome
   * is unknown; one that never reached a node (connection refused) waits for the next node and goes again.
   */
  static final class Streamer {
    final Vertx vertx;
    final WebClient http;
    final Map<Integer, String> accepted = new ConcurrentHashMap<>();
    final Set<Integer> unanswered = ConcurrentHashMap.newKeySet();
    final List<Future<Void>> lanes = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final List<Map.Entry<Integer, Promise<Void>>> waiters = new ArrayList<>();
    private volatile Promise<Void> gate = Promise.promise();
    private volatile boolean stopped;
    String control;

    Streamer(Vertx vertx, WebClient http) {
      this.vertx = vertx;
      this.http = http;
    }

    /** A session sent while nothing else is, and awaited: the memories one session makes. */
    String controlSession() throws Exception {
      String task = await(http.post("/v1/sessions").sendJsonObject(session("crash-control", "s-control")))
          .bodyAsJsonObject().getString("task_id");
      await(until(vertx, () -> get(http, "/v1/tasks/" + task),
          t -> "completed".equals(t.getString("status")), 120_000));
      return task;
    }

    /** Lets the lanes send (starting them the first time). */
    void open() {
      gate.tryComplete();
      if (lanes.isEmpty()) {
        for (int i = 0; i < 3; i++) {
          lanes.add(lane());
        }
      }
    }

    /** Holds every request not yet sent until the next {@link #open()}. */
    void close() {
      gate = Promise.promise();
    }

    void stop() {
      stopped = true;
      gate.tryComplete();
    }

    synchronized Future<Void> acceptedAtLeast(int n) {
      Promise<Void> p = Promise.promise();
      waiters.add(Map.entry(n, p));
      check();
      return p.future();
    }

    private synchronized void check() {
      waiters.removeIf(w -> accepted.size() >= w.getKey() && w.getValue().tryComplete());
    }

    private Future<Void> lane() {
      return stopped ? Future.succeededFuture() : send(next.getAndIncrement()).compose(x -> lane());
    }

    private Future<Void> send(int i) {
      Promise<Void> open = gate;
      return open.future().compose(x -> stopped ? Future.<HttpResponse<Buffer>>succeededFuture(null)
              : http.post("/v1/sessions").sendJsonObject(session("crash-" + i, "s-" + i)))
          .transform(ar -> {
            if (ar.succeeded() && ar.result() == null) {
              return Future.succeededFuture(); // stopped before sending
            }
            if (ar.succeeded() && ar.result().statusCode() == 202) {
              accepted.put(i, ar.result().bodyAsJsonObject().getString("task_id"));
              check();
              return Future.succeededFuture();
            }
            if (ar.failed() && ar.cause() instanceof ConnectException && !stopped) {
              return send(i); // it never reached a node
            }
            unanswered.add(i);
            return Future.succeededFuture();
          });
    }
  }

  /** One start of {@code Main serve} on the data directory, in its own JVM. */
  static final class Node {
    final Process process;
    final Path log;

    Node(Path data, Path config, int port) throws IOException {
      this(data, config, port, List.of());
    }

    /** {@code jvmArgs}: system properties for the node's JVM (a fault to inject). */
    Node(Path data, Path config, int port, List<String> jvmArgs) throws IOException {
      log = Files.createTempFile(data, "node-", ".log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> command = new ArrayList<>(List.of(java, "-Xmx768m"));
      command.addAll(jvmArgs);
      command.addAll(List.of("-cp", classpath, "verticles.app.Main", "serve", "--config", config.toString(), "--data",
          data.toString(), "--port", String.valueOf(port)));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("ENGRAM_"));
      process = pb.start();
    }

    /** Polls /health/ready until the node serves; fails at once if it exits. */
    void awaitReady(Vertx vertx, WebClient http) throws Exception {
      long deadline = System.currentTimeMillis() + 300_000;
      while (true) {
        if (!process.isAlive()) {
          throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + tail());
        }
        int status = await(http.get("/health/ready").send().map(HttpResponse::statusCode).otherwise(0));
        if (status == 200) {
          return;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("the node never became ready:\n" + tail());
        }
        await(vertx.timer(200));
      }
    }

    /** Polls until a process started by this node has an argument starting with {@code prefix}. */
    void awaitDescendant(String prefix) throws Exception {
      long deadline = System.currentTimeMillis() + 300_000;
      while (process.toHandle().descendants().noneMatch(p -> p.info().arguments()
          .map(args -> List.of(args).stream().anyMatch(a -> a.startsWith(prefix))).orElse(false))) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
          throw new AssertionError("no process with " + prefix + " started:\n" + tail());
        }
        Thread.sleep(20);
      }
    }

    /** The child process whose command or first argument ends with {@code name}. */
    Optional<ProcessHandle> child(String name) {
      return process.toHandle().children().filter(p -> p.info().command().map(c -> c.endsWith(name)).orElse(false)
          || p.info().arguments().map(a -> a.length > 0 && a[0].equals(name)).orElse(false)).findFirst();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the killed node exited");
    }

    /** SIGTERM, as Ctrl-C: a clean stop, and MariaDB goes with it. */
    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }

    String tail() {
      try {
        String l = Files.readString(log, StandardCharsets.UTF_8);
        return l.substring(Math.max(0, l.length() - 6000));
      } catch (IOException e) {
        return "";
      }
    }
  }
}
