package verticles.vectorsearch.lucene;

import static verticles.vectorsearch.lucene.LuceneDocuments.F_ID;
import static verticles.vectorsearch.lucene.LuceneDocuments.F_TASK;
import static verticles.vectorsearch.lucene.LuceneDocuments.F_TYPE;
import static verticles.vectorsearch.lucene.LuceneDocuments.F_UC;
import static verticles.vectorsearch.lucene.LuceneDocuments.requireId;
import static verticles.vectorsearch.lucene.LuceneDocuments.uc;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.SkippedRecords;
import verticles.vectorsearch.HybridScorer;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;

/**
 * {@link MemoryIndex} on a local Lucene 9 index: vectors (an exact per-owner scan by default, or HNSW) plus BM25 over
 * the content analysed twice (SmartChineseAnalyzer and EnglishAnalyzer, {@link LuceneText}), always filtered to one
 * user + character. A search collects both paths' candidates ({@link LuceneCandidates}) and {@link HybridScorer}
 * ranks them, as it does every engine's.
 *
 * <p>Writes are serialised and each one ends with a commit (durable across restarts) and a blocking refresh (the
 * next search sees it). A commit per batch flushes a small segment each time; fine at companion-chat write rates,
 * but batch upstream if writes get frequent. Searches are lock-free through a {@link SearcherManager}.
 */
public final class LuceneMemoryIndex implements MemoryIndex {
  private static final Logger log = LoggerFactory.getLogger(LuceneMemoryIndex.class);

  private final Path dir;
  /** The dimensions vectors may have, one per embedding model, the primary first. */
  private final List<Integer> dimensions;
  private final HybridScorer scorer;
  private final boolean maxKeywordNorm;
  private final boolean exactDense;
  private final Analyzer analyzer;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private volatile OwnerSearcher.Stats stats;
  /** Serialises write + commit + refresh, so a count-then-delete is exact and no searcher sees half a write. */
  private final Object writeLock = new Object();

  /**
   * Group commit: a write returns only once a commit that started after it has finished (durable and visible),
   * but concurrent writers share one commit instead of paying one each — a commit costs tens of milliseconds.
   */
  private final Object commitLock = new Object();
  private long writeSeq; // guarded by writeLock
  private long committedSeq; // guarded by commitLock
  private volatile boolean closed;

  /** @param config the {@code index} section: the engine's settings and the {@link HybridScorer}'s */
  public LuceneMemoryIndex(Path dir, int dimension, JsonObject config) {
    this(dir, List.of(dimension), config, SkippedRecords.unscraped());
  }

  public LuceneMemoryIndex(Path dir, int dimension, JsonObject config, SkippedRecords skipped) {
    this(dir, List.of(dimension), config, skipped);
  }

