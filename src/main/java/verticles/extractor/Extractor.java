package verticles.extractor;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Turns one conversation into memories. Two implementations, chosen by config: the built-in
 * {@code RuleExtractor} (no model) and {@code OpenAiExtractor} (OpenAI-compatible chat completions).
 *
 * <p>Input {@code task}: {@code {task_id, user_id, character_id, session_id, messages:[{msg_id, role:"user"|"assistant",
 * name?, content, timestamp (epoch seconds)}]}}.
 *
 * <p>Output, the seed's three extraction shapes plus provenance:
 * <pre>
 * {
 *   "summary":  {"text": "...", "topics": ["..."], "emotion": "positive|negative|neutral", "msg_ids": ["..."]} or null,
 *   "profiles": [{"type": "basic_info|preference|personality|relationship", "key": "birthday", "value": "03-15",
 *                 "confidence": 0.9, "source_msg_id": "m2"}],
 *   "events":   [{"type": "birthday|anniversary|achievement|life_event|emotional|plan|memory", "title": "...",
 *                 "summary": "...", "date": "YYYY-MM-DD" | "MM-DD" | null, "emotion": "positive|negative|neutral|excited|sad|anxious",
 *                 "importance": 1..10, "source_msg_ids": ["m2"]}]
 * }
 * </pre>
 * A failed future means the task should be retried (e.g. the LLM endpoint is down).
 */
public interface Extractor {
  Future<JsonObject> extract(JsonObject task);

  /** Short name for logs and metrics, e.g. "rules" or "openai". */
  String name();
}
