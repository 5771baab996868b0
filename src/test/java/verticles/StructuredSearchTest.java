package verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import verticles.bus.Addresses;
import verticles.bus.Failures;

@ExtendWith(VertxExtension.class)
@DisplayName("memory.structured.search answers profiles, events, upcoming dates and summaries of one user and character")
class StructuredSearchTest {

  /** Monday 2024-12-30, 12:00 in Shanghai. */
  private static final long DEC_30_NOON_SHANGHAI = Instant.parse("2024-12-30T04:00:00Z").getEpochSecond();

  /** 23:30 UTC on New Year's Eve: already 2025-01-01 in Shanghai. */
  private static final long NEW_YEARS_EVE_2330_UTC = Instant.parse("2024-12-31T23:30:00Z").getEpochSecond();

  /** Every row that is not the user's own, under c1, alive, has a title starting with this. */
  private static final String NOT_MINE = "NOT MINE";

  @BeforeAll
  static void stack() {
    TestStack.engram();
  }

  private record Ev(String type, String title, String date, int importance, String created, boolean deleted) {}

  /** The user's own events under character c1. Dates stored as "year 2000" are month-day only. */
  private static final List<Ev> OWN = List.of(
      new Ev("life_event", "Engagement", null, 9, "2024-12-01T10:00:00", false),
      new Ev("birthday", "User's birthday", "2000-01-02", 8, "2024-11-01T10:00:00", false),
      new Ev("anniversary", "Anniversary", "2019-12-31", 7, "2024-10-01T10:00:00", false),
      new Ev("birthday", "Mum's birthday", "2000-03-15", 7, "2024-09-01T10:00:00", false),
      new Ev("plan", "Exam", "2025-01-10", 6, "2024-12-25T10:00:00", false),
      new Ev("plan", "Trip", "2025-01-03", 6, "2024-12-20T10:00:00", false),
      new Ev("plan", "Interview", "2024-12-20", 6, "2024-12-10T10:00:00", false),
      new Ev("plan", "Party", "2024-12-31", 4, "2024-12-28T10:00:00", false),
      new Ev("life_event", "Got sick", "2024-12-29", 3, "2024-12-29T10:00:00", false),
      new Ev("plan", NOT_MINE + ": deleted plan", "2024-12-31", 10, "2024-12-29T10:00:00", true));

  /** The same dates, more important, belonging to someone else or to another character. */
  private static final List<Ev> OTHERS = List.of(
      new Ev("birthday", NOT_MINE + ": birthday", "2000-01-02", 10, "2024-12-29T10:00:00", false),
      new Ev("anniversary", NOT_MINE + ": anniversary", "2019-12-31", 10, "2024-12-29T10:00:00", false),
      new Ev("plan", NOT_MINE + ": trip", "2025-01-03", 10, "2024-12-29T10:00:00", false),
      new Ev("plan", NOT_MINE + ": party", "2024-12-31", 10, "2024-12-29T10:00:00", false));

