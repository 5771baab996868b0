package verticles.session;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import verticles.embedded.Ports;

/**
 * A real {@code redis-server} on a free port, for the Redis store's tests: started when the binary is on the PATH
 * (Debian's {@code redis-server} package; {@code .ci/run} installs it), without persistence.
 */
final class RedisServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The redis-server binary on the PATH, or null. */
  static Path binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (candidate.toFile().canExecute()) {
        return candidate;
      }
    }
    return null;
  }

  static RedisServer start() throws IOException, InterruptedException {
    return start(Ports.free());
  }

  /** Starts a server on {@code port} and waits until it accepts connections. */
  static RedisServer start(int port) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(binary().toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new RedisServer(p, port);
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IOException("redis-server did not start on port " + port, notYet);
        }
        Thread.sleep(50); // a process's port: nothing to await but the port itself
      }
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
