package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Request validation: strict UTF-8 JSON, the numeric fields' ranges ({@link NumericFields}), the JSON schemas in
 * {@code conf/schemas/api.json}, then the limits the schema cannot express (the full rule for ids in {@link Ids},
 * content length and blankness, timestamps in the future, message counts).
 */
final class RequestValidator {
  private static final int MAX_METADATA_CHARS = 16_384;
  /** The string form of recent_context may carry this much (the API schema), and so may its turns together. */
  private static final int MAX_RECENT_CONTEXT_CHARS = 20_000;
  private static final Pattern REQUIRED = Pattern.compile("required property \"?([^\"\\s]+)\"?");

  private final Map<String, Validator> validators = new HashMap<>();
  private final Map<String, NumericFields> numbers = new HashMap<>();
  /** The fields each schema declares: the checks below read only those (an undeclared one may hold anything). */
  private final Map<String, Set<String>> declared = new HashMap<>();
  private final int maxMessages;
  private final int maxContentChars;
  private final long maxFutureSkew;

  RequestValidator(JsonObject http) {
    maxMessages = http.getInteger("max_messages_per_request", 500);
    maxContentChars = http.getInteger("max_content_chars", 20000);
    maxFutureSkew = http.getLong("max_future_skew_s", 86400L);
    JsonObject api = load();
    JsonObject defs = api.getJsonObject("$defs");
    JsonObject requests = api.getJsonObject("requests");
    for (String name : requests.fieldNames()) {
      JsonObject schema = requests.getJsonObject(name).copy().put("$defs", defs);
      validators.put(name, Validator.create(JsonSchema.of(schema), new JsonSchemaOptions()
          .setDraft(Draft.DRAFT202012).setBaseUri("https://engram.local/").setOutputFormat(OutputFormat.Basic)));
      numbers.put(name, NumericFields.of(requests.getJsonObject(name), defs));
      declared.put(name, Set.copyOf(requests.getJsonObject(name).getJsonObject("properties", new JsonObject())
          .fieldNames()));
    }
  }

