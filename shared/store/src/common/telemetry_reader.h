// TelemetryReader on either backend: latest values, site readings, series from rollups, energy
// series. Written once, over the backend's Statement (common/sql.h).
#pragma once
#include <array>
#include <limits>
#include <utility>

#include "common/telemetry_sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace telemetry_reader_sql {

// A rollup row's aggregate, from telemetry_sql::kRollupAggregates's columns starting at `first`.
template <class Query>
AggState ReadAggState(const Query& q, int first) {
  using namespace telemetry_sql;  // NOLINT(google-build-using-namespace): the column names
  AggState a;
  a.count = q.template Get<std::int64_t>(first + kAggregateCount);
  a.sum = q.template Get<double>(first + kAggregateSum);
  a.min = q.template Get<double>(first + kAggregateMin);
  a.max = q.template Get<double>(first + kAggregateMax);
  a.last_ts = q.template Get<Timestamp>(first + kAggregateLastTs);
  a.last_value = q.template Get<double>(first + kAggregateLastValue);
  return a;
}

// The statement reading a series' points at `agg` (the count and the one rollup column
// AggState::Value(agg) reads), and the field that column goes to.
struct AggColumn {
  const char* points_sql;
  double AggState::*field;
};
inline constexpr AggColumn ColumnOf(Agg agg) {
  switch (agg) {
    case Agg::kMin:
      return {telemetry_sql::kRollupPointsMin, &AggState::min};
    case Agg::kMax:
      return {telemetry_sql::kRollupPointsMax, &AggState::max};
    case Agg::kLast:
      return {telemetry_sql::kRollupPointsLast, &AggState::last_value};
    case Agg::kAvg:
    case Agg::kSum:
      break;
  }
  return {telemetry_sql::kRollupPointsSum, &AggState::sum};
}

template <class Query>
LatestMetric ReadLatest(const Query& q) {
  return LatestMetric{q.template Get<std::string>(0), q.template Get<double>(1),
                      q.template Get<Timestamp>(2)};
}

template <class Query>
std::optional<TimedValue> ReadTimedValue(const Query& q, int ts_column, int value_column) {
  if (q.IsNull(ts_column)) return std::nullopt;
  return TimedValue{q.template Get<Timestamp>(ts_column), q.template Get<double>(value_column)};
}

// A device's reading from telemetry_sql::kReadingColumns, starting at column `first`.
template <class Query>
DeviceReading ReadDeviceReading(const Query& q, int first) {
  using namespace telemetry_sql;  // NOLINT(google-build-using-namespace): the column names
  DeviceReading r;
  r.device_id = q.template Get<std::string>(first + kReadingId);
  r.type = q.template Get<DeviceType>(first + kReadingType);
  if (IsStorage(r.type)) {
    r.capacity_wh =
        StorageCapacityWh(r.type, q.template Get<nlohmann::json>(first + kReadingProperties));
  }
  r.power_w = ReadTimedValue(q, first + kReadingPowerTs, first + kReadingPowerValue);
  r.soc_pct = ReadTimedValue(q, first + kReadingSocTs, first + kReadingSocValue);
  return r;
}

// `Sql`: the backend's ReaderSql, the reads whose SQL differs.
template <class Statement, class Sql>
class TelemetryReaderOn final : public TelemetryReader {
 public:
  template <class Db>
  explicit TelemetryReaderOn(Db& db)
      : latest_all_(db, telemetry_sql::kLatestAll),
        latest_one_(db, telemetry_sql::kLatestOne),
        site_readings_(db, telemetry_sql::SiteReadings()),
        visible_site_readings_(db, telemetry_sql::VisibleSiteReadings()),
        rollup_range_(db, telemetry_sql::kRollupAggregates),
        rollup_points_{{{db, ColumnOf(Agg::kAvg).points_sql},
                        {db, ColumnOf(Agg::kMin).points_sql},
                        {db, ColumnOf(Agg::kMax).points_sql},
                        {db, ColumnOf(Agg::kSum).points_sql},
                        {db, ColumnOf(Agg::kLast).points_sql}}},
        raw_range_(db, telemetry_sql::kRawRange),
        energy_minutes_(db, Sql::kEnergyMinutes),
        site_energy_(db, telemetry_sql::kSiteEnergy),
        device_energy_(db, Sql::kDeviceEnergy),
        grid_energy_(db, telemetry_sql::kGridEnergy) {}

  std::vector<LatestMetric> Latest(const std::string& device_id) override {
    std::vector<LatestMetric> out;
    auto q = latest_all_.Run(device_id);
    while (q.Next()) out.push_back(ReadLatest(q));
    return out;
  }