  /**
   * @param dimensions the vectors' dimensions, one per embedding model (two for {@code embedding.model: "auto"}),
   *     the primary first; a query vector is compared only with records of its own dimension, that is its model's
   * @param skipped where searches count the records they skip because they cannot be read as a memory
   */
  public LuceneMemoryIndex(Path dir, List<Integer> dimensions, JsonObject config, SkippedRecords skipped) {
    if (dimensions.isEmpty() || dimensions.stream().anyMatch(d -> d <= 0)
        || dimensions.stream().distinct().count() != dimensions.size()) {
      throw new IllegalArgumentException("dimensions must be positive and distinct: " + dimensions);
    }
    JsonObject cfg = config == null ? new JsonObject() : config;
    this.scorer = new HybridScorer(cfg, skipped);
    String keywordNorm = cfg.getString("keyword_norm", "idf");
    if (!keywordNorm.equals("idf") && !keywordNorm.equals("max")) {
      throw new IllegalArgumentException("keyword_norm must be idf or max: " + keywordNorm);
    }
    this.dir = dir;
    this.dimensions = List.copyOf(dimensions);
    this.maxKeywordNorm = keywordNorm.equals("max");
    // "exact" (default): score every record of the owner, no graph to build; "hnsw": Lucene's filtered kNN.
    exactDense = !"hnsw".equals(cfg.getString("dense", "exact"));
    this.analyzer = LuceneText.analyzer();
    try {
      this.directory = FSDirectory.open(dir);
      IndexWriterConfig iwc = new IndexWriterConfig(analyzer)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
          // M 8 / beam 50, not the seed's VikingDB M 16 / efConstruction 256: graph building competes with the embedding model
          // for the same cores, and per-user filtered searches are mostly exact anyway (see docs/benchmarks.md)
          .setCodec(hnswCodec(cfg.getInteger("hnsw_m", 8), cfg.getInteger("hnsw_beam_width", 50)))
          // fewer, larger merges only when HNSW graphs are built (every merge rebuilds them); otherwise Lucene's
          // default keeps fewer segments, and every query pays a fixed cost per segment
          .setMergePolicy(exactDense ? new TieredMergePolicy() : mergePolicy());
      this.writer = new IndexWriter(directory, iwc);
      this.searchers = new SearcherManager(writer, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open Lucene index at " + dir, e);
    }
    log.info("Lucene memory index at {}: {} docs, dim {}, keyword_norm {}, {}",
        dir, writer.getDocStats().numDocs, dimensions, keywordNorm, scorer);
  }

  /** The default codec with our HNSW parameters; segments record the format by name, so reading needs nothing. */
  private static Codec hnswCodec(int m, int beamWidth) {
    KnnVectorsFormat hnsw = new Lucene99HnswVectorsFormat(m, beamWidth);
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return hnsw;
      }
    };
  }

  private static TieredMergePolicy mergePolicy() {
    TieredMergePolicy p = new TieredMergePolicy();
    p.setSegmentsPerTier(20);
    p.setFloorSegmentMB(8);
    return p;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void replaceTask(String taskId, List<MemoryRecord> records) {
    MemoryIndex.requireText(taskId, "taskId");
    write("replaceTask " + taskId, MemoryIndex.dedupeById(records), new TermQuery(new Term(F_TASK, taskId)));
  }

  @Override
  public void upsert(List<MemoryRecord> records) {
    List<MemoryRecord> unique = MemoryIndex.dedupeById(records);
    if (!unique.isEmpty()) {
      write("upsert", unique, null);
    }
  }

  /**
   * One writer operation, then one commit and one refresh: delete {@code alsoDelete} OR any id of {@code records},
   * and add the records. IndexWriter.updateDocuments(Query, docs) is atomic and applies the delete only to documents
   * indexed before it, so the new records survive it.
   */
  private void write(String what, List<MemoryRecord> records, org.apache.lucene.search.Query alsoDelete) {
    List<Document> docs = new ArrayList<>(records.size());
    for (MemoryRecord r : records) {
      docs.add(LuceneDocuments.toDocument(r, dimensions, exactDense));
    }
    BooleanQuery.Builder del = new BooleanQuery.Builder();
    if (alsoDelete != null) {
      del.add(alsoDelete, Occur.SHOULD);
    }
    if (!records.isEmpty()) {
      // One multi-term clause however many ids: a BooleanQuery of ids would hit the 1024-clause limit.
      del.add(new TermInSetQuery(F_ID, records.stream().map(r -> new BytesRef(r.id())).toList()), Occur.SHOULD);
    }
    long seq;
    synchronized (writeLock) {
      ensureOpen();
      try {
        if (docs.isEmpty()) {
          writer.deleteDocuments(del.build()); // a replay that now produces nothing removes what it wrote before
        } else {
          writer.updateDocuments(del.build(), docs);
        }
        seq = ++writeSeq;
      } catch (IOException e) {
        throw new UncheckedIOException("Lucene " + what + " failed at " + dir, e);
      }
    }
    commitUpTo(seq);
    log.debug("Lucene {}: {} records", what, records.size());
  }

  private void commitUpTo(long seq) {
    synchronized (commitLock) {
      if (committedSeq >= seq) {
        return; // a commit that began after our write already covered it
      }
      long target;
      synchronized (writeLock) {
        ensureOpen();
        target = writeSeq;
      }
      try {
        writer.commit();
        searchers.maybeRefreshBlocking();
      } catch (IOException e) {
        throw new UncheckedIOException("Lucene commit failed at " + dir, e);
      }
      committedSeq = target;
    }
  }

  @Override
  public long delete(String userId, String characterId) {
    org.apache.lucene.search.Query q = LuceneDocuments.ownerQuery(userId, characterId);
    synchronized (writeLock) {
      ensureOpen();
      try {
        long n = withSearcher(s -> (long) s.count(q));
        if (n > 0) {
          writer.deleteDocuments(q);
          ++writeSeq;
          writer.commit();
          searchers.maybeRefreshBlocking();
        }
        log.info("Lucene delete user {} character {}: {} records", userId, characterId, n);
        return n;
      } catch (IOException e) {
        throw new UncheckedIOException("Lucene delete failed at " + dir, e);
      }
    }
  }

  @Override
  public void deleteIds(List<String> ids) {
    if (ids != null && !ids.isEmpty()) {
      write("deleteIds", List.of(), new TermInSetQuery(F_ID, ids.stream().map(BytesRef::new).toList()));
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public long count(String userId, String characterId) {
    org.apache.lucene.search.Query q = LuceneDocuments.ownerQuery(userId, characterId);
    return withSearcher(s -> (long) s.count(q));
  }

  /** A user's records are few (see search): read them all, order them, cut the page. */
  @Override
  public List<MemoryRecord> list(String userId, String characterId, int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    org.apache.lucene.search.Query q = LuceneDocuments.ownerQuery(userId, characterId);
    List<MemoryRecord> all = withSearcher(s -> {
      int n = s.count(q);
      List<MemoryRecord> out = new ArrayList<>(n);
      if (n > 0) {
        StoredFields stored = s.storedFields();
        for (ScoreDoc d : s.search(q, n).scoreDocs) {
          out.add(LuceneDocuments.recordOf(s, stored, d.doc));
        }
      }
      return out;
    });
    all.sort(LIST_ORDER);
    int from = Math.min(offset, all.size());
    return new ArrayList<>(all.subList(from, (int) Math.min(all.size(), (long) from + limit)));
  }

  @Override
  public Map<String, Long> countByType(String userId, String characterId) {
    return withSearcher(s -> {
      Map<String, Long> out = new TreeMap<>();
      Terms types = MultiTerms.getTerms(s.getIndexReader(), F_TYPE);
      if (types == null) {
        return out;
      }
      TermsEnum it = types.iterator();
      for (BytesRef t = it.next(); t != null; t = it.next()) {
        BooleanQuery.Builder q = new BooleanQuery.Builder()
            .add(new TermQuery(new Term(F_TYPE, BytesRef.deepCopyOf(t))), Occur.FILTER);
        if (userId != null) {
          q.add(LuceneDocuments.ownerQuery(userId, characterId), Occur.FILTER);
        }
        long n = s.count(q.build());
        if (n > 0) { // a type whose records were all deleted keeps its term until a merge
          out.put(t.utf8ToString(), n);
        }
      }
      return out;
    });
  }

  /** Both paths over the owner's segments only ({@link OwnerSearcher}), ranked by the {@link HybridScorer}. */
  @Override
  public void warmUp(float[] vector) {
    search(new Query("~warm-up", "~warm-up", null, vector, "你还记得我上次说的那只小猫吗 do you remember my cat", 5));
  }

  @Override
  public List<Hit> search(Query query) {
    requireId(query.userId(), "userId");
    requireId(query.characterId(), "characterId");
    if (query.topK() <= 0) {
      return List.of();
    }
    if (query.vector() != null) {
      LuceneDocuments.checkDimension(query.vector(), dimensions, "query vector");
    }
    org.apache.lucene.search.Query filter =
        LuceneDocuments.filterQuery(query.userId(), query.characterId(), query.memoryTypes());
    Map<String, Set<String>> terms = LuceneText.queryTerms(analyzer, query.text());
    if (query.vector() == null && terms.isEmpty()) {
      return List.of();
    }
    return withSearcher(whole -> {
      try (OwnerSearcher s = OwnerSearcher.of(whole, new Term(F_UC, uc(query.userId(), query.characterId())),
          statsFor(whole))) {
        if (s == null) {
          return List.<Hit>of();
        }
        // Either way the cost follows this owner's records, not the whole index.
        LuceneCandidates found = new LuceneCandidates(s, analyzer, filter, query.vector(), terms,
            HybridScorer.candidates(query.topK()), exactDense ? null : hnswField(query.vector()), maxKeywordNorm);
        return scorer.rank(found, query.text(), query.topK());
      }
    });
  }

  /** The HNSW field of the query's model (null without a query vector). */
  private String hnswField(float[] vector) {
    return vector == null ? null : LuceneDocuments.knnField(vector.length, dimensions.get(0));
  }

  /** BM25 statistics of the searcher's generation, shared by the searches that run on it. */
  private OwnerSearcher.Stats statsFor(IndexSearcher whole) {
    OwnerSearcher.Stats current = stats;
    if (current == null || !current.describes(whole)) {
      current = new OwnerSearcher.Stats(whole);
      stats = current;
    }
    return current;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        writer.commit();
        searchers.close();
        writer.close();
        directory.close();
        log.info("Lucene memory index at {} closed", dir);
      } catch (IOException e) {
        throw new UncheckedIOException("closing Lucene index at " + dir + " failed", e);
      }
    }
  }

  private interface SearcherFn<T> {
    T apply(IndexSearcher s) throws IOException;
  }

  private <T> T withSearcher(SearcherFn<T> fn) {
    ensureOpen();
    try {
      IndexSearcher s = searchers.acquire();
      try {
        return fn.apply(s);
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Lucene search failed at " + dir, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Lucene memory index at " + dir + " is closed");
    }
  }
}
