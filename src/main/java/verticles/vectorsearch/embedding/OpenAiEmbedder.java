package verticles.vectorsearch.embedding;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import verticles.shared.HttpRetry;

/**
 * Embeddings from an OpenAI-compatible {@code POST {base_url}/embeddings}.
 *
 * <p>Config keys: {@code base_url}, {@code api_key}, {@code model}, {@code dimension} (required: the index is built
 * for one size), {@code timeout_ms}, {@code batch_size} (64), and the retry keys of {@link HttpRetry}.
 */
public final class OpenAiEmbedder implements Embedder {
  private final HttpRetry http;
  private final String url;
  private final String model;
  private final int dimension;
  private final int batchSize;

  public OpenAiEmbedder(Vertx vertx, JsonObject config) {
    String baseUrl = config.getString("base_url", "").trim();
    this.model = config.getString("model", "").trim();
    this.dimension = config.getInteger("dimension", 0);
    this.batchSize = config.getInteger("batch_size", 64);
    if (baseUrl.isEmpty() || model.isEmpty()) {
      throw new IllegalArgumentException("openai embedder needs base_url and model");
    }
    if (dimension <= 0 || batchSize <= 0) {
      throw new IllegalArgumentException("openai embedder needs dimension > 0 and batch_size > 0");
    }
    this.url = baseUrl.replaceAll("/+$", "") + "/embeddings";
    this.http = new HttpRetry(vertx, config);
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // Batches go one after another: gentler on rate limits than firing them all at once.
    List<float[]> out = new ArrayList<>(texts.size());
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < texts.size(); from += batchSize) {
      List<String> batch = texts.subList(from, Math.min(texts.size(), from + batchSize));
      chain = chain.compose(v -> embedBatch(batch).map(vectors -> {
        out.addAll(vectors);
        return null;
      }));
    }
    return chain.map(v -> out);
  }

  private Future<List<float[]>> embedBatch(List<String> batch) {
    JsonArray input = new JsonArray();
    // The API rejects empty strings; a blank text still needs a vector to keep positions aligned.
    batch.forEach(t -> input.add(t == null || t.isBlank() ? " " : t));
    JsonObject body = new JsonObject().put("model", model).put("input", input);
    return http.postJson(url, body).map(response -> {
      try {
        return readVectors(response, batch.size());
      } catch (ClassCastException | NullPointerException e) {
        throw new IllegalStateException("malformed embeddings response: " + e.getMessage(), e);
      }
    });
  }

  /** {@code data[i].embedding}, placed by {@code data[i].index}; every position filled once, every size checked. */
  private List<float[]> readVectors(JsonObject response, int expected) {
    JsonArray data = response.getJsonArray("data");
    if (data == null || data.size() != expected) {
      throw new IllegalStateException("embeddings response has " + (data == null ? "no" : data.size())
          + " items, expected " + expected);
    }
    float[][] vectors = new float[expected][];
    for (int i = 0; i < data.size(); i++) {
      JsonObject item = data.getJsonObject(i);
      Integer index = item.getInteger("index", i);
      JsonArray embedding = item.getJsonArray("embedding");
      if (index < 0 || index >= expected || vectors[index] != null) {
        throw new IllegalStateException("embeddings response has a bad or repeated index: " + index);
      }
      if (embedding == null || embedding.size() != dimension) {
        throw new IllegalStateException("embedding dimension mismatch: expected " + dimension + ", got "
            + (embedding == null ? "none" : embedding.size()) + " (model " + model + ")");
      }
      float[] vector = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        vector[j] = ((Number) embedding.getValue(j)).floatValue();
      }
      vectors[index] = vector;
    }
    return List.of(vectors);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String name() {
    return "openai:" + model;
  }
}
