package verticles.vectorsearch.embedding;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import verticles.shared.Languages;

/**
 * {@code embedding.model: "auto"}: each text is embedded by the model of its own language, a Chinese model for a text
 * with a Han character and an English model otherwise ({@link Languages#chinese}). A recall's query therefore costs
 * one embedding, and a record one. The two models' vectors differ in dimension (512 and 384), which is how the index
 * keeps them apart: a query is compared only with records of its own model, the others are found by keyword.
 */
public final class BilingualEmbedder implements Embedder {
  public static final String NAME = "auto";

  private final Embedder chinese;
  private final Embedder english;

  public BilingualEmbedder(Embedder chinese, Embedder english) {
    if (chinese.dimension() == english.dimension()) {
      // the index tells the models apart by dimension
      throw new IllegalArgumentException("the two models of \"auto\" must differ in dimension: " + chinese.name()
          + " and " + english.name() + " both have " + chinese.dimension());
    }
    this.chinese = chinese;
    this.english = english;
  }

  private Embedder of(String text) {
    return Languages.chinese(text) ? chinese : english;
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    List<Integer> zh = new ArrayList<>();
    List<Integer> en = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      (of(texts.get(i)) == chinese ? zh : en).add(i);
    }
    Future<List<float[]>> zhVectors = chinese.embed(zh.stream().map(texts::get).toList());
    Future<List<float[]>> enVectors = english.embed(en.stream().map(texts::get).toList());
    return Future.all(zhVectors, enVectors).map(x -> {
      float[][] out = new float[texts.size()][];
      for (int k = 0; k < zh.size(); k++) {
        out[zh.get(k)] = zhVectors.result().get(k);
      }
      for (int k = 0; k < en.size(); k++) {
        out[en.get(k)] = enVectors.result().get(k);
      }
      return new ArrayList<>(Arrays.asList(out));
    });
  }

  @Override
  public Future<float[]> embedQuery(String text) {
    return of(text).embedQuery(text);
  }

  /** The Chinese model's: what an engine that holds one vector per record is built for. */
  @Override
  public int dimension() {
    return chinese.dimension();
  }

  @Override
  public List<Integer> dimensions() {
    return List.of(chinese.dimension(), english.dimension());
  }

  @Override
  public String modelFor(String text) {
    return of(text).name();
  }

  @Override
  public Embedder otherModel(String text) {
    return of(text) == chinese ? english : chinese;
  }

  @Override
  public String name() {
    return NAME;
  }

  public Embedder chinese() {
    return chinese;
  }

  public Embedder english() {
    return english;
  }
}
