package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Forgetting and compression (issue 14): accesses recorded by the recall side ({@code memory.access.*}), the sweep's
 * reads and bookkeeping ({@code memory.retention.*}) and the maintenance runs ({@code memory.maintenance.*}). A null
 * {@code tenant} spans every tenant (operators, the cluster's sweep); {@code now} (epoch seconds, null: the server's
 * clock) is the time the sweep judges retention at.
 */
public final class Forgetting {
  private Forgetting() {}

  /** One memory returned by recalls: how many times since the last flush, and when last (epoch ms). */
  public record Access(String memoryId, int hits, long atMs) {
    static Access fromJson(JsonObject j) {
      return new Access(Json.required(j, "memory_id"), j.getInteger("hits", 1), j.getLong("at", 0L));
    }

    JsonObject toJson() {
      return new JsonObject().put("memory_id", memoryId).put("hits", hits).put("at", atMs);
    }
  }

  /** {@code memory.access.record}: a batch of accesses; ids that name no stored memory are ignored. */
  public record Accesses(List<Access> accesses) implements Contract {
    public static Accesses fromJson(JsonObject j) {
      return new Accesses(Json.objects(j, "accesses").stream().map(Access::fromJson).toList());
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("accesses", Json.array(accesses.stream().map(Access::toJson).toList()));
    }
  }

  /** How many memories a write touched, and how many accesses it counted. */
  public record Recorded(int memories, long hits) implements Contract {
    public static Recorded fromJson(JsonObject j) {
      return new Recorded(j.getInteger("memories", 0), j.getLong("hits", 0L));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memories", memories).put("hits", hits);
    }
  }

