package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import verticles.shared.JsonNumbers;
import verticles.shared.Timestamps;
import verticles.vectorsearch.MemoryRecord;

/** The vector index's addresses ({@code memory.vector.*}, VectorSearch): search, upsert, delete, list, counts. */
public final class VectorStore {
  private VectorStore() {}

  /** The deepest search: the merger asks three times a recall's top_k (at most 100). */
  public static final int MAX_TOP_K = 1000;

  /**
   * {@code memory.vector.search}: hybrid search inside one user + character. @param types empty: every type
   * @param context earlier turns of the conversation, each with its weight: their embeddings join the query's in the
   *     dense query (the keyword query is the query's alone); empty: the query alone
   */
  public record Search(String userId, String characterId, String query, List<String> types, int topK,
      List<Cue> context) implements Contract {
    /** The most context texts one search may carry. */
    public static final int MAX_CONTEXT = 8;

    public Search {
      context = context == null ? List.of() : List.copyOf(context);
    }

    public Search(String userId, String characterId, String query, List<String> types, int topK) {
      this(userId, characterId, query, types, topK, List.of());
    }

    public static Search fromJson(JsonObject j) {
      Integer topK = Json.integer(j, "top_k", 1, MAX_TOP_K);
      List<Cue> context = Json.objects(j, "context").stream().map(Cue::fromJson).toList();
      if (context.size() > MAX_CONTEXT) {
        throw new IllegalArgumentException("context: at most " + MAX_CONTEXT + " texts");
      }
      return new Search(j.getString("user_id"), j.getString("character_id"), j.getString("query", ""),
          Json.strings(j, "types"), topK == null ? 10 : topK, context);
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("user_id", userId).put("character_id", characterId).put("query", query)
          .put("types", Json.array(types)).put("top_k", topK);
      if (!context.isEmpty()) {
        JsonArray a = new JsonArray();
        context.forEach(c -> a.add(c.toJson()));
        j.put("context", a);
      }
      return j;
    }
  }

  /** A text of the conversation and how much it counts beside the query (the query counts 1). */
  public record Cue(String text, double weight) {
    public static Cue fromJson(JsonObject j) {
      Object weight = j.getValue("weight");
      if (!(j.getValue("text") instanceof String text) || !(weight instanceof Number w)
          || !(w.doubleValue() >= 0 && w.doubleValue() <= 1)) {
        throw new IllegalArgumentException("context: each is {text, weight in [0, 1]}");
      }
      return new Cue(text, w.doubleValue());
    }

    public JsonObject toJson() {
      return new JsonObject().put("text", text).put("weight", weight);
    }
  }

  /**
   * {@code memory.vector.neighbours}: for each text, the owner's {@code topK} records nearest by the embedding alone
   * (dense, no keywords), among {@code types} (empty: every type). The texts are embedded as documents, behind
   * recall's queries: the conflict detector on the write path asks this.
   */
  public record Neighbours(String userId, String characterId, List<String> texts, List<String> types, int topK)
      implements Contract {
    /** The most texts one request may carry. */
    public static final int MAX_TEXTS = 100;

    public static Neighbours fromJson(JsonObject j) {
      Integer topK = Json.integer(j, "top_k", 1, 100);
      List<String> texts = Json.strings(j, "texts");
      if (texts.size() > MAX_TEXTS) {
        throw new IllegalArgumentException("texts: at most " + MAX_TEXTS);
      }
      return new Neighbours(Json.present(j, "user_id"), Json.present(j, "character_id"), texts,
          Json.strings(j, "types"), topK == null ? 5 : topK);
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("texts", Json.array(texts))
          .put("types", Json.array(types)).put("top_k", topK);
    }
  }

  /** Per text of a {@link Neighbours}, in order: its hits (records without vectors, plus {@code dense_score}). */
  public record Neighbourhoods(List<JsonArray> hits) implements Contract {
    public static Neighbourhoods fromJson(JsonObject j) {
      JsonArray all = j.getJsonArray("hits", new JsonArray());
      List<JsonArray> out = new java.util.ArrayList<>();
      all.forEach(h -> out.add((JsonArray) h));
      return new Neighbourhoods(out);
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("hits", new JsonArray(List.copyOf(hits)));
    }
  }

