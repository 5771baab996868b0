package verticles.intent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Intent;

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
    return Bus.consume(vertx, Addresses.INTENT_DETECT, Intent.Request::fromJson,
        request -> Future.succeededFuture(detect(request)));
  }

  private Intent.Reply detect(Intent.Request request) {
    Intent.Reply intent = Intent.Reply.fromJson(detector.detect(request.message(), request.recentContext()));
    if (!request.force()) {
      return intent;
    }
    // Forced with nothing detected: search every kind.
    return intent.needRecall() ? new Intent.Reply(true, intent.recallType(), intent.searchQuery(), 1.0)
        : new Intent.Reply(true, IntentDetector.MIXED, detector.searchQuery(request.message()), 1.0);
  }
}
