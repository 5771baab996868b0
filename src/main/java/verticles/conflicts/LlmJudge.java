package verticles.conflicts;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import verticles.extractor.ModelAnswers;
import verticles.shared.HttpRetry;

/**
 * The judge when an LLM is configured ({@code extractor.llm}): every pair of one write in one chat completion,
 * through the node's {@code llm} breaker. The pairs go in the user message as JSON data (the instructions are the
 * system message, {@code conf/prompts/conflicts.txt}), the answer is read with the extractor's {@link ModelAnswers}.
 * A judgement missing from the answer, or of no known type, is {@code none}. When the call fails the caller judges
 * with the rules instead.
 */
final class LlmJudge {
  /** One pair to judge: a older, b newer, each its text and when it was said (epoch seconds). */
  record Pair(String a, long aAt, String b, long bAt) {}

  private final HttpRetry http;
  private final String url;
  private final String model;
  private final String prompt;

  LlmJudge(Vertx vertx, JsonObject llm, CircuitBreaker breaker) {
    this.url = llm.getString("base_url", "").strip().replaceAll("/+$", "") + "/chat/completions";
    this.model = llm.getString("model", "").strip();
    this.prompt = resource("conf/prompts/conflicts.txt");
    this.http = new HttpRetry(vertx, llm, breaker);
  }

  Future<List<Verdict>> judge(List<Pair> pairs) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      data.add(new JsonObject().put("i", i)
          .put("a", new JsonObject().put("text", p.a()).put("date", day(p.aAt())))
          .put("b", new JsonObject().put("text", p.b()).put("date", day(p.bAt()))));
    }
    JsonObject body = new JsonObject().put("model", model).put("temperature", 0.0).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", prompt))
        .add(new JsonObject().put("role", "user").put("content", "<pairs>\n" + new JsonObject().put("pairs", data)
            .encode() + "\n</pairs>")));
    return http.postJson(url, body).map(response -> verdicts(pairs.size(),
        ModelAnswers.parseModelJson("conflicts", ModelAnswers.answer(response))));
  }

  static List<Verdict> verdicts(int n, JsonObject answer) {
    List<Verdict> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Verdict.none("the model said nothing of this pair"));
    }
    JsonArray judgements = answer.getValue("judgements") instanceof JsonArray a ? a : new JsonArray();
    for (Object o : judgements) {
      if (o instanceof JsonObject j && j.getValue("i") instanceof Number i && i.intValue() >= 0 && i.intValue() < n
          && j.getValue("type") instanceof String type) {
        double severity = j.getValue("severity") instanceof Number s ? Math.max(0, Math.min(1, s.doubleValue())) : 0.5;
        String evidence = j.getValue("evidence") instanceof String e ? e : "";
        String suggestion = j.getValue("suggested_resolution") instanceof String s ? s : null;
        if (Verdict.TYPES.contains(type)) {
          out.set(i.intValue(), new Verdict(type, severity, List.of(evidence), suggestion, "llm"));
        }
      }
    }
    return out;
  }

  private static String day(long epochSeconds) {
    return Instant.ofEpochSecond(epochSeconds).atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static String resource(String path) {
    try (InputStream in = LlmJudge.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing prompt resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
