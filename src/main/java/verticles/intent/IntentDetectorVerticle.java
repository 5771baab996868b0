package verticles.intent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import verticles.bus.Addresses;
import verticles.bus.Bus;

/**
 * Answers {@value Addresses#INTENT_DETECT}: body {@code {message, recent_context?, force?}}, reply
 * {@code {need_recall, recall_type, search_query, confidence}} from {@link IntentDetector}.
 *
 * <p>{@code force: true} is for callers that recall whatever the message says (a "remember this?" button, a
 * session start): the reply always needs recall, at confidence 1.0, with the detected type when there is one and
 * "mixed" (search every kind) when there is none.
 */
public final class IntentDetectorVerticle extends VerticleBase {
  private IntentDetector detector;

  @Override
  public Future<?> start() {
    // Loading and compiling the rules takes a few milliseconds, once per instance.
    detector = IntentDetector.withDefaultRules();
    return vertx.eventBus().consumer(Addresses.INTENT_DETECT, this::onDetect).completion();
  }

  private void onDetect(Message<Object> msg) {
    Future<JsonObject> result;
    try {
      result = Future.succeededFuture(detect(msg.body()));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    Bus.respond(msg, result);
  }

  private JsonObject detect(Object payload) {
    if (!(payload instanceof JsonObject body) || !(body.getValue("message") instanceof String message)) {
      throw new IllegalArgumentException("message (a string) is required");
    }
    Object context = body.getValue("recent_context");
    JsonObject intent = detector.detect(message, context instanceof String s ? s : null);
    if (!Boolean.TRUE.equals(body.getValue("force"))) {
      return intent;
    }
    if (!intent.getBoolean("need_recall")) {
      // Forced with nothing detected: search every kind.
      intent.put("need_recall", true)
          .put("recall_type", IntentDetector.MIXED)
          .put("search_query", detector.searchQuery(message));
    }
    return intent.put("confidence", 1.0);
  }
}
