package verticles.vectorsearch;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.stores.Embedder;
import verticles.stores.MemoryIndex;
import verticles.stores.MemoryRecord;

/** Owns the embedding model and the vector + keyword index: upsert, delete, search, embed. */
public final class VectorSearchVerticle extends VerticleBase {
  private final Embedder embedder;
  private final MemoryIndex index;

  public VectorSearchVerticle(Embedder embedder, MemoryIndex index) {
    this.embedder = embedder;
    this.index = index;
  }

  @Override
  public Future<?> start() {
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.VECTOR_UPSERT, this::upsert),
        Bus.consume(vertx, Addresses.VECTOR_SEARCH, this::search),
        Bus.consume(vertx, Addresses.VECTOR_DELETE, this::delete),
        Bus.consume(vertx, Addresses.VECTOR_EMBED, this::embed)));
  }

  /** {task_id?, records:[MemoryRecord json]}: embeds the contents, then replaces the task's records. */
  private Future<JsonObject> upsert(JsonObject body) {
    JsonArray json = body.getJsonArray("records", new JsonArray());
    List<MemoryRecord> records = new ArrayList<>(json.size());
    List<String> texts = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      MemoryRecord r = MemoryRecord.fromJson(json.getJsonObject(i));
      records.add(r);
      texts.add(r.content());
    }
    String taskId = body.getString("task_id");
    return embedder.embed(texts).compose(vectors -> vertx.executeBlocking(() -> {
      List<MemoryRecord> withVectors = new ArrayList<>(records.size());
      for (int i = 0; i < records.size(); i++) {
        withVectors.add(records.get(i).withVector(vectors.get(i)));
      }
      if (taskId != null) {
        index.replaceTask(taskId, withVectors);
      } else {
        index.upsert(withVectors);
      }
      return new JsonObject().put("upserted", withVectors.size());
    }, false));
  }

  /** {user_id, character_id, query, types?, top_k?}: hybrid search inside one user + character. */
  private Future<JsonObject> search(JsonObject body) {
    String query = body.getString("query", "");
    List<String> types = body.getJsonArray("types", new JsonArray()).stream().map(String::valueOf).toList();
    int topK = body.getInteger("top_k", 10);
    Future<List<float[]>> vector = query.isBlank() ? Future.succeededFuture(List.of())
        : embedder.embed(List.of(query));
    return vector.compose(v -> vertx.executeBlocking(() -> {
      MemoryIndex.Query q = new MemoryIndex.Query(body.getString("user_id"), body.getString("character_id"), types,
          v.isEmpty() ? null : v.get(0), query, topK);
      JsonArray hits = new JsonArray();
      for (MemoryIndex.Hit h : index.search(q)) {
        hits.add(h.record().toJson()
            .put("score", h.score())
            .put("dense_score", h.denseScore())
            .put("keyword_score", h.keywordScore()));
      }
      return new JsonObject().put("hits", hits);
    }, false));
  }

  private Future<JsonObject> delete(JsonObject body) {
    return vertx.executeBlocking(() -> new JsonObject()
        .put("deleted", index.delete(body.getString("user_id"), body.getString("character_id"))), false);
  }

  /** {texts:[...]} → {vectors:[[...]]}, for benchmarks and co-located callers. */
  private Future<JsonObject> embed(JsonObject body) {
    List<String> texts = body.getJsonArray("texts", new JsonArray()).stream().map(String::valueOf).toList();
    return embedder.embed(texts).map(vs -> {
      JsonArray out = new JsonArray();
      for (float[] v : vs) {
        JsonArray a = new JsonArray();
        for (float f : v) {
          a.add(f);
        }
        out.add(a);
      }
      return new JsonObject().put("vectors", out).put("dimension", embedder.dimension());
    });
  }
}
