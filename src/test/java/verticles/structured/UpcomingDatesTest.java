package verticles.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("UpcomingDates, when a dated event next happens")
class UpcomingDatesTest {

  /** Event type, stored event_date (year 2000 = month-day only), today, window in days, expected days until or -1. */
  static Stream<Arguments> cases() {
    return Stream.of(
        arguments("A birthday on 01-02 seen on Dec 30 is in 3 days, next year",
            "birthday", "2000-01-02", "2024-12-30", 7, 3, "2025-01-02"),
        arguments("A birthday on 12-31 seen on Dec 31 is today",
            "birthday", "2000-12-31", "2024-12-31", 7, 0, "2024-12-31"),
        arguments("An anniversary on 03-01 seen on Feb 27 of a leap year is 3 days away (Feb 29 in between)",
            "anniversary", "2015-03-01", "2024-02-27", 7, 3, "2024-03-01"),
        arguments("An anniversary on 03-01 seen on Feb 27 of a common year is 2 days away",
            "anniversary", "2015-03-01", "2025-02-27", 7, 2, "2025-03-01"),
        arguments("A Feb 29 birthday in a common year falls on Feb 28",
            "birthday", "2000-02-29", "2025-02-25", 7, 3, "2025-02-28"),
        arguments("A Feb 29 birthday in a leap year falls on Feb 29",
            "birthday", "2000-02-29", "2028-02-25", 7, 4, "2028-02-29"),
        arguments("A birthday with a known year recurs on its month and day",
            "birthday", "1995-01-05", "2024-12-30", 7, 6, "2025-01-05"),
        arguments("A birthday that passed yesterday is a year away, outside the window",
            "birthday", "2000-12-29", "2024-12-30", 7, -1, null),
        arguments("A birthday exactly at the end of the window counts",
            "birthday", "2000-01-06", "2024-12-30", 7, 7, "2025-01-06"),
        arguments("An anniversary whose first time is still ahead is not projected before it",
            "anniversary", "2026-01-01", "2024-12-30", 7, -1, null),
        arguments("Recurring types are matched case-insensitively",
            "Birthday", "2000-01-02", "2024-12-30", 7, 3, "2025-01-02"),
        arguments("A one-off plan dated 2025-01-03 seen on 2024-12-30 is in 4 days",
            "plan", "2025-01-03", "2024-12-30", 7, 4, "2025-01-03"),
        arguments("A one-off plan today is today",
            "plan", "2024-12-30", "2024-12-30", 7, 0, "2024-12-30"),
        arguments("A one-off in the past is excluded",
            "plan", "2024-12-29", "2024-12-30", 7, -1, null),
        arguments("A one-off a year ago on the same month-day does not recur",
            "life_event", "2024-01-02", "2024-12-30", 7, -1, null),
        arguments("A one-off beyond the window is excluded",
            "plan", "2025-01-07", "2024-12-30", 7, -1, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void nextOccurrence(String sentence, String type, String eventDate, String today, int days, int daysUntil,
      String nextDate) {
    LocalDate t = LocalDate.parse(today);
    Optional<LocalDate> next = UpcomingDates.next(type, LocalDate.parse(eventDate), t, days);
    assertEquals(Optional.ofNullable(nextDate).map(LocalDate::parse), next, sentence);
    next.ifPresent(d -> assertEquals(daysUntil, UpcomingDates.daysUntil(t, d), sentence));
  }

  @Test
  @DisplayName("23:30 UTC on Dec 31 is already Jan 1 in Asia/Shanghai: a 01-01 birthday is today there, tomorrow in UTC")
  void todayIsDecidedInTheUsersZone() {
    long lateNewYearsEveUtc = Instant.parse("2024-12-31T23:30:00Z").getEpochSecond();
    LocalDate shanghai = UpcomingDates.today(lateNewYearsEveUtc, UpcomingDates.zone("Asia/Shanghai"));
    LocalDate utc = UpcomingDates.today(lateNewYearsEveUtc, UpcomingDates.zone("UTC"));
    assertEquals(LocalDate.parse("2025-01-01"), shanghai);
    assertEquals(LocalDate.parse("2024-12-31"), utc);

    LocalDate newYear = LocalDate.parse("2000-01-01");
    assertEquals(0, UpcomingDates.daysUntil(shanghai, UpcomingDates.next("birthday", newYear, shanghai, 7).orElseThrow()));
    assertEquals(1, UpcomingDates.daysUntil(utc, UpcomingDates.next("birthday", newYear, utc, 7).orElseThrow()));
    // and the 12-31 one has just passed in Shanghai
    assertEquals(Optional.empty(), UpcomingDates.next("birthday", LocalDate.parse("2000-12-31"), shanghai, 7));
  }

  @Test
  @DisplayName("An unknown time zone is a bad request, not a server error")
  void badZone() {
    assertThrows(IllegalArgumentException.class, () -> UpcomingDates.zone("Mars/Base"));
  }
}
