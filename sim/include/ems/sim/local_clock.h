// The local calendar at a simulated site: what hour and day it is there, cheap enough to ask at
// every step, and the calendar arithmetic the models need. Pure apart from the cache.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ems/domain/time.h"

namespace ems::sim {

struct LocalTime {
  double hour = 0;          // 0 ≤ hour < 24, fractional
  int weekday = 0;          // 0 = Monday … 6 = Sunday
  int day_of_year = 0;      // 0 = 1 January
  std::int64_t day = 0;     // local days since 1970-01-01: changes at local midnight
  double utc_offset_h = 0;  // e.g. +2 for Europe/Berlin in summer
};

// The UTC offset is looked up (through cctz) once per 15 minutes of simulated time; every zone
// offset and DST transition in use falls on a quarter hour, so the cached answer is exact.
// Not thread-safe (the cache).
class LocalClock {
 public:
  explicit LocalClock(std::string time_zone);
  LocalTime At(Timestamp t);
  const std::string& time_zone() const { return time_zone_; }

 private:
  std::string time_zone_;
  Timestamp valid_from_{};
  Timestamp valid_until_{};
  std::int64_t offset_ms_ = 0;
};

// Days since 1970-01-01 of a date, and back.
std::int64_t DaysSinceEpoch(const Date& d);
Date DateOfDays(std::int64_t days);
// 0 = 1 January of that day's year.
int DayOfYear(std::int64_t days_since_epoch);
// The instant of local `hour` (fractional) on local date `d` in `tz`, DST included (an hour that
// a spring-forward skips maps to the instant after the gap).
Timestamp LocalInstant(const Date& d, double hour, std::string_view tz);

}  // namespace ems::sim