  /**
   * @param hits memory records (without vectors) plus {@code score}, {@code dense_score}, {@code keyword_score}
   * @param degraded {@code embedding} when the query could not be embedded (keyword search ran alone)
   */
  public record Hits(JsonArray hits, List<String> degraded, double embedMs, double indexMs) implements Contract {

    public static Hits fromJson(JsonObject j) {
      return new Hits(j.getJsonArray("hits", new JsonArray()), Json.strings(j, "degraded"),
          j.getDouble("embed_ms", 0.0), j.getDouble("index_ms", 0.0));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("hits", hits).put("degraded", Json.array(degraded)).put("embed_ms", embedMs)
          .put("index_ms", indexMs);
    }
  }

  /**
   * {@code memory.vector.upsert}: embeds and writes records. With a task id, the task's records are replaced as a
   * whole (a replay leaves no stale extra).
   *
   * A record whose {@code timestamp} is not an integer in the accepted window ({@link Timestamps}) is refused (400):
   * the index never holds a time that recall could not show.
   *
   * @param createdAtMs when the write's task (or request) began: a forget after it refuses the write (410)
   */
  public record Upsert(String taskId, Long createdAtMs, List<MemoryRecord> records) implements Contract {

    public static Upsert fromJson(JsonObject j) {
      List<JsonObject> records = Json.objects(j, "records");
      for (int i = 0; i < records.size(); i++) {
        Object timestamp = records.get(i).getValue("timestamp");
        if (!JsonNumbers.integerWithin(timestamp, Timestamps.MIN, Timestamps.MAX)) {
          throw new IllegalArgumentException("records[" + i + "].timestamp must be " + Timestamps.WINDOW + ", got "
              + timestamp);
        }
      }
      return new Upsert(j.getString("task_id"), j.getLong("created_at"),
          records.stream().map(MemoryRecord::fromJson).toList());
    }

    @Override

    public JsonObject toJson() {
      JsonArray out = new JsonArray();
      records.forEach(r -> out.add(r.toJson()));
      return new JsonObject().put("task_id", taskId).put("created_at", createdAtMs).put("records", out);
    }
  }

  public record Upserted(int upserted) implements Contract {
    public static Upserted fromJson(JsonObject j) {
      return new Upserted(j.getInteger("upserted", 0));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("upserted", upserted);
    }
  }

  /** {@code memory.vector.delete-ids}: records by id (absent ids are ignored). */
  public record Ids(List<String> ids) implements Contract {
    public static Ids fromJson(JsonObject j) {
      return new Ids(Json.strings(j, "ids"));
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("ids", Json.array(ids));
    }
  }

  /** {@code memory.vector.list}: one page of an owner's records, oldest first. */
  public record ListPage(String userId, String characterId, int offset, int limit) implements Contract {
    public static ListPage fromJson(JsonObject j) {
      return new ListPage(j.getString("user_id"), j.getString("character_id"), j.getInteger("offset", 0),
          Math.min(j.getInteger("limit", 500), 5000));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("offset", offset)
          .put("limit", limit);
    }
  }

  public record Records(List<MemoryRecord> records) implements Contract {
    public static Records fromJson(JsonObject j) {
      return new Records(Json.objects(j, "records").stream().map(MemoryRecord::fromJson).toList());
    }

    @Override

    public JsonObject toJson() {
      JsonArray out = new JsonArray();
      records.forEach(r -> out.add(r.toJson()));
      return new JsonObject().put("records", out);
    }
  }

  /** The reply of {@code memory.vector.counts}: records by memory type. */
  public record Counts(Map<String, Long> byType, long total) implements Contract {
    public static Counts fromJson(JsonObject j) {
      JsonObject byType = j.getJsonObject("by_type", new JsonObject());
      Map<String, Long> m = new java.util.LinkedHashMap<>();
      byType.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).longValue()));
      return new Counts(m, j.getLong("total", 0L));
    }

    @Override

    public JsonObject toJson() {
      JsonObject byTypeJson = new JsonObject();
      byType.forEach(byTypeJson::put);
      return new JsonObject().put("by_type", byTypeJson).put("total", total);
    }
  }
}
