package verticles.structured;

import static verticles.structured.Sql.run;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Bus;
import verticles.bus.Failures;
import verticles.contracts.Entities;

/**
 * A chapter's write-back (seed 003 §6), the last step of its task: what the previous write-back of the chapter wrote
 * is removed, then the extraction is applied item by item (entity updates, new events, relation changes; names
 * resolved to entities through their aliases, unknown names created), each in its own transaction, so one item's
 * failure leaves the others applied. The chapter's row records the summary and the failed items; the task completes
 * with them in its error message.
 */
final class EntityWriteback {
  private static final Logger LOG = LoggerFactory.getLogger(EntityWriteback.class);
  private static final String ACTOR = "extractor";
  private static final String LOCK = "engram.chapter-writeback.";
  private final io.vertx.core.Vertx vertx;
  private final long lockTimeoutMs;
  private final Pool pool;
  private final EntityRepository repo;
  private final EntityWrites writes;

  EntityWriteback(io.vertx.core.Vertx vertx, long lockTimeoutMs, Pool pool, EntityRepository repo,
      EntityWrites writes) {
    this.vertx = vertx;
    this.lockTimeoutMs = lockTimeoutMs;
    this.pool = pool;
    this.repo = repo;
    this.writes = writes;
  }

  /**
   * One write-back of a chapter at a time, cluster-wide (Vert.x shared data): two of the same chapter at once would
   * both undo, then both apply, and leave duplicates.
   */
  Future<Entities.Item> apply(Entities.Writeback w) {
    return vertx.sharedData().getLockWithTimeout(LOCK + w.userId() + '\u0000' + w.chapterId(), lockTimeoutMs)
        .compose(lock -> Future.succeededFuture().compose(x -> current(w)).eventually(() -> {
          lock.release();
          return Future.succeededFuture();
        }));
  }

  /**
   * Applied unless this task's write-back is in place already (a redelivery: nothing again) or a later task of the
   * chapter wrote it back since (an older text arriving late must not undo a newer one).
   */
  private Future<Entities.Item> current(Entities.Writeback w) {
    return run(pool, EntityQueries.WRITEBACK_TASKS, Tuple.of(w.taskId(), w.userId(), w.characterId(), w.chapterId()))
        .compose(rs -> {
          String recorded = null;
          boolean newer = false;
          for (var r : rs) {
            recorded = r.getString("recorded");
            newer = r.getValue("newer") instanceof Number n && n.intValue() == 1;
          }
          if (recorded == null || !recorded.equals(w.taskId()) && !newer) {
            return applyLocked(w);
          }
          String why = recorded.equals(w.taskId()) ? null : "superseded by the write-back of task " + recorded;
          LOG.info("Write-back of chapter {} (task {}) not applied again: {}", w.chapterId(), w.taskId(),
              why == null ? "applied already" : why);
          return run(pool, EntityQueries.COMPLETE_TASK, Tuple.of(why, w.taskId()))
              .compose(x -> get(new Entities.Chapter(w.userId(), w.characterId(), w.chapterId())));
        });
  }

