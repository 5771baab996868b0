package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Two users with near-identical memories never see each other's, by any path")
class RecallIsolationTest {

  static JsonObject session(String user, String character, String name, String pet) {
    long ts = Instant.now().getEpochSecond() - 600;
    return new JsonObject().put("user_id", user).put("character_id", character).put("messages", new JsonArray()
        .add(new JsonObject().put("msg_id", user + "-1").put("role", "user")
            .put("content", "我叫" + name + "，我的生日是5月20日").put("timestamp", ts))
        .add(new JsonObject().put("msg_id", user + "-2").put("role", "user")
            .put("content", "我养了一只猫叫" + pet + "，它最爱吃三文鱼").put("timestamp", ts + 5)));
  }

  @Test
  @DisplayName("Recall by dense, keyword (the other user's rare name), structured and cached paths stays inside one user and character")
  void noCrossUserResults(VertxTestContext ctx) {
    String a = "u-iso-a-" + UUID.randomUUID();
    String b = "u-iso-b-" + UUID.randomUUID();
    List<Future<String>> posted = List.of(
        TestStack.post("/v1/sessions", session(a, "c1", "林夕", "团子")).map(r -> r.bodyAsJsonObject().getString("task_id")),
        TestStack.post("/v1/sessions", session(b, "c1", "林汐", "墩墩")).map(r -> r.bodyAsJsonObject().getString("task_id")),
        // the same user under another character is another memory space too
        TestStack.post("/v1/sessions", session(a, "c2", "林西", "球球")).map(r -> r.bodyAsJsonObject().getString("task_id")));
    List<String> queries = List.of("你还记得我的猫叫什么吗", "墩墩", "团子", "林汐的生日", "我的生日", "球球爱吃什么");
    Future.all(new ArrayList<>(posted))
        .compose(x -> Future.all(posted.stream().map(f -> TestStack.awaitTask(f.result(), "completed")).toList()))
        .compose(x -> {
          List<Future<JsonObject>> recalls = new ArrayList<>();
          // each query twice: the second answer comes through the query-embedding cache
          for (int round = 0; round < 2; round++) {
            for (String q : queries) {
              recalls.add(recall(a, "c1", q));
            }
          }
          return Future.all(new ArrayList<>(recalls)).map(y -> recalls.stream().map(Future::result).toList());
        })
        .onComplete(ctx.succeeding(replies -> ctx.verify(() -> {
          boolean sawOwn = false;
          for (JsonObject r : replies) {
            // what was recalled, not the echo of the query in "intent"
            String all = new JsonObject().put("memories", r.getJsonArray("memories"))
                .put("profiles", r.getJsonArray("profiles")).put("context", r.getString("context")).encode();
            assertFalse(all.contains(b), "user B's ids never appear: " + all);
            assertFalse(all.contains("墩墩") || all.contains("林汐"), "user B's content never appears: " + all);
            assertFalse(all.contains("球球") || all.contains("林西"), "character c2's content never appears: " + all);
            JsonArray memories = r.getJsonArray("memories");
            for (int i = 0; i < memories.size(); i++) {
              for (Object id : memories.getJsonObject(i).getJsonObject("provenance").getJsonArray("msg_ids")) {
                assertTrue(String.valueOf(id).startsWith(a), "provenance is user A's: " + id);
              }
            }
            sawOwn |= all.contains("团子");
            assertEquals("林夕", EndToEndMemoryTest.profileValue(r.getJsonArray("profiles"), "name"));
          }
          assertTrue(sawOwn, "user A's own memories are found");
          ctx.completeNow();
        })));
  }

  static Future<JsonObject> recall(String user, String character, String message) {
    return TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", character)
        .put("message", message).put("force", true).put("top_k", 20)).map(r -> r.bodyAsJsonObject());
  }
}
