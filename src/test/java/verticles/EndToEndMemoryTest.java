package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A conversation goes in, through Kafka and extraction, and comes back as recalled memory")
class EndToEndMemoryTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonObject msg(String id, String role, String content, long ts) {
    return new JsonObject().put("msg_id", id).put("role", role).put("content", content).put("timestamp", ts);
  }

  @Test
  @DisplayName("A Chinese session with name, birthday and favourite food is recalled by 你还记得我的生日吗 with its source msg_id")
  void chineseBirthday(VertxTestContext ctx) {
    String user = "u-zh-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 3600;
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "xiaoyue")
        .put("messages", new JsonArray()
            .add(msg("m1", "user", "你好呀，我叫林小雨", ts))
            .add(msg("m2", "assistant", "你好小雨！很高兴认识你", ts + 5))
            .add(msg("m3", "user", "我的生日是3月15日，快到了", ts + 10))
            .add(msg("m4", "assistant", "记住啦，3月15日", ts + 15))
            .add(msg("m5", "user", "我最喜欢吃火锅了", ts + 20)));
    TestStack.post("/v1/sessions", session)
        .compose(r -> {
          assertEquals(202, r.statusCode(), r.bodyAsString());
          return TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed");
        })
        .compose(t -> TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "xiaoyue")
            .put("message", "你还记得我的生日吗").put("force", true)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          JsonObject body = r.bodyAsJsonObject();
          JsonArray memories = body.getJsonArray("memories");
          JsonObject birthday = find(memories, "3月15", "03-15");
          assertNotNull(birthday, "a recalled memory mentions the birthday: " + memories.encodePrettily());
          assertTrue(birthday.getJsonObject("provenance").getJsonArray("msg_ids").contains("m3"),
              "the birthday memory cites message m3: " + birthday.encode());
          assertTrue(profileValue(body.getJsonArray("profiles"), "birthday").contains("03-15"), body.encode());
          assertTrue(body.getString("context").contains("###"), body.getString("context"));
          assertTrue(body.getJsonArray("degraded").isEmpty(), body.encode());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("An English session is recalled by 'do you remember my birthday?' with its source msg_id")
  void englishBirthday(VertxTestContext ctx) {
    String user = "u-en-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 7200;
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "luna")
        .put("messages", new JsonArray()
            .add(msg("e1", "user", "Hi! My name is Anna.", ts))
            .add(msg("e2", "assistant", "Nice to meet you, Anna!", ts + 5))
            .add(msg("e3", "user", "My birthday is March 15, by the way.", ts + 10))
            .add(msg("e4", "user", "My favorite food is sushi.", ts + 20)));
    TestStack.post("/v1/sessions", session)
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .compose(t -> TestStack.post("/v1/recall", new JsonObject().put("user_id", user).put("character_id", "luna")
            .put("message", "do you remember my birthday?").put("force", true)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject body = r.bodyAsJsonObject();
          JsonObject birthday = find(body.getJsonArray("memories"), "March 15", "03-15");
          assertNotNull(birthday, body.encodePrettily());
          assertTrue(birthday.getJsonObject("provenance").getJsonArray("msg_ids").contains("e3"), birthday.encode());
          assertTrue(body.getString("context").startsWith("### About the user"), body.getString("context"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Profiles, events and summaries are listed per user and character, and another user sees none of them")
  void listsAreScoped(VertxTestContext ctx) {
    String user = "u-list-" + UUID.randomUUID();
    long ts = Instant.now().getEpochSecond() - 600;
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "c1")
        .put("messages", new JsonArray()
            .add(msg("a1", "user", "我叫王芳，我是一名护士", ts))
            .add(msg("a2", "user", "我下周三要去面试，有点紧张", ts + 10)));
    String base = "/v1/users/" + user + "/characters/c1/";
    TestStack.post("/v1/sessions", session)
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .compose(t -> TestStack.get(base + "profiles"))
        .compose(p -> {
          ctx.verify(() -> assertEquals("王芳", profileValue(p.bodyAsJsonObject().getJsonArray("profiles"), "name")));
          return TestStack.get(base + "events");
        })
        .compose(e -> {
          ctx.verify(() -> assertFalse(e.bodyAsJsonObject().getJsonArray("events").isEmpty(), e.bodyAsString()));
          return TestStack.get(base + "summaries");
        })
        .compose(s -> {
          ctx.verify(() -> {
            JsonObject summary = s.bodyAsJsonObject().getJsonArray("summaries").getJsonObject(0);
            assertTrue(summary.getJsonArray("source_msg_ids").contains("a1"), summary.encode());
          });
          return TestStack.get("/v1/users/someone-else/characters/c1/profiles");
        })
        .onComplete(ctx.succeeding(o -> ctx.verify(() -> {
          assertTrue(o.bodyAsJsonObject().getJsonArray("profiles").isEmpty());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("The conversation is archived at conversations/{user}/{character}/{yyyy}/{mm}/{dd}/{session}.json")
  void archived(VertxTestContext ctx) {
    String user = "u-arch-" + UUID.randomUUID();
    long ts = 1_700_000_000L; // 2023-11-14 UTC
    JsonObject session = new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", "s-42")
        .put("messages", new JsonArray().add(msg("x1", "user", "今天好累 😮‍💨", ts)));
    TestStack.post("/v1/sessions", session)
        .compose(r -> TestStack.awaitTask(r.bodyAsJsonObject().getString("task_id"), "completed"))
        .compose(t -> TestStack.until(() -> TestStack.get("/v1/users/" + user + "/characters/c1/summaries"),
            r -> r.bodyAsJsonObject().getJsonArray("summaries").getJsonObject(0).getString("archive_path") != null,
            30_000))
        .compose(r -> {
          String path = r.bodyAsJsonObject().getJsonArray("summaries").getJsonObject(0).getString("archive_path");
          // archives are kept under the tenant-scoped user id
          ctx.verify(() -> assertEquals("conversations/default:" + user + "/c1/2023/11/14/s-42.json", path));
          return TestStack.engram().objectStore().get(path);
        })
        .onComplete(ctx.succeeding(buffer -> ctx.verify(() -> {
          JsonObject archive = buffer.toJsonObject();
          assertEquals("今天好累 😮‍💨", archive.getJsonArray("messages").getJsonObject(0).getString("content"));
          assertEquals("s-42", archive.getString("session_id"));
          ctx.completeNow();
        })));
  }

  static JsonObject find(JsonArray memories, String... needles) {
    for (int i = 0; i < memories.size(); i++) {
      JsonObject m = memories.getJsonObject(i);
      for (String n : needles) {
        if (m.getString("content").contains(n)) {
          return m;
        }
      }
    }
    return null;
  }

  static String profileValue(JsonArray profiles, String key) {
    for (int i = 0; i < profiles.size(); i++) {
      if (key.equals(profiles.getJsonObject(i).getString("profile_key"))) {
        return profiles.getJsonObject(i).getString("profile_value");
      }
    }
    return "";
  }
}
