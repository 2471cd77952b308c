// TelemetryRepository: raw telemetry samples, the latest value of each metric, rollups, series
// and site energy (SPEC §4.4, §6.3, §6.4), over the tables of shared/sql/0002_telemetry.sql.
//
// Callers can rely on:
// - Idempotence: a sample is keyed by (device, metric, ts); storing it again changes nothing
//   and reports kDuplicate. The latest value of a metric is the one with the greatest ts,
//   whatever the arrival order.
// - Rollups (1m, 15m, 1h UTC-aligned; 1d, 1mo at local midnight of the zone passed at insert)
//   are updated only when the raw row was new, so duplicates are never counted twice: at once by
//   TelemetryRepository::Insert, or coalesced per bucket and written at TelemetryBatch::Flush (the
//   ingest path: about 3× less CPU per sample in bench/rollup_bench). 1w is composed from 1d at
//   query time. A query at any interval but raw reads rollup rows only: its cost grows with the
//   buckets returned (×7 for 1w), not with the samples behind them. Series semantics are those of
//   ems/domain/rollup.h, and Series(q) equals ComputeSeries over the raw samples (tests hold it to
//   that).
// - Pruning deletes raw rows only; rollups and latest values stay. A sample older than the last
//   prune cutoff is refused (kExpired): its raw twin may be gone, so it could be counted twice.
// - Site timezone changes are not retro-applied: stored 1d/1mo rollups keep the zone they were
//   built in.
// - Every statement is prepared once, at construction, with bound parameters. The repository
//   never BEGINs or COMMITs: the caller owns the transaction (the listener batches many
//   messages per transaction; wrap bulk inserts in one, or each sample commits on its own).
//   The one exception is on request: TelemetryBatch::Commit(tx) flushes, then commits `tx`.
// - The device must exist (foreign key; insert for an unknown device throws SQLite::Exception —
//   check DeviceRepository::Context first and reject "unknown_device"). SQLite errors throw.
// - Not thread-safe: one repository per connection, one connection per thread.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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

  // Stores one sample of a device of a site in zone `site_timezone`, rollups and latest value
  // included. The caller has validated the value (ValidateMetricFor). Many samples in one
  // transaction go faster through a TelemetryBatch.
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
  friend class TelemetryBatch;
  static constexpr std::size_t kLevels = 5;  // stored rollup intervals: 1m, 15m, 1h, 1d, 1mo
  using LevelBuckets = std::array<Timestamp, kLevels>;

  // Calendar buckets of the zone around the last instant seen, so consecutive samples of a
  // site cost no time-zone arithmetic.
  struct CalendarCache {
    Timestamp day_start = Timestamp::max(), day_end = Timestamp::min();
    Timestamp month_start = Timestamp::max(), month_end = Timestamp::min();
  };
  LevelBuckets Buckets(Timestamp ts, std::string_view tz);
  // The raw row alone; true when it was new.
  bool InsertRaw(const std::string& device_id, const std::string& metric, Timestamp ts,
                 double value);
  void UpsertLatest(const std::string& device_id, const std::string& metric, Timestamp ts,
                    double value);
  // Merges `state` into one stored rollup row.
  void MergeRollup(const std::string& device_id, const std::string& metric, std::size_t level,
                   Timestamp bucket, const AggState& state);
  std::vector<SeriesPoint> RollupSeries(const SeriesQuery& q);
  std::vector<SeriesPoint> WeekSeries(const SeriesQuery& q);

  SQLite::Statement insert_raw_;
  SQLite::Statement upsert_latest_;
  SQLite::Statement merge_rollup_;
  SQLite::Statement add_sample_rollups_;
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
};

// TelemetryBatch: the ingest path. Stores raw rows at once (so duplicates are detected as they
// come, within the batch too) but coalesces rollup and latest-value writes per bucket in memory,
// writing each touched rollup row once at Flush. Use one batch per transaction:
//
//   SQLite::Transaction tx(db);
//   TelemetryBatch batch(telemetry);
//   for (...) batch.Insert(device_id, telemetry_msg, site_timezone);
//   batch.Commit(tx);  // Flush(), then tx.commit()
//
// Callers can rely on: after Flush the database holds exactly what TelemetryRepository::Insert
// of the same samples would have written. Until then, reads (Series, Latest, …) do not see the
// batch's rollups and latest values. A batch destroyed before Flush discards what it holds —
// right when its transaction rolled back (an exception), wrong if the caller commits without
// flushing, which is why Commit exists. Same thread and connection rules as the repository.
class TelemetryBatch {
 public:
  explicit TelemetryBatch(TelemetryRepository& repo);
  TelemetryBatch(const TelemetryBatch&) = delete;
  TelemetryBatch& operator=(const TelemetryBatch&) = delete;

  InsertOutcome Insert(const std::string& device_id, const std::string& metric, Timestamp ts,
                       double value, std::string_view site_timezone);
  InsertCounts Insert(const std::string& device_id, const Telemetry& telemetry,
                      std::string_view site_timezone);
  // Writes the coalesced rollups and latest values; the batch is then empty and reusable.
  void Flush();
  // Flush(), then commits the caller's transaction.
  void Commit(SQLite::Transaction& tx);
  // Rollup and latest rows waiting for Flush.
  std::size_t pending_rows() const { return pending_rows_; }

 private:
  struct Pending {
    std::string device_id;
    std::string metric;
    std::optional<TimedValue> latest;
    // Per stored level, the touched buckets in first-touch order (samples mostly arrive in ts
    // order, so the bucket sought is nearly always the last one).
    std::array<std::vector<std::pair<Timestamp, AggState>>, TelemetryRepository::kLevels> levels;
  };
  InsertOutcome InsertOne(const std::string& device_id, const std::string& metric, Timestamp ts,
                          double value, std::string_view site_timezone);

  TelemetryRepository& repo_;
  Timestamp pruned_before_;
  std::unordered_map<std::string, Pending> pending_;  // key: device_id + '\n' + metric
  std::string key_;                                   // reused to build keys
  std::size_t pending_rows_ = 0;
};

}  // namespace ems::store
