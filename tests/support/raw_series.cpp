#include "raw_series.h"

#include <SQLiteCpp/Statement.h>

namespace ems::testing {
namespace {

constexpr const char* kRawRange =
    "SELECT ts, value FROM telemetry WHERE series_id = (SELECT id FROM series WHERE "
    "device_id = ?1 AND metric = ?2) AND ts >= ?3 AND ts < ?4 ORDER BY ts";

void BindRange(SQLite::Statement& s, const store::SeriesKey& key, Timestamp from, Timestamp to) {
  s.bind(1, key.device_id);
  s.bind(2, key.metric);
  s.bind(3, ToMillis(from));
  s.bind(4, ToMillis(to));
}

}  // namespace

std::vector<SeriesPoint> SeriesFromRaw(SQLite::Database& db, const store::SeriesKey& key,
                                       const SeriesWindow& w) {
  std::vector<SeriesPoint> out;
  if (w.from >= w.to) return out;
  if (w.interval == Interval::kRaw) {
    SQLite::Statement raw(db, kRawRange);
    BindRange(raw, key, w.from, w.to);
    while (raw.executeStep()) {
      out.push_back(
          SeriesPoint{FromMillis(raw.getColumn(0).getInt64()), raw.getColumn(1).getDouble(), 1});
    }
    return out;
  }
  const Timestamp first = BucketStart(w.from, w.interval, key.timezone);
  const Timestamp end = NextBucketStart(w.to - Millis(1), w.interval, key.timezone);
  if (!IsCalendarInterval(w.interval)) {
    // Fixed-length buckets: one GROUP BY over the raw rows of the buckets that start before `to`.
    // With exactly one max() aggregate, SQLite takes the bare column `value` from the row holding
    // that max: the last value of each bucket.
    SQLite::Statement group(
        db, w.agg == Agg::kLast
                ? "SELECT ts - ((ts % ?5) + ?5) % ?5 AS bucket, count(*), value, max(ts) "
                  "FROM telemetry JOIN series ON series.id = series_id WHERE device_id = ?1 "
                  "AND metric = ?2 AND ts >= ?3 AND ts < ?4 GROUP BY bucket ORDER BY bucket"
                : "SELECT ts - ((ts % ?5) + ?5) % ?5 AS bucket, count(*), sum(value), "
                  "min(value), max(value) FROM telemetry JOIN series ON series.id = series_id "
                  "WHERE device_id = ?1 AND metric = ?2 AND ts >= ?3 AND ts < ?4 GROUP BY bucket "
                  "ORDER BY bucket");
    BindRange(group, key, first, end);
    group.bind(5, static_cast<std::int64_t>(NominalLength(w.interval).count()));
    while (group.executeStep()) {
      const Timestamp bucket = FromMillis(group.getColumn(0).getInt64());
      const std::int64_t count = group.getColumn(1).getInt64();
      double value = 0;
      if (w.agg == Agg::kLast) {
        value = group.getColumn(2).getDouble();
      } else {
        AggState a;
        a.count = count;
        a.sum = group.getColumn(2).getDouble();
        a.min = group.getColumn(3).getDouble();
        a.max = group.getColumn(4).getDouble();
        value = a.Value(w.agg);
      }
      out.push_back(SeriesPoint{bucket, value, count});
    }
    return out;
  }
  // Calendar buckets: SQLite cannot do zone arithmetic, so stream the raw rows in ts order and
  // cut them at local bucket boundaries (computed once per bucket, not per row).
  Timestamp bucket = first;
  Timestamp next = NextBucketStart(first, w.interval, key.timezone);
  AggState acc;
  SQLite::Statement raw(db, kRawRange);
  BindRange(raw, key, first, end);
  while (raw.executeStep()) {
    const Timestamp ts = FromMillis(raw.getColumn(0).getInt64());
    if (ts >= next) {
      if (acc.count > 0) out.push_back(SeriesPoint{bucket, acc.Value(w.agg), acc.count});
      acc = AggState{};
      bucket = BucketStart(ts, w.interval, key.timezone);
      next = NextBucketStart(ts, w.interval, key.timezone);
    }
    acc.Add(ts, raw.getColumn(1).getDouble());
  }
  if (acc.count > 0) out.push_back(SeriesPoint{bucket, acc.Value(w.agg), acc.count});
  return out;
}

}  // namespace ems::testing
