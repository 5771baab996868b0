package verticles.vectorsearch.lucene;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Vectors;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;

/**
 * {@link MemoryIndex} on a local Lucene 9 index: HNSW vectors (cosine) plus BM25 over the content analysed twice
 * (SmartChineseAnalyzer and EnglishAnalyzer), always filtered to one user + character.
 *
 * <p>Writes are serialised and each one ends with a commit (durable across restarts) and a blocking refresh (the
 * next search sees it). A commit per batch flushes a small segment each time; fine at companion-chat write rates,
 * but batch upstream if writes get frequent. Searches are lock-free through a {@link SearcherManager}.
 *
 * <p>Scores. Dense: Lucene's COSINE score is (1+cos)/2; we map it back to cos and clamp to [0,1], an absolute scale
 * that stays comparable across queries (min-max would give a poor best match 1.0).
 * Keyword ({@code keyword_norm}): "idf" (default) divides BM25 by what an average-length document holding every
 * query term once would score, an absolute [0,1] scale; "max" divides by the best BM25 among this query's hits, which
 * rates the best of weak matches 1.0: with it, "When was I born?" ranked three memories that merely contain "I" above
 * "My birthday is on March 15th".
 * Fusion "weighted" (default): dense_weight * dense + keyword_weight * keyword, the two weights normalised to sum 1
 * over the paths that ran (the temporal weight is applied later by the merger). Fusion "rrf": sum of 1/(60+rank)
 * over the paths, times 61/paths so a document ranked first everywhere scores 1.
 */
public final class LuceneMemoryIndex implements MemoryIndex {
  private static final Logger log = LoggerFactory.getLogger(LuceneMemoryIndex.class);

  static final String F_ID = "id";
  static final String F_TASK = "task_id";
  static final String F_USER = "user_id";
  static final String F_CHARACTER = "character_id";
  static final String F_UC = "uc";
  static final String F_TYPE = "memory_type";
  static final String F_CONTENT = "content";
  static final String F_CONTENT_ZH = "content_zh";
  static final String F_CONTENT_EN = "content_en";
  static final String F_TIMESTAMP = "timestamp";
  static final String F_IMPORTANCE = "importance";
  static final String F_SESSION = "session_id";
  static final String F_SOURCES = "source_msg_ids";
  static final String F_METADATA = "metadata";
  static final String F_VECTOR = "vector";
  /** Unit vector as little-endian floats, for the exact per-owner scan ({@code dense: "exact"}). */
  static final String F_VECTOR_BIN = "vector_bin";
  /**
   * The record as JSON in a doc-values field: fetching a hit from it skips the block decompression of stored fields,
   * which was a fifth of a saturated recall's CPU. Stored fields stay for indexes written before it.
   */
  static final String F_RECORD = "record_json";

  /** The lower-cased speaker of a message, for the speaker bonus. */
  static final String F_SPEAKER = "speaker";
  private static final int MAX_SPEAKER_CHARS = 200;

  static final int RRF_K = 60;
  /** Lucene's default BM25 k1, which the keyword normalisation mirrors. */
  static final double BM25_K1 = new BM25Similarity().getK1();
  /** Caps the keyword query so a long text stays far below Lucene's 1024-clause limit. */
  static final int MAX_QUERY_TERMS = 256;

  private final Path dir;
  private final int dimension;
  private final double denseWeight;
  private final double keywordWeight;
  private final boolean rrf;
  private final boolean maxKeywordNorm;
  private final int feedbackTerms;
  private final double speakerBonus;
  private static final int FEEDBACK_DOCS = 3;
  private static final double FEEDBACK_WEIGHT = 0.3;
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

