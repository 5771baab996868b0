package verticles.vectorsearch.embedding;

import io.vertx.core.Future;
import java.util.List;

/** Text embedding: the local ONNX model by default, an OpenAI-compatible endpoint by config. */
public interface Embedder {
  /** Vectors, one per text, in order. Never called on an event loop with blocking work inside. */
  Future<List<float[]>> embed(List<String> texts);

  int dimension();

  String name();
}
