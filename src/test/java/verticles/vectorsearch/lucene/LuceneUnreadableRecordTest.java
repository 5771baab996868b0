package verticles.vectorsearch.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verticles.shared.SkippedRecords;
import verticles.vectorsearch.MemoryIndex.Hit;
import verticles.vectorsearch.MemoryIndex.Query;
import verticles.vectorsearch.MemoryRecord;

@DisplayName("LuceneMemoryIndex skips a stored record it cannot read as a memory and finds the owner's others")
class LuceneUnreadableRecordTest {
  private static final int DIM = 4;

  @TempDir
  Path dir;

  private static MemoryRecord record(String id, String content, long timestamp) {
    return new MemoryRecord(id, null, "u1", "c1", "event", content, timestamp, 5, null, List.of(), new JsonObject(),
        null);
  }

  @Test
  @DisplayName("a record whose stored JSON is cut short and one whose time is Long.MIN_VALUE are skipped and counted")
  void skipsUnreadableRecords() throws Exception {
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, DIM, new JsonObject())) {
      index.upsert(List.of(record("good-1", "我喜欢吃火锅", 1_700_000_000L),
          record("good-2", "火锅要配冰可乐", 1_700_000_100L),
          // what the gateway stored for "timestamp": 9223372036854775808 before numbers were range-checked
          record("poison-time", "火锅 火锅 火锅", Long.MIN_VALUE)));
    }
    // A record whose doc-values JSON is damaged, written beside the index's own, as a crash or an old bug could.
    try (Directory d = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig(LuceneText.analyzer()))) {
      Document doc = LuceneDocuments.toDocument(record("poison-json", "火锅 火锅", 1_700_000_200L), List.of(DIM), true);
      doc.removeField(LuceneDocuments.F_RECORD);
      doc.add(new BinaryDocValuesField(LuceneDocuments.F_RECORD, new BytesRef("{\"id\":\"poison-json\",\"conte")));
      w.addDocument(doc);
      w.commit();
    }

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (LuceneMemoryIndex index = new LuceneMemoryIndex(dir, DIM, new JsonObject(),
        new SkippedRecords(registry))) {
      List<Hit> hits = index.search(new Query("u1", "c1", List.of(), null, "火锅", 10));
      Set<String> ids = new TreeSet<>();
      hits.forEach(h -> ids.add(h.record().id()));
      assertEquals(Set.of("good-1", "good-2"), ids, "the owner's readable memories, and only those");
      assertEquals(2.0, registry.get("engram_recall_skipped_records").tag("source", "index").counter().count());
      assertEquals(4, index.count("u1", "c1"), "skipped, not deleted");
    }
  }
}
