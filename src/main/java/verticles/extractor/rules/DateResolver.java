package verticles.extractor.rules;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the first date expression in a piece of Chinese or English text and resolves it against the local date the
 * message was sent.
 *
 * <p>Conventions (weeks start on Monday): 下周三 / "next Wednesday" = Wednesday of the next calendar week; 这周六 = Saturday
 * of this calendar week; 上周五 = Friday of the previous calendar week; "last Friday" = the most recent Friday before
 * today; a bare weekday ("周三", "on Friday") is the coming one, or the most recent one when the clause is in the past
 * tense. A month and day without a year ("12月24日", "June 3rd") is placed in the nearest year, or the next/previous
 * occurrence when the tense says so. "next week" / "上周" without a day resolve to ±7 days and are flagged inexact.
 */
final class DateResolver {

  enum Tense { PAST, FUTURE, UNKNOWN }

  /**
   * A resolved date.
   *
   * @param yearStated the text named the year in digits ("1998年", "March 15, 1998")
   * @param exact day-precise (false for "next week")
   * @param relative resolved from the message date ("明天", "next Friday") rather than spelled out
   */
  record Hit(LocalDate date, boolean yearStated, boolean exact, boolean relative, int start, int end) {
    String iso() {
      return date.toString();
    }

    String monthDay() {
      return String.format(Locale.ROOT, "%02d-%02d", date.getMonthValue(), date.getDayOfMonth());
    }
  }

  private record Rule(Pattern pattern, BiFunction<Matcher, Ctx, Hit> resolve) {}

  private record Ctx(LocalDate ref, Tense tense) {}

  private DateResolver() {}

  // Arabic digits or Chinese numerals up to 三十一.
  private static final String ZN = "[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3}";
  private static final String ZY = "[0-9]{4}|[零〇一二三四五六七八九]{4}";
  private static final String MONTHS = "(january|february|march|april|may|june|july|august|september|october|november"
      + "|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)";
  private static final String EN_NUM = "(a|an|one|two|three|four|five|six|seven|eight|nine|ten|[0-9]{1,3})";
  private static final String WEEKDAYS = "(monday|tuesday|wednesday|thursday|friday|saturday|sunday)";

  private static final Map<String, Integer> ZH_REL_DAYS = Map.ofEntries(
      Map.entry("大后天", 3), Map.entry("大前天", -3), Map.entry("后天", 2), Map.entry("前天", -2),
      Map.entry("明天", 1), Map.entry("明日", 1), Map.entry("明儿", 1), Map.entry("明早", 1), Map.entry("明晚", 1),
      Map.entry("今天", 0), Map.entry("今日", 0), Map.entry("今儿", 0), Map.entry("今晚", 0), Map.entry("今早", 0),
      Map.entry("昨天", -1), Map.entry("昨日", -1), Map.entry("昨晚", -1), Map.entry("昨儿", -1));

  private static final Map<String, int[]> HOLIDAYS = Map.ofEntries(
      Map.entry("元旦", new int[] {1, 1}), Map.entry("情人节", new int[] {2, 14}), Map.entry("平安夜", new int[] {12, 24}),
      Map.entry("圣诞", new int[] {12, 25}), Map.entry("圣诞节", new int[] {12, 25}), Map.entry("国庆", new int[] {10, 1}),
      Map.entry("国庆节", new int[] {10, 1}), Map.entry("万圣节", new int[] {10, 31}), Map.entry("劳动节", new int[] {5, 1}),
      Map.entry("儿童节", new int[] {6, 1}), Map.entry("教师节", new int[] {9, 10}), Map.entry("愚人节", new int[] {4, 1}),
      Map.entry("christmas eve", new int[] {12, 24}), Map.entry("christmas", new int[] {12, 25}),
      Map.entry("new year's eve", new int[] {12, 31}), Map.entry("new years eve", new int[] {12, 31}),
      Map.entry("new year's day", new int[] {1, 1}), Map.entry("new years day", new int[] {1, 1}),
      Map.entry("valentine's day", new int[] {2, 14}), Map.entry("valentines day", new int[] {2, 14}),
      Map.entry("halloween", new int[] {10, 31}));

