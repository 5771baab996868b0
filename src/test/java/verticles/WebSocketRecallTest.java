package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Recall over the WebSocket at /v1/ws")
class WebSocketRecallTest {

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  @Test
  @DisplayName("A recall frame is answered with recall.result and the same id; bad frames get errors and the socket stays open")
  void recallFrames(VertxTestContext ctx) {
    WebSocketClient client = TestStack.vertx().createWebSocketClient();
    List<JsonObject> replies = new ArrayList<>();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(TestStack.engram().port())
            .setURI("/v1/ws").addHeader("Authorization", "Bearer " + TestStack.API_KEY))
        .onComplete(ctx.succeeding(ws -> {
          ws.textMessageHandler(text -> {
            replies.add(new JsonObject(text));
            if (replies.size() == 3) {
              ctx.verify(() -> {
                JsonObject bad = replies.stream().filter(r -> "bad-1".equals(r.getValue("id"))).findFirst().orElseThrow();
                assertEquals("error", bad.getString("type"));
                assertEquals("message", bad.getJsonObject("error").getString("field"));
                JsonObject notJson = replies.stream().filter(r -> r.getValue("id") == null).findFirst().orElseThrow();
                assertEquals("body", notJson.getJsonObject("error").getString("field"));
                JsonObject ok = replies.stream().filter(r -> "r-1".equals(r.getValue("id"))).findFirst().orElseThrow();
                assertEquals("recall.result", ok.getString("type"));
                assertTrue(ok.getJsonObject("intent").getBoolean("need_recall"));
                assertTrue(ok.containsKey("memories") && ok.containsKey("context") && ok.containsKey("degraded"));
              });
              ws.close().onComplete(x -> ctx.completeNow());
            }
          });
          ws.writeTextMessage(new JsonObject().put("type", "recall").put("id", "bad-1").put("user_id", "u")
              .put("character_id", "c").put("message", "").encode());
          ws.writeTextMessage("{not json");
          ws.writeTextMessage(new JsonObject().put("type", "recall").put("id", "r-1").put("user_id", "u-ws")
              .put("character_id", "c1").put("message", "你还记得我的生日吗").put("force", true).encode());
        }));
  }
}
