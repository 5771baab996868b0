package verticles.vectorsearch.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.TestStack;

/** The real model under a burst of documents: a chat's query does not wait its turn behind them. */
@ExtendWith(VertxExtension.class)
class OnnxEmbedderPriorityTest {

  @Test
  @DisplayName("A query embedded while a burst of documents waits for the model is answered before most of them")
  void queryAheadOfDocuments(VertxTestContext ctx) {
    Embedder embedder = TestStack.engram().embedder();
    int batches = 24;
    AtomicInteger documentsDone = new AtomicInteger();
    List<Future<List<float[]>>> documents = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        texts.add("今天和同事去公园散步，聊了很多关于工作和生活的事情，第 " + b + " 批第 " + i + " 条");
      }
      documents.add(embedder.embed(texts).onSuccess(v -> documentsDone.incrementAndGet()));
    }
    int[] doneWhenQueryAnswered = new int[1];
    Future<float[]> query = embedder.embedQuery("你还记得我上次说的那只小猫吗")
        .onSuccess(v -> doneWhenQueryAnswered[0] = documentsDone.get());
    Future.all(new ArrayList<Future<?>>(documents)).compose(x -> query).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(embedder.dimension(), v.length);
      // FIFO would answer it after all 24 batches; ahead of them, it waits for at most the runs already started
      assertTrue(doneWhenQueryAnswered[0] < batches / 2,
          "the query was answered only after " + doneWhenQueryAnswered[0] + " of " + batches + " document batches");
      ctx.completeNow();
    })));
  }
}
