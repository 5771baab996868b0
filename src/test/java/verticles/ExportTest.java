package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Export writes a user's memory to exports/{user}/full_export_{ts}.json and returns the same JSON")
class ExportTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  static JsonObject session(String user, String character, String session, String... texts) {
    long ts = Instant.now().getEpochSecond() - 3600;
    JsonArray messages = new JsonArray();
    for (int i = 0; i < texts.length; i++) {
      messages.add(EndToEndMemoryTest.msg(session + "-m" + i, i % 2 == 0 ? "user" : "assistant", texts[i], ts + i));
    }
    return new JsonObject().put("user_id", user).put("character_id", character).put("session_id", session)
        .put("messages", messages);
  }

  /** Posts a session and waits until its task completed and its archive is written (the summary names it). */
  static Future<String> ingest(JsonObject session) {
    return TestStack.post("/v1/sessions", session).compose(r -> {
      assertEquals(202, r.statusCode(), r.bodyAsString());
      String task = r.bodyAsJsonObject().getString("task_id");
      return TestStack.awaitTask(task, "completed")
          .compose(t -> TestStack.until(() -> TestStack.sql().preparedQuery("SELECT COUNT(*) FROM"
                  + " conversation_summaries WHERE task_id = ? AND archive_path IS NOT NULL").execute(Tuple.of(task))
              .map(rs -> rs.iterator().next().getLong(0)), n -> n == 1, 30_000))
          .map(x -> task);
    });
  }

  /** The user's archive objects; their keys carry the tenant-scoped id. */
  static Future<List<String>> archives(String user) {
    return TestStack.engram().objectStore().list("conversations/" + TestStack.internal(user) + "/");
  }

  static Future<HttpResponse<Buffer>> export(String user, String query, JsonObject body) {
    var req = TestStack.http().post("/v1/users/" + user + "/export" + (query == null ? "" : "?" + query));
    return body == null ? req.send() : req.sendJsonObject(body);
  }

  static JsonObject withoutPath(JsonObject export) {
    JsonObject copy = export.copy();
    copy.remove("path");
    return copy;
  }

  @Test
  @DisplayName("An export holds profiles, events, summaries, every index record and the archive paths, and equals its file")
  void everySection(VertxTestContext ctx) {
    String user = "u-export-" + UUID.randomUUID();
    JsonObject first = session(user, "c1", "s-exp-1", "你好，我叫林小雨", "你好小雨！", "我的生日是3月15日",
        "记住啦", "我下周三要去面试，有点紧张");
    JsonObject second = session(user, "c2", "s-exp-2", "我最喜欢吃火锅了", "火锅好吃！");
    JsonObject[] reply = new JsonObject[1];
    ingest(first)
        .compose(x -> ingest(second))
        .compose(x -> export(user, null, null))
        .compose(r -> {
          ctx.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
          reply[0] = r.bodyAsJsonObject();
          return TestStack.engram().objectStore().get(reply[0].getString("path"));
        })
        .compose(file -> TestStack.vertx().executeBlocking(() -> TestStack.engram().index()
                .count(TestStack.internal(user), null))
            .map(records -> {
              JsonObject e = reply[0];
              ctx.verify(() -> {
                // the path is the store's (tenant-scoped id); the file's and the reply's ids are the client's
                String path = e.getString("path");
                assertTrue(path.matches("exports/" + java.util.regex.Pattern.quote(TestStack.internal(user))
                    + "/full_export_\\d+\\.json"), path);
                assertEquals(withoutPath(e), new JsonObject(file.toString(StandardCharsets.UTF_8)),
                    "the file holds what the reply returned");
                assertEquals(user, e.getString("user_id"));
                assertNull(e.getString("character_id"));
                assertTrue(Instant.parse(e.getString("exported_at")).isAfter(Instant.now().minusSeconds(60)));
                JsonArray profiles = e.getJsonArray("profiles");
                assertTrue(profiles.stream().map(JsonObject.class::cast).anyMatch(p -> "name".equals(
                    p.getString("profile_key")) && "林小雨".equals(p.getString("profile_value"))), profiles.encode());
                assertTrue(profiles.stream().map(JsonObject.class::cast).anyMatch(p -> "c2".equals(
                    p.getString("character_id"))), "both characters: " + profiles.encode());
                assertFalse(e.getJsonArray("events").isEmpty(), e.encodePrettily());
                assertEquals(2, e.getJsonArray("summaries").size());
                assertEquals(records.intValue(), e.getJsonArray("memories").size(), "every index record");
                assertTrue(e.getJsonArray("memories").stream().map(JsonObject.class::cast)
                    .anyMatch(m -> "message".equals(m.getString("memory_type"))
                        && "我的生日是3月15日".equals(m.getString("content"))));
                JsonArray paths = e.getJsonArray("archive_paths");
                assertEquals(2, paths.size(), paths.encode());
                assertTrue(paths.stream().map(String::valueOf)
                    .allMatch(p -> p.startsWith("conversations/" + TestStack.internal(user) + "/")), paths.encode());
                assertTrue(e.getJsonArray("summaries").stream().map(JsonObject.class::cast)
                    .allMatch(s -> paths.contains(s.getString("archive_path"))), "summaries name their archives");
              });
              return null;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("character_id in the query or the body narrows the export to that character; conflicting or bad ids are 400s")
  void oneCharacter(VertxTestContext ctx) {
    String user = "u-export-char-" + UUID.randomUUID();
    ingest(session(user, "c1", "s-c1", "我叫阿杰", "你好阿杰"))
        .compose(x -> ingest(session(user, "c2", "s-c2", "我养了一只猫叫咪咪", "好可爱")))
        .compose(x -> export(user, "character_id=c2", null))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject e = r.bodyAsJsonObject();
            assertEquals("c2", e.getString("character_id"));
            assertEquals(1, e.getJsonArray("summaries").size());
            assertTrue(e.getJsonArray("memories").stream().map(JsonObject.class::cast)
                .allMatch(m -> "c2".equals(m.getString("character_id"))), e.encode());
            assertTrue(e.getJsonArray("archive_paths").stream().map(String::valueOf)
                .allMatch(p -> p.startsWith("conversations/" + TestStack.internal(user) + "/c2/")), e.encode());
          });
          return export(user, null, new JsonObject().put("character_id", "c1"));
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode(), r.bodyAsString());
            assertEquals("c1", r.bodyAsJsonObject().getString("character_id"));
            assertTrue(r.bodyAsJsonObject().getJsonArray("memories").stream().map(JsonObject.class::cast)
                .allMatch(m -> "c1".equals(m.getString("character_id"))));
          });
          return export(user, "character_id=c1", new JsonObject().put("character_id", "c2"));
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(400, r.statusCode(), r.bodyAsString());
            assertEquals("character_id", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
          });
          return export(user, null, new JsonObject().put("character_id", ""));
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(400, r.statusCode(), r.bodyAsString());
            assertEquals("character_id", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
          });
          return TestStack.http().post("/v1/users/" + user + "/export").sendBuffer(Buffer.buffer("[1, 2]"));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.statusCode(), r.bodyAsString());
          assertEquals("body", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("A user Engram knows nothing about exports empty sections with 200, and the file is written all the same")
  void unknownUser(VertxTestContext ctx) {
    String user = "u-export-nobody-" + UUID.randomUUID();
    export(user, null, null)
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject e = r.bodyAsJsonObject();
            for (String section : List.of("profiles", "events", "summaries", "memories", "archive_paths")) {
              assertEquals(new JsonArray(), e.getJsonArray(section), section);
            }
          });
          return TestStack.engram().objectStore().exists(r.bodyAsJsonObject().getString("path"));
        })
        .onComplete(ctx.succeeding(exists -> ctx.verify(() -> {
          assertTrue(exists);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Chinese text and emoji survive the export byte for byte, in the reply and in the UTF-8 file")
  void unicodeSurvives(VertxTestContext ctx) {
    String user = "用户-😀-" + UUID.randomUUID().toString().substring(0, 8);
    String said = "今天好开心😀🎉，我养的猫叫小橘🐱";
    String imported = "喜欢🍣和麻辣火锅🌶️";
    ingest(session(user, "小月", "s-emoji", said, "真好呀🥰"))
        .compose(x -> TestStack.post("/v1/memories", new JsonObject().put("user_id", user).put("character_id", "小月")
            .put("memory_type", "profile").put("content", imported)
            .put("timestamp", Instant.now().getEpochSecond() - 10)))
        .compose(r -> {
          ctx.verify(() -> assertEquals(201, r.statusCode(), r.bodyAsString()));
          return TestStack.http().post("/v1/users/" + java.net.URLEncoder.encode(user, StandardCharsets.UTF_8)
              .replace("+", "%20") + "/export").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
          JsonObject e = r.bodyAsJsonObject();
          ctx.verify(() -> {
            assertEquals(user, e.getString("user_id"));
            List<String> contents = e.getJsonArray("memories").stream().map(JsonObject.class::cast)
                .map(m -> m.getString("content")).toList();
            assertTrue(contents.contains(said), contents.toString());
            assertTrue(contents.contains(imported), contents.toString());
          });
          return TestStack.engram().objectStore().get(e.getString("path"));
        })
        .onComplete(ctx.succeeding(file -> ctx.verify(() -> {
          String text = new String(file.getBytes(), StandardCharsets.UTF_8);
          assertTrue(text.contains(said), "written as UTF-8, not escaped or mangled");
          assertTrue(text.contains(imported));
          assertTrue(text.contains("\"user_id\" : \"" + user + "\""), text.substring(0, Math.min(300, text.length())));
          ctx.completeNow();
        })));
  }
}
