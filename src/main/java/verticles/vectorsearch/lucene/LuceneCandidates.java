package verticles.vectorsearch.lucene;

import static verticles.vectorsearch.lucene.LuceneDocuments.F_SPEAKER;
import static verticles.vectorsearch.lucene.LuceneDocuments.F_VECTOR_BIN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.similarities.BM25Similarity;
import verticles.shared.Vectors;
import verticles.vectorsearch.Candidates;
import verticles.vectorsearch.MemoryRecord;

/**
 * One search's candidates on one owner's segments: the dense path (cosine) and the keyword path (BM25, normalised
 * here, since only the engine has the statistics), keyword feedback, speakers and records, for the scorer.
 *
 * <p>Dense: Lucene's COSINE score is (1+cos)/2; it is mapped back to the cosine, an absolute scale that stays
 * comparable across queries (min-max would give a poor best match 1.0). Keyword ({@code keyword_norm}): "idf"
 * (default) divides BM25 by what an average-length document holding every query term once would score, an absolute
 * [0,1] scale; "max" divides by the best BM25 among this query's hits, which rates the best of weak matches 1.0:
 * with it, "When was I born?" ranked three memories that merely contain "I" above "My birthday is on March 15th".
 */
final class LuceneCandidates implements Candidates {
  /** Lucene's default BM25 k1, which the keyword normalisation mirrors. */
  static final double BM25_K1 = new BM25Similarity().getK1();

  private final OwnerSearcher s;
  private final Analyzer analyzer;
  private final Query filter;
  private final Map<String, Set<String>> terms;
  private final int candidates;
  private final List<Scored> dense;
  private final List<Scored> keyword;
  private StoredFields stored;

  /**
   * Runs both paths: dense when {@code vector} is given, keyword when {@code terms} has any.
   *
   * @param hnswField null to score every record of the owner (exact), else the field of Lucene's filtered HNSW search
   *     (the query model's)
   * @param maxNorm keyword_norm "max" rather than "idf"
   */
  LuceneCandidates(OwnerSearcher s, Analyzer analyzer, Query filter, float[] vector, Map<String, Set<String>> terms,
      int candidates, String hnswField, boolean maxNorm) {
    this.s = s;
    this.analyzer = analyzer;
    this.filter = filter;
    this.terms = terms;
    this.candidates = candidates;
    try {
      dense = vector == null ? null : scored(hnswField == null ? SignBits.search(s, filter, Vectors.unit(vector), candidates)
          : cosineScores(s.search(new KnnFloatVectorQuery(hnswField, vector, candidates, filter), candidates)
              .scoreDocs));
      keyword = terms.isEmpty() ? null : keywordPath(maxNorm);
    } catch (IOException e) {
      throw new UncheckedIOException("Lucene search failed", e);
    }
  }

  @Override
  public List<Scored> dense() {
    return dense;
  }

  @Override
  public List<Scored> keyword() {
    return keyword;
  }

  private List<Scored> keywordPath(boolean maxNorm) throws IOException {
    BooleanQuery q = new BooleanQuery.Builder()
        .add(LuceneText.keywordQuery(terms), Occur.MUST)
        .add(filter, Occur.FILTER)
        .build();
    ScoreDoc[] kw = s.search(q, candidates).scoreDocs;
    double norm = maxNorm ? (kw.length == 0 ? 0 : kw[0].score) : idfReference(s, terms);
    List<Scored> out = new ArrayList<>(kw.length);
    for (ScoreDoc d : kw) {
      out.add(new Scored(d.doc, norm > 0 ? Math.min(1.0, d.score / norm) : 0));
    }
    return out;
  }

