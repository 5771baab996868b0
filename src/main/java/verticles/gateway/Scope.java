package verticles.gateway;

import java.util.Locale;

/**
 * What an API key may do. {@code memory} includes {@code read} (a key that writes a tenant's memories may read them
 * back); {@code admin} and {@code operator} include nothing else, so a dashboard's key reads no user's memories.
 */
public enum Scope {
  /** Recall (HTTP and WebSocket), the profile/event/summary lists, a task's status, a session's context. */
  READ,
  /**
   * Ingest, import, export and forget of the key's tenant's users, a session's context set or merged; and everything
   * {@code read} allows.
   */
  MEMORY,
  /** The key's tenant's task list, task retry and user stats. */
  ADMIN,
  /** Cluster-wide: every tenant's totals and the DLQ replay. */
  OPERATOR;

  /** The scope's name in config and in error messages. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a key holding this scope may do what {@code wanted} allows. */
  boolean grants(Scope wanted) {
    return this == wanted || this == MEMORY && wanted == READ;
  }

  /** The scope named {@code id} in config; unknown names are a configuration error, not a key without rights. */
  static Scope parse(String id) {
    for (Scope s : values()) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown scope '" + id + "': one of read, memory, admin, operator");
  }
}
