package verticles.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MariaDB server is a child process, and a JVM killed outright (kill -9, the OOM killer) takes no child with it:
 * the orphan keeps the data directory's locks and the next start fails ("Can't lock aria control file"). So a start
 * first stops any server still running on its data directory, and a watchdog stops the server when the JVM dies.
 */
final class MariaDbProcesses {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbProcesses.class);
  private static final String DATADIR = "--datadir=";

  /**
   * Waits for EOF on stdin, which comes when the JVM holding the pipe's other end dies however it dies, then sends
   * SIGTERM (a clean shutdown) to the server, unless that pid now names another program. Destroyed on a normal stop.
   */
  private static final String WATCHDOG = "read _; if [ -r /proc/$0/cmdline ] && ! grep -aqF -- \"$1\" /proc/$0/cmdline;"
      + " then exit 0; fi; kill -TERM $0 2>/dev/null";

  private MariaDbProcesses() {}

  /** Live processes (of this user, any parent) whose command line names {@code dataDir} as their data directory. */
  static List<ProcessHandle> on(Path dataDir) {
    return onDataDir(ProcessHandle.allProcesses(), dataDir);
  }

  /** This JVM's own server on {@code dataDir}, once started. */
  static Optional<ProcessHandle> child(Path dataDir) {
    return onDataDir(ProcessHandle.current().children(), dataDir).stream().findFirst();
  }

  private static List<ProcessHandle> onDataDir(Stream<ProcessHandle> processes, Path dataDir) {
    if (!Files.isDirectory(dataDir)) {
      return List.of();
    }
    return processes.filter(p -> dataDirArg(p).map(d -> same(d, dataDir)).orElse(false)).toList();
  }

  private static Optional<String> dataDirArg(ProcessHandle p) {
    return p.info().arguments().flatMap(args -> Stream.of(args).filter(a -> a.startsWith(DATADIR)).findFirst())
        .map(a -> a.substring(DATADIR.length()));
  }

  private static boolean same(String arg, Path dir) {
    try {
      Path p = Path.of(arg);
      return Files.exists(p) && Files.isSameFile(p, dir); // "/./tmp/x" and "/tmp/x" are one directory
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Stops a server left by a node that died: SIGTERM and up to {@code grace} for a clean shutdown, then SIGKILL
   * (InnoDB recovers from its redo log at the next start). Call only while holding the data directory's lock, so
   * that the server cannot belong to a live node.
   */
  static void stopOrphan(ProcessHandle p, Path dataDir, Duration grace) {
    LOG.warn("MariaDB (pid {}) is still running on {}, left by an Engram that did not stop (kill -9, out of memory);"
        + " stopping it before starting", p.pid(), dataDir);
    p.destroy();
    if (!exited(p, grace)) {
      LOG.warn("MariaDB (pid {}) did not stop within {} s; killing it", p.pid(), grace.toSeconds());
      p.destroyForcibly();
      if (!exited(p, Duration.ofSeconds(30))) {
        throw new IllegalStateException("cannot stop MariaDB (pid " + p.pid() + ") still running on " + dataDir);
      }
    }
  }

  private static boolean exited(ProcessHandle p, Duration wait) {
    try {
      p.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  /** Starts the watchdog of {@code server}; empty where no POSIX shell runs it (the start sweep still recovers). */
  static Optional<Process> watchdog(ProcessHandle server) {
    String dataDirArg = server.info().arguments()
        .flatMap(args -> Stream.of(args).filter(a -> a.startsWith(DATADIR)).findFirst()).orElse(DATADIR);
    try {
      Process p = new ProcessBuilder("sh", "-c", WATCHDOG, String.valueOf(server.pid()), dataDirArg)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      return Optional.of(p); // its stdin stays a pipe from this JVM: never written, closed only by our death
    } catch (IOException e) {
      LOG.warn("No watchdog for MariaDB (pid {}): {}; after a crash the next start stops it", server.pid(),
          e.toString());
      return Optional.empty();
    }
  }
}
