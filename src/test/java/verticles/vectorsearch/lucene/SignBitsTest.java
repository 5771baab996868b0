package verticles.vectorsearch.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verticles.shared.Vectors;
import verticles.vectorsearch.MemoryRecord;

@DisplayName("The dense search ranks by sign bits first and by the exact cosine last")
class SignBitsTest {
  private static final int DIM = 64 * 4;

  @TempDir
  Path dir;

  @Test
  @DisplayName("a vector's bits are its positive dimensions, one bit each; a length not a multiple of 64 has none")
  void bits() {
    float[] v = new float[64];
    v[0] = 0.5f;
    v[9] = 0.1f;
    v[63] = 2f;
    v[10] = -1f;
    BytesRef b = SignBits.of(v);
    assertEquals(8, b.length);
    assertEquals(1, b.bytes[0]);
    assertEquals(2, b.bytes[1]);
    assertEquals((byte) 0x80, b.bytes[7]);
    assertNull(SignBits.of(new float[100]));
  }

  @Test
  @DisplayName("an owner with no more records than are rescored gets exactly the exact scan's best k, in order")
  void smallOwnerIsExact() throws Exception {
    Random r = new Random(3);
    List<float[]> vectors = write(r, 500);
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
      IndexSearcher s = new IndexSearcher(reader);
      for (int i = 0; i < 20; i++) {
        float[] q = random(r);
        ScoreDoc[] got = SignBits.search(s, LuceneDocuments.filterQuery("u", "c", List.of()), q, 30);
        float[] truth = exact(vectors, q);
        assertEquals(30, got.length);
        for (int k = 0; k < got.length; k++) {
          assertEquals(truth[k], got[k].score, 1e-6);
        }
      }
    }
  }

  @Test
  @DisplayName("among thousands of records, the records nearest the query are found, in the exact cosine's order")
  void largeOwnerFindsTheNearest() throws Exception {
    Random r = new Random(5);
    List<float[]> vectors = write(r, 4000);
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
      IndexSearcher s = new IndexSearcher(reader);
      for (int i = 0; i < 20; i++) {
        // a query close to a stored record: that record must come first, with its exact cosine
        float[] near = vectors.get(r.nextInt(vectors.size()));
        float[] q = Vectors.unit(add(near, random(r), 0.3f));
        ScoreDoc[] got = SignBits.search(s, LuceneDocuments.filterQuery("u", "c", List.of()), q, 10);
        float[] truth = exact(vectors, q);
        assertEquals(truth[0], got[0].score, 1e-6);
        assertEquals(Vectors.dot(q, Vectors.unit(near)), got[0].score, 1e-5);
        for (int k = 1; k < got.length; k++) {
          assertTrue(got[k - 1].score >= got[k].score);
        }
      }
    }
  }

  private List<float[]> write(Random r, int n) {
    List<float[]> vectors = new ArrayList<>();
    List<MemoryRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = random(r);
      vectors.add(v);
      records.add(new MemoryRecord("u:" + i, null, "u", "c", "message", "text " + i, 1_700_000_000L + i, 3, "s",
          List.of("m" + i), new JsonObject(), v));
    }
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, DIM, new JsonObject())) {
      index.upsert(records);
    }
    return vectors;
  }

  /** Every record's cosine with q, best first. */
  private static float[] exact(List<float[]> vectors, float[] q) {
    float[] out = new float[vectors.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = -Vectors.dot(q, Vectors.unit(vectors.get(i)));
    }
    Arrays.sort(out);
    for (int i = 0; i < out.length; i++) {
      out[i] = -out[i];
    }
    return out;
  }

  private static float[] random(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Vectors.unit(v);
  }

  private static float[] add(float[] a, float[] b, float weight) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + weight * b[i];
    }
    return out;
  }
}
