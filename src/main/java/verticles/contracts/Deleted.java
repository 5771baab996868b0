package verticles.contracts;

import io.vertx.core.json.JsonObject;

/** How many things a delete removed: index records ({@code memory.vector.delete}) or objects ({@code memory.archive.forget}). */
public record Deleted(long deleted) implements Contract {
  public static Deleted fromJson(JsonObject j) {
    return new Deleted(j.getLong("deleted", 0L));
  }

  @Override

  public JsonObject toJson() {
    return new JsonObject().put("deleted", deleted);
  }
}
