// Time-series rollups (docs/contract.md §6.3): intervals, aggregations, bucket boundaries, the
// mergeable aggregate state every rollup row holds, and the rules of a series query. Pure: no I/O,
// no clock.
//
// Buckets: `1m`, `15m` and `1h` are aligned to UTC (Unix epoch multiples); `1d`, `1w` (from
// Monday) and `1mo` start at local midnight in the site's IANA zone, so a local day lasts 23 or
// 25 hours across DST changes. Unknown zones fall back to UTC (validate names where they enter).
//
// A series holds every bucket that overlaps [from, to): its first bucket is the one containing
// `from`, its last starts before `to`, and each bucket aggregates all of its samples (a rollup
// cannot be cut at an arbitrary instant). At `raw` the samples in [from, to) are returned as they
// are, one point each (count 1), whatever the aggregation.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems {

enum class Interval { kRaw, k1m, k15m, k1h, k1d, k1w, k1mo };

// "raw", "1m", "15m", "1h", "1d", "1w", "1mo".
std::string_view ToString(Interval i);
std::optional<Interval> ParseInterval(std::string_view s);

enum class Agg { kAvg, kMin, kMax, kSum, kLast };

// "avg", "min", "max", "sum", "last".
std::string_view ToString(Agg a);
std::optional<Agg> ParseAgg(std::string_view s);

// True for the intervals whose buckets follow the site's zone (1d, 1w, 1mo).
bool IsCalendarInterval(Interval i);

// The nominal length of a bucket (1d = 24 h, 1w = 7 d, 1mo = 30 d; raw = 0), for estimates only.
Millis NominalLength(Interval i);

// Start of the bucket containing `ts`. At `raw`, `ts` itself.
Timestamp BucketStart(Timestamp ts, Interval interval, std::string_view tz);
// Start of the bucket after the one starting at (or containing) `ts`. At `raw`, `ts` itself.
Timestamp NextBucketStart(Timestamp ts, Interval interval, std::string_view tz);
// Starts of every bucket that overlaps [from, to), ascending. Empty at `raw` or when from ≥ to.
std::vector<Timestamp> BucketStarts(Timestamp from, Timestamp to, Interval interval,
                                    std::string_view tz);

// The aggregate of a set of samples, mergeable: merging the states of two disjoint sets gives
// the state of their union, so finer buckets compose into coarser ones (1d → 1w) and rollups
// can be maintained one sample at a time. `last` is the value of the sample with the greatest ts
// (on equal ts the one added or merged last wins).
struct AggState {
  std::int64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  Timestamp last_ts = Timestamp::min();
  double last_value = 0;

  void Add(Timestamp ts, double value);
  void Merge(const AggState& other);
  // The aggregation's value; meaningless when count == 0.
  double Value(Agg agg) const;
  friend bool operator==(const AggState&, const AggState&) = default;
};

// One point of a series: bucket start (or the sample's ts at raw), value, samples in it.
struct SeriesPoint {
  Timestamp ts;
  double value = 0;
  std::int64_t count = 0;
  friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};

// What a series reads of each of its keys (docs/contract.md §6.3): the range, the bucket size and
// the aggregation. The API reads it from a request once (QuerySeriesWindow) and passes it whole to
// the store's reader and to the answer's encoder.
struct SeriesWindow {
  Timestamp from;  // inclusive
  Timestamp to;    // exclusive
  Interval interval = Interval::k1h;
  Agg agg = Agg::kAvg;
};

// A stored sample of one metric of one device.
struct TimedValue {
  Timestamp ts;
  double value = 0;
  friend bool operator==(const TimedValue&, const TimedValue&) = default;
};

// The reference series over samples of one metric, in any order: the definition the storage's
// rollup answers must equal (see the rules at the top of this header). Buckets without samples
// are left out.
std::vector<SeriesPoint> ComputeSeries(std::span<const TimedValue> samples, Timestamp from,
                                       Timestamp to, Interval interval, Agg agg,
                                       std::string_view tz);

// The finest of 1m, 15m, 1h, 1d, 1w, 1mo whose buckets over [from, to), by nominal length, stay
// within `max_points` (never raw); 1mo when none does.
Interval FinestIntervalWithin(Timestamp from, Timestamp to, std::int64_t max_points);

// The interval used when a query names none: FinestIntervalWithin(from, to, kMaxDefaultPoints).
inline constexpr std::int64_t kMaxDefaultPoints = 400;
Interval DefaultInterval(Timestamp from, Timestamp to);

inline constexpr std::chrono::days kMaxRawRange{400};
// At most this many points in one answer, over all its series (docs/contract.md §6.3).
inline constexpr std::int64_t kMaxSeriesPoints = 100'000;

// The rules of a series range for an answer of `series` series over one range (a device's
// series is one; a subscription's, one per metric), kInvalidQuery: from < to; at raw at most 400
// days; at other intervals at most kMaxSeriesPoints buckets (by nominal length) in all. The
// message names the finest interval that fits ("…; choose an interval of 15m or coarser.").
Result<void> ValidateSeriesRange(Timestamp from, Timestamp to, Interval interval,
                                 std::int64_t series = 1);

// The kInvalidQuery reject of a raw answer of `series` series over [from, to) that would hold
// more than kMaxSeriesPoints samples in all (known only once read), naming the finest interval
// that fits.
Reject TooManyRawPoints(Timestamp from, Timestamp to, std::int64_t series);

}  // namespace ems
