package verticles.changes;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.shared.Meters;

/**
 * Posts change events to the webhooks of {@code change_events.webhooks}: one {@link WebhookConsumer} per webhook,
 * each in the webhook's own consumer group of topic {@code memory_changes}, so every webhook gets every event it
 * wants, in order per memory, and a failing one holds back no other. Instances on any number of nodes share each
 * webhook's partitions. With no webhook configured it does nothing.
 */
public final class WebhookVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);
  private final List<WebhookConsumer> consumers = new ArrayList<>();
  private WebClient client;

  @Override
  public Future<?> start() {
    List<Webhook> hooks = Webhook.all(config());
    if (hooks.isEmpty()) {
      return Future.succeededFuture();
    }
    client = WebClient.create(vertx, new WebClientOptions().setUserAgent("Engram-Webhooks/1")
        .setConnectTimeout(5000).setFollowRedirects(false));
    MeterRegistry registry = Meters.registry(config());
    List<Future<Void>> started = new ArrayList<>();
    for (Webhook hook : hooks) {
      WebhookConsumer consumer = new WebhookConsumer(vertx, config(), hook,
          new WebhookDelivery(vertx, config(), hook, client, registry));
      consumers.add(consumer);
      started.add(consumer.start());
    }
    LOG.info("Posting change events to {} webhook(s): {}", hooks.size(), hooks);
    return Future.all(started);
  }

  @Override
  public Future<?> stop() {
    return Future.join(consumers.stream().map(WebhookConsumer::stop).toList()).onComplete(x -> {
      if (client != null) {
        client.close();
      }
    });
  }
}
