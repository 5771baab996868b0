package verticles.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import verticles.bus.Addresses;
import verticles.contracts.Lifecycle;

/** Memories that arrive already extracted: imports, corrections, a benchmark's gold facts. */
final class MemoryRoutes {
  private final Calls calls;

  MemoryRoutes(Calls calls) {
    this.calls = calls;
  }

  /**
   * {@code POST /v1/memories}: stored as a memory (MySQL, version 1) and embedded and indexed now, searchable by the
   * next recall. Its id is derived from owner, type, time and text, so posting it again changes nothing instead of
   * adding a copy, and no request can name another owner's memory. One that restates a stored memory in other words
   * (the conflict detector's duplicate) is merged into it: the reply is that memory, {@code merged: true},
   * {@code restated_as} the id it would have had. {@code conflicts}: the reports its import made.
   */
  void postMemory(RoutingContext ctx) {
    calls.withBody(ctx, "memories", body -> {
      // created_at: a forget that starts while this is on its way refuses it
      Lifecycle.Create create = create(body, actor(ctx), System.currentTimeMillis());
      JsonObject record = create.record();
      return calls.request(Addresses.MEMORY_CREATE, create, calls.write, Lifecycle.Memory::fromJson)
          .map(m -> {
            JsonObject memory = m.memory();
            ctx.response().putHeader("ETag", "\"" + memory.getInteger("version") + "\"");
            if (memory.getBoolean("merged", false)) {
              return memory; // a restatement: the memory it restates, which got its provenance
            }
            return record.copy().put("category", memory.getString("category")).put("source", memory.getString("source"))
                .put("status", memory.getString("status")).put("version", memory.getInteger("version"))
                .put("conflicts", memory.getJsonArray("conflicts", new io.vertx.core.json.JsonArray()));
          });
    }, 201);
  }

  /**
   * The import of a validated body of schema {@code memories}, its user already the tenant's: the memory record with
   * its id derived from owner, type, time and text. Also a transaction's create operation.
   */
  static Lifecycle.Create create(JsonObject body, String actor, long createdAtMs) {
    JsonObject record = new JsonObject()
        .put("id", memoryId(body))
        .put("user_id", body.getString("user_id"))
        .put("character_id", body.getString("character_id"))
        .put("memory_type", body.getString("memory_type"))
        .put("content", body.getString("content"))
        .put("timestamp", body.getLong("timestamp"))
        .put("importance", body.getInteger("importance", 5))
        .put("session_id", body.getString("session_id"))
        .put("source_msg_ids", body.getJsonArray("source_msg_ids", new JsonArray()))
        .put("metadata", body.getJsonObject("metadata", new JsonObject()));
    return new Lifecycle.Create(record, body.getString("category"), "import", actor, createdAtMs);
  }

  /** Who writes: the API key's name. */
  static String actor(RoutingContext ctx) {
    ApiKeys.Key key = Auth.key(ctx);
    return key == null ? "api" : key.name();
  }

  private static String memoryId(JsonObject body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : List.of(body.getString("user_id"), body.getString("character_id"),
          body.getString("memory_type"), String.valueOf(body.getLong("timestamp")), body.getString("content"))) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "mem-" + HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