  public LuceneMemoryIndex(Path dir, int dimension, JsonObject config) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    JsonObject cfg = config == null ? new JsonObject() : config;
    double dense = cfg.getDouble("dense_weight", 0.5);
    double keyword = cfg.getDouble("keyword_weight", 0.3);
    if (dense < 0 || keyword < 0 || dense + keyword <= 0) {
      throw new IllegalArgumentException("dense_weight and keyword_weight must be >= 0 and not both 0");
    }
    String fusion = cfg.getString("fusion", "weighted");
    if (!fusion.equals("weighted") && !fusion.equals("rrf")) {
      throw new IllegalArgumentException("fusion must be weighted or rrf: " + fusion);
    }
    String keywordNorm = cfg.getString("keyword_norm", "idf");
    if (!keywordNorm.equals("idf") && !keywordNorm.equals("max")) {
      throw new IllegalArgumentException("keyword_norm must be idf or max: " + keywordNorm);
    }
    this.dir = dir;
    this.dimension = dimension;
    this.denseWeight = dense / (dense + keyword);
    this.keywordWeight = keyword / (dense + keyword);
    this.rrf = fusion.equals("rrf");
    this.maxKeywordNorm = keywordNorm.equals("max");
    this.feedbackTerms = cfg.getInteger("feedback_terms", 0);
    this.speakerBonus = cfg.getDouble("speaker_bonus", 0.1);
    if (speakerBonus < 0 || speakerBonus > 1) {
      throw new IllegalArgumentException("speaker_bonus must be within [0, 1]: " + speakerBonus);
    }
    // "exact" (default): score every record of the owner, no graph to build; "hnsw": Lucene's filtered kNN.
    exactDense = !"hnsw".equals(cfg.getString("dense", "exact"));
    this.analyzer = new PerFieldAnalyzerWrapper(new KeywordAnalyzer(),
        Map.of(F_CONTENT_ZH, new SmartChineseAnalyzer(zhStopWords()), F_CONTENT_EN, new EnglishAnalyzer()));
    try {
      this.directory = FSDirectory.open(dir);
      // Seed 000: HNSW with M 16, efConstruction 256.
      IndexWriterConfig iwc = new IndexWriterConfig(analyzer)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
          // M 8 / beam 50, not the seed's VikingDB M 16 / efConstruction 256: graph building competes with the embedding model
          // for the same cores, and per-user filtered searches are mostly exact anyway (see docs/benchmarks.md)
          .setCodec(hnswCodec(cfg.getInteger("hnsw_m", 8), cfg.getInteger("hnsw_beam_width", 50)))
          // fewer, larger merges only when HNSW graphs are built (every merge rebuilds them); otherwise Lucene's
          // default keeps fewer segments, and every query pays a fixed cost per segment
          .setMergePolicy(exactDense ? new org.apache.lucene.index.TieredMergePolicy() : mergePolicy());
      this.writer = new IndexWriter(directory, iwc);
      this.searchers = new SearcherManager(writer, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open Lucene index at " + dir, e);
    }
    log.info("Lucene memory index at {}: {} docs, dim {}, fusion {}, keyword_norm {}, weights dense {} keyword {}",
        dir, writer.getDocStats().numDocs, dimension, fusion, keywordNorm, denseWeight, keywordWeight);
  }