  std::optional<LatestMetric> Latest(const std::string& device_id,
                                     const std::string& metric) override {
    auto q = latest_one_.Run(device_id, metric);
    if (!q.Next()) return std::nullopt;
    return ReadLatest(q);
  }

  std::vector<DeviceReading> SiteReadings(const std::string& site_id) override {
    std::vector<DeviceReading> out;
    auto q = site_readings_.Run(site_id);
    while (q.Next()) out.push_back(ReadDeviceReading(q, 0));
    return out;
  }

  std::vector<SiteDeviceReadings> VisibleSiteReadings(const Visibility& visibility) override {
    std::vector<SiteDeviceReadings> out;
    auto q = visible_site_readings_.Run(visibility);
    while (q.Next()) {
      auto site_id = q.template Get<std::string>(0);
      if (out.empty() || out.back().site_id != site_id) {
        out.push_back(SiteDeviceReadings{std::move(site_id), {}});
      }
      if (!q.IsNull(1)) out.back().devices.push_back(ReadDeviceReading(q, 1));
    }
    return out;
  }

  Result<std::vector<SeriesPoint>> Series(const SeriesKey& key,
                                          const SeriesWindow& window) override {
    EMS_TRY(series, Series(std::span(&key, 1), window));
    return std::move(series.front());
  }

  Result<std::vector<std::vector<SeriesPoint>>> Series(std::span<const SeriesKey> keys,
                                                       const SeriesWindow& w) override {
    const auto count = static_cast<std::int64_t>(keys.size());
    if (auto ok = ValidateSeriesRange(w.from, w.to, w.interval, count); !ok) {
      return Unexpected(ok.error());
    }
    std::vector<std::vector<SeriesPoint>> out;
    out.reserve(keys.size());
    std::int64_t raw_left = kMaxSeriesPoints;  // samples a raw answer may still hold
    for (const SeriesKey& key : keys) {
      switch (w.interval) {
        case Interval::kRaw: {
          const auto samples = ReadRaw(key.device_id, key.metric, w.from, w.to, raw_left + 1);
          raw_left -= static_cast<std::int64_t>(samples.size());
          if (raw_left < 0) return Unexpected(TooManyRawPoints(w.from, w.to, count));
          auto& points = out.emplace_back();
          for (const auto& s : samples) points.push_back(SeriesPoint{s.ts, s.value, 1});
          break;
        }
        case Interval::k1w:
          out.push_back(WeekSeries(key, w));
          break;
        default:
          out.push_back(RollupSeries(key, w));
      }
    }
    return out;
  }

  std::vector<TimedValue> Raw(const std::string& device_id, const std::string& metric,
                              Timestamp from, Timestamp to) override {
    return ReadRaw(device_id, metric, from, to, std::numeric_limits<std::int64_t>::max());
  }

  Result<std::vector<EnergyBucket>> EnergySeries(const std::string& site_id,
                                                 std::string_view site_timezone, Timestamp from,
                                                 Timestamp to, Interval interval) override {
    if (interval == Interval::kRaw) {
      return Rejected(ErrorCode::kInvalidQuery, "Energy series need an interval other than raw.");
    }
    if (auto ok = ValidateSeriesRange(from, to, interval); !ok) return Unexpected(ok.error());
    std::vector<EnergyBucket> buckets = MakeEnergyBuckets(from, to, interval, site_timezone);
    if (buckets.empty()) return buckets;
    if (interval != Interval::k1m) {
      StoredEnergy(site_id, interval, buckets, site_timezone);
      return buckets;
    }
    const Timestamp end = NextBucketStart(buckets.back().ts, interval, site_timezone);
    // A minute before the first bucket may hold into it, and the minute after the end closes the
    // last span inside; neither reaches further than the longest bridged gap.
    auto q = energy_minutes_.Run(site_id, buckets.front().ts - kMaxBridgedGap,
                                 end + kMaxBridgedGap + Millis(1));
    std::string device;
    std::vector<PowerSample> samples;
    const auto flush = [&] {
      AccumulateEnergy(samples, buckets, end);
      samples.clear();
    };
    while (q.Next()) {
      auto id = q.template Get<std::string>(0);
      if (device != id) {
        flush();
        device = std::move(id);
      }
      samples.push_back(PowerSample{q.template Get<Timestamp>(1), q.template Get<double>(2)});
    }
    flush();
    return buckets;
  }

