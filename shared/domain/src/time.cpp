#include "ems/domain/time.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ems {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidCivilDate(int y, int m, int d) {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(m),
                                     std::chrono::day(d))
      .ok();
}

// Loading a zone reads tzdata from disk: cache per name (cctz zones are cheap value handles).
cctz::time_zone Zone(std::string_view name) {
  static std::mutex mu;
  static std::unordered_map<std::string, cctz::time_zone> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(std::string(name));
  if (it != cache.end()) return it->second;
  cctz::time_zone tz;
  if (!cctz::load_time_zone(std::string(name), &tz)) tz = cctz::utc_time_zone();
  cache.emplace(std::string(name), tz);
  return tz;
}

using SysSeconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

Timestamp ToTimestamp(const cctz::civil_second& cs, const cctz::time_zone& tz) {
  // For a local time inside a DST gap `pre` is the instant after the transition, as a wall clock
  // would show; inside an overlap it is the earlier of the two instants.
  const auto lookup = tz.lookup(cs);
  const auto tp = lookup.kind == cctz::time_zone::civil_lookup::SKIPPED ? lookup.trans : lookup.pre;
  return std::chrono::time_point_cast<Millis>(tp);
}

cctz::civil_second ToCivil(Timestamp t, const cctz::time_zone& tz) {
  return cctz::convert(std::chrono::time_point_cast<std::chrono::seconds>(
                           std::chrono::floor<std::chrono::seconds>(t)),
                       tz);
}

cctz::civil_day PeriodStartDay(const cctz::civil_day& day, CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::kDay:
      return day;
    case CalendarUnit::kWeek:
      return cctz::prev_weekday(day + 1, cctz::weekday::monday);
    case CalendarUnit::kMonth:
      return cctz::civil_day(cctz::civil_month(day));
  }
  return day;
}

cctz::civil_day NextPeriodStartDay(const cctz::civil_day& start, CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::kDay:
      return start + 1;
    case CalendarUnit::kWeek:
      return start + 7;
    case CalendarUnit::kMonth:
      return cctz::civil_day(cctz::civil_month(start) + 1);
  }
  return start + 1;
}

}  // namespace

Timestamp Now() { return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()); }

std::optional<Timestamp> ParseTimestamp(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (!ValidCivilDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      ++pos;
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh, om;
      if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
        return std::nullopt;
      }
      offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  if (sec == 60) sec = 59;  // leap second: clamp, as most platforms do
  const auto days = std::chrono::sys_days(std::chrono::year(y) / mo / d);
  return Timestamp(days) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec) + Millis(millis) - std::chrono::minutes(offset_minutes);
}

std::string FormatTimestamp(Timestamp t) {
  std::string out;
  AppendTimestamp(out, t);
  return out;
}

void AppendTimestamp(std::string& out, Timestamp t) {
  // Series answers write hundreds of stamps, most of them on the day of the one before: the
  // date part is kept from the previous call of this thread, the time part written by pairs.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  const auto put2 = [](char* p, int value) { std::memcpy(p, kPairs + 2 * value, 2); };
  const auto day = std::chrono::floor<std::chrono::days>(t);
  thread_local std::chrono::sys_days cached_day = std::chrono::sys_days::min();
  thread_local char date[32];
  thread_local std::size_t date_size = 0;
  if (day != cached_day) {
    const std::chrono::year_month_day ymd(day);
    const int year = int(ymd.year());
    const int month = static_cast<int>(unsigned(ymd.month()));
    const int mday = static_cast<int>(unsigned(ymd.day()));
    if (year >= 0 && year <= 9999) {
      put2(date, year / 100);
      put2(date + 2, year % 100);
      date[4] = '-';
      put2(date + 5, month);
      date[7] = '-';
      put2(date + 8, mday);
      date_size = 10;
    } else {
      date_size = static_cast<std::size_t>(
          std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, mday));
    }
    cached_day = day;
  }
  const int ms_of_day = static_cast<int>((t - day).count());  // 0 .. 86 399 999
  const int ms = ms_of_day % 1000;
  const int seconds = ms_of_day / 1000;
  char time[14] = {'T', '0', '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'};
  put2(time + 1, seconds / 3600);
  put2(time + 4, seconds / 60 % 60);
  put2(time + 7, seconds % 60);
  out.append(date, date_size);
  if (ms == 0) {
    time[9] = 'Z';
    out.append(time, 10);
    return;
  }
  time[10] = static_cast<char>('0' + ms / 100);
  put2(time + 11, ms % 100);
  out.append(time, 14);
}

