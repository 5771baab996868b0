package verticles.vectorsearch.embedding;

import io.vertx.core.Future;
import java.util.List;

/** Text embedding: the local ONNX model by default, an OpenAI-compatible endpoint by config. */
public interface Embedder {
  /** Vectors, one per text, in order. Never called on an event loop with blocking work inside. */
  Future<List<float[]>> embed(List<String> texts);

  /**
   * One query's vector: a text a user waits on, so an engine with a queue serves it ahead of documents. By default
   * the same as {@link #embed}.
   */
  default Future<float[]> embedQuery(String text) {
    return embed(List.of(text)).map(v -> v.get(0));
  }

  int dimension();

  String name();
}
