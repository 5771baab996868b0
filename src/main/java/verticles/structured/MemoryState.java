package verticles.structured;

import static verticles.structured.Sql.jsonArray;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import verticles.vectorsearch.MemoryRecord;

/**
 * One memory's fields: the current state of a {@code memories} row, or one version's snapshot. Mutable, copied before
 * a change, so a write compares the state before with the state after ({@link #changedFrom}).
 */
final class MemoryState {
  /** The fields a version may change, in the order {@code changed} lists them. */
  static final List<String> FIELDS = List.of("content", "importance", "category", "confidence", "metadata", "status",
      "valid_from", "valid_to");
  static final List<String> CATEGORIES = List.of("fact", "preference", "context", "skill", "general");

  String id;
  String userId;
  String characterId;
  String type;
  String category;
  String content;
  int importance;
  double confidence;
  JsonObject metadata;
  String source;
  String sessionId;
  String taskId;
  JsonArray sourceMsgIds;
  String status;
  int version;
  LocalDateTime createdAt;
  LocalDateTime updatedAt;
  LocalDateTime validFrom;
  LocalDateTime validTo;

  /** The category a memory gets when none is given: profile facts by their type, events facts, talk context. */
  static String defaultCategory(String type, JsonObject metadata) {
    return switch (type) {
      case "profile" -> "preference".equals(metadata == null ? null : metadata.getString("profile_type"))
          ? "preference" : "fact";
      case "event", "entity" -> "fact";
      case "summary", "message" -> "context";
      default -> "general";
    };
  }

  /** A new memory (version 0 until written) from an index record. */
  static MemoryState of(MemoryRecord r, String category, double confidence, String source, LocalDateTime now) {
    MemoryState s = new MemoryState();
    s.id = r.id();
    s.userId = r.userId();
    s.characterId = r.characterId();
    s.type = r.memoryType();
    s.metadata = r.metadata() == null ? new JsonObject() : r.metadata().copy();
    s.category = category != null ? category : defaultCategory(s.type, s.metadata);
    s.content = r.content();
    s.importance = Math.max(1, Math.min(10, r.importance()));
    s.confidence = clamp(confidence);
    s.source = source;
    s.sessionId = r.sessionId();
    s.taskId = r.taskId();
    s.sourceMsgIds = new JsonArray(new ArrayList<>(r.sourceMsgIds() == null ? List.of() : r.sourceMsgIds()));
    s.status = "active";
    s.version = 0;
    s.createdAt = now;
    s.updatedAt = now;
    s.validFrom = utc(r.timestamp());
    return s;
  }

  /** A {@code memories} row, or a {@code memory_versions} row (which has no source and no record times). */
  static MemoryState from(Row r) {
    MemoryState s = new MemoryState();
    s.id = r.getString("memory_id");
    s.userId = r.getString("user_id");
    s.characterId = r.getString("character_id");
    s.type = r.getString("memory_type");
    s.category = r.getString("category");
    s.content = r.getString("content");
    s.importance = r.getInteger("importance");
    s.confidence = r.getBigDecimal("confidence").doubleValue();
    Object metadata = r.getValue("metadata");
    s.metadata = metadata == null ? new JsonObject() : new JsonObject(metadata.toString());
    s.sessionId = r.getString("session_id");
    s.taskId = r.getString("task_id");
    s.sourceMsgIds = jsonArray(r.getValue("source_msg_ids"));
    s.status = r.getString("status");
    s.version = r.getInteger("version");
    s.validFrom = r.getLocalDateTime("valid_from");
    s.validTo = r.getLocalDateTime("valid_to");
    if (r.getColumnIndex("source") >= 0) {
      s.source = r.getString("source");
      s.createdAt = r.getLocalDateTime("created_at");
      s.updatedAt = r.getLocalDateTime("updated_at");
    }
    return s;
  }

  MemoryState copy() {
    MemoryState s = new MemoryState();
    s.id = id;
    s.userId = userId;
    s.characterId = characterId;
    s.type = type;
    s.category = category;
    s.content = content;
    s.importance = importance;
    s.confidence = confidence;
    s.metadata = metadata.copy();
    s.source = source;
    s.sessionId = sessionId;
    s.taskId = taskId;
    s.sourceMsgIds = sourceMsgIds.copy();
    s.status = status;
    s.version = version;
    s.createdAt = createdAt;
    s.updatedAt = updatedAt;
    s.validFrom = validFrom;
    s.validTo = validTo;
    return s;
  }

