#include "ems/store/telemetry_repository.h"

#include <algorithm>
#include <utility>

namespace ems::store {
namespace {

// Leaves a kept statement ready for its next use whatever happens while it runs.
class ResetOnExit {
 public:
  explicit ResetOnExit(SQLite::Statement& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.tryReset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SQLite::Statement& stmt_;
};

std::string RollupName(Interval i) { return std::string(ToString(i)); }

// The stored rollup levels, in the order of TelemetryRepository::LevelBuckets.
constexpr std::array<Interval, 5> kStoredLevels = {Interval::k1m, Interval::k15m, Interval::k1h,
                                                   Interval::k1d, Interval::k1mo};

constexpr const char* kRollupInsert =
    "INSERT INTO telemetry_rollups (device_id, metric, interval, bucket, sample_count, "
    "value_sum, value_min, value_max, last_ts, last_value) ";
constexpr const char* kRollupMerge =
    " ON CONFLICT (device_id, metric, interval, bucket) DO UPDATE SET "
    "sample_count = sample_count + excluded.sample_count, "
    "value_sum = value_sum + excluded.value_sum, "
    "value_min = min(value_min, excluded.value_min), "
    "value_max = max(value_max, excluded.value_max), "
    "last_value = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last_value "
    "ELSE last_value END, "
    "last_ts = max(last_ts, excluded.last_ts)";

AggState RowState(SQLite::Statement& s, int first_column) {
  AggState a;
  a.count = s.getColumn(first_column).getInt64();
  a.sum = s.getColumn(first_column + 1).getDouble();
  a.min = s.getColumn(first_column + 2).getDouble();
  a.max = s.getColumn(first_column + 3).getDouble();
  a.last_ts = FromMillis(s.getColumn(first_column + 4).getInt64());
  a.last_value = s.getColumn(first_column + 5).getDouble();
  return a;
}

}  // namespace

TelemetryRepository::TelemetryRepository(SQLite::Database& db)
    : insert_raw_(db,
                  "INSERT OR IGNORE INTO telemetry (device_id, metric, ts, value) "
                  "VALUES (?1, ?2, ?3, ?4)"),
      upsert_latest_(
          db,
          "INSERT INTO metric_latest (device_id, metric, ts, value) "
          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (device_id, metric) DO UPDATE SET "
          "ts = excluded.ts, value = excluded.value WHERE excluded.ts > metric_latest.ts"),
      // Every right-hand side of an UPDATE SET sees the row before the update, so last_value is
      // chosen against the old last_ts.
      merge_rollup_(db, std::string(kRollupInsert) +
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" + kRollupMerge),
      // One sample into all five levels in one statement: a third cheaper than five.
      add_sample_rollups_(db, std::string(kRollupInsert) +
                                  "VALUES (?1, ?2, '1m', ?3, 1, ?8, ?8, ?8, ?9, ?8), "
                                  "(?1, ?2, '15m', ?4, 1, ?8, ?8, ?8, ?9, ?8), "
                                  "(?1, ?2, '1h', ?5, 1, ?8, ?8, ?8, ?9, ?8), "
                                  "(?1, ?2, '1d', ?6, 1, ?8, ?8, ?8, ?9, ?8), "
                                  "(?1, ?2, '1mo', ?7, 1, ?8, ?8, ?8, ?9, ?8)" +
                                  kRollupMerge),
      latest_all_(db,
                  "SELECT metric, value, ts FROM metric_latest WHERE device_id = ?1 "
                  "ORDER BY metric"),
      latest_one_(db,
                  "SELECT metric, value, ts FROM metric_latest WHERE device_id = ?1 AND "
                  "metric = ?2"),
      site_readings_(db,
                     "SELECT d.id, d.type, d.properties, p.ts, p.value, s.ts, s.value "
                     "FROM devices d "
                     "LEFT JOIN metric_latest p ON p.device_id = d.id AND p.metric = 'power_w' "
                     "LEFT JOIN metric_latest s ON s.device_id = d.id AND s.metric = 'soc_pct' "
                     "WHERE d.site_id = ?1 ORDER BY d.id"),
      rollup_range_(db,
                    "SELECT bucket, sample_count, value_sum, value_min, value_max, last_ts, "
                    "last_value FROM telemetry_rollups WHERE device_id = ?1 AND metric = ?2 "
                    "AND interval = ?3 AND bucket >= ?4 AND bucket < ?5 ORDER BY bucket"),
      raw_range_(db,
                 "SELECT ts, value FROM telemetry WHERE device_id = ?1 AND metric = ?2 "
                 "AND ts >= ?3 AND ts < ?4 ORDER BY ts"),
      raw_group_(db,
                 "SELECT ts - ((ts % ?5) + ?5) % ?5 AS bucket, count(*), sum(value), "
                 "min(value), max(value) FROM telemetry WHERE device_id = ?1 AND metric = ?2 "
                 "AND ts >= ?3 AND ts < ?4 GROUP BY bucket ORDER BY bucket"),
      // With exactly one max() aggregate, SQLite takes the bare column `value` from the row
      // holding that max: the last value of each bucket.
      raw_group_last_(db,
                      "SELECT ts - ((ts % ?5) + ?5) % ?5 AS bucket, count(*), value, max(ts) "
                      "FROM telemetry WHERE device_id = ?1 AND metric = ?2 "
                      "AND ts >= ?3 AND ts < ?4 GROUP BY bucket ORDER BY bucket"),
      energy_minutes_(db,
                      "SELECT r.device_id, r.bucket, r.value_sum / r.sample_count "
                      "FROM devices d JOIN telemetry_rollups r ON r.device_id = d.id "
                      "AND r.metric = 'power_w' AND r.interval = '1m' "
                      "AND r.bucket >= ?2 AND r.bucket < ?3 "
                      "WHERE d.site_id = ?1 ORDER BY d.id, r.bucket"),
      series_keys_(db, "SELECT device_id, metric FROM metric_latest"),
      delete_raw_(db, "DELETE FROM telemetry WHERE device_id = ?1 AND metric = ?2 AND ts < ?3"),
      pruned_before_(db, "SELECT pruned_before FROM telemetry_retention WHERE id = 1"),
      set_pruned_before_(db,
                         "UPDATE telemetry_retention SET pruned_before = max(pruned_before, ?1) "
                         "WHERE id = 1") {}

Timestamp TelemetryRepository::PrunedBefore() {
  ResetOnExit reset(pruned_before_);
  if (!pruned_before_.executeStep()) return FromMillis(0);
  return FromMillis(pruned_before_.getColumn(0).getInt64());
}

TelemetryRepository::LevelBuckets TelemetryRepository::Buckets(Timestamp ts, std::string_view tz) {
  auto it = calendars_.find(tz);
  if (it == calendars_.end()) it = calendars_.emplace(std::string(tz), CalendarCache{}).first;
  CalendarCache& c = it->second;
  if (ts < c.day_start || ts >= c.day_end) {
    c.day_start = LocalPeriodStart(ts, CalendarUnit::kDay, tz);
    c.day_end = NextLocalPeriodStart(ts, CalendarUnit::kDay, tz);
  }
  if (ts < c.month_start || ts >= c.month_end) {
    c.month_start = LocalPeriodStart(ts, CalendarUnit::kMonth, tz);
    c.month_end = NextLocalPeriodStart(ts, CalendarUnit::kMonth, tz);
  }
  return {BucketStart(ts, Interval::k1m, "UTC"), BucketStart(ts, Interval::k15m, "UTC"),
          BucketStart(ts, Interval::k1h, "UTC"), c.day_start, c.month_start};
}

bool TelemetryRepository::InsertRaw(const std::string& device_id, const std::string& metric,
                                    Timestamp ts, double value) {
  ResetOnExit reset(insert_raw_);
  insert_raw_.bind(1, device_id);
  insert_raw_.bind(2, metric);
  insert_raw_.bind(3, ToMillis(ts));
  insert_raw_.bind(4, value);
  return insert_raw_.exec() > 0;
}

void TelemetryRepository::UpsertLatest(const std::string& device_id, const std::string& metric,
                                       Timestamp ts, double value) {
  ResetOnExit reset(upsert_latest_);
  upsert_latest_.bind(1, device_id);
  upsert_latest_.bind(2, metric);
  upsert_latest_.bind(3, ToMillis(ts));
  upsert_latest_.bind(4, value);
  upsert_latest_.exec();
}

void TelemetryRepository::MergeRollup(const std::string& device_id, const std::string& metric,
                                      std::size_t level, Timestamp bucket, const AggState& state) {
  ResetOnExit reset(merge_rollup_);
  merge_rollup_.bind(1, device_id);
  merge_rollup_.bind(2, metric);
  merge_rollup_.bind(3, RollupName(kStoredLevels[level]));
  merge_rollup_.bind(4, ToMillis(bucket));
  merge_rollup_.bind(5, state.count);
  merge_rollup_.bind(6, state.sum);
  merge_rollup_.bind(7, state.min);
  merge_rollup_.bind(8, state.max);
  merge_rollup_.bind(9, ToMillis(state.last_ts));
  merge_rollup_.bind(10, state.last_value);
  merge_rollup_.exec();
}

InsertOutcome TelemetryRepository::Insert(const std::string& device_id, const std::string& metric,
                                          Timestamp ts, double value,
                                          std::string_view site_timezone) {
  if (ts < PrunedBefore()) return InsertOutcome::kExpired;
  if (!InsertRaw(device_id, metric, ts, value)) return InsertOutcome::kDuplicate;
  UpsertLatest(device_id, metric, ts, value);
  const LevelBuckets buckets = Buckets(ts, site_timezone);
  ResetOnExit reset(add_sample_rollups_);
  add_sample_rollups_.bind(1, device_id);
  add_sample_rollups_.bind(2, metric);
  for (std::size_t l = 0; l < kLevels; ++l) {
    add_sample_rollups_.bind(static_cast<int>(3 + l), ToMillis(buckets[l]));
  }
  add_sample_rollups_.bind(8, value);
  add_sample_rollups_.bind(9, ToMillis(ts));
  add_sample_rollups_.exec();
  return InsertOutcome::kStored;
}

InsertCounts TelemetryRepository::Insert(const std::string& device_id, const Telemetry& telemetry,
                                         std::string_view site_timezone) {
  TelemetryBatch batch(*this);
  const InsertCounts counts = batch.Insert(device_id, telemetry, site_timezone);
  batch.Flush();
  return counts;
}

std::vector<LatestMetric> TelemetryRepository::Latest(const std::string& device_id) {
  std::vector<LatestMetric> out;
  ResetOnExit reset(latest_all_);
  latest_all_.bind(1, device_id);
  while (latest_all_.executeStep()) {
    out.push_back(LatestMetric{latest_all_.getColumn(0).getString(),
                               latest_all_.getColumn(1).getDouble(),
                               FromMillis(latest_all_.getColumn(2).getInt64())});
  }
  return out;
}

std::optional<LatestMetric> TelemetryRepository::Latest(const std::string& device_id,
                                                        const std::string& metric) {
  ResetOnExit reset(latest_one_);
  latest_one_.bind(1, device_id);
  latest_one_.bind(2, metric);
  if (!latest_one_.executeStep()) return std::nullopt;
  return LatestMetric{latest_one_.getColumn(0).getString(), latest_one_.getColumn(1).getDouble(),
                      FromMillis(latest_one_.getColumn(2).getInt64())};
}

std::vector<DeviceReading> TelemetryRepository::SiteReadings(const std::string& site_id) {
  std::vector<DeviceReading> out;
  ResetOnExit reset(site_readings_);
  site_readings_.bind(1, site_id);
  while (site_readings_.executeStep()) {
    const auto type = ParseDeviceType(site_readings_.getColumn(1).getString());
    if (!type) continue;  // DeviceRepository never stores one; skip rather than miscount
    DeviceReading r;
    r.device_id = site_readings_.getColumn(0).getString();
    r.type = *type;
    if (IsStorage(*type)) {
      const auto props = nlohmann::json::parse(site_readings_.getColumn(2).getString(), nullptr,
                                               /*allow_exceptions=*/false);
      r.capacity_wh = StorageCapacityWh(*type, props);
    }
    if (!site_readings_.getColumn(3).isNull()) {
      r.power_w = TimedValue{FromMillis(site_readings_.getColumn(3).getInt64()),
                             site_readings_.getColumn(4).getDouble()};
    }
    if (!site_readings_.getColumn(5).isNull()) {
      r.soc_pct = TimedValue{FromMillis(site_readings_.getColumn(5).getInt64()),
                             site_readings_.getColumn(6).getDouble()};
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<TimedValue> TelemetryRepository::Raw(const std::string& device_id,
                                                 const std::string& metric, Timestamp from,
                                                 Timestamp to) {
  std::vector<TimedValue> out;
  ResetOnExit reset(raw_range_);
  raw_range_.bind(1, device_id);
  raw_range_.bind(2, metric);
  raw_range_.bind(3, ToMillis(from));
  raw_range_.bind(4, ToMillis(to));
  while (raw_range_.executeStep()) {
    out.push_back(TimedValue{FromMillis(raw_range_.getColumn(0).getInt64()),
                             raw_range_.getColumn(1).getDouble()});
  }
  return out;
}

std::vector<SeriesPoint> TelemetryRepository::RollupSeries(const SeriesQuery& q) {
  std::vector<SeriesPoint> out;
  ResetOnExit reset(rollup_range_);
  rollup_range_.bind(1, q.device_id);
  rollup_range_.bind(2, q.metric);
  rollup_range_.bind(3, RollupName(q.interval));
  rollup_range_.bind(4, ToMillis(BucketStart(q.from, q.interval, q.timezone)));
  rollup_range_.bind(5, ToMillis(q.to));
  while (rollup_range_.executeStep()) {
    const AggState a = RowState(rollup_range_, 1);
    out.push_back(
        SeriesPoint{FromMillis(rollup_range_.getColumn(0).getInt64()), a.Value(q.agg), a.count});
  }
  return out;
}

std::vector<SeriesPoint> TelemetryRepository::WeekSeries(const SeriesQuery& q) {
  // Local weeks are whole local days, so each week is the merge of its (up to 7) 1d rows.
  const Timestamp first_week = BucketStart(q.from, Interval::k1w, q.timezone);
  const Timestamp days_end =
      NextBucketStart(q.to - Millis(1), Interval::k1w, q.timezone);  // end of the last week
  std::vector<SeriesPoint> out;
  std::optional<Timestamp> week;
  AggState acc;
  const auto flush = [&] {
    if (week && acc.count > 0) out.push_back(SeriesPoint{*week, acc.Value(q.agg), acc.count});
  };
  ResetOnExit reset(rollup_range_);
  rollup_range_.bind(1, q.device_id);
  rollup_range_.bind(2, q.metric);
  rollup_range_.bind(3, RollupName(Interval::k1d));
  rollup_range_.bind(4, ToMillis(first_week));
  rollup_range_.bind(5, ToMillis(days_end));
  while (rollup_range_.executeStep()) {
    const Timestamp day = FromMillis(rollup_range_.getColumn(0).getInt64());
    const Timestamp w = BucketStart(day, Interval::k1w, q.timezone);
    if (!week || w != *week) {
      flush();
      week = w;
      acc = AggState{};
    }
    acc.Merge(RowState(rollup_range_, 1));
  }
  flush();
  return out;
}

Result<std::vector<SeriesPoint>> TelemetryRepository::Series(const SeriesQuery& q) {
  if (auto ok = ValidateSeriesRange(q.from, q.to, q.interval); !ok) {
    return Unexpected(ok.error());
  }
  switch (q.interval) {
    case Interval::kRaw: {
      std::vector<SeriesPoint> out;
      for (const auto& s : Raw(q.device_id, q.metric, q.from, q.to)) {
        out.push_back(SeriesPoint{s.ts, s.value, 1});
      }
      return out;
    }
    case Interval::k1w:
      return WeekSeries(q);
    default:
      return RollupSeries(q);
  }
}

std::vector<SeriesPoint> TelemetryRepository::SeriesFromRaw(const SeriesQuery& q) {
  std::vector<SeriesPoint> out;
  if (q.from >= q.to) return out;
  if (q.interval == Interval::kRaw) {
    for (const auto& s : Raw(q.device_id, q.metric, q.from, q.to)) {
      out.push_back(SeriesPoint{s.ts, s.value, 1});
    }
    return out;
  }
  const Timestamp first = BucketStart(q.from, q.interval, q.timezone);
  if (!IsCalendarInterval(q.interval)) {
    // Fixed-length buckets: one GROUP BY over the raw rows of the buckets that start before `to`.
    const Timestamp end = NextBucketStart(q.to - Millis(1), q.interval, q.timezone);
    SQLite::Statement& stmt = q.agg == Agg::kLast ? raw_group_last_ : raw_group_;
    ResetOnExit reset(stmt);
    stmt.bind(1, q.device_id);
    stmt.bind(2, q.metric);
    stmt.bind(3, ToMillis(first));
    stmt.bind(4, ToMillis(end));
    stmt.bind(5, static_cast<std::int64_t>(NominalLength(q.interval).count()));
    while (stmt.executeStep()) {
      const Timestamp bucket = FromMillis(stmt.getColumn(0).getInt64());
      const std::int64_t count = stmt.getColumn(1).getInt64();
      double value = 0;
      if (q.agg == Agg::kLast) {
        value = stmt.getColumn(2).getDouble();
      } else {
        AggState a;
        a.count = count;
        a.sum = stmt.getColumn(2).getDouble();
        a.min = stmt.getColumn(3).getDouble();
        a.max = stmt.getColumn(4).getDouble();
        value = a.Value(q.agg);
      }
      out.push_back(SeriesPoint{bucket, value, count});
    }
    return out;
  }
  // Calendar buckets: SQLite cannot do zone arithmetic, so stream the raw rows in ts order and
  // cut them at local bucket boundaries (computed once per bucket, not per row).
  const Timestamp end = NextBucketStart(q.to - Millis(1), q.interval, q.timezone);
  Timestamp bucket = first;
  Timestamp next = NextBucketStart(first, q.interval, q.timezone);
  AggState acc;
  ResetOnExit reset(raw_range_);
  raw_range_.bind(1, q.device_id);
  raw_range_.bind(2, q.metric);
  raw_range_.bind(3, ToMillis(first));
  raw_range_.bind(4, ToMillis(end));
  while (raw_range_.executeStep()) {
    const Timestamp ts = FromMillis(raw_range_.getColumn(0).getInt64());
    if (ts >= next) {
      if (acc.count > 0) out.push_back(SeriesPoint{bucket, acc.Value(q.agg), acc.count});
      acc = AggState{};
      bucket = BucketStart(ts, q.interval, q.timezone);
      next = NextBucketStart(ts, q.interval, q.timezone);
    }
    acc.Add(ts, raw_range_.getColumn(1).getDouble());
  }
  if (acc.count > 0) out.push_back(SeriesPoint{bucket, acc.Value(q.agg), acc.count});
  return out;
}

Result<std::vector<EnergyBucket>> TelemetryRepository::EnergySeries(const std::string& site_id,
                                                                    std::string_view site_timezone,
                                                                    Timestamp from, Timestamp to,
                                                                    Interval interval) {
  if (interval == Interval::kRaw) {
    return Rejected("invalid_query", "Energy series need an interval other than raw.");
  }
  if (auto ok = ValidateSeriesRange(from, to, interval); !ok) return Unexpected(ok.error());
  std::vector<EnergyBucket> buckets = MakeEnergyBuckets(from, to, interval, site_timezone);
  if (buckets.empty()) return buckets;
  const Timestamp end = NextBucketStart(buckets.back().ts, interval, site_timezone);
  // A minute before the first bucket may hold into it, and the minute after the end closes the
  // last span inside; neither reaches further than the longest bridged gap.
  ResetOnExit reset(energy_minutes_);
  energy_minutes_.bind(1, site_id);
  energy_minutes_.bind(2, ToMillis(buckets.front().ts - kMaxBridgedGap));
  energy_minutes_.bind(3, ToMillis(end + kMaxBridgedGap + Millis(1)));
  std::string device;
  std::vector<PowerSample> samples;
  const auto flush = [&] {
    AccumulateEnergy(samples, buckets, end);
    samples.clear();
  };
  while (energy_minutes_.executeStep()) {
    const char* id = energy_minutes_.getColumn(0).getText();
    if (device != id) {
      flush();
      device = id;
    }
    samples.push_back(PowerSample{FromMillis(energy_minutes_.getColumn(1).getInt64()),
                                  energy_minutes_.getColumn(2).getDouble()});
  }
  flush();
  return buckets;
}

std::int64_t TelemetryRepository::PruneRawBefore(Timestamp cutoff) {
  std::vector<std::pair<std::string, std::string>> keys;
  {
    ResetOnExit reset(series_keys_);
    while (series_keys_.executeStep()) {
      keys.emplace_back(series_keys_.getColumn(0).getString(),
                        series_keys_.getColumn(1).getString());
    }
  }
  std::int64_t deleted = 0;
  for (const auto& [device_id, metric] : keys) {
    ResetOnExit reset(delete_raw_);
    delete_raw_.bind(1, device_id);
    delete_raw_.bind(2, metric);
    delete_raw_.bind(3, ToMillis(cutoff));
    deleted += delete_raw_.exec();
  }
  ResetOnExit reset(set_pruned_before_);
  set_pruned_before_.bind(1, ToMillis(cutoff));
  set_pruned_before_.exec();
  return deleted;
}

// --- TelemetryBatch ---

TelemetryBatch::TelemetryBatch(TelemetryRepository& repo)
    : repo_(repo), pruned_before_(repo.PrunedBefore()) {}

InsertOutcome TelemetryBatch::InsertOne(const std::string& device_id, const std::string& metric,
                                        Timestamp ts, double value,
                                        std::string_view site_timezone) {
  if (ts < pruned_before_) return InsertOutcome::kExpired;
  if (!repo_.InsertRaw(device_id, metric, ts, value)) return InsertOutcome::kDuplicate;
  key_.assign(device_id).append(1, '\n').append(metric);
  auto it = pending_.find(key_);
  if (it == pending_.end()) {
    it = pending_.emplace(key_, Pending{device_id, metric, std::nullopt, {}}).first;
  }
  Pending& p = it->second;
  if (!p.latest) ++pending_rows_;
  if (!p.latest || ts > p.latest->ts) p.latest = TimedValue{ts, value};
  const auto buckets = repo_.Buckets(ts, site_timezone);
  for (std::size_t l = 0; l < TelemetryRepository::kLevels; ++l) {
    auto& level = p.levels[l];
    auto found = std::find_if(level.rbegin(), level.rend(),
                              [&](const auto& entry) { return entry.first == buckets[l]; });
    if (found == level.rend()) {
      level.emplace_back(buckets[l], AggState{});
      ++pending_rows_;
      level.back().second.Add(ts, value);
    } else {
      found->second.Add(ts, value);
    }
  }
  return InsertOutcome::kStored;
}

InsertOutcome TelemetryBatch::Insert(const std::string& device_id, const std::string& metric,
                                     Timestamp ts, double value, std::string_view site_timezone) {
  return InsertOne(device_id, metric, ts, value, site_timezone);
}

InsertCounts TelemetryBatch::Insert(const std::string& device_id, const Telemetry& telemetry,
                                    std::string_view site_timezone) {
  InsertCounts counts;
  for (const auto& m : telemetry.metrics) {
    switch (InsertOne(device_id, m.name, telemetry.ts, m.value, site_timezone)) {
      case InsertOutcome::kStored:
        ++counts.stored;
        break;
      case InsertOutcome::kDuplicate:
        ++counts.duplicates;
        break;
      case InsertOutcome::kExpired:
        ++counts.expired;
        break;
    }
  }
  return counts;
}

void TelemetryBatch::Flush() {
  for (const auto& [key, p] : pending_) {
    if (p.latest) repo_.UpsertLatest(p.device_id, p.metric, p.latest->ts, p.latest->value);
    for (std::size_t l = 0; l < TelemetryRepository::kLevels; ++l) {
      for (const auto& [bucket, state] : p.levels[l]) {
        repo_.MergeRollup(p.device_id, p.metric, l, bucket, state);
      }
    }
  }
  pending_.clear();
  pending_rows_ = 0;
  pruned_before_ = repo_.PrunedBefore();
}

void TelemetryBatch::Commit(SQLite::Transaction& tx) {
  Flush();
  tx.commit();
}

}  // namespace ems::store
