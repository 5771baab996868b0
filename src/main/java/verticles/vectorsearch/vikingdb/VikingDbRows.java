package verticles.vectorsearch.vikingdb;

import static verticles.vectorsearch.vikingdb.VikingDbMemoryIndex.SEARCH_PATH;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import verticles.shared.Vectors;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;

/**
 * {@link MemoryRecord}s to collection rows and back. The collection is the seed's ("VikingDB Collection 设计") plus
 * what rebuilds a record: {@code id} string primary key, {@code vector} vector (the embedder's dimension),
 * {@code user_id}, {@code character_id}, {@code memory_type}, {@code content} string, {@code timestamp} int64,
 * {@code importance} int64, {@code metadata} string (JSON), and {@code task_id}, {@code session_id},
 * {@code source_msg_ids} string (a JSON array: list fields hold at most 32 items, a summary cites more).
 */
final class VikingDbRows {
  static final String F_ID = "id";
  static final String F_VECTOR = "vector";
  static final String F_USER = "user_id";
  static final String F_CHARACTER = "character_id";
  static final String F_TYPE = "memory_type";
  static final String F_CONTENT = "content";
  static final String F_TIMESTAMP = "timestamp";
  static final String F_IMPORTANCE = "importance";
  static final String F_METADATA = "metadata";
  static final String F_TASK = "task_id";
  static final String F_SESSION = "session_id";
  static final String F_SOURCES = "source_msg_ids";
  /** Everything but the primary key, which a hit carries beside its fields; the vector only when asked for. */
  static final List<String> OUTPUT_FIELDS = List.of(F_VECTOR, F_USER, F_CHARACTER, F_TYPE, F_CONTENT, F_TIMESTAMP,
      F_IMPORTANCE, F_METADATA, F_TASK, F_SESSION, F_SOURCES);

  private VikingDbRows() {}

  /** The rows of records, all checked (owner, vector and its dimension) before any is returned. */
  static List<JsonObject> rows(List<MemoryRecord> records, int dimension) {
    List<JsonObject> rows = new ArrayList<>(records.size());
    for (MemoryRecord r : records) {
      MemoryIndex.requireText(r.userId(), "record userId");
      MemoryIndex.requireText(r.characterId(), "record characterId");
      if (r.vector() == null) {
        throw new IllegalArgumentException("record " + r.id() + " has no vector");
      }
      checkDimension(r.vector(), dimension, "record " + r.id() + " vector");
      // Every field, every time: VikingDB fills a missing field with its default rather than keeping the old value.
      rows.add(new JsonObject()
          .put(F_ID, r.id())
          .put(F_VECTOR, json(Vectors.unit(r.vector())))
          .put(F_USER, r.userId())
          .put(F_CHARACTER, r.characterId())
          .put(F_TYPE, orEmpty(r.memoryType()))
          .put(F_CONTENT, orEmpty(r.content()))
          .put(F_TIMESTAMP, r.timestamp())
          .put(F_IMPORTANCE, (long) r.importance())
          .put(F_METADATA, (r.metadata() == null ? new JsonObject() : r.metadata()).encode())
          .put(F_TASK, orEmpty(r.taskId()))
          .put(F_SESSION, orEmpty(r.sessionId()))
          .put(F_SOURCES, new JsonArray(r.sourceMsgIds() == null ? List.of() : r.sourceMsgIds()).encode()));
    }
    return rows;
  }

  /** The record of a search hit, its vector (when asked for) at unit length. */
  static MemoryRecord record(JsonObject item) {
    JsonObject f = item.getValue("fields") instanceof JsonObject o ? o : new JsonObject();
    float[] vector = null;
    if (f.getValue(F_VECTOR) instanceof JsonArray v) {
      vector = new float[v.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) number(v.getValue(i), "vector");
      }
      vector = Vectors.unit(vector);
    }
    List<String> sources = new ArrayList<>();
    String sourcesJson = f.getString(F_SOURCES, "");
    if (!sourcesJson.isBlank()) {
      new JsonArray(sourcesJson).forEach(s -> sources.add(String.valueOf(s)));
    }
    String meta = f.getString(F_METADATA, "");
    return new MemoryRecord(
        primaryKey(item),
        emptyToNull(f.getString(F_TASK)),
        f.getString(F_USER),
        f.getString(F_CHARACTER),
        f.getString(F_TYPE),
        f.getString(F_CONTENT),
        f.getValue(F_TIMESTAMP) == null ? 0L : (long) number(f.getValue(F_TIMESTAMP), F_TIMESTAMP),
        f.getValue(F_IMPORTANCE) == null ? 5 : (int) number(f.getValue(F_IMPORTANCE), F_IMPORTANCE),
        emptyToNull(f.getString(F_SESSION)),
        sources,
        meta.isBlank() ? new JsonObject() : new JsonObject(meta),
        vector);
  }

  static String primaryKey(JsonObject item) {
    Object id = item.getValue(F_ID);
    if (id == null) {
      throw new VikingDbException(SEARCH_PATH, 200, 0, "hit has no primary key '" + F_ID + "'", null, false, null);
    }
    return String.valueOf(id);
  }

  static void checkDimension(float[] v, int dimension, String what) {
    if (v.length != dimension) {
      throw new IllegalArgumentException(what + " has " + v.length + " dimensions, the collection " + dimension);
    }
  }

  static JsonArray json(float[] v) {
    JsonArray a = new JsonArray(new ArrayList<>(v.length));
    for (float f : v) {
      a.add(f);
    }
    return a;
  }

  static double number(Object value, String what) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new VikingDbException(SEARCH_PATH, 200, 0, what + " is not a number: " + value, null, false, null);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
