package verticles.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dir/engram.lock}: an OS file lock saying one live process owns the directory. The OS drops it when the
 * process dies, however it dies, so a start that gets it knows whatever a dead owner left running is an orphan.
 * Taken before an embedded server touches its files: Kafka locks its log directory only after its controller has
 * already written to the metadata log, so a second node on the same directory would first damage the first.
 */
final class DirLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirLock.class);

  private final Path file;
  private final FileChannel channel;

  private DirLock(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Takes the lock, writing this JVM's pid into the file; fails at once if a live process holds it. */
  static DirLock take(Path dir, String what) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("engram.lock");
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this JVM: another node in the same process
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String holder = holder(file);
      ch.close();
      throw new IllegalStateException("the " + what + " in " + dir + " is in use by a running Engram"
          + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it first, or give this one another --data");
    }
    ch.truncate(0);
    ch.write(ByteBuffer.wrap(String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
    return new DirLock(file, ch);
  }

  private static String holder(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return ""; // where locks are mandatory the holder's pid cannot be read; the message does without it
    }
  }

  @Override
  public void close() {
    try {
      channel.close(); // releases the lock
    } catch (IOException e) {
      LOG.warn("Releasing {}: {}", file, e.toString());
    }
  }
}