std::optional<Date> ParseDate(std::string_view s) {
  Date d;
  if (s.size() != 10 || !Digits(s, 0, 4, &d.year) || s[4] != '-' || !Digits(s, 5, 2, &d.month) ||
      s[7] != '-' || !Digits(s, 8, 2, &d.day) || !ValidCivilDate(d.year, d.month, d.day)) {
    return std::nullopt;
  }
  return d;
}

std::string FormatDate(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

bool IsValidTimeZone(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  // cctz opens any path it is given ("/dev/stdin", "../../proc/...", "file:..."): only names
  // shaped like IANA's (letters, digits, '_', '-', '+', levels separated by '/') reach it.
  const auto level_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const bool separator = name[i] == '/' && i > 0 && i + 1 < name.size() && name[i - 1] != '/';
    if (!separator && !level_char(name[i])) return false;
  }
  cctz::time_zone tz;
  return cctz::load_time_zone(std::string(name), &tz);
}

Timestamp LocalPeriodStart(Timestamp t, CalendarUnit unit, std::string_view tz_name) {
  const auto tz = Zone(tz_name);
  const auto start = PeriodStartDay(cctz::civil_day(ToCivil(t, tz)), unit);
  return ToTimestamp(cctz::civil_second(start), tz);
}

Timestamp NextLocalPeriodStart(Timestamp t, CalendarUnit unit, std::string_view tz_name) {
  const auto tz = Zone(tz_name);
  const auto start = PeriodStartDay(cctz::civil_day(ToCivil(t, tz)), unit);
  return ToTimestamp(cctz::civil_second(NextPeriodStartDay(start, unit)), tz);
}

Date LocalDate(Timestamp t, std::string_view tz_name) {
  const auto cs = ToCivil(t, Zone(tz_name));
  return Date{static_cast<int>(cs.year()), cs.month(), cs.day()};
}

Timestamp LocalMidnightOf(const Date& d, std::string_view tz_name) {
  return ToTimestamp(cctz::civil_second(d.year, d.month, d.day), Zone(tz_name));
}

Timestamp LocalTimeOf(const Date& d, int minute_of_day, std::string_view tz_name) {
  return ToTimestamp(
      cctz::civil_second(d.year, d.month, d.day, minute_of_day / 60, minute_of_day % 60, 0),
      Zone(tz_name));
}

Date AddDays(const Date& d, int days) {
  const cctz::civil_day day = cctz::civil_day(d.year, d.month, d.day) + days;
  return Date{static_cast<int>(day.year()), day.month(), day.day()};
}

int WeekdayOf(const Date& d) {
  return static_cast<int>(cctz::get_weekday(cctz::civil_day(d.year, d.month, d.day)));
}

double LocalHourOfDay(Timestamp t, std::string_view tz_name) {
  const auto tz = Zone(tz_name);
  const auto cs = ToCivil(t, tz);
  const auto sub_ms = ToMillis(t) - ToMillis(std::chrono::floor<std::chrono::seconds>(t));
  return cs.hour() + cs.minute() / 60.0 + (cs.second() + sub_ms / 1000.0) / 3600.0;
}

std::string FormatLocal(Timestamp t, std::string_view tz_name, const std::string& format) {
  return cctz::format(format, std::chrono::floor<std::chrono::seconds>(t), Zone(tz_name));
}

int LocalWeekday(Timestamp t, std::string_view tz_name) {
  const auto wd = cctz::get_weekday(cctz::civil_day(ToCivil(t, Zone(tz_name))));
  return static_cast<int>(wd);  // cctz::weekday enumerates monday = 0 … sunday = 6
}

}  // namespace ems
