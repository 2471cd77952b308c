#include "ems/sim/local_clock.h"

#include <chrono>
#include <cmath>
#include <utility>

#include "ems/sim/common.h"

namespace ems::sim {
namespace {
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
}  // namespace

std::int64_t DaysSinceEpoch(const Date& d) {
  return std::chrono::sys_days(std::chrono::year(d.year) / d.month / d.day)
      .time_since_epoch()
      .count();
}

Date DateOfDays(std::int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
              static_cast<int>(unsigned(ymd.day()))};
}

int DayOfYear(std::int64_t days_since_epoch) {
  const std::chrono::sys_days day{std::chrono::days(days_since_epoch)};
  const std::chrono::year_month_day ymd(day);
  return static_cast<int>((day - std::chrono::sys_days(ymd.year() / 1 / 1)).count());
}

Timestamp LocalInstant(const Date& d, double hour, std::string_view tz) {
  const Timestamp t = LocalMidnightOf(d, tz) + Millis(std::llround(hour * kMsPerHour));
  const double off = hour - LocalHourOfDay(t, tz);  // non-zero only after a DST change
  if (std::abs(off) < 1e-9) return t;
  const Timestamp shifted = t + Millis(std::llround(off * kMsPerHour));
  // Inside a spring-forward gap the shifted instant misses the hour too: keep t, after the gap.
  return std::abs(LocalHourOfDay(shifted, tz) - hour) < 1e-9 ? shifted : t;
}

LocalClock::LocalClock(std::string time_zone) : time_zone_(std::move(time_zone)) {}

LocalTime LocalClock::At(Timestamp t) {
  if (t < valid_from_ || t >= valid_until_) {
    constexpr std::int64_t kQuarter = 15 * 60 * 1000;
    valid_from_ = FromMillis(FloorDiv(ToMillis(t), kQuarter) * kQuarter);
    valid_until_ = valid_from_ + Millis(kQuarter);
    const Date date = LocalDate(valid_from_, time_zone_);
    const double hour = LocalHourOfDay(valid_from_, time_zone_);
    const std::int64_t local_ms =
        DaysSinceEpoch(date) * kMsPerDay + std::llround(hour * static_cast<double>(kMsPerHour));
    offset_ms_ =
        std::llround(static_cast<double>(local_ms - ToMillis(valid_from_)) / 60000.0) * 60000;
  }
  const std::int64_t local_ms = ToMillis(t) + offset_ms_;
  LocalTime lt;
  lt.day = FloorDiv(local_ms, kMsPerDay);
  lt.hour = static_cast<double>(local_ms - lt.day * kMsPerDay) / static_cast<double>(kMsPerHour);
  lt.weekday = static_cast<int>(((lt.day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  lt.day_of_year = DayOfYear(lt.day);
  lt.utc_offset_h = static_cast<double>(offset_ms_) / static_cast<double>(kMsPerHour);
  return lt;
}

}  // namespace ems::sim