  /** {@code memory.access.retention}: the retention of these memories now (or at {@code now}). */
  public record RetentionQuery(List<String> ids, Long now) implements Contract {
    public static RetentionQuery fromJson(JsonObject j) {
      return new RetentionQuery(Json.strings(j, "ids"), j.getLong("now"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("ids", Json.array(ids)).put("now", now);
    }
  }

  /** id → retention in (0, 1]; ids that name no stored memory are missing. */
  public record Retentions(JsonObject retention) implements Contract {
    public static Retentions fromJson(JsonObject j) {
      return new Retentions(j.getJsonObject("retention", new JsonObject()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("retention", retention);
    }
  }

  /**
   * {@code memory.retention.candidates}: active memories past the minimum age whose retention is below the threshold,
   * or of a user in {@code overQuota} (any retention), that the level their recent accesses call for was not yet
   * judged at; least retained first, at most {@code limit}.
   */
  public record CandidateQuery(Long now, String tenant, String userId, List<String> overQuota, int limit)
      implements Contract {
    public static CandidateQuery fromJson(JsonObject j) {
      return new CandidateQuery(j.getLong("now"), j.getString("tenant"), j.getString("user_id"),
          Json.strings(j, "over_quota"), Math.max(1, Math.min(j.getInteger("limit", 1000), 10_000)));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("now", now).put("tenant", tenant).put("user_id", userId)
          .put("over_quota", Json.array(overQuota)).put("limit", limit);
    }
  }

  /**
   * The candidates, each {@code {id, user_id, character_id, memory_type, category, content, metadata, version,
   * session_id, source_msg_ids, importance, valid_from, created_at, access_count, recent_accesses, retention, due,
   * level}}: {@code due} when below the threshold, {@code level} 1 light, 2 medium, 3 aggressive.
   */
  public record Candidates(JsonArray memories) implements Contract {
    public static Candidates fromJson(JsonObject j) {
      return new Candidates(j.getJsonArray("memories", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memories", memories);
    }
  }

  /** {@code memory.retention.usage}: users storing at least {@code minBytes} of active memories, largest first. */
  public record UsageQuery(String tenant, String userId, long minBytes, int limit) implements Contract {
    public static UsageQuery fromJson(JsonObject j) {
      return new UsageQuery(j.getString("tenant"), j.getString("user_id"), j.getLong("min_bytes", 0L),
          Math.max(1, Math.min(j.getInteger("limit", 100), 10_000)));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("user_id", userId).put("min_bytes", minBytes)
          .put("limit", limit);
    }
  }

  /** Each {@code {user_id, bytes, memories, version_bytes}}: the active memories' storage, and their history's. */
  public record Usage(JsonArray users) implements Contract {
    public static Usage fromJson(JsonObject j) {
      return new Usage(j.getJsonArray("users", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("users", users);
    }
  }

  /** {@code memory.retention.expired}: active memories past their {@code valid_to}, and expired context ones. */
  public record ExpiredQuery(Long now, String tenant, String userId, int limit) implements Contract {
    public static ExpiredQuery fromJson(JsonObject j) {
      return new ExpiredQuery(j.getLong("now"), j.getString("tenant"), j.getString("user_id"),
          Math.max(1, Math.min(j.getInteger("limit", 1000), 10_000)));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("now", now).put("tenant", tenant).put("user_id", userId).put("limit", limit);
    }
  }

  /** Each {@code {id, version, user_id, reason}}, reason {@code valid_to} or {@code context}. */
  public record Expired(JsonArray memories) implements Contract {
    public static Expired fromJson(JsonObject j) {
      return new Expired(j.getJsonArray("memories", new JsonArray()));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("memories", memories);
    }
  }

  /** {@code memory.retention.judged}: these memories were judged at {@code level}; the sweep skips them till a higher. */
  public record Judged(List<String> ids, int level) implements Contract {
    public static Judged fromJson(JsonObject j) {
      return new Judged(Json.strings(j, "ids"), j.getInteger("level", 0));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("ids", Json.array(ids)).put("level", level);
    }
  }

  /** {@code memory.retention.prune}: day counts older than 8 days and access rows of memories gone. */
  public record Prune(Long now) implements Contract {
    public static Prune fromJson(JsonObject j) {
      return new Prune(j.getLong("now"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("now", now);
    }
  }

  /**
   * {@code memory.maintenance.cleanup} (seed {@code cleanup_expired}): soft-deletes the active memories past their
   * {@code valid_to} and the expired context memories of the tenant (null: all), or of one user; {@code dryRun} only
   * counts them.
   */
  public record Cleanup(String tenant, String userId, Long now, boolean dryRun) implements Contract {
    public static Cleanup fromJson(JsonObject j) {
      return new Cleanup(j.getString("tenant"), j.getString("user_id"), j.getLong("now"),
          j.getBoolean("dry_run", false));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("user_id", userId).put("now", now).put("dry_run", dryRun);
    }
  }

  /** What a cleanup found ({@code past_valid_to}, {@code expired_context}) and soft-deleted ({@code deleted}). */
  public record Cleaned(int pastValidTo, int expiredContext, int deleted, boolean dryRun) implements Contract {
    public static Cleaned fromJson(JsonObject j) {
      return new Cleaned(j.getInteger("past_valid_to", 0), j.getInteger("expired_context", 0),
          j.getInteger("deleted", 0), j.getBoolean("dry_run", false));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("past_valid_to", pastValidTo).put("expired_context", expiredContext)
          .put("deleted", deleted).put("dry_run", dryRun);
    }
  }

  /** {@code memory.maintenance.sweep}: one sweep now (cleanup, then compression), of everyone or of a tenant or user. */
  public record Sweep(String tenant, String userId, Long now) implements Contract {
    public static Sweep fromJson(JsonObject j) {
      return new Sweep(j.getString("tenant"), j.getString("user_id"), j.getLong("now"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("tenant", tenant).put("user_id", userId).put("now", now);
    }
  }

  /**
   * What a sweep did: {@code cleanup} ({@link Cleaned}), {@code considered} candidates, {@code compressed} memories,
   * {@code consolidated} messages into {@code digests}, {@code bytes_saved}, {@code over_quota} users, and
   * {@code results}: per compression {@code {memory_id, level, method, original_size, compressed_size,
   * compression_ratio, key_points_preserved, quality_score}} (a digest also lists what it consolidates).
   */
  public record Swept(JsonObject summary) implements Contract {
    public static Swept fromJson(JsonObject j) {
      return new Swept(j);
    }

    @Override
    public JsonObject toJson() {
      return summary;
    }
  }
}