  /** Speakers from doc values, one forward-only iterator per segment, hence keys in ascending order. */
  @Override
  public Map<Integer, String> speakers(Collection<Integer> keys) {
    Map<Integer, String> speakers = new HashMap<>();
    List<Integer> docs = new ArrayList<>(keys);
    docs.sort(null);
    try {
      SortedDocValues values = null;
      LeafReaderContext current = null;
      for (int doc : docs) {
        LeafReaderContext leaf = LuceneDocuments.leafOf(s, doc);
        if (leaf != current) {
          current = leaf;
          values = leaf.reader().getSortedDocValues(F_SPEAKER);
        }
        if (values != null && values.advanceExact(doc - leaf.docBase)) {
          speakers.put(doc, values.lookupOrd(values.ordValue()).utf8ToString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Lucene speaker lookup failed", e);
    }
    return speakers;
  }

  /**
   * Pseudo-relevance feedback: the rarest words of the seeds that the query does not hold, searched as a second
   * keyword pass, so a search also finds what those records talk about (a multi-hop question's other half).
   */
  @Override
  public Map<Integer, Double> feedback(List<Integer> seeds, int feedbackTerms) {
    try {
      Map<String, Set<String>> expansion = expansion(seeds, feedbackTerms);
      if (expansion.isEmpty()) {
        return Map.of();
      }
      BooleanQuery q = new BooleanQuery.Builder().add(LuceneText.keywordQuery(expansion), Occur.MUST)
          .add(filter, Occur.FILTER).build();
      double norm = idfReference(s, expansion);
      Map<Integer, Double> out = new HashMap<>();
      if (norm > 0) {
        for (ScoreDoc d : s.search(q, candidates).scoreDocs) {
          out.put(d.doc, Math.min(1.0, d.score / norm));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Lucene keyword feedback failed", e);
    }
  }

  private Map<String, Set<String>> expansion(List<Integer> seeds, int feedbackTerms) throws IOException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String field : terms.keySet()) {
      Map<String, Double> weight = new HashMap<>();
      CollectionStatistics cs = s.collectionStatistics(field);
      if (cs == null) {
        continue;
      }
      for (int doc : seeds) {
        MemoryRecord seed;
        try {
          seed = LuceneDocuments.recordOf(s, stored(), doc);
        } catch (RuntimeException e) {
          continue; // unreadable: the scorer skips and counts it when it ranks
        }
        for (String t : LuceneText.tokens(analyzer, field, seed.indexText())) {
          if (terms.get(field).contains(t)) {
            continue;
          }
          weight.merge(t, idf(s, cs, field, t), Double::sum);
        }
      }
      Set<String> top = new LinkedHashSet<>();
      weight.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .limit(feedbackTerms).forEach(e -> top.add(e.getKey()));
      if (!top.isEmpty()) {
        out.put(field, top);
      }
    }
    return out;
  }

  @Override
  public MemoryRecord record(int doc) {
    try {
      return LuceneDocuments.recordOf(s, stored(), doc).withVector(LuceneDocuments.vectorOf(s, doc));
    } catch (IOException e) {
      throw new UncheckedIOException("Lucene record read failed", e);
    }
  }

  private StoredFields stored() throws IOException {
    if (stored == null) {
      stored = s.storedFields();
    }
    return stored;
  }

  private static List<Scored> scored(ScoreDoc[] docs) {
    List<Scored> out = new ArrayList<>(docs.length);
    for (ScoreDoc d : docs) {
      out.add(new Scored(d.doc, d.score));
    }
    return out;
  }

  /** Lucene's COSINE kNN score is (1 + cos) / 2; back to the cosine. */
  private static ScoreDoc[] cosineScores(ScoreDoc[] docs) {
    for (ScoreDoc d : docs) {
      d.score = 2.0f * d.score - 1.0f;
    }
    return docs;
  }

  /**
   * The BM25 score of an average-length document holding every query term once: sum of idf / (1 + k1) over the
   * query's terms in both fields, with the index-wide statistics BM25 itself uses. Dividing by it (clamped to 1)
   * measures how much of the query's information a document matches, so matching only common words ("我", "I")
   * scores low even when nothing better exists, and a query term absent from the index lowers every score.
   */
  private static double idfReference(OwnerSearcher s, Map<String, Set<String>> terms) throws IOException {
    double sum = 0;
    for (Map.Entry<String, Set<String>> field : terms.entrySet()) {
      CollectionStatistics cs = s.collectionStatistics(field.getKey());
      if (cs == null) {
        continue; // no document has this field yet
      }
      for (String t : field.getValue()) {
        sum += idf(s, cs, field.getKey(), t);
      }
    }
    return sum / (1 + BM25_K1);
  }

  /** BM25Similarity's idf of a term, from the index-wide statistics. */
  private static double idf(OwnerSearcher s, CollectionStatistics cs, String field, String term) throws IOException {
    long df = s.stats().term(new Term(field, term)).map(TermStatistics::docFreq).orElse(0L);
    return Math.log(1 + (cs.docCount() - df + 0.5) / (df + 0.5));
  }
}
