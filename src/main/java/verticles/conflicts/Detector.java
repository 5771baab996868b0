package verticles.conflicts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Conflicts;
import verticles.contracts.VectorStore;
import verticles.shared.ThrottledLog;

/**
 * Finds the conflicts of new memories with their owner's others, cheaply enough for the write path: one neighbour
 * search for all of a write's memories (one embedding batch, behind recall's queries), at most
 * {@code candidates} neighbours each, nearer than {@code min_cosine} and within {@code time_window}; then one judge
 * for all pairs (the LLM when configured, else the rules). Messages are never compared (they are the verbatim
 * history); a summary is compared only with summaries and only for a restatement (a session's narrative is history,
 * not a claim about today); a duplicate needs the same memory type. A memory that restates another has that one
 * finding only: it will be merged, not stored. {@code single}: both memories make one claim each (one clause), so
 * a conflict between them may be resolved automatically: "用户住在北京，用户的生日是3月15日" also holds a birthday, which
 * a move must not close.
 */
final class Detector {
  private static final Logger LOG = LoggerFactory.getLogger(Detector.class);
  private static final ThrottledLog LLM_AWAY = new ThrottledLog(LOG, 10_000);
  static final List<String> TYPES = List.of("summary", "event", "profile", "entity");
  private static final double SUMMARY_COSINE = 0.8;

  private record Pair(JsonObject memory, JsonObject other, double cosine, boolean memoryIsNewer) {
    JsonObject a() {
      return memoryIsNewer ? other : memory;
    }

    JsonObject b() {
      return memoryIsNewer ? memory : other;
    }
  }

  private final Vertx vertx;
  private final ConflictSettings settings;
  private final RuleJudge rules;
  private final LlmJudge llm;
  private final DeliveryOptions search;

  Detector(Vertx vertx, ConflictSettings settings, RuleJudge rules, LlmJudge llm) {
    this.vertx = vertx;
    this.settings = settings;
    this.rules = rules;
    this.llm = llm;
    this.search = new DeliveryOptions().setSendTimeout(settings.timeoutMs());
  }

  Future<Conflicts.Detected> detect(Conflicts.Detect req) {
    List<JsonObject> checked = req.memories().stream()
        .filter(m -> TYPES.contains(m.getString("memory_type")) && !m.getString("content", "").isBlank()).toList();
    if (!settings.enabled() || checked.isEmpty()) {
      return Future.succeededFuture(new Conflicts.Detected(new JsonArray()));
    }
    Set<String> skip = new HashSet<>(req.exclude());
    req.memories().forEach(m -> skip.add(m.getString("id")));
    int topK = Math.min(50, settings.candidates() + skip.size());
    List<String> texts = checked.stream().map(m -> m.getString("content")).toList();
    List<JsonArray> hits = new ArrayList<>();
    Future<Void> searched = Future.succeededFuture();
    for (int from = 0; from < texts.size(); from += VectorStore.Neighbours.MAX_TEXTS) { // a large task: in parts
      List<String> part = texts.subList(from, Math.min(texts.size(), from + VectorStore.Neighbours.MAX_TEXTS));
      searched = searched.compose(x -> Bus.request(vertx, Addresses.VECTOR_NEIGHBOURS, new VectorStore.Neighbours(
              req.userId(), req.characterId(), part, TYPES, topK), search, VectorStore.Neighbourhoods::fromJson)
          .map(found -> {
            hits.addAll(found.hits());
            return null;
          }));
    }
    return searched.compose(x -> {
      List<Pair> pairs = new ArrayList<>();
      for (int i = 0; i < checked.size(); i++) {
        pairs.addAll(candidates(checked.get(i), hits.get(i), skip));
      }
      return judge(pairs).map(judged -> new Conflicts.Detected(findings(pairs, judged)));
    });
  }

  /** The neighbours worth judging: not excluded, near enough, within the window, of a comparable type. */
  private List<Pair> candidates(JsonObject memory, JsonArray hits, Set<String> skip) {
    long at = at(memory);
    boolean summary = "summary".equals(memory.getString("memory_type"));
    List<Pair> out = new ArrayList<>();
    for (int j = 0; j < hits.size() && out.size() < settings.candidates(); j++) {
      JsonObject hit = hits.getJsonObject(j);
      double cosine = hit.getDouble("dense_score", 0.0);
      long ts = hit.getLong("timestamp", 0L);
      if (skip.contains(hit.getString("id")) || cosine < settings.minCosine()
          || Math.abs(ts - at) > settings.windowSeconds() || summary != "summary".equals(hit.getString("memory_type"))) {
        continue;
      }
      out.add(new Pair(memory, hit, cosine, ts <= at));
    }
    return out;
  }

