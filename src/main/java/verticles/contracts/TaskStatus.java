package verticles.contracts;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a memory generation task stands (seed {@code memory_generation_tasks.status}), plus {@code FORGOTTEN}: the
 * answer of a claim whose owner was forgotten after the task was created (the row is then deleted, never stored so).
 */
public enum TaskStatus {
  PENDING, PROCESSING, COMPLETED, FAILED, FORGOTTEN;

  /** The statuses a task row can hold, as the API lists and filters them. */
  public static final java.util.List<TaskStatus> STORED = java.util.List.of(PENDING, PROCESSING, COMPLETED, FAILED);

  /** The wire and column spelling: lower case. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TaskStatus of(String wire) {
    return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown task status " + wire));
  }

  /** Whether the task has ended: a claim or a replay skips it. */
  public boolean ended() {
    return this == COMPLETED || this == FAILED;
  }
}
