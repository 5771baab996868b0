package verticles.vectorsearch.lucene;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import verticles.shared.Vectors;

/**
 * The exact dense search, made cheap for owners with many records: each vector's sign bits (one bit a dimension, 64
 * bytes for 512) are stored beside it, the owner's records are ranked first by the Hamming distance of their bits to
 * the query's, and only the {@link #RESCORED} nearest are then scored by their exact cosine. An owner with no more
 * records than that is scored exactly, as before. Why: at 10,000 records the exact scan read 20 MB of floats and made
 * 5 M multiply-adds a query (~4 ms on this machine's cores); bits are 32× smaller and a popcount compares 64 dims.
 * Records written before the bits existed (no bits field) are always scored exactly.
 */
final class SignBits {
  /** How many of the nearest by bits get their exact cosine (at least 8 × k). */
  static final int RESCORED = 1000;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private SignBits() {}

  /** The sign bits of {@code v}, little-endian longs; null when its length is not a multiple of 64. */
  static BytesRef of(float[] v) {
    if (v.length == 0 || v.length % 64 != 0) {
      return null;
    }
    byte[] out = new byte[v.length / 8];
    for (int i = 0; i < v.length; i++) {
      if (v[i] > 0) {
        out[i >> 3] |= (byte) (1 << (i & 7));
      }
    }
    return new BytesRef(out);
  }

  private static long[] longs(BytesRef b) {
    long[] out = new long[b.length / 8];
    for (int i = 0; i < out.length; i++) {
      out[i] = (long) LONGS.get(b.bytes, b.offset + 8 * i);
    }
    return out;
  }

  /**
   * The best {@code k} by cosine among the live records {@code filter} admits, best first, as the exact scan finds
   * them, except that of the records with bits only the {@link #RESCORED} (or 8 × k) nearest by bits are compared.
   */
  static ScoreDoc[] search(IndexSearcher s, Query filter, float[] q, int k) throws IOException {
    BytesRef qb = of(q);
    long[] qBits = qb == null ? null : longs(qb);
    int rescored = Math.max(RESCORED, 8 * k);
    // every record's distance first (no heap: distances are small integers, so a histogram finds the cut-off)
    int[] docs = new int[64];
    int[] dist = new int[64];
    int n = 0;
    int[] histogram = new int[q.length + 1];
    List<Integer> exact = new ArrayList<>();
    Weight weight = s.createWeight(s.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
      Scorer scorer = weight.scorer(leaf);
      if (scorer == null) {
        continue;
      }
      BinaryDocValues bits = qBits == null ? null : leaf.reader().getBinaryDocValues(LuceneDocuments.F_VECTOR_BITS);
      Bits live = leaf.reader().getLiveDocs();
      DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (bits == null || !bits.advanceExact(doc)) {
          exact.add(leaf.docBase + doc); // no bits (an older record): scored exactly
          continue;
        }
        if (bits.binaryValue().length != qBits.length * 8) {
          continue; // another model's vector (the other language): its cosine with this query means nothing
        }
        BytesRef b = bits.binaryValue();
        int d = 0;
        for (int i = 0; i < qBits.length; i++) {
          d += Long.bitCount(qBits[i] ^ (long) LONGS.get(b.bytes, b.offset + 8 * i));
        }
        if (n == docs.length) {
          docs = Arrays.copyOf(docs, 2 * n);
          dist = Arrays.copyOf(dist, 2 * n);
        }
        docs[n] = leaf.docBase + doc;
        dist[n++] = d;
        histogram[d]++;
      }
    }
    int cut = histogram.length - 1; // the smallest distance within which at least `rescored` records lie
    for (int d = 0, seen = 0; d < histogram.length; d++) {
      seen += histogram[d];
      if (seen >= rescored) {
        cut = d;
        break;
      }
    }
    int[] chosen = new int[Math.min(n, rescored + histogram[cut]) + exact.size()];
    int m = 0;
    for (int i = 0; i < n && m < chosen.length - exact.size(); i++) {
      if (dist[i] <= cut) {
        chosen[m++] = docs[i];
      }
    }
    for (int doc : exact) {
      chosen[m++] = doc;
    }
    chosen = Arrays.copyOf(chosen, m);
    Arrays.sort(chosen); // doc values iterate forward only
    return cosines(s, chosen, q, k);
  }

  /** The best {@code k} of {@code docs} (ascending global doc ids) by the cosine of their stored unit vectors. */
  private static ScoreDoc[] cosines(IndexSearcher s, int[] docs, float[] q, int k) throws IOException {
    PriorityQueue<ScoreDoc> best = new PriorityQueue<>(Comparator.comparingDouble(d -> d.score));
    float[] v = new float[q.length];
    LeafReaderContext leaf = null;
    BinaryDocValues vectors = null;
    for (int doc : docs) {
      if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
        leaf = LuceneDocuments.leafOf(s, doc);
        vectors = leaf.reader().getBinaryDocValues(LuceneDocuments.F_VECTOR_BIN);
      }
      if (vectors == null || !vectors.advanceExact(doc - leaf.docBase)) {
        continue;
      }
      BytesRef b = vectors.binaryValue();
      if (b.length != 4 * q.length) {
        continue; // another model's vector: its cosine with this query means nothing
      }
      // one bulk copy, then a plain loop: per-element buffer reads were the scan's main cost in a profile
      LuceneDocuments.floats(b).get(v, 0, v.length);
      float dot = Vectors.dot(q, v);
      if (best.size() < k) {
        best.add(new ScoreDoc(doc, dot));
      } else if (dot > best.peek().score) {
        best.poll();
        best.add(new ScoreDoc(doc, dot));
      }
    }
    ScoreDoc[] out = best.toArray(new ScoreDoc[0]);
    Arrays.sort(out, Comparator.comparingDouble((ScoreDoc d) -> d.score).reversed());
    return out;
  }
}