  /** Seeds a fresh user: own events and summaries under c1, plus look-alikes of another user and of character c2. */
  private static Future<String> seed() {
    String user = "u-struct-" + UUID.randomUUID();
    String other = "u-struct-other-" + UUID.randomUUID();
    List<Tuple> events = new ArrayList<>();
    OWN.forEach(e -> events.add(eventRow(user, "c1", e)));
    OTHERS.forEach(e -> events.add(eventRow(other, "c1", e)));
    OTHERS.forEach(e -> events.add(eventRow(user, "c2", e)));
    List<Tuple> summaries = new ArrayList<>();
    for (int day = 26; day <= 29; day++) {
      summaries.add(summaryRow(user, "c1", "Talk of Dec " + day, "2024-12-" + day, false));
    }
    summaries.add(summaryRow(user, "c1", NOT_MINE + ": deleted talk", "2024-12-30", true));
    summaries.add(summaryRow(other, "c1", NOT_MINE + ": talk", "2024-12-30", false));
    summaries.add(summaryRow(user, "c2", NOT_MINE + ": talk", "2024-12-30", false));
    return TestStack.sql().preparedQuery("INSERT INTO user_events (user_id, character_id, event_type, event_title,"
            + " event_summary, event_date, importance, created_at, is_deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .executeBatch(events)
        .compose(x -> TestStack.sql().preparedQuery("INSERT INTO conversation_summaries (user_id, character_id,"
                + " summary_text, start_time, end_time, message_count, vector_id, is_deleted)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .executeBatch(summaries))
        .map(x -> user);
  }

  private static Tuple eventRow(String user, String character, Ev e) {
    return Tuple.tuple().addValue(user).addValue(character).addValue(e.type()).addValue(e.title())
        .addValue(e.title() + " (summary)").addValue(e.date() == null ? null : LocalDate.parse(e.date()))
        .addValue(e.importance()).addValue(LocalDateTime.parse(e.created())).addValue(e.deleted() ? 1 : 0);
  }

  private static Tuple summaryRow(String user, String character, String text, String day, boolean deleted) {
    LocalDateTime end = LocalDate.parse(day).atTime(14, 0);
    return Tuple.tuple().addValue(user).addValue(character).addValue(text).addValue(end.minusMinutes(30))
        .addValue(end).addValue(6).addValue("test:" + UUID.randomUUID()).addValue(deleted ? 1 : 0);
  }

  private static Future<JsonObject> search(JsonObject req) {
    return TestStack.vertx().eventBus().<JsonObject>request(Addresses.STRUCTURED_SEARCH, req).map(Message::body);
  }

  private static JsonObject request(String user, String... kinds) {
    return new JsonObject().put("user_id", user).put("character_id", "c1").put("kinds", new JsonArray(List.of(kinds)));
  }

  private static List<String> titles(JsonArray events) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      out.add(events.getJsonObject(i).getString("event_title"));
    }
    return out;
  }

  /** Nothing in any array of the reply is another user's, another character's or deleted. */
  private static void assertOnlyOwn(JsonObject reply) {
    for (String kind : reply.fieldNames()) {
      JsonArray rows = reply.getJsonArray(kind);
      for (int i = 0; i < rows.size(); i++) {
        JsonObject row = rows.getJsonObject(i);
        String text = row.getString("event_title", row.getString("summary_text", ""));
        assertFalse(text.startsWith(NOT_MINE), kind + " leaked " + row.encode());
      }
    }
  }

  @Test
  @DisplayName("Events come most important first, then most recent, at or above min_importance (default 5)")
  void eventsByImportance(VertxTestContext ctx) {
    seed()
        .compose(user -> Future.all(
            search(request(user, "events")),
            search(request(user, "events").put("min_importance", 7).put("event_limit", 3))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject byDefault = all.resultAt(0);
          JsonObject narrowed = all.resultAt(1);
          assertEquals(Set.of("events"), byDefault.fieldNames(), "one array per kind asked");
          assertEquals(List.of("Engagement", "User's birthday", "Anniversary", "Mum's birthday", "Exam", "Trip",
              "Interview"), titles(byDefault.getJsonArray("events")), byDefault.encodePrettily());
          JsonObject first = byDefault.getJsonArray("events").getJsonObject(0);
          assertEquals(9, first.getInteger("importance"));
          assertTrue(first.containsKey("event_summary") && first.containsKey("created_at"), first.encode());
          assertEquals(List.of("Engagement", "User's birthday", "Anniversary"),
              titles(narrowed.getJsonArray("events")));
          assertOnlyOwn(byDefault);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Seen on Dec 30, a Dec 31 anniversary, a Jan 2 birthday and a Jan 3 plan are upcoming; past and far plans are not")
  void upcomingAcrossTheYearEnd(VertxTestContext ctx) {
    seed()
        .compose(user -> search(request(user, "upcoming").put("now", DEC_30_NOON_SHANGHAI)))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonArray upcoming = reply.getJsonArray("upcoming");
          // same day: the more important first; importance does not filter upcoming dates
          assertEquals(List.of("Anniversary", "Party", "User's birthday", "Trip"), titles(upcoming),
              upcoming.encodePrettily());
          List<String> nextDates = new ArrayList<>();
          List<Integer> daysUntil = new ArrayList<>();
          for (int i = 0; i < upcoming.size(); i++) {
            nextDates.add(upcoming.getJsonObject(i).getString("next_date"));
            daysUntil.add(upcoming.getJsonObject(i).getInteger("days_until"));
          }
          assertEquals(List.of("2024-12-31", "2024-12-31", "2025-01-02", "2025-01-03"), nextDates);
          assertEquals(List.of(1, 1, 3, 4), daysUntil);
          // the stored date is kept as it is; next_date is where it falls
          assertEquals("2000-01-02", upcoming.getJsonObject(2).getString("event_date"));
          assertOnlyOwn(reply);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("At 23:30 UTC on Dec 31 it is already Jan 1 in Shanghai (the default zone), but still Dec 31 in UTC")
  void todayIsTheUsersDay(VertxTestContext ctx) {
    seed()
        .compose(user -> Future.all(
            search(request(user, "upcoming").put("now", NEW_YEARS_EVE_2330_UTC)),
            search(request(user, "upcoming").put("now", NEW_YEARS_EVE_2330_UTC).put("tz", "UTC"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonArray shanghai = all.<JsonObject>resultAt(0).getJsonArray("upcoming");
          JsonArray utc = all.<JsonObject>resultAt(1).getJsonArray("upcoming");
          assertEquals(List.of("User's birthday", "Trip"), titles(shanghai), shanghai.encodePrettily());
          assertEquals(1, shanghai.getJsonObject(0).getInteger("days_until"));
          assertEquals(List.of("Anniversary", "Party", "User's birthday", "Trip"), titles(utc), utc.encodePrettily());
          assertEquals(0, utc.getJsonObject(0).getInteger("days_until"));
          assertEquals("2024-12-31", utc.getJsonObject(0).getString("next_date"));
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Summaries are the 3 most recent by default; all kinds at once come back strictly the user's own")
  void summariesAndIsolation(VertxTestContext ctx) {
    seed()
        .compose(user -> search(request(user, "profiles", "events", "upcoming", "summaries")
            .put("now", DEC_30_NOON_SHANGHAI).put("days", 30)))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals(Set.of("profiles", "events", "upcoming", "summaries"), reply.fieldNames());
          JsonArray summaries = reply.getJsonArray("summaries");
          List<String> texts = new ArrayList<>();
          for (int i = 0; i < summaries.size(); i++) {
            texts.add(summaries.getJsonObject(i).getString("summary_text"));
          }
          assertEquals(List.of("Talk of Dec 29", "Talk of Dec 28", "Talk of Dec 27"), texts);
          assertTrue(reply.getJsonArray("profiles").isEmpty(), reply.encode());
          // a 30-day window also reaches the Jan 10 exam, still never the look-alikes
          assertEquals(List.of("Anniversary", "Party", "User's birthday", "Trip", "Exam"),
              titles(reply.getJsonArray("upcoming")));
          assertOnlyOwn(reply);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("Without kinds only profiles are answered; an unknown kind or time zone is a bad request")
  void kindsAndBadInput(VertxTestContext ctx) {
    String user = "u-struct-" + UUID.randomUUID();
    Future<JsonObject> plain = search(new JsonObject().put("user_id", user).put("character_id", "c1"));
    Future<JsonObject> badKind = search(request(user, "moods"));
    Future<JsonObject> badZone = search(request(user, "upcoming").put("tz", "Mars/Olympus"));
    Future.join(plain, badKind, badZone).onComplete(x -> ctx.verify(() -> {
      assertEquals(new JsonObject().put("profiles", new JsonArray()), plain.result());
      assertEquals(Failures.BAD_REQUEST, ((ReplyException) badKind.cause()).failureCode(), badKind.cause().toString());
      assertEquals(Failures.BAD_REQUEST, ((ReplyException) badZone.cause()).failureCode(), badZone.cause().toString());
      ctx.completeNow();
    }));
  }
}
