package verticles.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.vectorsearch.MemoryRecord;

@DisplayName("Version rules: when a restated fact is news, and how two versions differ")
class VersionRulesTest {

  private static MemoryRecord profile(String value, long ts) {
    return new MemoryRecord("profile:x", "t2", "acme:u", "c1", "profile", "用户的居住地：" + value, ts, 7, "s2",
        List.of("m1"), new JsonObject().put("profile_type", "basic_info").put("profile_key", "location")
            .put("profile_value", value), null);
  }

  private static MemoryState stored(String value, long ts, String status) {
    MemoryState s = MemoryState.of(profile(value, ts), null, 0.9, "extractor", MemoryState.now());
    s.version = 1;
    s.status = status;
    s.importance = 9; // corrected by the user
    return s;
  }

  @Test
  @DisplayName("a new value is a new version keeping the user's importance; the same value, an older one or a deleted fact restated is nothing")
  void restatements() {
    assertEquals(ExtractedMemories.Outcome.CREATE, ExtractedMemories.decide(null, profile("北京", 100)));
    assertEquals(ExtractedMemories.Outcome.UPDATE, ExtractedMemories.decide(stored("北京", 100, "active"),
        profile("杭州", 200)));
    assertEquals(ExtractedMemories.Outcome.UNCHANGED, ExtractedMemories.decide(stored("北京", 100, "active"),
        profile("北京", 200)));
    assertEquals(ExtractedMemories.Outcome.UNCHANGED, ExtractedMemories.decide(stored("杭州", 200, "active"),
        profile("北京", 100)), "a late replay of an older session");
    assertEquals(ExtractedMemories.Outcome.UNCHANGED, ExtractedMemories.decide(stored("北京", 100, "deleted"),
        profile("北京", 200)), "what the user deleted stays deleted");
    assertEquals(ExtractedMemories.Outcome.UPDATE, ExtractedMemories.decide(stored("北京", 100, "deleted"),
        profile("杭州", 200)), "a new value is news even after a delete");
    MemoryState after = ExtractedMemories.updated(stored("北京", 100, "deleted"), profile("杭州", 200), 0.8);
    assertEquals(9, after.importance);
    assertEquals("active", after.status);
    assertEquals(0.8, after.confidence);
    assertEquals(List.of("content", "confidence", "metadata", "status", "valid_from"),
        after.changedFrom(stored("北京", 100, "deleted")));
  }

  @Test
  @DisplayName("a diff goes by word in English and by character in Chinese, and its offsets point into each text")
  void diffs() {
    assertEquals(List.of("I", " ", "moved", " ", "to", " ", "杭", "州"), VersionDiff.words("I moved to 杭州"));
    JsonArray edits = VersionDiff.text("我住在北京", "我住在杭州", "a", "b").getJsonArray("edits");
    assertEquals(1, edits.size(), edits.encode());
    JsonObject e = edits.getJsonObject(0);
    assertEquals("change", e.getString("type"));
    assertEquals(3, e.getInteger("a_position"));
    assertEquals("北京", e.getString("a_text"));
    assertEquals("杭州", e.getString("b_text"));
    assertEquals("", VersionDiff.text("same", "same", "a", "b").getString("unified"));
  }
}
