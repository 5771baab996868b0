package verticles.bus;

/** Every event-bus address in one place. Payloads are JSON objects so they survive clustering. */
public final class Addresses {
  private Addresses() {}

  // Recall flow
  public static final String RECALL = "memory.recall";
  public static final String INTENT_DETECT = "memory.intent.detect";
  public static final String VECTOR_SEARCH = "memory.vector.search";
  public static final String VECTOR_UPSERT = "memory.vector.upsert";
  public static final String VECTOR_DELETE = "memory.vector.delete";
  public static final String VECTOR_DELETE_IDS = "memory.vector.delete-ids";
  public static final String VECTOR_LIST = "memory.vector.list";
  public static final String VECTOR_COUNTS = "memory.vector.counts";
  /** The conflict detector's candidates: an owner's records nearest to texts by the embedding alone. */
  public static final String VECTOR_NEIGHBOURS = "memory.vector.neighbours";
  /** Published, not sent: every VectorSearch instance drops its query-embedding cache. */
  public static final String VECTOR_CACHE_CLEAR = "memory.vector.cache-clear";
  public static final String STRUCTURED_SEARCH = "memory.structured.search";

  // Structured store (MySQL) reads and writes
  public static final String TASK_CREATE = "memory.tasks.create";
  public static final String TASK_GET = "memory.tasks.get";
  public static final String TASK_CLAIM = "memory.tasks.claim";
  public static final String TASK_FAIL = "memory.tasks.fail";
  public static final String TASK_PENDING = "memory.tasks.pending";
  public static final String TASK_COUNTS = "memory.tasks.counts";
  public static final String TASK_OUTBOX_DEPTH = "memory.tasks.outbox-depth";
  public static final String TASK_MARK_PUBLISHED = "memory.tasks.published";
  public static final String MEMORIES_WRITE = "memory.structured.write";
  public static final String ARCHIVE_PATH_SET = "memory.structured.archive-path";
  public static final String MEMORIES_TRIAGE = "memory.structured.triage";
  public static final String USER_LIST = "memory.structured.list";
  public static final String MESSAGES_BUFFER = "memory.messages.buffer";
  public static final String SESSION_END = "memory.sessions.end";
  public static final String SESSIONS_IDLE = "memory.sessions.idle";
  public static final String TASK_LIST = "memory.tasks.list";
  public static final String TASK_RETRY = "memory.tasks.retry";
  public static final String TASK_REQUEUE = "memory.tasks.requeue";
  public static final String STRUCTURED_EXPORT = "memory.structured.export";
  public static final String STRUCTURED_STATS = "memory.structured.stats";

  // One memory's life (issue 13): reads on StructuredSearch, writes on MemoryWrite
  public static final String MEMORY_GET = "memory.memories.get";
  public static final String MEMORY_LIST = "memory.memories.list";
  public static final String MEMORY_HISTORY = "memory.memories.history";
  public static final String MEMORY_COMPARE = "memory.memories.compare";
  public static final String MEMORY_CREATE = "memory.memories.create";
  public static final String MEMORY_UPDATE = "memory.memories.update";
  public static final String MEMORY_DELETE = "memory.memories.delete";
  public static final String MEMORY_RESTORE = "memory.memories.restore";
  // Memory transactions and the one-shot batch (issue 13): on MemoryWrite
  public static final String MEMORY_BATCH = "memory.memories.batch";
  public static final String TX_BEGIN = "memory.transactions.begin";
  public static final String TX_STAGE = "memory.transactions.stage";
  public static final String TX_COMMIT = "memory.transactions.commit";
  public static final String TX_ROLLBACK = "memory.transactions.rollback";
  public static final String TX_GET = "memory.transactions.get";

  // Conflicts between memories: the detector (ConflictDetector), the reports' reads (StructuredSearch) and review
  public static final String CONFLICTS_DETECT = "memory.conflicts.detect";
  public static final String CONFLICTS_LIST = "memory.conflicts.list";
  public static final String CONFLICTS_GET = "memory.conflicts.get";
  public static final String CONFLICTS_RESOLVE = "memory.conflicts.resolve";

  // Forgetting a user: the tombstone, the deletes in resumable order, and the check every write path makes
  public static final String FORGET_TOMBSTONE = "memory.forget.tombstone";
  public static final String FORGET_TASKS = "memory.forget.tasks";
  public static final String FORGET_ROWS = "memory.forget.rows";
  public static final String FORGET_CHECK = "memory.forget.check";

