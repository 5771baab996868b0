package verticles.vectorsearch.lucene;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import verticles.shared.Vectors;
import verticles.vectorsearch.HybridScorer;
import verticles.vectorsearch.MemoryIndex;
import verticles.vectorsearch.MemoryRecord;

/**
 * The Lucene document of a {@link MemoryRecord}: its fields, the owner filters over them, and reading a record and its
 * vector back.
 */
final class LuceneDocuments {
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
  /** The vector's sign bits, for {@link SignBits}' first pass. */
  static final String F_VECTOR_BITS = "vector_bits";
  /**
   * The record as JSON in a doc-values field: fetching a hit from it skips the block decompression of stored fields,
   * which was a fifth of a saturated recall's CPU. Stored fields stay for indexes written before it.
   */
  static final String F_RECORD = "record_json";
  /** The speaker of a message as {@link HybridScorer#speakerKey} gives it, for the speaker bonus. */
  static final String F_SPEAKER = "speaker";

  private LuceneDocuments() {}

  /** The owner key: user + character through one term. */
  static String uc(String userId, String characterId) {
    return userId + '\u0000' + characterId;
  }

  /** Ids must be non-blank and free of the NUL separator, or two owners could share one uc key. */
  static void requireId(String id, String what) {
    MemoryIndex.requireText(id, what);
    if (id.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(what + " contains NUL");
    }
  }

  /** The STRICT owner filter (user + character through one term), narrowed to memory types when given. */
  static Query filterQuery(String userId, String characterId, List<String> memoryTypes) {
    BooleanQuery.Builder b = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(F_UC, uc(userId, characterId))), Occur.FILTER);
    List<String> types = memoryTypes == null ? List.of() : memoryTypes;
    if (!types.isEmpty()) {
      BooleanQuery.Builder anyType = new BooleanQuery.Builder();
      for (String t : new LinkedHashSet<>(types)) {
        anyType.add(new TermQuery(new Term(F_TYPE, t)), Occur.SHOULD);
      }
      b.add(anyType.build(), Occur.FILTER);
    }
    return b.build();
  }

  /** A user's records, or one character's of them. */
  static Query ownerQuery(String userId, String characterId) {
    requireId(userId, "userId");
    if (characterId == null) {
      return new TermQuery(new Term(F_USER, userId));
    }
    requireId(characterId, "characterId");
    return new TermQuery(new Term(F_UC, uc(userId, characterId)));
  }

  /** @param exactDense store the vector for the exact scan rather than in an HNSW graph */
  static Document toDocument(MemoryRecord r, List<Integer> dimensions, boolean exactDense) {
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
    String speaker = HybridScorer.speakerKey(r);
    if (speaker != null) {
      d.add(new SortedDocValuesField(F_SPEAKER, new BytesRef(speaker)));
    }
    d.add(new StoredField(F_METADATA, (r.metadata() == null ? new JsonObject() : r.metadata()).encode()));
    d.add(new BinaryDocValuesField(F_RECORD, new BytesRef(r.toJson().encode().getBytes(StandardCharsets.UTF_8))));
    // A record without a vector is still found by keyword; the contract says replaceTask records carry one.
    if (r.vector() != null) {
      checkDimension(r.vector(), dimensions, "record " + r.id());
      if (exactDense) {
        // one field for every model: a search scores only the vectors of its query's length (its model)
        float[] unit = Vectors.unit(r.vector());
        d.add(new BinaryDocValuesField(F_VECTOR_BIN, toBytes(unit)));
        BytesRef bits = SignBits.of(unit);
        if (bits != null) {
          d.add(new BinaryDocValuesField(F_VECTOR_BITS, bits));
        }
      } else {
        d.add(new KnnFloatVectorField(knnField(r.vector().length, dimensions.get(0)), r.vector(),
            VectorSimilarityFunction.COSINE));
      }
    }
    return d;
  }

  static void checkDimension(float[] v, List<Integer> dimensions, String what) {
    if (!dimensions.contains(v.length)) {
      throw new IllegalArgumentException(what + " has " + v.length + " dims, index expects "
          + (dimensions.size() == 1 ? dimensions.get(0) : "one of " + dimensions));
    }
  }

  /**
   * The HNSW field of vectors of {@code dimension}: {@link #F_VECTOR} for the primary model's (as before there were
   * two), {@code vector_<dim>} for the other's, since a Lucene vector field has one dimension.
   */
  static String knnField(int dimension, int primary) {
    return dimension == primary ? F_VECTOR : F_VECTOR + "_" + dimension;
  }

  static LeafReaderContext leafOf(IndexSearcher s, int doc) {
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    return leaves.get(ReaderUtil.subIndex(doc, leaves));
  }

  static MemoryRecord recordOf(IndexSearcher s, StoredFields stored, int doc) throws IOException {
    LeafReaderContext leaf = leafOf(s, doc);
    BinaryDocValues json = leaf.reader().getBinaryDocValues(F_RECORD);
    if (json != null && json.advanceExact(doc - leaf.docBase)) {
      BytesRef b = json.binaryValue();
      return MemoryRecord.fromJson(new JsonObject(new String(b.bytes, b.offset, b.length, StandardCharsets.UTF_8)));
    }
    return fromDocument(stored.document(doc));
  }

  /** The stored vector of a hit at unit length (null when it has none), so callers can compare hits. */
  static float[] vectorOf(IndexSearcher s, int doc) throws IOException {
    LeafReaderContext leaf = leafOf(s, doc);
    BinaryDocValues bin = leaf.reader().getBinaryDocValues(F_VECTOR_BIN);
    if (bin != null && bin.advanceExact(doc - leaf.docBase)) {
      BytesRef b = bin.binaryValue();
      float[] out = new float[b.length / 4];
      floats(b).get(out);
      return out;
    }
    int target = doc - leaf.docBase;
    for (FieldInfo field : leaf.reader().getFieldInfos()) { // HNSW: one field per model, a record in one of them
      if (field.getVectorDimension() > 0) {
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field.name);
        if (values != null && values.advance(target) == target) {
          return Vectors.unit(values.vectorValue());
        }
      }
    }
    return null;
  }

  /** The little-endian floats of a {@link #F_VECTOR_BIN} value. */
  static java.nio.FloatBuffer floats(BytesRef b) {
    return ByteBuffer.wrap(b.bytes, b.offset, b.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  private static BytesRef toBytes(float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      buf.putFloat(f);
    }
    return new BytesRef(buf.array());
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
}
