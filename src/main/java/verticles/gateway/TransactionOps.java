package verticles.gateway;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verticles.contracts.Lifecycle;
import verticles.contracts.Transaction;
import verticles.shared.Tenants;

/**
 * A transaction's or a batch's operations as clients send them, checked as their own routes check them: a create's
 * {@code memory} as {@code POST /v1/memories}, an update's fields as {@code PATCH /v1/memories/{id}}. Every error names
 * its field in full, {@code operations[2].memory.content} in a batch, {@code memory.content} in a staged operation.
 */
final class TransactionOps {
  private static final Map<String, Set<String>> FIELDS = Map.of(
      "create", Set.of("op", "memory"),
      "update", Set.of("op", "id", "if_match", "content", "importance", "category", "metadata", "valid_to", "reason"),
      "delete", Set.of("op", "id", "hard", "if_match", "reason"));
  private static final Set<String> NOT_CHANGES = Set.of("op", "id", "if_match", "reason");

  private final RequestValidator validator;

  TransactionOps(RequestValidator validator) {
    this.validator = validator;
  }

  /**
   * One operation, for the caller's tenant and as its key ({@code actor}). {@code at}: where it sits in the request,
   * "" for a body that is the operation, {@code operations[i]} in a batch.
   */
  Transaction.Op parse(Object value, String at, String tenant, String actor, long now) {
    if (!(value instanceof JsonObject body)) {
      throw new RequestValidator.ValidationException(at.isEmpty() ? "body" : at, "must be an object {op, ...}");
    }
    if (!(body.getValue("op") instanceof String op) || !Transaction.OPS.contains(op)) {
      throw new RequestValidator.ValidationException(field(at, "op"), "must be one of "
          + String.join(", ", Transaction.OPS));
    }
    for (String name : body.fieldNames()) {
      if (!FIELDS.get(op).contains(name)) {
        throw new RequestValidator.ValidationException(field(at, name), "is not a field of a " + op
            + " operation, which takes " + List.copyOf(new java.util.TreeSet<>(FIELDS.get(op))));
      }
    }
    validate("transaction_" + op, body, at);
    String id = body.getString("id");
    return switch (op) {
      case "create" -> {
        JsonObject memory = Tenants.inward(tenant, validate("memories", body.getJsonObject("memory"),
            field(at, "memory")));
        yield new Transaction.Op(op, MemoryRoutes.create(memory, actor, now).toJson());
      }
      case "update" -> {
        JsonObject changes = body.copy();
        NOT_CHANGES.forEach(changes::remove);
        if (changes.isEmpty()) {
          throw new RequestValidator.ValidationException(at.isEmpty() ? "body" : at, "names nothing to change; an"
              + " update may change content, importance, category, metadata and valid_to");
        }
        yield new Transaction.Op(op, new Lifecycle.Update(id, tenant, body.getInteger("if_match"), false, changes,
            body.getString("reason"), actor).toJson());
      }
      default -> new Transaction.Op(op, new Lifecycle.Delete(id, tenant, body.getInteger("if_match"),
          body.getBoolean("hard", false), body.getString("reason"), actor).toJson());
    };
  }

  /** {@code body} checked against schema {@code schema}, an error's field put under {@code at}. */
  private JsonObject validate(String schema, JsonObject body, String at) {
    try {
      return validator.validate(schema, body);
    } catch (RequestValidator.ValidationException e) {
      throw new RequestValidator.ValidationException(e.field.equals("body") ? (at.isEmpty() ? "body" : at)
          : field(at, e.field), e.getMessage());
    }
  }

  private static String field(String at, String name) {
    return at.isEmpty() ? name : at + "." + name;
  }
}
