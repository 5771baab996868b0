package verticles.extractor;

import java.util.Map;
import java.util.TreeMap;

/**
 * Offsets of one partition that were handed out and whether each is done. The committable offset is one past the
 * highest offset below which everything is done, so a slow or failed record never lets a commit skip it.
 */
final class PartitionTracker {
  private final TreeMap<Long, Boolean> offsets = new TreeMap<>();

  void started(long offset) {
    offsets.put(offset, false);
  }

  /** Marks an offset done; returns the offset to commit (next to read), or -1 when the head is still running. */
  long done(long offset) {
    if (offsets.containsKey(offset)) {
      offsets.put(offset, true);
    }
    long commit = -1;
    while (!offsets.isEmpty()) {
      Map.Entry<Long, Boolean> head = offsets.firstEntry();
      if (!head.getValue()) {
        break;
      }
      commit = head.getKey() + 1;
      offsets.pollFirstEntry();
    }
    return commit;
  }

  int inFlight() {
    return offsets.size();
  }
}