  /** The verdicts of the pairs, and whether both memories of each make one claim (see {@link #single}). */
  private record Judged(List<Verdict> verdicts, List<Boolean> single) {}

  private Future<Judged> judge(List<Pair> pairs) {
    if (pairs.isEmpty()) {
      return Future.succeededFuture(new Judged(List.of(), List.of()));
    }
    if (llm == null) {
      return vertx.executeBlocking(() -> byRules(pairs), false);
    }
    List<LlmJudge.Pair> asked = pairs.stream().map(p -> new LlmJudge.Pair(p.a().getString("content"), at(p.a()),
        p.b().getString("content"), at(p.b()))).toList();
    return llm.judge(asked)
        .compose(verdicts -> vertx.executeBlocking(() -> new Judged(verdicts, byRules(pairs).single()), false))
        .recover(e -> {
          LLM_AWAY.warn("llm", "Conflict judge: the LLM failed ({}); the rules judge instead", e.toString());
          return vertx.executeBlocking(() -> byRules(pairs), false);
        });
  }

  /**
   * The rules' verdicts, each memory read once. Two summaries are judged only when near enough to restate each other
   * (a cosine of 0.8): a restatement is all that is looked for between them, and reading long texts costs.
   */
  private Judged byRules(List<Pair> pairs) {
    Map<String, Statement> read = new HashMap<>();
    List<Verdict> verdicts = new ArrayList<>();
    List<Boolean> single = new ArrayList<>();
    for (Pair p : pairs) {
      boolean summaries = "summary".equals(p.memory().getString("memory_type"));
      if (summaries && p.cosine() < SUMMARY_COSINE) {
        verdicts.add(Verdict.none("summaries too far apart to restate each other"));
        single.add(false);
        continue;
      }
      Statement a = read.computeIfAbsent(p.a().getString("id"), k -> Statement.of(p.a().getString("content"),
          p.a().getJsonObject("metadata")));
      Statement b = read.computeIfAbsent(p.b().getString("id"), k -> Statement.of(p.b().getString("content"),
          p.b().getJsonObject("metadata")));
      verdicts.add(rules.judge(a, b, p.cosine()));
      single.add(a.clauses.isEmpty() && b.clauses.isEmpty());
    }
    return new Judged(verdicts, single);
  }

  /** The conflicts among the verdicts, at most one duplicate per memory, which then stands alone. */
  private static JsonArray findings(List<Pair> pairs, Judged judged) {
    List<Verdict> verdicts = judged.verdicts();
    JsonArray out = new JsonArray();
    Set<String> merged = new HashSet<>();
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      Verdict v = verdicts.get(i);
      String id = p.memory().getString("id");
      boolean sameType = p.memory().getString("memory_type").equals(p.other().getString("memory_type"));
      boolean summary = "summary".equals(p.memory().getString("memory_type"));
      if (v.conflict() && !merged.contains(id) && (!v.type().equals(Verdict.DUPLICATE) || sameType)
          && (!summary || v.type().equals(Verdict.DUPLICATE))) {
        if (v.type().equals(Verdict.DUPLICATE)) {
          merged.add(id);
        }
        out.add(v.toJson().put("memory_id", id).put("cosine", Math.round(p.cosine() * 1000) / 1000.0)
            .put("newer", p.memoryIsNewer() ? "memory" : "other").put("single", judged.single().get(i))
            .put("other", new JsonObject().put("id", p.other().getString("id"))
                .put("memory_type", p.other().getString("memory_type")).put("content", p.other().getString("content"))
                .put("timestamp", p.other().getLong("timestamp")).put("metadata", p.other().getJsonObject("metadata"))));
      }
    }
    JsonArray kept = new JsonArray();
    for (Object o : out) { // a memory that will be merged keeps only that finding
      JsonObject f = (JsonObject) o;
      if (!merged.contains(f.getString("memory_id")) || Verdict.DUPLICATE.equals(f.getString("type"))) {
        kept.add(f);
      }
    }
    return kept;
  }

  private static long at(JsonObject memory) {
    return memory.getLong("at", memory.getLong("timestamp", 0L));
  }
}
