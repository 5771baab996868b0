package verticles.stores;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallzhv15q.BgeSmallZhV15QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/** Local ONNX embedding model from Maven (bge-small zh or en, 512 / 384 dims). Runs on a worker thread. */
public final class OnnxEmbedder implements Embedder {
  private final Vertx vertx;
  private final String model;
  private final EmbeddingModel embeddingModel;
  private final int dimension;

  public OnnxEmbedder(Vertx vertx, String model) {
    this.vertx = vertx;
    this.model = model;
    // ONNX runtime parallelises inside one call; a tiny executor keeps its fan-out off the Vert.x pools.
    Executor executor = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "onnx-embed");
      t.setDaemon(true);
      return t;
    });
    this.embeddingModel = switch (model) {
      case "bge-small-zh-v15-q" -> new BgeSmallZhV15QuantizedEmbeddingModel(executor);
      case "bge-small-en-v15-q" -> new BgeSmallEnV15QuantizedEmbeddingModel(executor);
      default -> throw new IllegalArgumentException("unknown embedding model: " + model);
    };
    this.dimension = embeddingModel.dimension();
  }

  /** Blocking embedding, for worker threads, benchmarks and tests. */
  public List<float[]> embedBlocking(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t == null || t.isBlank() ? " " : t));
    }
    var response = embeddingModel.embedAll(segments).content();
    List<float[]> out = new ArrayList<>(response.size());
    response.forEach(e -> out.add(e.vector()));
    return out;
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    return vertx.executeBlocking(() -> embedBlocking(texts), false);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String name() {
    return model;
  }
}
