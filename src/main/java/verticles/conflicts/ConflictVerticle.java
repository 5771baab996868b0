package verticles.conflicts;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Conflicts;

/**
 * The conflict detector ({@code memory.conflicts.detect}): how new or changed memories stand to their owner's others
 * (duplicate, outdated, contradiction, inconsistent). It reads the index's neighbours over the bus and judges with
 * the LLM when one is configured ({@code extractor.llm}, through the node's {@code llm} breaker), else with the
 * rules; it stores nothing: the memory writer records what it finds (see {@code docs/architecture.md}, Conflicts).
 * Never on the recall path.
 */
public final class ConflictVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConflictVerticle.class);
  private final CircuitBreaker llmBreaker;

  /** @param llmBreaker the node's {@code llm} breaker (null when no LLM is configured) */
  public ConflictVerticle(CircuitBreaker llmBreaker) {
    this.llmBreaker = llmBreaker;
  }

  @Override
  public Future<?> start() {
    ConflictSettings settings = ConflictSettings.from(config());
    LlmJudge llm = settings.llmJudged(config())
        ? new LlmJudge(vertx, config().getJsonObject("extractor").getJsonObject("llm"), llmBreaker) : null;
    LOG.debug("Conflict detection {}, judged by {}", settings.enabled() ? "on" : "off", llm == null ? "rules" : "the LLM");
    Detector detector = new Detector(vertx, settings, new RuleJudge(settings.duplicateCosine()), llm);
    return Bus.consume(vertx, Addresses.CONFLICTS_DETECT, Conflicts.Detect::fromJson, detector::detect);
  }
}
