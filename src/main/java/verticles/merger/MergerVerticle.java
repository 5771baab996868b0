package verticles.merger;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;

/**
 * Coordinates recall ({@code memory.recall}): vector search ∥ structured search, each under its own budget; a store
 * that fails or is late only marks the reply {@code degraded}, it never fails the chat.
 */
public final class MergerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MergerVerticle.class);

  private Ranker ranker;
  private JsonObject recall;

  @Override
  public Future<?> start() {
    recall = config().getJsonObject("recall");
    ranker = new Ranker(recall);
    return vertx.eventBus().<JsonObject>consumer(Addresses.RECALL, this::onRecall).completion();
  }

  private void onRecall(Message<JsonObject> msg) {
    Bus.respond(msg, recall(msg.body()));
  }

  Future<JsonObject> recall(JsonObject req) {
    long started = System.nanoTime();
    String user = req.getString("user_id");
    String character = req.getString("character_id");
    String message = req.getString("message", "");
    int topK = req.getInteger("top_k", recall.getInteger("top_k", 5));

    Future<JsonObject> vector = vertx.eventBus().<JsonObject>request(Addresses.VECTOR_SEARCH, new JsonObject()
                .put("user_id", user).put("character_id", character).put("query", message)
                .put("types", req.getJsonArray("types", new JsonArray())).put("top_k", Math.max(topK * 3, 20)),
            new DeliveryOptions().setSendTimeout(recall.getLong("vector_timeout_ms", 1000L)))
        .map(Message::body);
    Future<JsonObject> structured = vertx.eventBus().<JsonObject>request(Addresses.STRUCTURED_SEARCH, new JsonObject()
                .put("user_id", user).put("character_id", character).put("kinds", new JsonArray().add("profiles"))
                .put("profile_limit", recall.getInteger("profile_limit", 20)),
            new DeliveryOptions().setSendTimeout(recall.getLong("mysql_timeout_ms", 1000L)))
        .map(Message::body);

    return Future.join(vector, structured).transform(x -> {
      JsonArray degraded = new JsonArray();
      JsonArray hits = new JsonArray();
      JsonArray profiles = new JsonArray();
      if (vector.succeeded()) {
        hits = vector.result().getJsonArray("hits");
      } else {
        degraded.add("vector");
        LOG.warn("Recall without the vector index: {}", vector.cause().toString());
      }
      if (structured.succeeded()) {
        profiles = structured.result().getJsonArray("profiles");
      } else {
        degraded.add("mysql");
        LOG.warn("Recall without MySQL: {}", structured.cause().toString());
      }
      List<JsonObject> memories = ranker.rank(hits, Instant.now().getEpochSecond(), topK);
      JsonArray mem = new JsonArray(memories);
      return Future.succeededFuture(new JsonObject()
          .put("memories", mem)
          .put("profiles", profiles)
          .put("context", ContextFormatter.format(message, profiles, mem))
          .put("degraded", degraded)
          .put("took_ms", (System.nanoTime() - started) / 1_000_000));
    });
  }
}
