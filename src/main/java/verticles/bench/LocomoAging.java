package verticles.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Forgetting;
import verticles.shared.Tenants;

/**
 * {@code bin/engram bench locomo --compress [--age-days 90]}: after the questions, the forgetting sweep is run over the
 * conversations' memories as if {@code --age-days} had passed since they were written (and since the questions
 * recalled them: the sweep judges retention at that time), until it finds nothing more to do; storage is measured
 * before and after (active memories' content and metadata bytes plus 64 a row, as the quota counts them; and the
 * versions kept, which grow, since every original stays restorable), and the questions are asked again. Runs the
 * sweep in the bench's own node, over the event bus; not with {@code --url}.
 */
final class LocomoAging {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(30 * 60_000L);

  private LocomoAging() {}

  /** The users' storage: memories, bytes, version bytes, summed. */
  static JsonObject storage(Vertx vertx, List<LocomoConversation> conversations) throws Exception {
    long memories = 0;
    long bytes = 0;
    long versionBytes = 0;
    for (LocomoConversation c : conversations) {
      JsonArray users = Future.await(Bus.request(vertx, Addresses.RETENTION_USAGE, new Forgetting.UsageQuery(null,
          internal(c), 0, 1), LONG, Forgetting.Usage::fromJson)).users();
      JsonObject u = users.getJsonObject(0);
      memories += u.getLong("memories", 0L);
      bytes += u.getLong("bytes", 0L);
      versionBytes += u.getLong("version_bytes", 0L);
    }
    return new JsonObject().put("memories", memories).put("bytes", bytes).put("version_bytes", versionBytes);
  }

  /** Sweeps each conversation's user at now + {@code ageDays} until a sweep changes nothing; the totals. */
  static JsonObject sweep(Vertx vertx, List<LocomoConversation> conversations, long ageDays) throws Exception {
    long at = System.currentTimeMillis() / 1000 + ageDays * 86_400L;
    long compressed = 0;
    long consolidated = 0;
    long digests = 0;
    long saved = 0;
    long t0 = System.nanoTime();
    JsonArray sample = new JsonArray();
    for (LocomoConversation c : conversations) {
      while (true) {
        JsonObject s = Future.await(Bus.request(vertx, Addresses.MAINTENANCE_SWEEP, new Forgetting.Sweep(null,
            internal(c), at), LONG, Forgetting.Swept::fromJson)).summary();
        compressed += s.getInteger("compressed");
        consolidated += s.getInteger("consolidated");
        digests += s.getInteger("digests");
        saved += s.getLong("bytes_saved");
        s.getJsonArray("results").stream().limit(Math.max(0, 3 - sample.size())).forEach(sample::add);
        if (s.getInteger("compressed") + s.getInteger("consolidated") == 0) {
          break;
        }
      }
    }
    return new JsonObject().put("age_days", ageDays).put("compressed", compressed).put("consolidated", consolidated)
        .put("digests", digests).put("bytes_saved", saved)
        .put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0).put("sample_results", sample);
  }

  private static String internal(LocomoConversation c) {
    return Tenants.inward("default", c.userId); // the bench's own key is the development key, tenant default
  }
}
