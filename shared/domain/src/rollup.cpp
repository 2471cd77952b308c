#include "ems/domain/rollup.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace ems {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

constexpr std::array<std::pair<Interval, std::string_view>, 7> kIntervals = {{
    {Interval::kRaw, "raw"},
    {Interval::k1m, "1m"},
    {Interval::k15m, "15m"},
    {Interval::k1h, "1h"},
    {Interval::k1d, "1d"},
    {Interval::k1w, "1w"},
    {Interval::k1mo, "1mo"},
}};

constexpr std::array<std::pair<Agg, std::string_view>, 5> kAggs = {{
    {Agg::kAvg, "avg"},
    {Agg::kMin, "min"},
    {Agg::kMax, "max"},
    {Agg::kSum, "sum"},
    {Agg::kLast, "last"},
}};

// Floor division, correct for instants before 1970 too.
Timestamp FloorTo(Timestamp ts, Millis step) {
  const std::int64_t ms = ToMillis(ts);
  const std::int64_t s = step.count();
  std::int64_t q = ms / s;
  if (ms % s != 0 && ms < 0) --q;
  return FromMillis(q * s);
}

std::optional<CalendarUnit> UnitOf(Interval i) {
  switch (i) {
    case Interval::k1d:
      return CalendarUnit::kDay;
    case Interval::k1w:
      return CalendarUnit::kWeek;
    case Interval::k1mo:
      return CalendarUnit::kMonth;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string_view ToString(Interval i) {
  for (const auto& [value, name] : kIntervals) {
    if (value == i) return name;
  }
  return "raw";
}

std::optional<Interval> ParseInterval(std::string_view s) {
  for (const auto& [value, name] : kIntervals) {
    if (name == s) return value;
  }
  return std::nullopt;
}

std::string_view ToString(Agg a) {
  for (const auto& [value, name] : kAggs) {
    if (value == a) return name;
  }
  return "avg";
}

std::optional<Agg> ParseAgg(std::string_view s) {
  for (const auto& [value, name] : kAggs) {
    if (name == s) return value;
  }
  return std::nullopt;
}

bool IsCalendarInterval(Interval i) { return UnitOf(i).has_value(); }

Millis NominalLength(Interval i) {
  switch (i) {
    case Interval::kRaw:
      return Millis(0);
    case Interval::k1m:
      return minutes(1);
    case Interval::k15m:
      return minutes(15);
    case Interval::k1h:
      return hours(1);
    case Interval::k1d:
      return days(1);
    case Interval::k1w:
      return days(7);
    case Interval::k1mo:
      return days(30);
  }
  return Millis(0);
}

Timestamp BucketStart(Timestamp ts, Interval interval, std::string_view tz) {
  if (interval == Interval::kRaw) return ts;
  if (const auto unit = UnitOf(interval)) return LocalPeriodStart(ts, *unit, tz);
  return FloorTo(ts, NominalLength(interval));
}

Timestamp NextBucketStart(Timestamp ts, Interval interval, std::string_view tz) {
  if (interval == Interval::kRaw) return ts;
  if (const auto unit = UnitOf(interval)) return NextLocalPeriodStart(ts, *unit, tz);
  return FloorTo(ts, NominalLength(interval)) + NominalLength(interval);
}

std::vector<Timestamp> BucketStarts(Timestamp from, Timestamp to, Interval interval,
                                    std::string_view tz) {
  std::vector<Timestamp> starts;
  if (interval == Interval::kRaw || from >= to) return starts;
  for (Timestamp t = BucketStart(from, interval, tz); t < to;
       t = NextBucketStart(t, interval, tz)) {
    starts.push_back(t);
  }
  return starts;
}

void AggState::Add(Timestamp ts, double value) {
  ++count;
  sum += value;
  min = std::min(min, value);
  max = std::max(max, value);
  if (ts >= last_ts) {
    last_ts = ts;
    last_value = value;
  }
}

void AggState::Merge(const AggState& other) {
  if (other.count == 0) return;
  count += other.count;
  sum += other.sum;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  if (other.last_ts >= last_ts) {
    last_ts = other.last_ts;
    last_value = other.last_value;
  }
}

double AggState::Value(Agg agg) const {
  switch (agg) {
    case Agg::kAvg:
      return count == 0 ? 0 : sum / static_cast<double>(count);
    case Agg::kMin:
      return min;
    case Agg::kMax:
      return max;
    case Agg::kSum:
      return sum;
    case Agg::kLast:
      return last_value;
  }
  return 0;
}

std::vector<SeriesPoint> ComputeSeries(std::span<const TimedValue> samples, Timestamp from,
                                       Timestamp to, Interval interval, Agg agg,
                                       std::string_view tz) {
  std::vector<SeriesPoint> points;
  if (from >= to) return points;
  if (interval == Interval::kRaw) {
    for (const auto& s : samples) {
      if (s.ts >= from && s.ts < to) points.push_back({s.ts, s.value, 1});
    }
    std::stable_sort(points.begin(), points.end(),
                     [](const SeriesPoint& a, const SeriesPoint& b) { return a.ts < b.ts; });
    return points;
  }
  const Timestamp first = BucketStart(from, interval, tz);
  std::map<Timestamp, AggState> buckets;
  for (const auto& s : samples) {
    if (s.ts < first) continue;
    const Timestamp b = BucketStart(s.ts, interval, tz);
    if (b >= to) continue;
    buckets[b].Add(s.ts, s.value);
  }
  points.reserve(buckets.size());
  for (const auto& [ts, state] : buckets) points.push_back({ts, state.Value(agg), state.count});
  return points;
}

Interval FinestIntervalWithin(Timestamp from, Timestamp to, std::int64_t max_points) {
  const Millis range = to > from ? to - from : Millis(0);
  for (Interval i : {Interval::k1m, Interval::k15m, Interval::k1h, Interval::k1d, Interval::k1w}) {
    if (range <= NominalLength(i) * max_points) return i;
  }
  return Interval::k1mo;
}

Interval DefaultInterval(Timestamp from, Timestamp to) {
  return FinestIntervalWithin(from, to, kMaxDefaultPoints);
}

namespace {

// "choose an interval of 15m or coarser", or a shorter range when even that is not coarser than
// `interval`.
std::string CoarserAdvice(Timestamp from, Timestamp to, Interval interval, std::int64_t series) {
  const Interval fits =
      FinestIntervalWithin(from, to, kMaxSeriesPoints / std::max<std::int64_t>(series, 1));
  if (fits <= interval) return "choose a shorter range.";
  return "choose an interval of " + std::string(ToString(fits)) + " or coarser.";
}

std::string OverSeries(std::int64_t series) {
  return series > 1 ? " over " + std::to_string(series) + " series" : "";
}

}  // namespace

Result<void> ValidateSeriesRange(Timestamp from, Timestamp to, Interval interval,
                                 std::int64_t series) {
  if (from >= to) {
    return Rejected(ErrorCode::kInvalidQuery, "Parameter 'from' must be earlier than 'to'.");
  }
  if (interval == Interval::kRaw) {
    if (to - from > kMaxRawRange) {
      return Rejected(ErrorCode::kInvalidQuery,
                      "A raw series may span at most 400 days; choose an interval such as 1h.");
    }
    return {};
  }
  if ((to - from) / NominalLength(interval) * series > kMaxSeriesPoints) {
    return Rejected(ErrorCode::kInvalidQuery,
                    "The range holds more than " + std::to_string(kMaxSeriesPoints) +
                        " buckets of " + std::string(ToString(interval)) + OverSeries(series) +
                        "; " + CoarserAdvice(from, to, interval, series));
  }
  return {};
}

Reject TooManyRawPoints(Timestamp from, Timestamp to, std::int64_t series) {
  return Reject{ErrorCode::kInvalidQuery,
                "The range holds more than " + std::to_string(kMaxSeriesPoints) + " raw samples" +
                    OverSeries(series) + "; " + CoarserAdvice(from, to, Interval::kRaw, series)};
}

}  // namespace ems