  private Future<Entities.Item> applyLocked(Entities.Writeback w) {
    String user = w.userId();
    String character = w.characterId();
    String chapter = w.chapterId();
    JsonObject x = w.extraction();
    JsonArray failed = new JsonArray();
    int[] applied = new int[4]; // states, events, relations, entities created
    Map<String, String> names = new HashMap<>();
    Resolver resolver = new Resolver(user, character, chapter, names, applied);
    Future<Void> chain = writes.undoWriteback(user, character, chapter);
    JsonArray updates = x.getJsonArray("entity_updates", new JsonArray());
    for (int i = 0; i < updates.size(); i++) {
      JsonObject u = updates.getJsonObject(i);
      String at = "entity_updates[" + i + "]";
      chain = chain.compose(v -> item(failed, at,
          () -> resolver.id(u.getString("entity_name"))
              .compose(id -> writes.updateState(user, character, id, new JsonObject()
                  .put("state", u.getString("new_state")).put("appearance", chapter)
                  .put("attribute_changes", u.getJsonObject("attribute_changes", new JsonObject())), ACTOR, ACTOR,
                  chapter))
              .map(e -> applied[0]++)));
    }
    JsonArray events = x.getJsonArray("new_events", new JsonArray());
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      String at = "new_events[" + i + "]";
      chain = chain.compose(v -> item(failed, at, () -> resolver.ids(e.getJsonArray("involved_entities",
          new JsonArray())).compose(ids -> writes.createEvent(user, character, new JsonObject()
              .put("type", e.getString("type")).put("summary", e.getString("summary"))
              .put("story_time_start", e.getLong("story_time")).put("entity_ids", new JsonArray(ids))
              .put("appearance", chapter), chapter)).map(ev -> applied[1]++)));
    }
    JsonArray relations = x.getJsonArray("relation_changes", new JsonArray());
    for (int i = 0; i < relations.size(); i++) {
      JsonObject r = relations.getJsonObject(i);
      String at = "relation_changes[" + i + "]";
      chain = chain.compose(v -> item(failed, at, () -> resolver.id(r.getString("source"))
          .compose(source -> resolver.id(r.getString("target")).compose(target -> writes.upsertRelation(user,
              character, new JsonObject().put("source_id", source).put("target_id", target)
                  .put("type", r.getString("type")).put("strength", r.getDouble("strength", 0.5))
                  .put("appearance", chapter), chapter)))
          .map(rel -> applied[2]++)));
    }
    return chain.compose(v -> {
      JsonObject counts = new JsonObject().put("entity_updates", applied[0]).put("new_events", applied[1])
          .put("relation_changes", applied[2]).put("entities_created", applied[3]);
      String summary = x.getString("summary");
      String error = failed.isEmpty() ? null : clipBytes("failed items: " + failed.encode(), 60_000);
      if (!failed.isEmpty()) {
        LOG.warn("Write-back of chapter {} (task {}): {} items failed: {}", chapter, w.taskId(), failed.size(),
            failed.encode());
      }
      return run(pool, EntityQueries.SAVE_WRITEBACK, Tuple.from(Arrays.asList(user, character, chapter, w.taskId(),
              summary, counts.encode(), failed.encode(), w.extractor(), MemoryState.now())))
          .compose(rs -> run(pool, EntityQueries.COMPLETE_TASK, Tuple.of(error, w.taskId())))
          .map(rs -> new Entities.Item(new JsonObject().put("chapter_id", chapter).put("task_id", w.taskId())
              .put("summary", summary).put("applied", counts).put("failed", failed).put("extractor", w.extractor())));
    });
  }

  /** The latest write-back of a chapter, or 404. */
  Future<Entities.Item> get(Entities.Chapter c) {
    return run(pool, EntityQueries.GET_WRITEBACK, Tuple.of(c.userId(), c.characterId(), c.chapterId())).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(Failures.of(Failures.NOT_FOUND, "chapter " + c.chapterId() + " was not written back",
            new JsonObject().put("field", "chapter_id")));
      }
      var r = rs.iterator().next();
      return Future.succeededFuture(new Entities.Item(new JsonObject().put("chapter_id", r.getString("chapter_id"))
          .put("task_id", r.getString("task_id")).put("summary", r.getString("summary"))
          .put("applied", new JsonObject(r.getValue("applied").toString()))
          .put("failed", new JsonArray(r.getValue("failed").toString())).put("extractor", r.getString("extractor"))
          .put("updated_at", Sql.epoch(r.getLocalDateTime("updated_at")))));
    });
  }

  /** One item: applied, or its failure recorded and the write-back goes on. */
  private static Future<Void> item(JsonArray failed, String at, Supplier<Future<?>> work) {
    Future<?> done;
    try {
      done = work.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.<Void>mapEmpty().recover(e -> {
      int code = Bus.code(e);
      if (code >= 500) { // a store away, not the item: the whole write-back fails and is retried (its undo first)
        return Future.failedFuture(e);
      }
      failed.add(new JsonObject().put("item", at).put("error", String.valueOf(e.getMessage())));
      return Future.succeededFuture();
    });
  }

  /** At most {@code max} bytes of UTF-8 (a TEXT column), cut at a character. */
  static String clipBytes(String s, int max) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (b.length <= max) {
      return s;
    }
    int end = max;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(b, 0, end, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Names to entity ids, through aliases; a name no entity holds becomes a new character. */
  private final class Resolver {
    private final String user;
    private final String character;
    private final String chapter;
    private final Map<String, String> known;
    private final int[] applied;

    Resolver(String user, String character, String chapter, Map<String, String> known, int[] applied) {
      this.user = user;
      this.character = character;
      this.chapter = chapter;
      this.known = known;
      this.applied = applied;
    }

    Future<String> id(String name) {
      if (name == null || name.isBlank()) {
        return Future.failedFuture(new IllegalArgumentException("an entity without a name"));
      }
      String key = EntityRepository.aliasKey(name);
      if (known.containsKey(key)) {
        return Future.succeededFuture(known.get(key));
      }
      return repo.resolve(pool, user, character, name).compose(id -> id != null ? Future.succeededFuture(id)
          : writes.create(user, character, new JsonObject().put("name", name.strip()).put("type", "character")
              .put("project_id", EntityRepository.projectOf(user)).put("appearance", chapter), ACTOR, ACTOR)
              .map(e -> {
                applied[3]++;
                return e.getString("id");
              })
              // another chapter's write-back created the name meanwhile: it is that entity
              .recover(e -> Bus.code(e) == Failures.CONFLICT ? repo.resolve(pool, user, character, name)
                  .compose(again -> again != null ? Future.succeededFuture(again) : Future.failedFuture(e))
                  : Future.failedFuture(e)))
          .onSuccess(id -> known.put(key, id));
    }

    Future<List<String>> ids(JsonArray names) {
      List<String> out = new ArrayList<>();
      Future<Void> done = Future.succeededFuture();
      for (Object n : names) {
        done = done.compose(x -> id(String.valueOf(n)).map(id -> {
          if (!out.contains(id)) {
            out.add(id);
          }
          return null;
        }));
      }
      return done.map(out);
    }
  }
}