  // Forgetting and compression (issue 14): accesses and the sweep's reads on Retention, the runs on Forgetting
  public static final String ACCESS_RECORD = "memory.access.record";
  public static final String ACCESS_RETENTION = "memory.access.retention";
  public static final String RETENTION_CANDIDATES = "memory.retention.candidates";
  public static final String RETENTION_USAGE = "memory.retention.usage";
  public static final String RETENTION_EXPIRED = "memory.retention.expired";
  public static final String RETENTION_JUDGED = "memory.retention.judged";
  public static final String RETENTION_PRUNE = "memory.retention.prune";
  public static final String MAINTENANCE_CLEANUP = "memory.maintenance.cleanup";
  public static final String MAINTENANCE_SWEEP = "memory.maintenance.sweep";

  // Change events (ChangeRelay): the outbox rows on TaskStore, and the poke MemoryWrite publishes after a commit
  public static final String CHANGES_PENDING = "memory.changes.pending";
  public static final String CHANGES_PUBLISHED = "memory.changes.published";
  public static final String CHANGES_DEPTH = "memory.changes.depth";
  public static final String CHANGES_DEAD_LETTER = "memory.changes.dead-letter";
  /** Published, not sent: the relay holding the cluster's lock drains the outbox now rather than at its next poll. */
  public static final String CHANGES_POKE = "memory.changes.poke";

  // Short-term session memory (SessionMemory): on the embedded shared map or Redis
  public static final String SESSION_CONTEXT_GET = "memory.session-context.get";
  public static final String SESSION_CONTEXT_UPDATE = "memory.session-context.update";
  /** Forgetting a user (AdminVerticle): every session context of the user, or of the user and one character. */
  public static final String SESSION_CONTEXT_FORGET = "memory.session-context.forget";

  // Generation flow
  public static final String OUTBOX_PUBLISH = "memory.outbox.publish";
  public static final String ARCHIVE_WRITE = "memory.archive.write";
  public static final String ARCHIVE_USAGE = "memory.archive.usage";
  public static final String ARCHIVE_FORGET = "memory.archive.forget";
  public static final String ARCHIVE_EXPORT = "memory.archive.export";
  public static final String ARCHIVE_READ = "memory.archive.read";
  public static final String DLQ_REPLAY = "memory.dlq.replay";

  // Operators (AdminVerticle): export, forget, stats, retry
  public static final String ADMIN_EXPORT = "memory.admin.export";
  public static final String ADMIN_FORGET = "memory.admin.forget";
  public static final String ADMIN_STATS = "memory.admin.stats";
  public static final String ADMIN_RETRY = "memory.admin.retry";

  // Readiness probes: each store's owner answers a cheap check, so a gateway can probe stores on other nodes
  public static final String HEALTH_MYSQL = "memory.health.mysql";
  public static final String HEALTH_KAFKA = "memory.health.kafka";
  public static final String HEALTH_INDEX = "memory.health.index";
  public static final String HEALTH_EMBEDDING = "memory.health.embedding";
  public static final String HEALTH_ARCHIVE = "memory.health.archive";

  // Entities, relations and events (companion and story projects), owned by EntityVerticle
  public static final String ENTITIES_CREATE = "memory.entities.create";
  public static final String ENTITIES_GET = "memory.entities.get";
  public static final String ENTITIES_LIST = "memory.entities.list";
  public static final String ENTITIES_STATE = "memory.entities.state";
  public static final String ENTITIES_STATES = "memory.entities.states";
  public static final String ENTITIES_RELATIONS = "memory.entities.relations";
  public static final String ENTITIES_EVENTS = "memory.entities.events";
  public static final String RELATIONS_UPSERT = "memory.relations.upsert";
  public static final String EVENTS_CREATE = "memory.events.create";
  /** A chapter's extraction applied (the write-back task's last step), and the latest write-back of a chapter. */
  public static final String CHAPTERS_APPLY = "memory.chapters.apply";
  /** A chat task's entity mentions applied (companion extraction). */
  public static final String ENTITIES_MENTIONS = "memory.entities.mentions";
  /** Recall's entity read: the entities a message names by an alias, with relations, one hop and recent events. */
  public static final String ENTITIES_RECALL = "memory.entities.recall";
  public static final String CHAPTERS_GET = "memory.chapters.get";
  /** Published, not sent: every EntityVerticle instance drops an entity from its read cache. */
  public static final String ENTITIES_CACHE_CLEAR = "memory.entities.cache-clear";
}
