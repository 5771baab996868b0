package verticles.structured;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * When a dated event next happens, as seen from the user's "today". Birthdays and anniversaries recur every year on
 * their month and day; every other event happens once, on its date. Pure java.time, no SQL: the seed compared
 * MONTH()/DAY() in SQL and lost events across month and year ends.
 */
final class UpcomingDates {
  /** Event types that come back every year. */
  static final List<String> RECURRING = verticles.shared.MemoryIds.RECURRING_EVENTS;

  /** {@code MemoryWriteRepository.eventDate} stores a month-day without a year ("03-15") as this year. */
  static final int UNKNOWN_YEAR = 2000;

  private UpcomingDates() {}

  /** The calendar day it is for the user at {@code epochSeconds}. */
  static LocalDate today(long epochSeconds, ZoneId zone) {
    return Instant.ofEpochSecond(epochSeconds).atZone(zone).toLocalDate();
  }

  /** The user's time zone; a bad name is the caller's mistake (400), not ours. */
  static ZoneId zone(String tz) {
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone " + tz);
    }
  }

  static boolean recurring(String eventType) {
    return eventType != null && RECURRING.contains(eventType.toLowerCase(Locale.ROOT));
  }

  /** The event's next occurrence within [today, today + days], or empty. */
  static Optional<LocalDate> next(String eventType, LocalDate eventDate, LocalDate today, int days) {
    if (eventDate == null) {
      return Optional.empty();
    }
    LocalDate next = recurring(eventType) ? nextYearly(eventDate, today) : eventDate;
    return within(next, today, days) ? Optional.of(next) : Optional.empty();
  }

  /** Days from today to {@code date} (0 = today). */
  static int daysUntil(LocalDate today, LocalDate date) {
    return (int) ChronoUnit.DAYS.between(today, date);
  }

  /**
   * This year's or next year's month-day, whichever is not past. MonthDay.atYear turns Feb 29 into Feb 28 in common
   * years. A known year in the future (an anniversary that has not happened yet) is its own first occurrence.
   */
  private static LocalDate nextYearly(LocalDate eventDate, LocalDate today) {
    if (eventDate.getYear() != UNKNOWN_YEAR && eventDate.isAfter(today)) {
      return eventDate;
    }
    MonthDay md = MonthDay.from(eventDate);
    LocalDate thisYear = md.atYear(today.getYear());
    return thisYear.isBefore(today) ? md.atYear(today.getYear() + 1) : thisYear;
  }

  private static boolean within(LocalDate date, LocalDate today, int days) {
    return !date.isBefore(today) && !date.isAfter(today.plusDays(days));
  }
}