  std::vector<DeviceEnergy> DeviceEnergyTotals(const std::string& site_id) override {
    std::vector<DeviceEnergy> out;
    auto q = device_energy_.Run(site_id);
    while (q.Next()) {
      out.push_back(DeviceEnergy{q.template Get<std::string>(0), q.template Get<DeviceType>(1),
                                 q.template Get<std::optional<std::string>>(2),
                                 q.template Get<double>(3), q.template Get<double>(4)});
    }
    return out;
  }

  GridEnergy SiteGridEnergy(const std::string& site_id, Timestamp from, Timestamp to) override {
    auto q = grid_energy_.Run(site_id, from, to);
    q.Next();
    return GridEnergy{q.template Get<double>(0), q.template Get<double>(1)};
  }

 private:
  // At most `max` samples of Raw.
  std::vector<TimedValue> ReadRaw(const std::string& device_id, const std::string& metric,
                                  Timestamp from, Timestamp to, std::int64_t max) {
    std::vector<TimedValue> out;
    auto q = raw_range_.Run(device_id, metric, from, to);
    while (static_cast<std::int64_t>(out.size()) < max && q.Next()) {
      out.push_back(TimedValue{q.template Get<Timestamp>(0), q.template Get<double>(1)});
    }
    return out;
  }

  std::vector<SeriesPoint> RollupSeries(const SeriesKey& key, const SeriesWindow& w) {
    std::vector<SeriesPoint> out;
    double AggState::*const field = ColumnOf(w.agg).field;
    auto q = rollup_points_[static_cast<std::size_t>(w.agg)].Run(
        key.device_id, key.metric, w.interval, BucketStart(w.from, w.interval, key.timezone), w.to);
    while (q.Next()) {
      AggState a;
      a.count = q.template Get<std::int64_t>(1);
      a.*field = q.template Get<double>(2);
      out.push_back(SeriesPoint{q.template Get<Timestamp>(0), a.Value(w.agg), a.count});
    }
    return out;
  }

  // Fills `buckets` (consecutive, of `interval`) from energy_rollups: each stored row goes to the
  // bucket its start falls in (a week sums its local days; a day stored under another zone, before
  // the site's zone changed, goes where its start falls).
  void StoredEnergy(const std::string& site_id, Interval interval,
                    std::vector<EnergyBucket>& buckets, std::string_view tz) {
    const Interval level = interval == Interval::k1w ? Interval::k1d : interval;
    const Timestamp end = NextBucketStart(buckets.back().ts, interval, tz);
    auto q = site_energy_.Run(site_id, level, buckets.front().ts, end);
    auto bucket = buckets.begin();
    while (q.Next()) {
      const Timestamp start = BucketStart(q.template Get<Timestamp>(0), interval, tz);
      while (bucket != buckets.end() && bucket->ts < start) ++bucket;
      if (bucket == buckets.end()) break;
      bucket->produced_wh += q.template Get<double>(1);
      bucket->consumed_wh += q.template Get<double>(2);
    }
  }

  std::vector<SeriesPoint> WeekSeries(const SeriesKey& key, const SeriesWindow& w) {
    // Local weeks are whole local days, so each week is the merge of its (up to 7) 1d rows.
    const Timestamp first_week = BucketStart(w.from, Interval::k1w, key.timezone);
    const Timestamp days_end =
        NextBucketStart(w.to - Millis(1), Interval::k1w, key.timezone);  // end of the last week
    std::vector<SeriesPoint> out;
    std::optional<Timestamp> week;
    AggState acc;
    const auto flush = [&] {
      if (week && acc.count > 0) out.push_back(SeriesPoint{*week, acc.Value(w.agg), acc.count});
    };
    auto q = rollup_range_.Run(key.device_id, key.metric, Interval::k1d, first_week, days_end);
    while (q.Next()) {
      const Timestamp start =
          BucketStart(q.template Get<Timestamp>(0), Interval::k1w, key.timezone);
      if (!week || start != *week) {
        flush();
        week = start;
        acc = AggState{};
      }
      acc.Merge(ReadAggState(q, 1));
    }
    flush();
    return out;
  }

  Statement latest_all_;
  Statement latest_one_;
  Statement site_readings_;
  Statement visible_site_readings_;
  Statement rollup_range_;
  std::array<Statement, 5> rollup_points_;  // indexed by Agg, in its order
  Statement raw_range_;
  Statement energy_minutes_;
  Statement site_energy_;
  Statement device_energy_;
  Statement grid_energy_;
};

}  // namespace telemetry_reader_sql

using telemetry_reader_sql::TelemetryReaderOn;

}  // namespace ems::store
