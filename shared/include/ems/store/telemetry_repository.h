// TelemetryRepository: raw telemetry samples, the latest value of each metric, rollups, series
// and site energy (SPEC §4.4, §6.3, §6.4), over the tables of shared/sql/0002_telemetry.sql.
//
// Callers can rely on:
// - Idempotence: a sample is keyed by (device, metric, ts); storing it again changes nothing
//   and reports kDuplicate. The latest value of a metric is the one with the greatest ts,
//   whatever the arrival order.
// - Rollups (1m, 15m, 1h UTC-aligned; 1d, 1mo at local midnight of the zone passed at insert)
//   are updated in the same statement sequence as the raw row, and only when the raw row was new,
//   so duplicates are never counted twice. 1w is composed from 1d at query time. A query at any
//   interval but raw reads rollup rows only: its cost grows with the buckets returned (×7 for 1w),
//   not with the samples behind them. Series semantics are those of ems/domain/rollup.h, and
//   Series(q) equals ComputeSeries over the raw samples (tests hold it to that).
// - Pruning deletes raw rows only; rollups and latest values stay. A sample older than the last
//   prune cutoff is refused (kExpired): its raw twin may be gone, so it could be counted twice.
// - Site timezone changes are not retro-applied: stored 1d/1mo rollups keep the zone they were
//   built in.
// - Every statement is prepared once, at construction, with bound parameters. The repository
//   never BEGINs or COMMITs: the caller owns the transaction (the listener batches many
//   messages per transaction; wrap bulk inserts in one, or each sample commits on its own).
// - The device must exist (foreign key; insert for an unknown device throws SQLite::Exception —
//   check DeviceRepository::Context first and reject "unknown_device"). SQLite errors throw.
// - Not thread-safe: one repository per connection, one connection per thread.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/energy.h"
#include "ems/domain/result.h"
#include "ems/domain/rollup.h"
#include "ems/domain/time.h"

namespace ems::store {

enum class InsertOutcome {
  kStored,     // new sample: raw row, latest value and rollups written
  kDuplicate,  // (device, metric, ts) already stored: nothing written
  kExpired,    // older than the last prune cutoff: nothing written
};
std::string_view ToString(InsertOutcome o);

struct InsertCounts {
  int stored = 0;
  int duplicates = 0;
  int expired = 0;
  friend bool operator==(const InsertCounts&, const InsertCounts&) = default;
};

struct SeriesQuery {
  std::string device_id;
  std::string metric;
  std::string timezone = "UTC";  // the site's zone (1d, 1w, 1mo buckets)
  Timestamp from;                // inclusive
  Timestamp to;                  // exclusive
  Interval interval = Interval::k1h;
  Agg agg = Agg::kAvg;
};

class TelemetryRepository {
 public:
  explicit TelemetryRepository(SQLite::Database& db);
  TelemetryRepository(const TelemetryRepository&) = delete;
  TelemetryRepository& operator=(const TelemetryRepository&) = delete;

  // Stores one sample of a device of a site in zone `site_timezone`. The caller has validated
  // the value (ValidateMetricFor).
  InsertOutcome Insert(const std::string& device_id, const std::string& metric, Timestamp ts,
                       double value, std::string_view site_timezone);
  // Stores every metric of a decoded message.
  InsertCounts Insert(const std::string& device_id, const Telemetry& telemetry,
                      std::string_view site_timezone);

  // Latest value of each metric of a device, in name order.
  std::vector<LatestMetric> Latest(const std::string& device_id);
  std::optional<LatestMetric> Latest(const std::string& device_id, const std::string& metric);
  // For ComputeEnergySummary: every device of the site (id order) with its latest power_w and
  // soc_pct and its storage capacity, in one query.
  std::vector<DeviceReading> SiteReadings(const std::string& site_id);

  // A series per SPEC §6.3: validates the range (ValidateSeriesRange, reason "invalid_query"),
  // then answers from rollups (from raw rows at `raw`).
  Result<std::vector<SeriesPoint>> Series(const SeriesQuery& q);
  // The same answer computed from raw rows only (GROUP BY over the raw table for 1m/15m/1h, a
  // streaming bucketing of the raw rows in ts order for 1d/1w/1mo): the reference the rollups
  // are checked against, and the baseline of bench/rollup_bench. Does not validate the range.
  std::vector<SeriesPoint> SeriesFromRaw(const SeriesQuery& q);
  // Raw samples in [from, to), ts order.
  std::vector<TimedValue> Raw(const std::string& device_id, const std::string& metric,
                              Timestamp from, Timestamp to);

  // Energy per bucket of a site (SPEC §6.4 energy series) for buckets overlapping [from, to):
  // every device's `power_w` integrated with AccumulateEnergy (step method, gaps over 15 min
  // not bridged, pro-rata split at bucket edges) and summed. Source: the 1m rollups, each minute
  // read as one sample (its average power, at the minute's start) — exact for any reporting
  // period of a minute or less apart from the first/last minute of a stretch of data, kept after
  // raw pruning, and costing one row per device-minute in range. Rejects "invalid_query" for a
  // bad range or interval `raw`.
  Result<std::vector<EnergyBucket>> EnergySeries(const std::string& site_id,
                                                 std::string_view site_timezone, Timestamp from,
                                                 Timestamp to, Interval interval);

  // Deletes raw samples with ts < cutoff (all devices; cost grows with the rows deleted) and
  // records the cutoff. Returns the rows deleted. Rollups and latest values are kept.
  std::int64_t PruneRawBefore(Timestamp cutoff);
  // The greatest cutoff pruned so far (the epoch when never pruned).
  Timestamp PrunedBefore();

 private:
  // Calendar buckets of the zone around the last instant seen, so consecutive samples of a
  // site cost no time-zone arithmetic.
  struct CalendarCache {
    Timestamp day_start = Timestamp::max(), day_end = Timestamp::min();
    Timestamp month_start = Timestamp::max(), month_end = Timestamp::min();
  };
  InsertOutcome InsertOne(const std::string& device_id, const std::string& metric, Timestamp ts,
                          double value, std::string_view site_timezone, Timestamp pruned_before);
  void UpsertRollup(const std::string& device_id, const std::string& metric,
                    const std::string& interval, Timestamp bucket, Timestamp ts, double value);
  CalendarCache& Calendar(std::string_view tz, Timestamp ts);
  std::vector<SeriesPoint> RollupSeries(const SeriesQuery& q);
  std::vector<SeriesPoint> WeekSeries(const SeriesQuery& q);

  SQLite::Statement insert_raw_;
  SQLite::Statement upsert_latest_;
  SQLite::Statement upsert_rollup_;
  SQLite::Statement latest_all_;
  SQLite::Statement latest_one_;
  SQLite::Statement site_readings_;
  SQLite::Statement rollup_range_;
  SQLite::Statement raw_range_;
  SQLite::Statement raw_group_;
  SQLite::Statement raw_group_last_;
  SQLite::Statement energy_minutes_;
  SQLite::Statement series_keys_;
  SQLite::Statement delete_raw_;
  SQLite::Statement pruned_before_;
  SQLite::Statement set_pruned_before_;
  std::map<std::string, CalendarCache, std::less<>> calendars_;
  const std::string k1m_ = "1m", k15m_ = "15m", k1h_ = "1h", k1d_ = "1d", k1mo_ = "1mo";
};

}  // namespace ems::store
