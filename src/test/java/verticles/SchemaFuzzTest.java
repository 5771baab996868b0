package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of valid requests (fields dropped, retyped, emptied, made huge, Chinese, emoji, control
 * characters, nested, or the JSON cut short) never produce a 5xx, an error without a field-naming JSON body, or an
 * accepted session whose task is then missing.
 */
@DisplayName("Schema fuzz")
class SchemaFuzzTest {
  private static final Object[] VALUES = {null, 0, -1, 1e308, Long.MAX_VALUE, true, "", " ", "x".repeat(30_000),
      "😀🎂🍲", "张三\u0000", "../../etc", new JsonArray(), new JsonObject(), new JsonArray().add(new JsonArray()),
      new JsonObject().put("$ref", "#"), "<script>alert(1)</script>", "' OR 1=1 --"};

  @BeforeAll
  static void start() {
    TestStack.engram();
  }

  @Test
  @DisplayName("300 mutated requests: never a 5xx, every 4xx names its problem, every accepted session keeps its task")
  void mutations() throws Exception {
    Random r = new Random(7);
    String user = "fuzz-" + UUID.randomUUID();
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int kind = r.nextInt(4);
      String path = switch (kind) {
        case 0 -> "/v1/sessions";
        case 1 -> "/v1/messages";
        case 2 -> "/v1/memories";
        default -> "/v1/recall";
      };
      JsonObject valid = valid(kind, user, i);
      Buffer body;
      if (r.nextInt(10) == 0) {
        String text = valid.encode();
        body = Buffer.buffer(text.substring(0, r.nextInt(text.length()))); // cut short: malformed JSON
      } else if (r.nextInt(20) == 0) {
        body = Buffer.buffer(String.valueOf(VALUES[r.nextInt(VALUES.length)])); // not an object at all
      } else {
        JsonObject mutated = valid.copy();
        for (int m = 0, n = 1 + r.nextInt(3); m < n; m++) {
          mutate(mutated, r);
        }
        body = mutated.toBuffer();
      }
      HttpResponse<Buffer> reply = Future.await(TestStack.http().post(path)
          .putHeader("content-type", "application/json").sendBuffer(body));
      int status = reply.statusCode();
      assertTrue(status < 500, path + " " + body + " → " + status + " " + reply.bodyAsString());
      if (status >= 400) {
        JsonObject error = reply.bodyAsJsonObject().getJsonObject("error");
        assertTrue(error != null && error.getString("message") != null, reply.bodyAsString());
      } else if (kind == 0) {
        accepted.add(reply.bodyAsJsonObject().getString("task_id"));
      }
    }
    assertTrue(accepted.size() >= 5, "some mutations stay valid: " + accepted.size());
    for (String task : accepted) { // nothing accepted was lost
      assertEquals(200, Future.await(TestStack.get("/v1/tasks/" + task)).statusCode(), task);
    }
  }

  private static JsonObject valid(int kind, String user, int i) {
    long ts = Instant.now().getEpochSecond() - 60;
    JsonArray messages = new JsonArray()
        .add(new JsonObject().put("msg_id", "m" + i).put("role", "user").put("content", "我的生日是3月15日 🎂")
            .put("timestamp", ts))
        .add(new JsonObject().put("msg_id", "n" + i).put("role", "assistant").put("name", "小月")
            .put("content", "记住啦").put("timestamp", ts + 1));
    return switch (kind) {
      case 0 -> new JsonObject().put("user_id", user).put("character_id", "c1").put("messages", messages);
      case 1 -> new JsonObject().put("user_id", user).put("character_id", "c1").put("session_id", "s" + (i % 3))
          .put("messages", messages);
      case 2 -> new JsonObject().put("user_id", user).put("character_id", "c1").put("memory_type", "event")
          .put("content", "养了一只猫 #" + i).put("timestamp", ts).put("importance", 5)
          .put("metadata", new JsonObject().put("k", "v"));
      default -> new JsonObject().put("user_id", user).put("character_id", "c1").put("message", "我的生日是哪天")
          .put("force", true).put("top_k", 5);
    };
  }

  /** Changes one field somewhere in the object: dropped, retyped, or given an odd value. */
  private static void mutate(JsonObject o, Random r) {
    List<String> fields = new ArrayList<>(o.fieldNames());
    if (fields.isEmpty() || r.nextInt(8) == 0) {
      o.put("unexpected_" + r.nextInt(3), VALUES[r.nextInt(VALUES.length)]);
      return;
    }
    String f = fields.get(r.nextInt(fields.size()));
    Object v = o.getValue(f);
    if (v instanceof JsonArray a && !a.isEmpty() && r.nextBoolean()) {
      Object item = a.getValue(r.nextInt(a.size()));
      if (item instanceof JsonObject child) {
        mutate(child, r);
        return;
      }
    }
    if (v instanceof JsonObject child && r.nextBoolean()) {
      mutate(child, r);
    } else if (r.nextInt(4) == 0) {
      o.remove(f);
    } else {
      o.put(f, VALUES[r.nextInt(VALUES.length)]);
    }
  }
}