  private static final List<Rule> RULES = List.of(
      // 1998-03-15, 2024/12/24
      new Rule(Pattern.compile("(?<![0-9])([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?![0-9])"),
          (m, c) -> full(m, c, Integer.parseInt(m.group(1)), num(m.group(2)), num(m.group(3)))),
      // 1998年3月15日, 今年十二月一号, 3月15号
      new Rule(Pattern.compile("(?:(" + ZY + ")年|(今年|明年|去年|前年|后年))?(" + ZN + ")月份?(" + ZN + ")(?:日|号)?(?![0-9])"),
          DateResolver::zhMonthDay),
      // 明天, 大后天, 昨晚
      new Rule(Pattern.compile("大后天|大前天|后天|前天|明天|明日|明儿|明早|明晚|今天|今日|今儿|今晚|今早|昨天|昨日|昨晚|昨儿"),
          (m, c) -> days(m, c, ZH_REL_DAYS.get(m.group()), true)),
      // 3天后, 两天前, 过三天
      new Rule(Pattern.compile("(" + ZN + "|[0-9]{3})天(?:以|之)?(后|前)"),
          (m, c) -> days(m, c, num(m.group(1)) * ("后".equals(m.group(2)) ? 1 : -1), true)),
      new Rule(Pattern.compile("过(" + ZN + ")天"), (m, c) -> days(m, c, num(m.group(1)), true)),
      // 下周三, 这个星期六, 上礼拜五, 周末
      new Rule(Pattern.compile("(?<!每|每个)(下下|上上|下|上|这|本)?个?(?:周|星期|礼拜)([一二三四五六日天末])"), DateResolver::zhWeekday),
      // 下周, 上个星期 (no day: ±7 days, inexact)
      new Rule(Pattern.compile("(下下|上上|下|上)个?(?:周|星期|礼拜)(?![一二三四五六日天末年])"), (m, c) -> {
        int weeks = switch (m.group(1)) {
          case "下下" -> 2;
          case "上上" -> -2;
          case "下" -> 1;
          default -> -1;
        };
        return days(m, c, weeks * 7, false);
      }),
      // 下个月5号, 这个月20日
      new Rule(Pattern.compile("(下下|下|上|这|本)个?月(" + ZN + ")(?:号|日)"), (m, c) -> {
        int months = switch (m.group(1)) {
          case "下下" -> 2;
          case "下" -> 1;
          case "上" -> -1;
          default -> 0;
        };
        YearMonth ym = YearMonth.from(c.ref()).plusMonths(months);
        LocalDate d = safe(ym.getYear(), ym.getMonthValue(), num(m.group(2)));
        return d == null ? null : new Hit(d, false, true, true, m.start(), m.end());
      }),
      // 25号 (this month, or the next one if already past)
      new Rule(Pattern.compile("(?<![月0-9零〇一二两三四五六七八九十])(" + ZN + ")(?:号|日)(?![线楼房床门车馆位口店机游])"),
          (m, c) -> dayOfMonth(m, c, num(m.group(1)))),
      new Rule(Pattern.compile("元旦|情人节|平安夜|圣诞节?|国庆节?|万圣节|劳动节|儿童节|教师节|愚人节"), DateResolver::holiday),
      // English
      new Rule(Pattern.compile("\\b(the day after tomorrow|the day before yesterday|tomorrow|tmrw|tmr|today|tonight|yesterday"
          + "|this (?:morning|afternoon|evening))\\b", Pattern.CASE_INSENSITIVE), (m, c) -> {
            String w = m.group(1).toLowerCase(Locale.ROOT);
            int d = switch (w) {
              case "the day after tomorrow" -> 2;
              case "the day before yesterday" -> -2;
              case "tomorrow", "tmrw", "tmr" -> 1;
              case "yesterday" -> -1;
              default -> 0;
            };
            return days(m, c, d, true);
          }),
      new Rule(Pattern.compile("\\bin " + EN_NUM + " (days?|weeks?)\\b", Pattern.CASE_INSENSITIVE),
          (m, c) -> enSpan(m, c, 1)),
      new Rule(Pattern.compile("\\b" + EN_NUM + " (days?|weeks?) ago\\b", Pattern.CASE_INSENSITIVE),
          (m, c) -> enSpan(m, c, -1)),
      new Rule(Pattern.compile("\\b(?:(next|this coming|this|last|coming|on)\\s+)?" + WEEKDAYS + "\\b",
          Pattern.CASE_INSENSITIVE), DateResolver::enWeekday),
      new Rule(Pattern.compile("\\b(next|last|this) (week|weekend)\\b", Pattern.CASE_INSENSITIVE), DateResolver::enWeek),
      // March 15, March 15th 1998, Mar. 3
      new Rule(Pattern.compile("\\b" + MONTHS + "\\.?\\s+([0-9]{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s*([0-9]{4})\\b)?",
          Pattern.CASE_INSENSITIVE), (m, c) -> enMonthDay(m, c, m.group(1), m.group(2), m.group(3))),
      // the 15th of March, 3 June 1998
      new Rule(Pattern.compile("\\b(?:the\\s+)?([0-9]{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTHS
          + "\\b\\.?(?:,?\\s*([0-9]{4})\\b)?", Pattern.CASE_INSENSITIVE),
          (m, c) -> enMonthDay(m, c, m.group(2), m.group(1), m.group(3))),
      // on the 15th
      new Rule(Pattern.compile("\\bthe\\s+([0-9]{1,2})(?:st|nd|rd|th)\\b(?!\\s+of\\b)", Pattern.CASE_INSENSITIVE),
          (m, c) -> dayOfMonth(m, c, num(m.group(1)))),
      new Rule(Pattern.compile("\\b(christmas eve|christmas|new years? eve|new year's eve|new years? day|new year's day"
          + "|valentine'?s day|halloween)\\b", Pattern.CASE_INSENSITIVE), DateResolver::holiday));

