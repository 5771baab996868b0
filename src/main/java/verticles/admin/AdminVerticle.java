package verticles.admin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verticles.bus.Addresses;
import verticles.bus.Bus;
import verticles.contracts.Admin;
import verticles.contracts.Archive;
import verticles.contracts.Contract;
import verticles.contracts.Deleted;
import verticles.contracts.Empty;
import verticles.contracts.Forget;
import verticles.contracts.Outbox;
import verticles.contracts.Owner;
import verticles.contracts.Structured;
import verticles.contracts.Tasks;
import verticles.contracts.VectorStore;
import verticles.shared.Tenants;

/**
 * What operators ask of Engram, coordinated over the event bus as the Merger coordinates recall: forget a user, export
 * one, stats, retry a failed task. Stateless; each store's verticle does its own part.
 *
 * <p>Forget runs in an order that can be resumed after a crash: the tombstone first (from then on every write path
 * refuses what the owner's earlier tasks produce), then tasks and buffered messages (nothing new is cut from them),
 * index records, archives and exports, and the rows last. Each step is idempotent, so a forget cut short is finished
 * by asking again.
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  /** Rows and records per export page. */
  static final int PAGE = 500;
  static final List<String> MEMORY_TYPES = List.of("summary", "event", "profile", "message", "entity");

  private DeliveryOptions call;

  @Override
  public Future<?> start() {
    call = new DeliveryOptions().setSendTimeout(config().getJsonObject("admin", new JsonObject())
        .getLong("store_timeout_ms", 30_000L));
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.ADMIN_FORGET, Owner::required, this::forget),
        Bus.consume(vertx, Addresses.ADMIN_EXPORT, Admin.ExportRequest::fromJson, this::export),
        Bus.consume(vertx, Addresses.ADMIN_STATS, Owner::fromJson, this::stats),
        Bus.consume(vertx, Addresses.ADMIN_RETRY, Tasks.Id::fromJson, this::retry)));
  }

  // ---------------------------------------------------------------- forget

  /** A second forget finds nothing left and answers zero counts. */
  private Future<Forget.Forgotten> forget(Owner owner) {
    Forget.Tombstone[] tombstone = new Forget.Tombstone[1];
    Forget.TasksDeleted[] tasks = new Forget.TasksDeleted[1];
    Deleted[] index = new Deleted[1];
    Deleted[] archives = new Deleted[1];
    return request(Addresses.FORGET_TOMBSTONE, owner, Forget.Tombstone::fromJson)
        .compose(t -> {
          tombstone[0] = t;
          return request(Addresses.FORGET_TASKS, owner, Forget.TasksDeleted::fromJson);
        })
        .compose(r -> {
          tasks[0] = r;
          return request(Addresses.VECTOR_DELETE, owner, Deleted::fromJson);
        })
        .compose(r -> {
          index[0] = r;
          vertx.eventBus().publish(Addresses.VECTOR_CACHE_CLEAR, Empty.INSTANCE.toJson());
          return request(Addresses.ARCHIVE_FORGET, owner, Deleted::fromJson);
        })
        .compose(r -> {
          archives[0] = r;
          return request(Addresses.FORGET_ROWS, owner, Forget.RowsDeleted::fromJson);
        })
        .map(rows -> {
          Forget.Deleted deleted = new Forget.Deleted(tasks[0].tasks() + rows.lateTasks(),
              tasks[0].bufferedMessages() + rows.lateBufferedMessages(), index[0].deleted(), archives[0].deleted(),
              rows.profiles(), rows.events(), rows.summaries());
          LOG.info("Forgot user {} ({}): {}", owner.userId(), owner.characterId() == null ? "all characters"
              : "character " + owner.characterId(), deleted.toJson().encode());
          return new Forget.Forgotten(owner.userId(), owner.characterId(), tombstone[0].forgottenAt(), deleted);
        });
  }

  // ---------------------------------------------------------------- export

  /**
   * The export, also written to {@code exports/{user}/full_export_{epoch ms}.json}, plus its {@code path}. A user with
   * nothing stored gets empty sections (and the file), not a 404: "nothing is kept about you" is an answer an export
   * should be able to give.
   */
  private Future<JsonObject> export(Admin.ExportRequest b) {
    if (b.userId() == null || b.userId().isBlank()) {
      throw new IllegalArgumentException("user_id is required");
    }
    Owner owner = new Owner(b.userId(), b.characterId());
    long now = System.currentTimeMillis();
    Future<JsonArray> profiles = rows("profiles", owner, 0, new JsonArray());
    Future<JsonArray> events = rows("events", owner, 0, new JsonArray());
    Future<JsonArray> summaries = rows("summaries", owner, 0, new JsonArray());
    Future<JsonArray> versions = rows("versions", owner, 0, new JsonArray());
    Future<JsonArray> memories = records(owner, 0, new JsonArray());
    Future<Archive.Used> archives = request(Addresses.ARCHIVE_USAGE,
        new Archive.Usage(owner.userId(), owner.characterId(), true), Archive.Used::fromJson);
    return Future.all(List.of(profiles, events, summaries, versions, memories, archives)).compose(x -> {
      JsonArray paths = new JsonArray();
      archives.result().keys().stream().map(Archive.StoredObject::path)
          .filter(path -> path.startsWith("conversations/")) // earlier exports are not part of the user's data
          .forEach(paths::add);
      JsonObject built = new JsonObject()
          .put("format", "engram.export.v1")
          .put("user_id", owner.userId())
          .put("character_id", owner.characterId())
          .put("exported_at", Instant.ofEpochMilli(now).toString())
          .put("profiles", profiles.result())
          .put("events", events.result())
          .put("summaries", summaries.result())
          .put("memories", memories.result())
          // every version of every memory (MySQL), so the history leaves with the user too
          .put("versions", versions.result())
          .put("archive_paths", paths);
      // the file is the client's: its ids in the client's terms, like every reply
      JsonObject export = b.tenant() == null ? built : Tenants.outward(b.tenant(), built);
      return request(Addresses.ARCHIVE_EXPORT, new Archive.Export(owner.userId(), now, export),
          Archive.Written::fromJson).map(written -> export.put("path", written.path()));
    });
  }

  /** Every row of one kind, a keyset page at a time. */
  private Future<JsonArray> rows(String kind, Owner owner, long afterId, JsonArray acc) {
    return request(Addresses.STRUCTURED_EXPORT, new Structured.ExportPage(kind, owner.userId(), owner.characterId(),
        afterId, PAGE), Structured.Items::fromJson).compose(r -> {
          JsonArray page = r.items();
          page.forEach(acc::add);
          return page.size() < PAGE ? Future.succeededFuture(acc)
              : rows(kind, owner, page.getJsonObject(page.size() - 1).getLong("id"), acc);
        });
  }

  /** Every index record of the owner, a page at a time. */
  private Future<JsonArray> records(Owner owner, int offset, JsonArray acc) {
    return request(Addresses.VECTOR_LIST, new VectorStore.ListPage(owner.userId(), owner.characterId(), offset, PAGE),
        VectorStore.Records::fromJson).compose(r -> {
          r.records().forEach(record -> acc.add(record.toJson()));
          return r.records().size() < PAGE ? Future.succeededFuture(acc) : records(owner, offset + PAGE, acc);
        });
  }

  // ---------------------------------------------------------------- stats

  /**
   * Counts by memory type (MySQL rows and index records), tasks by status, buffered messages and storage bytes; of
   * one user, or of everything (plus the number of users) without a user.
   */
  private Future<Admin.Stats> stats(Owner b) {
    Owner scope = b.userId() == null ? new Owner(null, null) : b;
    Future<Structured.Stats> sql = request(Addresses.STRUCTURED_STATS, scope, Structured.Stats::fromJson);
    Future<VectorStore.Counts> index = request(Addresses.VECTOR_COUNTS, scope, VectorStore.Counts::fromJson);
    Future<Archive.Used> archive = request(Addresses.ARCHIVE_USAGE, new Archive.Usage(scope.userId(),
        scope.characterId(), false), Archive.Used::fromJson);
    return Future.all(List.of(sql, index, archive)).map(x -> {
      Map<String, Long> byType = new LinkedHashMap<>();
      MEMORY_TYPES.forEach(t -> byType.put(t, 0L)); // every type, so a dashboard sees zeros
      byType.putAll(index.result().byType());
      return new Admin.Stats(scope.userId(), scope.characterId(), sql.result(),
          new VectorStore.Counts(byType, index.result().total()), archive.result());
    });
  }

  // ---------------------------------------------------------------- retry

  /** A failed task, reset and published again. */
  private Future<Admin.Retried> retry(Tasks.Id id) {
    return request(Addresses.TASK_RETRY, id, Tasks.Work::fromJson)
        .compose(task -> request(Addresses.OUTBOX_PUBLISH, task, Outbox.Published::fromJson)
            // the row is pending and unpublished: the outbox sweep publishes it if this did not
            .recover(e -> {
              LOG.info("Retried task {} left for the outbox sweep: {}", task.taskId(), e.toString());
              return Future.succeededFuture(null);
            })
            .map(x -> new Admin.Retried(task.taskId())));
  }

  private <R> Future<R> request(String address, Contract body, Function<JsonObject, R> reader) {
    return Bus.request(vertx, address, body, call, reader);
  }
}
