// Instants, dates and site-local calendar arithmetic (docs/contract.md §3). Pure but for Now():
// every rule takes the time as a parameter; only process edges read the clock, through Now().
//
// Instants are UTC milliseconds (`Timestamp`); they are stored in SQLite as INTEGER ms since the
// Unix epoch. Calendar rules (days, weeks from Monday, months, "next local midnight") use the
// site's IANA time zone through cctz, so 23- and 25-hour days come out right.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ems {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

inline std::int64_t ToMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMillis(std::int64_t ms) { return Timestamp(Millis(ms)); }

// The wall clock; only process edges call this, domain code takes `now` as a parameter.
Timestamp Now();

// RFC 3339 with any offset or none (then UTC), 'T' or ' ' separator, optional fraction:
// "2026-11-21T10:00:00Z", "2026-11-21T11:00:00.5+01:00", "2024-03-03T10:00:00".
std::optional<Timestamp> ParseTimestamp(std::string_view text);

// Always UTC with 'Z'; milliseconds only when non-zero: "2026-11-21T10:00:00Z",
// "2026-11-21T10:00:00.250Z".
std::string FormatTimestamp(Timestamp t);
// FormatTimestamp's text appended to `out` (answers that hold many timestamps).
void AppendTimestamp(std::string& out, Timestamp t);

// A calendar date "YYYY-MM-DD".
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  friend auto operator<=>(const Date&, const Date&) = default;
};
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(const Date& d);

// True when `name` is an IANA zone cctz can load (e.g. "Europe/Berlin", "UTC").
bool IsValidTimeZone(std::string_view name);

// Calendar arithmetic in a site's zone. Unknown zone names fall back to UTC; validate names with
// IsValidTimeZone where they enter the system.
enum class CalendarUnit { kDay, kWeek, kMonth };  // weeks start on Monday

// Start (as a UTC instant) of the local day/week/month that contains `t`.
Timestamp LocalPeriodStart(Timestamp t, CalendarUnit unit, std::string_view tz);
// Start of the next local day/week/month after the one that contains `t`.
Timestamp NextLocalPeriodStart(Timestamp t, CalendarUnit unit, std::string_view tz);
// The first local midnight strictly after `t`.
inline Timestamp NextLocalMidnight(Timestamp t, std::string_view tz) {
  return NextLocalPeriodStart(t, CalendarUnit::kDay, tz);
}
// The local calendar date that contains `t`.
Date LocalDate(Timestamp t, std::string_view tz);
// The instant of local midnight at the start of `d`.
Timestamp LocalMidnightOf(const Date& d, std::string_view tz);
// The instant the site's clock reads `minute_of_day` (0–1439) on `d`: a time a DST gap skips is
// the instant the clock jumps (02:30 on a spring-forward night → 03:00 summer time), a time that
// occurs twice is its first occurrence.
Timestamp LocalTimeOf(const Date& d, int minute_of_day, std::string_view tz);
// `d` moved by `days` calendar days (negative: back).
Date AddDays(const Date& d, int days);
// The weekday of `d`, 0 = Monday … 6 = Sunday.
int WeekdayOf(const Date& d);
// Local hour of day (0–23) and fractional hour (e.g. 13.5) of `t`.
double LocalHourOfDay(Timestamp t, std::string_view tz);
// Local weekday, 0 = Monday … 6 = Sunday.
int LocalWeekday(Timestamp t, std::string_view tz);
// `t` as the site's clock shows it, in strftime's `format` ("%Y-%m-%d %H:%M", "%H:%M:%S"; %Z
// the zone's abbreviation, "CET" / "CEST").
std::string FormatLocal(Timestamp t, std::string_view tz, const std::string& format);

}  // namespace ems