  /**
   * SmartCN's punctuation stop set plus English stop words, since it tokenises English words too. SmartCN stems
   * before it filters stop words, so the stemmed forms go in as well ("was" reaches the filter as "wa").
   */
  private static CharArraySet zhStopWords() {
    CharArraySet stop = new CharArraySet(SmartChineseAnalyzer.getDefaultStopSet(), false);
    try (Analyzer stemmer = new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer source = new WhitespaceTokenizer();
        return new TokenStreamComponents(source, new PorterStemFilter(source));
      }
    }) {
      for (Object word : EnglishAnalyzer.ENGLISH_STOP_WORDS_SET) {
        String w = new String((char[]) word);
        stop.add(w);
        stop.addAll(tokens(stemmer, "", w));
      }
    }
    return CharArraySet.unmodifiableSet(stop);
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
      docs.add(toDocument(r));
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

  private static org.apache.lucene.index.TieredMergePolicy mergePolicy() {
    org.apache.lucene.index.TieredMergePolicy p = new org.apache.lucene.index.TieredMergePolicy();
    p.setSegmentsPerTier(20);
    p.setFloorSegmentMB(8);
    return p;
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
    org.apache.lucene.search.Query q = ownerQuery(userId, characterId);
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
  public long count(String userId, String characterId) {
    org.apache.lucene.search.Query q = ownerQuery(userId, characterId);
    return withSearcher(s -> (long) s.count(q));
  }

  @Override
  public void deleteIds(List<String> ids) {
    if (ids != null && !ids.isEmpty()) {
      write("deleteIds", List.of(), new TermInSetQuery(F_ID, ids.stream().map(BytesRef::new).toList()));
    }
  }

  /** A user's records are few (see search): read them all, order them, cut the page. */
  @Override
  public List<MemoryRecord> list(String userId, String characterId, int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
    org.apache.lucene.search.Query q = ownerQuery(userId, characterId);
    List<MemoryRecord> all = withSearcher(s -> {
      int n = s.count(q);
      List<MemoryRecord> out = new ArrayList<>(n);
      if (n > 0) {
        StoredFields stored = s.storedFields();
        for (ScoreDoc d : s.search(q, n).scoreDocs) {
          out.add(recordOf(s, stored, d.doc));
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
      Map<String, Long> out = new java.util.TreeMap<>();
      org.apache.lucene.index.Terms types = org.apache.lucene.index.MultiTerms.getTerms(s.getIndexReader(), F_TYPE);
      if (types == null) {
        return out;
      }
      org.apache.lucene.index.TermsEnum it = types.iterator();
      for (BytesRef t = it.next(); t != null; t = it.next()) {
        BooleanQuery.Builder q = new BooleanQuery.Builder()
            .add(new TermQuery(new Term(F_TYPE, BytesRef.deepCopyOf(t))), Occur.FILTER);
        if (userId != null) {
          q.add(ownerQuery(userId, characterId), Occur.FILTER);
        }
        long n = s.count(q.build());
        if (n > 0) { // a type whose records were all deleted keeps its term until a merge
          out.put(t.utf8ToString(), n);
        }
      }
      return out;
    });
  }

  private Document toDocument(MemoryRecord r) {
    MemoryIndex.requireText(r.id(), "record id");
    requireId(r.userId(), "record userId");
    requireId(r.characterId(), "record characterId");
    Document d = new Document();
    d.add(new StringField(F_ID, r.id(), Field.Store.YES));
    if (r.taskId() != null) {
      d.add(new StringField(F_TASK, r.taskId(), Field.Store.YES));
    }
    d.add(new StringField(F_USER, r.userId(), Field.Store.YES));
    d.add(new StringField(F_CHARACTER, r.characterId(), Field.Store.YES));
    d.add(new StringField(F_UC, uc(r.userId(), r.characterId()), Field.Store.NO));
    if (r.memoryType() != null) {
      d.add(new StringField(F_TYPE, r.memoryType(), Field.Store.YES));
    }
    String content = r.content() == null ? "" : r.content();
    d.add(new StoredField(F_CONTENT, content));
    String indexed = r.indexText();
    d.add(new TextField(F_CONTENT_ZH, indexed, Field.Store.NO));
    d.add(new TextField(F_CONTENT_EN, indexed, Field.Store.NO));
    d.add(new LongPoint(F_TIMESTAMP, r.timestamp()));
    d.add(new StoredField(F_TIMESTAMP, r.timestamp()));
    d.add(new StoredField(F_IMPORTANCE, r.importance()));
    if (r.sessionId() != null) {
      d.add(new StoredField(F_SESSION, r.sessionId()));
    }
    d.add(new StoredField(F_SOURCES, new JsonArray(r.sourceMsgIds() == null ? List.of() : r.sourceMsgIds()).encode()));
    String speaker = r.metadata() == null ? null : r.metadata().getString("speaker");
    if (speaker != null && !speaker.isBlank()) {
      String name = speaker.strip().toLowerCase(Locale.ROOT);
      d.add(new org.apache.lucene.document.SortedDocValuesField(F_SPEAKER,
          new BytesRef(name.substring(0, Math.min(name.length(), MAX_SPEAKER_CHARS)))));
    }
    d.add(new StoredField(F_METADATA, (r.metadata() == null ? new JsonObject() : r.metadata()).encode()));
    d.add(new org.apache.lucene.document.BinaryDocValuesField(F_RECORD,
        new BytesRef(r.toJson().encode().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    // A record without a vector is still found by keyword; the contract says replaceTask records carry one.
    if (r.vector() != null) {
      checkDimension(r.vector(), "record " + r.id());
      if (exactDense) {
        d.add(new org.apache.lucene.document.BinaryDocValuesField(F_VECTOR_BIN, toBytes(Vectors.unit(r.vector()))));
      } else {
        d.add(new KnnFloatVectorField(F_VECTOR, r.vector(), VectorSimilarityFunction.COSINE));
      }
    }
    return d;
  }

  /** Lucene's COSINE kNN score is (1 + cos) / 2; back to the cosine. */
  private static ScoreDoc[] cosineScores(ScoreDoc[] docs) {
    for (ScoreDoc d : docs) {
      d.score = 2.0f * d.score - 1.0f;
    }
    return docs;
  }

  /**
   * Exact dense search: the cosine of the query with every live record the filter admits (one owner's records),
   * best {@code k} first. No graph is built at write time, and a query's cost is the owner's record count.
   */
  private static ScoreDoc[] exactScan(IndexSearcher s, org.apache.lucene.search.Query filter, float[] q, int k)
      throws IOException {
    java.util.PriorityQueue<ScoreDoc> best = new java.util.PriorityQueue<>(Comparator.comparingDouble(d -> d.score));
    float[] v = new float[q.length];
    org.apache.lucene.search.Weight weight = s.createWeight(s.rewrite(filter),
        org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (org.apache.lucene.index.LeafReaderContext leaf : s.getIndexReader().leaves()) {
      org.apache.lucene.search.Scorer scorer = weight.scorer(leaf);
      org.apache.lucene.index.BinaryDocValues vectors = leaf.reader().getBinaryDocValues(F_VECTOR_BIN);
      if (scorer == null || vectors == null) {
        continue;
      }
      org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
      org.apache.lucene.search.DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if ((live != null && !live.get(doc)) || !vectors.advanceExact(doc)) {
          continue;
        }
        BytesRef b = vectors.binaryValue();
        // one bulk copy, then a plain loop: per-element buffer reads were the scan's main cost in a profile
        java.nio.ByteBuffer.wrap(b.bytes, b.offset, b.length).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(v, 0, Math.min(v.length, b.length / 4));
        float dot = Vectors.dot(q, v);
        if (best.size() < k) {
          best.add(new ScoreDoc(leaf.docBase + doc, dot));
        } else if (dot > best.peek().score) {
          best.poll();
          best.add(new ScoreDoc(leaf.docBase + doc, dot));
        }
      }
    }
    ScoreDoc[] out = best.toArray(new ScoreDoc[0]);
    java.util.Arrays.sort(out, Comparator.comparingDouble((ScoreDoc d) -> d.score).reversed());
    return out;
  }

  private static BytesRef toBytes(float[] v) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      buf.putFloat(f);
    }
    return new BytesRef(buf.array());
  }

  private static org.apache.lucene.index.LeafReaderContext leafOf(IndexSearcher s, int doc) {
    List<org.apache.lucene.index.LeafReaderContext> leaves = s.getIndexReader().leaves();
    return leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
  }

  private static MemoryRecord recordOf(IndexSearcher s, StoredFields stored, int doc) throws IOException {
    org.apache.lucene.index.LeafReaderContext leaf = leafOf(s, doc);
    org.apache.lucene.index.BinaryDocValues json = leaf.reader().getBinaryDocValues(F_RECORD);
    if (json != null && json.advanceExact(doc - leaf.docBase)) {
      BytesRef b = json.binaryValue();
      return MemoryRecord.fromJson(new JsonObject(new String(b.bytes, b.offset, b.length,
          java.nio.charset.StandardCharsets.UTF_8)));
    }
    return fromDocument(stored.document(doc));
  }

  /** The stored vector of a hit (null when it has none), so callers can compare hits with each other. */
  private static float[] vectorOf(IndexSearcher s, int doc) throws IOException {
    org.apache.lucene.index.LeafReaderContext leaf = leafOf(s, doc);
    org.apache.lucene.index.BinaryDocValues bin = leaf.reader().getBinaryDocValues(F_VECTOR_BIN);
    if (bin != null && bin.advanceExact(doc - leaf.docBase)) {
      BytesRef b = bin.binaryValue();
      float[] out = new float[b.length / 4];
      java.nio.ByteBuffer.wrap(b.bytes, b.offset, b.length).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
          .get(out);
      return out;
    }
    org.apache.lucene.index.FloatVectorValues values = leaf.reader().getFloatVectorValues(F_VECTOR);
    int target = doc - leaf.docBase;
    if (values == null || values.advance(target) != target) {
      return null;
    }
    return Vectors.unit(values.vectorValue());
  }

  private static MemoryRecord fromDocument(Document d) {
    JsonArray sources = new JsonArray(d.get(F_SOURCES));
    String meta = d.get(F_METADATA);
    return new MemoryRecord(
        d.get(F_ID),
        d.get(F_TASK),
        d.get(F_USER),
        d.get(F_CHARACTER),
        d.get(F_TYPE),
        d.get(F_CONTENT),
        d.getField(F_TIMESTAMP).numericValue().longValue(),
        d.getField(F_IMPORTANCE).numericValue().intValue(),
        d.get(F_SESSION),
        sources.stream().map(String::valueOf).toList(),
        meta == null ? new JsonObject() : new JsonObject(meta),
        null);
  }

  // ---------------------------------------------------------------- search

  @Override
  public List<Hit> search(Query query) {
    requireId(query.userId(), "userId");
    requireId(query.characterId(), "characterId");
    if (query.topK() <= 0) {
      return List.of();
    }
    if (query.vector() != null) {
      checkDimension(query.vector(), "query vector");
    }
    org.apache.lucene.search.Query filter = filterQuery(query);
    int candidates = Math.max(query.topK() * 4, 50);
    Map<String, Set<String>> terms = queryTerms(query.text());
    boolean denseRuns = query.vector() != null;
    boolean keywordRuns = !terms.isEmpty();
    if (!denseRuns && !keywordRuns) {
      return List.of();
    }

    return withSearcher(whole -> {
      try (OwnerSearcher s = OwnerSearcher.of(whole, new Term(F_UC, uc(query.userId(), query.characterId())),
          statsFor(whole))) {
        return s == null ? List.<Hit>of() : search(s, query, filter, terms, candidates);
      }
    });
  }

  private List<Hit> search(OwnerSearcher s, Query query, org.apache.lucene.search.Query filter,
      Map<String, Set<String>> terms, int candidates) throws IOException {
    boolean denseRuns = query.vector() != null;
    boolean keywordRuns = !terms.isEmpty();
    Map<Integer, double[]> scores = new HashMap<>(); // doc -> {dense, keyword, rrf, speaker named}
    if (denseRuns) {
      // Either way the cost follows this owner's records, not the whole index.
      ScoreDoc[] dense = exactDense ? exactScan(s, filter, Vectors.unit(query.vector()), candidates)
          : cosineScores(s.search(new KnnFloatVectorQuery(F_VECTOR, query.vector(), candidates, filter), candidates)
              .scoreDocs);
      for (int i = 0; i < dense.length; i++) {
        double[] sc = scores.computeIfAbsent(dense[i].doc, k -> new double[4]);
        sc[0] = Math.max(0.0, Math.min(1.0, dense[i].score));
        sc[2] += 1.0 / (RRF_K + i + 1);
      }
    }
    if (keywordRuns) {
      BooleanQuery q = new BooleanQuery.Builder()
          .add(keywordQuery(terms), Occur.MUST)
          .add(filter, Occur.FILTER)
          .build();
      ScoreDoc[] kw = s.search(q, candidates).scoreDocs;
      double norm = maxKeywordNorm ? (kw.length == 0 ? 0 : kw[0].score) : idfReference(s, terms);
      for (int i = 0; i < kw.length; i++) {
        double[] sc = scores.computeIfAbsent(kw[i].doc, k -> new double[4]);
        sc[1] = norm > 0 ? Math.min(1.0, kw[i].score / norm) : 0;
        sc[2] += 1.0 / (RRF_K + i + 1);
      }
    }
    // Weights renormalised over the paths that ran: a keyword-only or dense-only query still spans [0,1].
    double wd = !denseRuns ? 0 : keywordRuns ? denseWeight : 1;
    double wk = !keywordRuns ? 0 : denseRuns ? keywordWeight : 1;
    double rrfScale = (RRF_K + 1.0) / ((denseRuns ? 1 : 0) + (keywordRuns ? 1 : 0));
    if (speakerBonus > 0) {
      markNamedSpeakers(s, scores, query.text());
    }
    ToDoubleFunction<double[]> fused = sc -> (rrf ? Math.min(1.0, sc[2] * rrfScale) : wd * sc[0] + wk * sc[1])
        + speakerBonus * sc[3];

    List<Map.Entry<Integer, double[]>> ranked = new ArrayList<>(scores.entrySet());
    Comparator<Map.Entry<Integer, double[]>> order = Comparator.<Map.Entry<Integer, double[]>>comparingDouble(
        e -> fused.applyAsDouble(e.getValue())).reversed().thenComparing(Map.Entry::getKey);
    ranked.sort(order);

    StoredFields stored = s.storedFields();
    // Hybrid recall only: a keyword-only search (the model is down, or no vector was given) stays literal.
    if (feedbackTerms > 0 && keywordRuns && denseRuns && !rrf && !ranked.isEmpty()) {
      List<Map.Entry<Integer, double[]>> top = ranked.subList(0, Math.min(FEEDBACK_DOCS, ranked.size()));
      Map<String, Set<String>> expansion = feedback(s, stored, top, terms);
      if (!expansion.isEmpty()) {
        // Other records sharing the top records' rare words gain a bounded bonus; the top records themselves
        // gain nothing, or the second pass would only reinforce the first.
        Set<Integer> seeds = new java.util.HashSet<>();
        top.forEach(e -> seeds.add(e.getKey()));
        BooleanQuery q = new BooleanQuery.Builder().add(keywordQuery(expansion), Occur.MUST)
            .add(filter, Occur.FILTER).build();
        double norm = idfReference(s, expansion);
        for (ScoreDoc d : s.search(q, candidates).scoreDocs) {
          if (!seeds.contains(d.doc) && norm > 0) {
            double[] sc = scores.computeIfAbsent(d.doc, k -> new double[4]);
            sc[1] = Math.min(1.0, sc[1] + FEEDBACK_WEIGHT * Math.min(1.0, d.score / norm));
          }
        }
        ranked = new ArrayList<>(scores.entrySet());
        ranked.sort(order);
      }
    }
    List<Hit> hits = new ArrayList<>(Math.min(query.topK(), ranked.size()));
    for (Map.Entry<Integer, double[]> e : ranked.subList(0, Math.min(query.topK(), ranked.size()))) {
      double[] sc = e.getValue();
      MemoryRecord r = recordOf(s, stored, e.getKey()).withVector(vectorOf(s, e.getKey()));
      hits.add(new Hit(r, fused.applyAsDouble(sc), sc[0], sc[1]));
    }
    return hits;
  }

  /**
   * Sets sc[3] = 1 for the candidates spoken by someone the query names ("What does Nate play?"): what a person
   * said answers a question about that person far more often than what was said to them. Only when the query names
   * some of the candidates' speakers but not all; naming everyone prefers no one.
   */
  private static void markNamedSpeakers(IndexSearcher s, Map<Integer, double[]> scores, String query)
      throws IOException {
    if (query == null || query.isBlank() || scores.isEmpty()) {
      return;
    }
    Map<Integer, String> speakers = new HashMap<>();
    List<Integer> docs = new ArrayList<>(scores.keySet());
    docs.sort(null);
    org.apache.lucene.index.SortedDocValues values = null;
    org.apache.lucene.index.LeafReaderContext current = null;
    for (int doc : docs) {
      org.apache.lucene.index.LeafReaderContext leaf = leafOf(s, doc);
      if (leaf != current) {
        current = leaf;
        values = leaf.reader().getSortedDocValues(F_SPEAKER); // one forward-only iterator per segment
      }
      if (values != null && values.advanceExact(doc - leaf.docBase)) {
        speakers.put(doc, values.lookupOrd(values.ordValue()).utf8ToString());
      }
    }
    String q = query.toLowerCase(Locale.ROOT);
    Set<String> all = new java.util.HashSet<>(speakers.values());
    Set<String> named = new java.util.HashSet<>();
    for (String name : all) {
      if (names(q, name)) {
        named.add(name);
      }
    }
    if (named.isEmpty() || named.size() == all.size()) {
      return;
    }
    speakers.forEach((doc, name) -> {
      if (named.contains(name)) {
        scores.get(doc)[3] = 1;
      }
    });
  }

  /** Whether the lower-cased text names the speaker: as a whole word, or anywhere for a name in a CJK script. */
  static boolean names(String text, String name) {
    if (name.isEmpty()) {
      return false;
    }
    boolean cjk = name.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    for (int at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      int end = at + name.length();
      if (cjk || ((at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1)))
          && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end))))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Pseudo-relevance feedback: the rarest words of the first pass's top records that the query does not hold, so a
   * second keyword pass also finds what those records talk about (a multi-hop question's other half).
   */
  private Map<String, Set<String>> feedback(OwnerSearcher s, StoredFields stored,
      List<Map.Entry<Integer, double[]>> ranked, Map<String, Set<String>> terms) throws IOException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String field : terms.keySet()) {
      Map<String, Double> weight = new HashMap<>();
      CollectionStatistics cs = s.collectionStatistics(field);
      if (cs == null) {
        continue;
      }
      for (Map.Entry<Integer, double[]> e : ranked) {
        for (String t : analyze(field, recordOf(s, stored, e.getKey()).indexText())) {
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

  /** BM25 statistics of the searcher's generation, shared by the searches that run on it. */
  private OwnerSearcher.Stats statsFor(IndexSearcher whole) {
    OwnerSearcher.Stats current = stats;
    if (current == null || !current.describes(whole)) {
      current = new OwnerSearcher.Stats(whole);
      stats = current;
    }
    return current;
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

  /** The STRICT owner filter (user + character through one term), narrowed to memory types when given. */
  private static org.apache.lucene.search.Query filterQuery(Query query) {
    BooleanQuery.Builder b = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(F_UC, uc(query.userId(), query.characterId()))), Occur.FILTER);
    List<String> types = query.memoryTypes() == null ? List.of() : query.memoryTypes();
    if (!types.isEmpty()) {
      BooleanQuery.Builder anyType = new BooleanQuery.Builder();
      for (String t : new LinkedHashSet<>(types)) {
        anyType.add(new TermQuery(new Term(F_TYPE, t)), Occur.SHOULD);
      }
      b.add(anyType.build(), Occur.FILTER);
    }
    return b.build();
  }

  private static org.apache.lucene.search.Query ownerQuery(String userId, String characterId) {
    requireId(userId, "userId");
    if (characterId == null) {
      return new TermQuery(new Term(F_USER, userId));
    }
    requireId(characterId, "characterId");
    return new TermQuery(new Term(F_UC, uc(userId, characterId)));
  }

  /**
   * The query's distinct tokens per content field, from the analysers themselves and never a query parser: no syntax
   * exists, so hostile text cannot throw or widen the filter. Empty when the text yields no tokens (blank, emoji only,
   * stop words only).
   */
  private Map<String, Set<String>> queryTerms(String text) {
    Map<String, Set<String>> terms = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return terms;
    }
    for (String field : List.of(F_CONTENT_ZH, F_CONTENT_EN)) {
      Set<String> fieldTerms = analyze(field, text);
      if (!fieldTerms.isEmpty()) {
        terms.put(field, fieldTerms);
      }
    }
    return terms;
  }

  /** BM25 over both fields: any term of either field may match. */
  private static org.apache.lucene.search.Query keywordQuery(Map<String, Set<String>> terms) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Map.Entry<String, Set<String>> field : terms.entrySet()) {
      BooleanQuery.Builder perField = new BooleanQuery.Builder();
      for (String t : field.getValue()) {
        perField.add(new TermQuery(new Term(field.getKey(), t)), Occur.SHOULD);
      }
      b.add(perField.build(), Occur.SHOULD);
    }
    return b.build();
  }

  /** Distinct tokens in order, at most {@link #MAX_QUERY_TERMS}, so a long text stays below the clause limit. */
  private Set<String> analyze(String field, String text) {
    return tokens(analyzer, field, text);
  }

  private static Set<String> tokens(Analyzer analyzer, String field, String text) {
    Set<String> terms = new LinkedHashSet<>();
    try (TokenStream ts = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken() && terms.size() < MAX_QUERY_TERMS) {
        if (term.length() > 0) {
          terms.add(term.toString());
        }
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // analysing a String does no I/O
    }
    return terms;
  }

  // ---------------------------------------------------------------- lifecycle and helpers

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

  private void checkDimension(float[] v, String what) {
    if (v.length != dimension) {
      throw new IllegalArgumentException(what + " has " + v.length + " dims, index expects " + dimension);
    }
  }

  private static String uc(String userId, String characterId) {
    return userId + '\u0000' + characterId;
  }

  /** Ids must be non-blank and free of the NUL separator, or two owners could share one uc key. */
  private static void requireId(String id, String what) {
    MemoryIndex.requireText(id, what);
    if (id.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(what + " contains NUL");
    }
  }


}
