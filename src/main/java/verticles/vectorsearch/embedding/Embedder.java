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

  /**
   * Every dimension this embedder's vectors may have, the primary one ({@link #dimension}) first: one per model, so
   * an index can tell apart vectors of different models ({@link BilingualEmbedder}).
   */
  default List<Integer> dimensions() {
    return List.of(dimension());
  }

  /** The model that embeds {@code text}: {@link #name} unless the model depends on the text. */
  default String modelFor(String text) {
    return name();
  }

  /**
   * The model that did not embed {@code text} but could, for a search that finds none of its owner's records of
   * {@code text}'s model; null when there is one model.
   */
  default Embedder otherModel(String text) {
    return null;
  }

  String name();
}