  private static JsonObject load() {
    try (InputStream in = RequestValidator.class.getResourceAsStream("/conf/schemas/api.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a body as a JSON object, rejecting bytes that are not UTF-8. */
  static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new ValidationException("body", "request body is empty; a JSON object is required");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body.getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw new ValidationException("body", "request body is not valid UTF-8");
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(text);
    } catch (RuntimeException e) {
      throw new ValidationException("body", "request body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject obj)) {
      throw new ValidationException("body", "request body must be a JSON object");
    }
    return obj;
  }

  /** Validates {@code body} against request schema {@code name}; throws the first, most specific problem. */
  JsonObject validate(String name, JsonObject body) {
    numbers.get(name).check(body); // first: a number the schema validator lets through must not reach a store
    OutputUnit out = validators.get(name).validate(body);
    if (!Boolean.TRUE.equals(out.getValid())) {
      throw toException(out);
    }
    Set<String> fields = declared.get(name);
    Ids.checkBody(body, fields);
    JsonArray messages = fields.contains("messages") ? body.getJsonArray("messages") : null;
    if (messages != null) {
      checkMessages(messages);
    }
    String content = fields.contains("content") ? body.getString("content") : null;
    if (content != null) {
      checkContent("content", content);
    }
    JsonObject metadata = fields.contains("metadata") ? body.getJsonObject("metadata") : null;
    if (metadata != null && metadata.encode().length() > MAX_METADATA_CHARS) {
      throw new ValidationException("metadata", "larger than " + MAX_METADATA_CHARS + " characters as JSON");
    }
    Long timestamp = fields.contains("timestamp") ? body.getLong("timestamp") : null;
    long latest = Instant.now().getEpochSecond() + maxFutureSkew;
    if (timestamp != null && timestamp > latest) {
      throw future("timestamp", latest);
    }
    if (fields.contains("turns") && body.getJsonArray("turns") != null) {
      checkTurns(body.getJsonArray("turns"));
    }
    JsonArray entities = fields.contains("active_entities") ? body.getJsonArray("active_entities") : null;
    for (int i = 0; entities != null && i < entities.size(); i++) {
      checkText("active_entities[" + i + "]", entities.getString(i));
    }
    if (fields.contains("recent_context") && body.getValue("recent_context") instanceof JsonArray turns) {
      checkRecentTurns(turns);
    }
    for (String field : List.of("message", "recent_context", "current_location", "emotional_tone")) {
      String text = fields.contains(field) && body.getValue(field) instanceof String s ? s : null;
      if (text != null && text.isBlank() && field.equals("message")) {
        throw new ValidationException(field, "must not be blank");
      }
      if (text != null && hasLoneSurrogate(text)) {
        throw new ValidationException(field, "contains an unpaired UTF-16 surrogate");
      }
    }
    return body;
  }

  /** recent_context as turns: as much text in all as the string form may carry, and no broken UTF-16. */
  private static void checkRecentTurns(JsonArray turns) {
    int chars = 0;
    for (int i = 0; i < turns.size(); i++) {
      JsonObject turn = turns.getJsonObject(i);
      for (String part : List.of("content", "name")) {
        String text = turn.getString(part);
        if (text != null && hasLoneSurrogate(text)) {
          throw new ValidationException("recent_context[" + i + "]." + part, "contains an unpaired UTF-16 surrogate");
        }
      }
      chars += turn.getString("content").length();
      if (chars > MAX_RECENT_CONTEXT_CHARS) {
        throw new ValidationException("recent_context", "at most " + MAX_RECENT_CONTEXT_CHARS
            + " characters of content in all");
      }
    }
  }

  private void checkMessages(JsonArray messages) {
    if (messages.size() > maxMessages) {
      throw new ValidationException("messages", "at most " + maxMessages + " messages per request, got "
          + messages.size());
    }
    long latest = Instant.now().getEpochSecond() + maxFutureSkew;
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      String at = "messages[" + i + "]";
      checkContent(at + ".content", m.getString("content"));
      if (m.getLong("timestamp") > latest) {
        throw future(at + ".timestamp", latest);
      }
      // a message is known by its id: a second one with the same id would be taken for a retry and dropped
      Integer first = m.getString("msg_id") == null ? null : seen.putIfAbsent(m.getString("msg_id"), i);
      if (first != null) {
        throw new ValidationException(at + ".msg_id", "duplicates messages[" + first + "].msg_id \""
            + m.getString("msg_id") + "\"; msg_id must be unique within a request");
      }
    }
  }

  /** A session context's turns: each content as a message's, each {@code at} not in the future. */
  private void checkTurns(JsonArray turns) {
    long latest = Instant.now().getEpochSecond() + maxFutureSkew;
    for (int i = 0; i < turns.size(); i++) {
      JsonObject t = turns.getJsonObject(i);
      checkContent("turns[" + i + "].content", t.getString("content"));
      if (t.getString("name") != null && hasLoneSurrogate(t.getString("name"))) {
        throw new ValidationException("turns[" + i + "].name", "contains an unpaired UTF-16 surrogate");
      }
      if (t.getLong("at") != null && t.getLong("at") > latest) {
        throw future("turns[" + i + "].at", latest);
      }
    }
  }

  private static void checkText(String field, String text) {
    if (text.isBlank()) {
      throw new ValidationException(field, "must not be blank");
    }
    if (hasLoneSurrogate(text)) {
      throw new ValidationException(field, "contains an unpaired UTF-16 surrogate");
    }
  }

  private ValidationException future(String field, long latest) {
    return new ValidationException(field, "is in the future (epoch seconds expected, at most " + maxFutureSkew
        + " s ahead: " + latest + " now)");
  }

  private void checkContent(String field, String content) {
    if (content.isBlank()) {
      throw new ValidationException(field, "must not be blank");
    }
    if (content.length() > maxContentChars) {
      throw new ValidationException(field, "longer than " + maxContentChars + " characters");
    }
    if (hasLoneSurrogate(content)) {
      throw new ValidationException(field, "contains an unpaired UTF-16 surrogate");
    }
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private static ValidationException toException(OutputUnit out) {
    OutputUnit best = out;
    if (out.getErrors() != null) {
      for (OutputUnit e : out.getErrors()) {
        if (best == out || depth(e) > depth(best)) {
          best = e;
        }
      }
    }
    String location = best.getInstanceLocation() == null ? "" : best.getInstanceLocation();
    String error = best.getError() == null ? "is invalid" : best.getError();
    Matcher m = REQUIRED.matcher(error);
    if (m.find()) {
      location = location + "/" + m.group(1);
      error = "is required";
    }
    return new ValidationException(field(location), error);
  }

  private static int depth(OutputUnit u) {
    String loc = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
    int d = loc.split("/").length * 2;
    return d + (u.getError() != null && u.getError().contains("required") ? 1 : 0);
  }

  /** "/messages/0/role" → "messages[0].role". */
  static String field(String pointer) {
    StringBuilder sb = new StringBuilder();
    for (String part : pointer.split("/")) {
      if (part.isEmpty() || part.equals("#")) {
        continue;
      }
      if (part.chars().allMatch(Character::isDigit)) {
        sb.append('[').append(part).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(part.replace("~1", "/").replace("~0", "~"));
      }
    }
    return sb.length() == 0 ? "body" : sb.toString();
  }

  /** A 400 naming the field and the problem. */
  static final class ValidationException extends RuntimeException {
    final String field;

    ValidationException(String field, String problem) {
      super(problem);
      this.field = field;
    }
  }
}