  /** The earliest date expression in text (longest on a tie), or null. Never throws. */
  static Hit find(String text, LocalDate ref, Tense tense) {
    if (text == null || text.isEmpty() || ref == null) {
      return null;
    }
    Ctx ctx = new Ctx(ref, tense == null ? Tense.UNKNOWN : tense);
    Hit best = null;
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(text);
      while (m.find()) {
        Hit h;
        try {
          h = rule.resolve().apply(m, ctx);
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
          h = null; // 2月30日 and friends: not a date
        }
        if (h != null) {
          if (best == null || h.start() < best.start() || h.start() == best.start() && h.end() > best.end()) {
            best = h;
          }
          break;
        }
      }
    }
    return best;
  }

  private static final Pattern ZH_FUTURE = Pattern.compile("要|会|将|打算|准备|计划|即将|快要|想");
  private static final Pattern ZH_PAST = Pattern.compile("了|过|刚|已经|昨|前天");
  private static final Pattern EN_FUTURE = Pattern.compile(
      "\\b(?:will|going to|gonna|plan|planning|about to|coming up|upcoming|can't wait|soon|next)\\b|'ll\\b|\\bI have (?:a|an|my)\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern EN_PAST = Pattern.compile(
      "\\b(?:was|were|had|did|went|got|yesterday|ago|last|[a-z]+ed)\\b", Pattern.CASE_INSENSITIVE);

  /** A rough tense, only used to pick between the previous and the next occurrence of a bare weekday or date. */
  static Tense tenseOf(String text) {
    if (ZH_FUTURE.matcher(text).find() || EN_FUTURE.matcher(text).find()) {
      return Tense.FUTURE;
    }
    if (ZH_PAST.matcher(text).find() || EN_PAST.matcher(text).find()) {
      return Tense.PAST;
    }
    return Tense.UNKNOWN;
  }

  // --- resolvers ---------------------------------------------------------------------------------------------------

  private static Hit days(Matcher m, Ctx c, int offset, boolean exact) {
    return new Hit(c.ref().plusDays(offset), false, exact, true, m.start(), m.end());
  }

  private static Hit full(Matcher m, Ctx c, int year, int month, int day) {
    LocalDate d = safe(year, month, day);
    return d == null ? null : new Hit(d, true, true, false, m.start(), m.end());
  }

  private static Hit zhMonthDay(Matcher m, Ctx c) {
    int month = num(m.group(3));
    int day = num(m.group(4));
    if (m.group(1) != null) {
      return full(m, c, zhYear(m.group(1)), month, day);
    }
    if (m.group(2) != null) {
      int offset = switch (m.group(2)) {
        case "明年" -> 1;
        case "去年" -> -1;
        case "前年" -> -2;
        case "后年" -> 2;
        default -> 0;
      };
      LocalDate d = safe(c.ref().getYear() + offset, month, day);
      return d == null ? null : new Hit(d, false, true, true, m.start(), m.end());
    }
    LocalDate d = place(c, month, day);
    return d == null ? null : new Hit(d, false, true, false, m.start(), m.end());
  }

  private static Hit zhWeekday(Matcher m, Ctx c) {
    String prefix = m.group(1);
    String dayChar = m.group(2);
    DayOfWeek dow = switch (dayChar) {
      case "一" -> DayOfWeek.MONDAY;
      case "二" -> DayOfWeek.TUESDAY;
      case "三" -> DayOfWeek.WEDNESDAY;
      case "四" -> DayOfWeek.THURSDAY;
      case "五" -> DayOfWeek.FRIDAY;
      case "六", "末" -> DayOfWeek.SATURDAY;
      default -> DayOfWeek.SUNDAY;
    };
    if (prefix == null) {
      return new Hit(upcoming(c, dow), false, true, true, m.start(), m.end());
    }
    int weeks = switch (prefix) {
      case "下下" -> 2;
      case "上上" -> -2;
      case "下" -> 1;
      case "上" -> -1;
      default -> 0;
    };
    return new Hit(inWeek(c.ref(), weeks, dow), false, true, true, m.start(), m.end());
  }

  private static Hit dayOfMonth(Matcher m, Ctx c, int day) {
    if (day < 1 || day > 31) {
      return null;
    }
    YearMonth ym = YearMonth.from(c.ref());
    int step = c.tense() == Tense.PAST ? -1 : 1;
    LocalDate d = safe(ym.getYear(), ym.getMonthValue(), day);
    boolean wrongSide = d == null || (step > 0 ? d.isBefore(c.ref()) : d.isAfter(c.ref()));
    for (int i = 1; wrongSide && i <= 3; i++) {
      YearMonth other = ym.plusMonths((long) step * i);
      d = safe(other.getYear(), other.getMonthValue(), day);
      wrongSide = d == null;
    }
    return d == null ? null : new Hit(d, false, true, true, m.start(), m.end());
  }

  private static Hit holiday(Matcher m, Ctx c) {
    int[] md = HOLIDAYS.get(m.group().toLowerCase(Locale.ROOT));
    if (md == null) {
      return null;
    }
    LocalDate d = place(c, md[0], md[1]);
    return d == null ? null : new Hit(d, false, true, false, m.start(), m.end());
  }

  private static Hit enSpan(Matcher m, Ctx c, int sign) {
    int n = enNum(m.group(1));
    boolean weeks = m.group(2).toLowerCase(Locale.ROOT).startsWith("week");
    return days(m, c, sign * n * (weeks ? 7 : 1), !weeks);
  }

  private static Hit enWeekday(Matcher m, Ctx c) {
    DayOfWeek dow = DayOfWeek.valueOf(m.group(2).toUpperCase(Locale.ROOT));
    String prefix = m.group(1) == null ? "" : m.group(1).toLowerCase(Locale.ROOT);
    LocalDate d = switch (prefix) {
      case "next" -> inWeek(c.ref(), 1, dow);
      case "last" -> c.ref().with(TemporalAdjusters.previous(dow));
      case "this", "this coming", "coming" -> c.tense() == Tense.PAST
          ? c.ref().with(TemporalAdjusters.previousOrSame(dow)) : c.ref().with(TemporalAdjusters.nextOrSame(dow));
      default -> upcoming(c, dow);
    };
    return new Hit(d, false, true, true, m.start(), m.end());
  }

  private static Hit enWeek(Matcher m, Ctx c) {
    String which = m.group(1).toLowerCase(Locale.ROOT);
    boolean weekend = m.group(2).equalsIgnoreCase("weekend");
    if (weekend) {
      LocalDate d = switch (which) {
        case "next" -> inWeek(c.ref(), 1, DayOfWeek.SATURDAY);
        case "last" -> inWeek(c.ref(), -1, DayOfWeek.SATURDAY);
        default -> inWeek(c.ref(), 0, DayOfWeek.SATURDAY);
      };
      return new Hit(d, false, true, true, m.start(), m.end());
    }
    return switch (which) {
      case "next" -> days(m, c, 7, false);
      case "last" -> days(m, c, -7, false);
      default -> null; // "this week" names no day
    };
  }

  private static Hit enMonthDay(Matcher m, Ctx c, String monthName, String dayText, String yearText) {
    int month = monthOf(monthName);
    int day = num(dayText);
    if (yearText != null) {
      return full(m, c, Integer.parseInt(yearText), month, day);
    }
    LocalDate d = place(c, month, day);
    return d == null ? null : new Hit(d, false, true, false, m.start(), m.end());
  }

  // --- calendar helpers --------------------------------------------------------------------------------------------

  /** The given weekday in the calendar week (Monday first) that is weeks away from ref's week. */
  static LocalDate inWeek(LocalDate ref, int weeks, DayOfWeek dow) {
    return ref.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusWeeks(weeks).plusDays(dow.getValue() - 1L);
  }

  private static LocalDate upcoming(Ctx c, DayOfWeek dow) {
    return c.tense() == Tense.PAST
        ? c.ref().with(TemporalAdjusters.previousOrSame(dow))
        : c.ref().with(TemporalAdjusters.nextOrSame(dow));
  }

  /** Month and day without a year: the nearest occurrence, or the next/previous one when the tense is known. */
  private static LocalDate place(Ctx c, int month, int day) {
    if (month < 1 || month > 12 || day < 1 || day > 31) {
      return null;
    }
    LocalDate ref = c.ref();
    LocalDate best = null;
    for (int y = ref.getYear() - 4; y <= ref.getYear() + 4; y++) {
      LocalDate d = safe(y, month, day);
      if (d == null || c.tense() == Tense.FUTURE && d.isBefore(ref) || c.tense() == Tense.PAST && d.isAfter(ref)) {
        continue;
      }
      if (best == null || Math.abs(ChronoUnit.DAYS.between(ref, d)) < Math.abs(ChronoUnit.DAYS.between(ref, best))) {
        best = d;
      }
    }
    return best;
  }

  static LocalDate safe(int year, int month, int day) {
    if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1 || year > 9999) {
      return null;
    }
    try {
      return LocalDate.of(year, month, day);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int monthOf(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    String[] prefixes = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < prefixes.length; i++) {
      if (n.startsWith(prefixes[i])) {
        return i + 1;
      }
    }
    return -1;
  }

  private static int enNum(String w) {
    return switch (w.toLowerCase(Locale.ROOT)) {
      case "a", "an", "one" -> 1;
      case "two" -> 2;
      case "three" -> 3;
      case "four" -> 4;
      case "five" -> 5;
      case "six" -> 6;
      case "seven" -> 7;
      case "eight" -> 8;
      case "nine" -> 9;
      case "ten" -> 10;
      default -> Integer.parseInt(w);
    };
  }

  /** Arabic digits or Chinese numerals (十五, 二十五, 两, 一百零八); -1 if unreadable. */
  static int num(String s) {
    if (s == null || s.isEmpty()) {
      return -1;
    }
    if (s.chars().allMatch(Character::isDigit)) {
      return s.length() > 6 ? -1 : Integer.parseInt(s);
    }
    int total = 0;
    int cur = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      int d = digit(ch);
      if (d >= 0) {
        cur = d;
      } else if (ch == '十') {
        total += (cur == 0 ? 1 : cur) * 10;
        cur = 0;
      } else if (ch == '百') {
        total += (cur == 0 ? 1 : cur) * 100;
        cur = 0;
      } else {
        return -1;
      }
    }
    return total + cur;
  }

  /** 一九九八 → 1998 (years are read digit by digit). */
  private static int zhYear(String s) {
    if (s.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(s);
    }
    int y = 0;
    for (int i = 0; i < s.length(); i++) {
      int d = digit(s.charAt(i));
      if (d < 0) {
        return -1;
      }
      y = y * 10 + d;
    }
    return y;
  }

  private static int digit(char ch) {
    return switch (ch) {
      case '零', '〇' -> 0;
      case '一' -> 1;
      case '二', '两' -> 2;
      case '三' -> 3;
      case '四' -> 4;
      case '五' -> 5;
      case '六' -> 6;
      case '七' -> 7;
      case '八' -> 8;
      case '九' -> 9;
      default -> ch >= '0' && ch <= '9' ? ch - '0' : -1;
    };
  }
}
