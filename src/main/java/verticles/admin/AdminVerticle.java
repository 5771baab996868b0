package verticles.admin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
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
 * index records, archives and exports, session contexts, and the rows last. Each step is idempotent, so a forget cut
 * short is finished by asking again.
 */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  /** Rows and records per export page. */
  static final int PAGE = 500;
  static final List<String> MEMORY_TYPES = List.of("summary", "event", "profile", "message", "entity");

  private DeliveryOptions call;
  /** An export's whole budget: the caller's ({@code http.admin_timeout_ms}), after which it leaves no file. */
  private long budgetMs;

  @Override
  public Future<?> start() {
    call = new DeliveryOptions().setSendTimeout(config().getJsonObject("admin", new JsonObject())
        .getLong("store_timeout_ms", 30_000L));
    budgetMs = config().getJsonObject("http", new JsonObject()).getLong("admin_timeout_ms", 60_000L);
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
    Deleted[] contexts = new Deleted[1];
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
          return request(Addresses.SESSION_CONTEXT_FORGET, owner, Deleted::fromJson);
        })
        .compose(r -> {
          contexts[0] = r;
          return request(Addresses.FORGET_ROWS, owner, Forget.RowsDeleted::fromJson);
        })
        .map(rows -> {
          Forget.Deleted deleted = new Forget.Deleted(tasks[0].tasks() + rows.lateTasks(),
              tasks[0].bufferedMessages() + rows.lateBufferedMessages(), index[0].deleted(), archives[0].deleted(),
              rows.profiles(), rows.events(), rows.summaries(), rows.memories(), rows.versions());
          LOG.info("Forgot user {} ({}): {}, {} session contexts", owner.userId(), owner.characterId() == null
              ? "all characters" : "character " + owner.characterId(), deleted.toJson().encode(), contexts[0].deleted());
          return new Forget.Forgotten(owner.userId(), owner.characterId(), tombstone[0].forgottenAt(), deleted);
        });
  }

  // ---------------------------------------------------------------- export

  /**
   * Writes {@code exports/{user}/full_export_{epoch ms}.json} as it reads it: the rows of each kind a keyset page at a
   * time, the index records a page at a time, then the archive paths, each page sent on to the file (and to the
   * caller's {@code reply_to}) before the next is read, so no export is ever held whole. A user with nothing stored
   * gets empty sections (and the file), not a 404: "nothing is kept about you" is an answer an export should be able
   * to give. An export that cannot finish within the admin budget ({@code http.admin_timeout_ms}), or whose caller
   * left, leaves no file: the caller's retry does not pile up copies.
   */
  private Future<Archive.Written> export(Admin.ExportRequest b) {
    if (b.userId() == null || b.userId().isBlank()) {
      throw new IllegalArgumentException("user_id is required");
    }
    Owner owner = new Owner(b.userId(), b.characterId());
    long now = System.currentTimeMillis();
    // the file is the client's: its ids in the client's terms, like every reply
    JsonObject header = new JsonObject()
        .put("format", "engram.export.v1")
        .put("user_id", owner.userId())
        .put("character_id", owner.characterId())
        .put("exported_at", Instant.ofEpochMilli(now).toString());
    return request(Addresses.ARCHIVE_EXPORT, new Archive.Export(owner.userId(), now), Archive.ExportSink::fromJson)
        .compose(sink -> {
          ExportWriter out = new ExportWriter(vertx, call, sink, b.replyTo(), budgetMs);
          return out.header(outward(b, header))
              .compose(x -> section(out, "profiles", after -> rows("profiles", owner, after), b))
              .compose(x -> section(out, "events", after -> rows("events", owner, after), b))
              .compose(x -> section(out, "summaries", after -> rows("summaries", owner, after), b))
              .compose(x -> section(out, "memories", after -> records(owner, after), b))
              // every version of every memory (MySQL), so the history leaves with the user too
              .compose(x -> section(out, "versions", after -> rows("versions", owner, after), b))
              .compose(x -> archivePaths(out, owner))
              .compose(x -> out.finish())
              .recover(e -> out.abort().compose(y -> Future.<Archive.Written>failedFuture(e)));
        });
  }

  /** One page of a section: its items, and where the next page starts (null: this was the last). */
  private record Page(List<JsonObject> items, Long next) {}

  private Future<Void> section(ExportWriter out, String name, Function<Long, Future<Page>> pages,
      Admin.ExportRequest b) {
    return out.openSection(name).compose(x -> pages(out, pages, 0L, b)).compose(x -> out.closeSection());
  }

  private Future<Void> pages(ExportWriter out, Function<Long, Future<Page>> pages, long after, Admin.ExportRequest b) {
    return pages.apply(after).compose(page -> out.items(page.items().stream().map(item -> outward(b, item)).toList())
        .compose(x -> page.next() == null ? Future.succeededFuture() : pages(out, pages, page.next(), b)));
  }

  private static JsonObject outward(Admin.ExportRequest b, JsonObject item) {
    return b.tenant() == null ? item : Tenants.outward(b.tenant(), item);
  }

  /** A keyset page of one kind of row. */
  private Future<Page> rows(String kind, Owner owner, long afterId) {
    return request(Addresses.STRUCTURED_EXPORT, new Structured.ExportPage(kind, owner.userId(), owner.characterId(),
        afterId, PAGE), Structured.Items::fromJson).map(r -> {
          List<JsonObject> items = r.items().stream().map(JsonObject.class::cast).toList();
          return new Page(items, items.size() < PAGE ? null : items.get(items.size() - 1).getLong("id"));
        });
  }

  /** A page of the owner's index records, oldest first. */
  private Future<Page> records(Owner owner, long offset) {
    return request(Addresses.VECTOR_LIST, new VectorStore.ListPage(owner.userId(), owner.characterId(), (int) offset,
        PAGE), VectorStore.Records::fromJson).map(r -> new Page(r.records().stream().map(rec -> rec.toJson()).toList(),
            r.records().size() < PAGE ? null : offset + PAGE));
  }

  /** The owner's conversation archives (earlier exports are not part of the user's data). */
  private Future<Void> archivePaths(ExportWriter out, Owner owner) {
    return request(Addresses.ARCHIVE_USAGE, new Archive.Usage(owner.userId(), owner.characterId(), true),
        Archive.Used::fromJson).compose(used -> {
          List<String> paths = used.keys().stream().map(Archive.StoredObject::path)
              .filter(path -> path.startsWith("conversations/")).toList();
          return out.openSection("archive_paths").compose(x -> out.items(paths)).compose(x -> out.closeSection());
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