  boolean deleted() {
    return "deleted".equals(status);
  }

  /** The value of one of {@link #FIELDS}, as JSON shows it. */
  Object field(String name) {
    return switch (name) {
      case "content" -> content;
      case "importance" -> importance;
      case "category" -> category;
      case "confidence" -> confidence;
      case "metadata" -> metadata;
      case "status" -> status;
      case "valid_from" -> seconds(validFrom);
      case "valid_to" -> seconds(validTo);
      default -> throw new IllegalArgumentException("no field " + name);
    };
  }

  /** The names of the fields that differ from {@code before}. */
  List<String> changedFrom(MemoryState before) {
    return FIELDS.stream().filter(f -> !Objects.equals(field(f), before.field(f))).toList();
  }

  /** The fields of a version as they were, onto this state: what a restore does. */
  void takeFieldsOf(MemoryState version) {
    content = version.content;
    importance = version.importance;
    category = version.category;
    confidence = version.confidence;
    metadata = version.metadata.copy();
    validFrom = version.validFrom;
    validTo = version.validTo;
    status = "active";
  }

  /** The API's shape (times in epoch seconds). */
  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("user_id", userId)
        .put("character_id", characterId)
        .put("memory_type", type)
        .put("category", category)
        .put("content", content)
        .put("importance", importance)
        .put("confidence", confidence)
        .put("metadata", metadata)
        .put("source", source)
        .put("provenance", provenance())
        .put("status", status)
        .put("version", version)
        .put("created_at", seconds(createdAt))
        .put("updated_at", seconds(updatedAt))
        .put("valid_from", seconds(validFrom))
        .put("valid_to", seconds(validTo));
  }

  JsonObject provenance() {
    return new JsonObject().put("session_id", sessionId).put("task_id", taskId).put("msg_ids", sourceMsgIds);
  }

  /** The index record of this state (the index keeps the active version of each memory). */
  MemoryRecord record() {
    long timestamp = validFrom != null ? seconds(validFrom) : seconds(createdAt);
    return new MemoryRecord(id, taskId, userId, characterId, type, content, timestamp, importance, sessionId,
        sourceMsgIds.stream().map(String::valueOf).toList(), metadata, null);
  }

  long createdAtMs() {
    return createdAt.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  /** memory_id, user_id, character_id, memory_type, category, content, importance, confidence, metadata, source, ... */
  Tuple rowTuple() {
    return Tuple.from(Arrays.asList(id, userId, characterId, type, category, content, importance, confidence,
        metadata.encode(), source, sessionId, taskId, sourceMsgIds.encode(), status, version, createdAt, updatedAt,
        validFrom, validTo));
  }

  /** A version row of this state: {@code op}, the changed fields, why, who, when. */
  Tuple versionTuple(String op, List<String> changed, String reason, String actor, LocalDateTime at) {
    return Tuple.from(Arrays.asList(id, version, userId, characterId, type, category, content, importance, confidence,
        metadata.encode(), status, sessionId, taskId, sourceMsgIds.encode(), validFrom, validTo, op,
        new JsonArray(new ArrayList<>(changed)).encode(), Sql.clip(reason, 500), Sql.clip(actor, 64), at));
  }

  static Long seconds(LocalDateTime t) {
    return t == null ? null : t.toEpochSecond(ZoneOffset.UTC);
  }

  static LocalDateTime utc(long epochSeconds) {
    return LocalDateTime.ofEpochSecond(epochSeconds, 0, ZoneOffset.UTC);
  }

  /** Now, to the millisecond, in UTC: the precision of the DATETIME(3) columns. */
  static LocalDateTime now() {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(System.currentTimeMillis()), ZoneOffset.UTC);
  }

  static double clamp(double confidence) {
    return Math.max(0.0, Math.min(1.0, Math.round(confidence * 100) / 100.0));
  }
}
