package verticles.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** MySQL reads ({@code memory.structured.search}, {@code .list}, {@code .export}, {@code .stats}). */
public final class Structured {
  private Structured() {}

  /** The kinds a structured search answers, one reply array each. */
  public static final List<String> KINDS = List.of("profiles", "events", "upcoming", "summaries");

  /**
   * {@code memory.structured.search}: the structured half of recall for one user + character. The limits default as
   * the seed's recall does; {@code now} (epoch s, default: the time of reading) and {@code tz} decide "today".
   *
   * @param kinds of {@link #KINDS}; absent: profiles
   * @param days the upcoming window, 0 to 366
   */
  public record Search(String userId, String characterId, List<String> kinds, int profileLimit, int eventLimit,
      int summaryLimit, int upcomingLimit, int minImportance, int days, Long now, String tz) implements Contract {

    public static Search of(String userId, String characterId, List<String> kinds, int profileLimit, int days) {
      return new Search(userId, characterId, kinds, profileLimit, 10, 3, 10, 5, days, null, null);
    }

    public static Search fromJson(JsonObject j) {
      String user = j.getString("user_id");
      String character = j.getString("character_id");
      if (user == null || user.isBlank() || character == null || character.isBlank()) {
        throw new IllegalArgumentException("user_id and character_id are required");
      }
      List<String> kinds = j.getJsonArray("kinds") == null ? List.of("profiles") : Json.strings(j, "kinds");
      for (String kind : kinds) {
        if (!KINDS.contains(kind)) {
          throw new IllegalArgumentException("unknown kind " + kind + "; expected one of " + KINDS);
        }
      }
      return new Search(user, character, kinds, count(j, "profile_limit", 20), count(j, "event_limit", 10),
          count(j, "summary_limit", 3), count(j, "upcoming_limit", 10), j.getInteger("min_importance", 5),
          j.getInteger("days", 7), j.getLong("now"), j.getString("tz"));
    }

    private static int count(JsonObject j, String field, int fallback) {
      int n = j.getInteger(field, fallback);
      if (n < 0) {
        throw new IllegalArgumentException(field + " must not be negative");
      }
      return n;
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("user_id", userId).put("character_id", characterId).put("kinds", Json.array(kinds))
          .put("profile_limit", profileLimit).put("event_limit", eventLimit).put("summary_limit", summaryLimit)
          .put("upcoming_limit", upcomingLimit).put("min_importance", minImportance).put("days", days)
          .put("now", now).put("tz", tz);
    }
  }

  /** The reply of a search: one array per kind asked ({@code profiles}, {@code events}, ...); absent: not asked. */
  public record Found(JsonObject byKind) implements Contract {
    public JsonArray kind(String kind) {
      return byKind.getJsonArray(kind, new JsonArray());
    }

    public static Found fromJson(JsonObject j) {
      return new Found(j);
    }

    @Override

    public JsonObject toJson() {
      return byKind;
    }
  }

  /** The largest page of a list, and the furthest it may start (the HTTP list's query says the same). */
  public static final int MAX_PAGE = 500;
  public static final int MAX_OFFSET = 1_000_000;

  /** {@code memory.structured.list}: a page of an owner's profiles, events or summaries (the HTTP list). */
  public record Page(String kind, String userId, String characterId, int limit, int offset) implements Contract {
    public static Page fromJson(JsonObject j) {
      Integer limit = Json.integer(j, "limit", 1, MAX_PAGE);
      Integer offset = Json.integer(j, "offset", 0, MAX_OFFSET);
      return new Page(j.getString("kind"), j.getString("user_id"), j.getString("character_id"),
          limit == null ? 50 : limit, offset == null ? 0 : offset);
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("user_id", userId).put("character_id", characterId)
          .put("limit", limit).put("offset", offset);
    }
  }

  /** {@code memory.structured.export}: rows of one kind after {@code afterId}, in id order (keyset paging). */
  public record ExportPage(String kind, String userId, String characterId, long afterId, int limit) implements Contract {
    public static ExportPage fromJson(JsonObject j) {
      return new ExportPage(j.getString("kind"), Json.required(j, "user_id"), j.getString("character_id"),
          j.getLong("after_id", 0L), j.getInteger("limit", 500));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("user_id", userId).put("character_id", characterId)
          .put("after_id", afterId).put("limit", limit);
    }
  }

  /** The reply of a list or an export page. */
  public record Items(JsonArray items) implements Contract {
    public static Items fromJson(JsonObject j) {
      return new Items(j.getJsonArray("items", new JsonArray()));
    }

    @Override

    public JsonObject toJson() {
      return new JsonObject().put("items", items);
    }
  }

  /**
   * The reply of {@code memory.structured.stats} (asked with a {@link VectorStore.Owner}, user null: everybody).
   *
   * @param users distinct users; null for one user's stats
   * @param mysqlBytes InnoDB's data and index length overall; for one user an estimate from text lengths
   */
  public record Stats(Long users, long profiles, long events, long summaries, long bufferedMessages,
      Tasks.Counts tasks, long mysqlBytes) implements Contract {
    public static Stats fromJson(JsonObject j) {
      return new Stats(j.getLong("users"), j.getLong("profiles", 0L), j.getLong("events", 0L),
          j.getLong("summaries", 0L), j.getLong("buffered_messages", 0L),
          Tasks.Counts.fromJson(j.getJsonObject("tasks", new JsonObject())), j.getLong("mysql_bytes", 0L));
    }

    @Override

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("profiles", profiles).put("events", events).put("summaries", summaries)
          .put("buffered_messages", bufferedMessages).put("tasks", tasks.toJson()).put("mysql_bytes", mysqlBytes);
      if (users != null) {
        j.put("users", users);
      }
      return j;
    }
  }
}
