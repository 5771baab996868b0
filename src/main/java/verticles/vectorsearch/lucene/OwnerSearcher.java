package verticles.vectorsearch.lucene;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TermStates;
import org.apache.lucene.index.Terms;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.util.BytesRef;

/**
 * A searcher over only the segments that hold one owner's documents, scoring with the whole index's statistics.
 *
 * <p>Why: a profile at 1 M memories (10,000 users) showed three quarters of a search's time in looking up every
 * query term in every segment (BM25 statistics, then per-segment term states), although one user's memories sit
 * in one or two of the ~14 segments. Here terms are looked up only in those segments, and the index-wide
 * statistics BM25 needs come from {@link Stats}, computed once per term per index generation. Scores are the
 * same as a search of the whole index.
 *
 * <p>Must be closed: it holds references to the segments it reads.
 */
final class OwnerSearcher extends IndexSearcher implements AutoCloseable {
  private final Stats stats;

  private OwnerSearcher(MultiReader owned, Stats stats) {
    super(owned);
    this.stats = stats;
    setQueryCache(null); // a reader per query: nothing to gain from caching filters on it
  }

  /** A searcher over the segments of {@code whole} holding {@code ownerTerm}; null when none does. */
  static OwnerSearcher of(IndexSearcher whole, Term ownerTerm, Stats stats) throws IOException {
    List<IndexReader> owned = new ArrayList<>();
    for (LeafReaderContext leaf : whole.getIndexReader().leaves()) {
      Terms terms = leaf.reader().terms(ownerTerm.field());
      if (terms != null && terms.iterator().seekExact(ownerTerm.bytes())) {
        owned.add(leaf.reader());
      }
    }
    if (owned.isEmpty()) {
      return null;
    }
    OwnerSearcher s = new OwnerSearcher(new MultiReader(owned.toArray(new IndexReader[0]), false), stats);
    s.setSimilarity(whole.getSimilarity());
    return s;
  }

  Stats stats() {
    return stats;
  }

  @Override
  public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq) throws IOException {
    return stats.term(term).orElse(null);
  }

  @Override
  public CollectionStatistics collectionStatistics(String field) throws IOException {
    return stats.collection(field).orElse(null);
  }

  @Override
  public void close() throws IOException {
    getIndexReader().close(); // releases the segment references taken above, not the segments themselves
  }

  /** Index-wide BM25 statistics of one reader generation, cached per term. */
  static final class Stats {
    private static final int MAX_TERMS = 200_000;
    private final IndexSearcher whole;
    private final ConcurrentHashMap<Term, Optional<TermStatistics>> terms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<CollectionStatistics>> fields = new ConcurrentHashMap<>();

    Stats(IndexSearcher whole) {
      this.whole = whole;
    }

    /** True when these statistics describe the reader {@code s} searches. */
    boolean describes(IndexSearcher s) {
      return whole.getIndexReader() == s.getIndexReader();
    }

    Optional<TermStatistics> term(Term term) throws IOException {
      Optional<TermStatistics> known = terms.get(term);
      if (known != null) {
        return known;
      }
      if (terms.size() > MAX_TERMS) {
        terms.clear(); // a crude bound; the vocabulary of queries is small next to it
      }
      TermStates states = TermStates.build(whole, term, true);
      Optional<TermStatistics> computed = states.docFreq() == 0 ? Optional.empty()
          : Optional.of(new TermStatistics(BytesRef.deepCopyOf(term.bytes()), states.docFreq(),
              states.totalTermFreq()));
      terms.put(term, computed);
      return computed;
    }

    Optional<CollectionStatistics> collection(String field) throws IOException {
      Optional<CollectionStatistics> known = fields.get(field);
      if (known == null) {
        known = Optional.ofNullable(whole.collectionStatistics(field));
        fields.put(field, known);
      }
      return known;
    }
  }
}
