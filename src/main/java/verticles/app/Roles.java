package verticles.app;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a node runs ({@code serve --cluster --roles ...}). gateway: the HTTP and WebSocket API and the admin
 * coordinator (export, forget, stats); recall: intent detection, merging and structured search; index: the embedding
 * model and the vector + keyword index; worker: the Kafka consumer (extractor), the archiver, the outbox, the change
 * relay and webhooks, and the backlog gauges. Every node that uses MySQL (recall, worker) runs all three MySQL
 * verticles: structured search, the task store and the memory writer. A node without a role's verticles reaches
 * them on other nodes over the clustered event bus.
 */
public record Roles(Set<String> names) {
  public static final String GATEWAY = "gateway";
  public static final String RECALL = "recall";
  public static final String INDEX = "index";
  public static final String WORKER = "worker";
  private static final Set<String> ALL = Set.of(GATEWAY, RECALL, INDEX, WORKER);

  public static Roles all() {
    return new Roles(ALL);
  }

  /** "all", or a comma-separated list of gateway, recall, index, worker. */
  public static Roles parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("roles: give 'all' or some of gateway,recall,index,worker");
    }
    Set<String> names = new LinkedHashSet<>();
    for (String part : spec.split(",")) {
      String role = part.strip().toLowerCase(java.util.Locale.ROOT);
      if (role.equals("all")) {
        names.addAll(ALL);
      } else if (ALL.contains(role)) {
        names.add(role);
      } else {
        throw new IllegalArgumentException("roles: unknown role '" + part.strip()
            + "' (known: all, gateway, recall, index, worker)");
      }
    }
    return new Roles(Set.copyOf(names));
  }

  public boolean has(String role) {
    return names.contains(role);
  }

  /** MySQL is read and written by the structured verticles, which recall and worker nodes run. */
  public boolean usesMysql() {
    return has(RECALL) || has(WORKER);
  }

  @Override
  public String toString() {
    return String.join(",", new java.util.TreeSet<>(names));
  }
}
