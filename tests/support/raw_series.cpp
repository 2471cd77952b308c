#include "raw_series.h"

#include <SQLiteCpp/Statement.h>

namespace ems::testing {
namespace {

constexpr const char* kRawRange =
    "SELECT ts, value FROM telemetry WHERE series_id = (SELECT id FROM series WHERE "
    "device_id = ?1 AND metric = ?2) AND ts >= ?3 AND ts < ?4 ORDER BY ts";

void BindRange(SQLite::Statement& s, const store::SeriesQuery& q, Timestamp from, Timestamp to) {
  s.bind(1, q.device_id);
  s.bind(2, q.metric);
  s.bind(3, ToMillis(from));
  s.bind(4, ToMillis(to));
}

}  // namespace

std::vector<SeriesPoint> SeriesFromRaw(SQLite::Database& db, const store::SeriesQuery& q) {
  std::vector<SeriesPoint> out;
  if (q.from >= q.to) return out;
  if (q.interval == Interval::kRaw) {
    SQLite::Statement raw(db, kRawRange);
    BindRange(raw, q, q.from, q.to);
    while (raw.executeStep()) {
      out.push_back(
          SeriesPoint{FromMillis(raw.getColumn(0).getInt64()), raw.getColumn(1).getDouble(), 1});
    }
    return out;
  }
  const Timestamp first = BucketStart(q.from, q.interval, q.timezone);
  const Timestamp end = NextBucketStart(q.to - Millis(1), q.interval, q.timezone);
  if (!IsCalendarInterval(q.interval)) {
    // Fixed-length buckets: one GROUP BY over the raw rows of the buckets that start before `to`.
    // With exactly one max() aggregate, SQLite takes the bare column `value` from the row holding
    // that max: the last value of each bucket.
    SQLite::Statement group(
        db, q.agg == Agg::kLast
                ? "SELECT ts - ((ts % ?5) + ?5) % ?5 AS bucket, count(*), value, max(ts) "
                  "FROM telemetry JOIN series ON series.id = series_id WHERE device_id = ?1 "
                  "AND metric = ?2 AND ts >= ?3 AND ts < ?4 GROUP BY bucket ORDER BY bucket"
                : "SELECT ts - ((ts % ?5) + ?5) % ?5 AS bucket, count(*), sum(value), "
                  "min(value), max(value) FROM telemetry JOIN series ON series.id = series_id "
                  "WHERE device_id = ?1 AND metric = ?2 AND ts >= ?3 AND ts < ?4 GROUP BY bucket "
                  "ORDER BY bucket");
    BindRange(group, q, first, end);
    group.bind(5, static_cast<std::int64_t>(NominalLength(q.interval).count()));
    while (group.executeStep()) {
      const Timestamp bucket = FromMillis(group.getColumn(0).getInt64());
      const std::int64_t count = group.getColumn(1).getInt64();
      double value = 0;
      if (q.agg == Agg::kLast) {
        value = group.getColumn(2).getDouble();
      } else {
        AggState a;
        a.count = count;
        a.sum = group.getColumn(2).getDouble();
        a.min = group.getColumn(3).getDouble();
        a.max = group.getColumn(4).getDouble();
        value = a.Value(q.agg);
      }
      out.push_back(SeriesPoint{bucket, value, count});
    }
    return out;
  }
  // Calendar buckets: SQLite cannot do zone arithmetic, so stream the raw rows in ts order and
  // cut them at local bucket boundaries (computed once per bucket, not per row).
  Timestamp bucket = first;
  Timestamp next = NextBucketStart(first, q.interval, q.timezone);
  AggState acc;
  SQLite::Statement raw(db, kRawRange);
  BindRange(raw, q, first, end);
  while (raw.executeStep()) {
    const Timestamp ts = FromMillis(raw.getColumn(0).getInt64());
    if (ts >= next) {
      if (acc.count > 0) out.push_back(SeriesPoint{bucket, acc.Value(q.agg), acc.count});
      acc = AggState{};
      bucket = BucketStart(ts, q.interval, q.timezone);
      next = NextBucketStart(ts, q.interval, q.timezone);
    }
    acc.Add(ts, raw.getColumn(1).getDouble());
  }
  if (acc.count > 0) out.push_back(SeriesPoint{bucket, acc.Value(q.agg), acc.count});
  return out;
}

}  // namespace ems::testing
