// TelemetryWriter over PostgreSQL: raw rows into their day's partition (created when a day's first
// sample comes), latest values and rollup maintenance, with the rows of an open transaction
// coalesced per bucket until its commit, as the SQLite writer does.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "ems/domain/energy.h"
#include "ems/domain/rollup.h"
#include "postgres/pg_store.h"
#include "postgres/statement.h"
#include "postgres/telemetry_sql.h"

namespace ems::store::postgres {
namespace {

// The stored rollup levels, in the order of LevelBuckets.
constexpr std::size_t kLevels = 5;
constexpr std::array<Interval, kLevels> kStoredLevels = {
    Interval::k1m, Interval::k15m, Interval::k1h, Interval::k1d, Interval::k1mo};
using LevelBuckets = std::array<Timestamp, kLevels>;

// The stored energy levels (0005_energy.sql).
constexpr std::array<Interval, 4> kEnergyLevels = {Interval::k15m, Interval::k1h, Interval::k1d,
                                                   Interval::k1mo};

// Keeps energy_rollups in step with the 1-minute power rollups. The energy of a device is a
// function of its sequence of power minutes (AccumulateEnergy); a changed minute can alter only
// the span that ends at it and the one that starts at it. So for each device whose power minutes
// change, the minutes around the change are read before and after the rollups are written, and
// the difference of their energy, bucket by bucket, is added to the stored rows.
class EnergyRollups {
 public:
  explicit EnergyRollups(Connection& db)
      : around_(db, telemetry_sql::kPowerMinutesAround), add_(db, telemetry_sql::kAddEnergy) {}

  // A power_w sample of `device` (site zone `tz`) goes into the 1-minute bucket `minute`.
  void Touch(const std::string& device, std::string_view tz, Timestamp minute) {
    auto [it, added] = windows_.try_emplace(device, Window{std::string(tz), minute, minute, {}});
    if (!added) {
      it->second.lo = std::min(it->second.lo, minute);
      it->second.hi = std::max(it->second.hi, minute);
    }
  }

  // Before the touched minutes' rollups are written.
  void ReadBefore() {
    for (auto& [device, w] : windows_) w.before = Minutes(device, w.lo, w.hi);
  }

  // After they are written: stores the difference, and forgets the touched minutes.
  void AddDifference() {
    for (const auto& [device, w] : windows_) {
      Add(device, w.tz, w.before, -1);
      Add(device, w.tz, Minutes(device, w.lo, w.hi), +1);
    }
    Clear();
  }

  void Clear() noexcept { windows_.clear(); }

 private:
  struct Window {
    std::string tz;
    Timestamp lo, hi;  // the touched minutes
    std::vector<PowerSample> before;
  };

  std::vector<PowerSample> Minutes(const std::string& device, Timestamp lo, Timestamp hi) {
    std::vector<PowerSample> out;
    auto q = around_.Run(device, lo, hi);
    while (q.Next()) out.push_back(PowerSample{q.Get<Timestamp>(0), q.Get<double>(1)});
    return out;
  }

  void Add(const std::string& device, const std::string& tz,
           const std::vector<PowerSample>& minutes, double sign) {
    for (const Interval level : kEnergyLevels) {
      for (const auto& b : EnergyByBucket(minutes, level, tz)) {
        add_.Run(device, level, b.ts, sign * b.produced_wh, sign * b.consumed_wh).Exec();
      }
    }
  }

  Statement around_;
  Statement add_;
  std::map<std::string, Window> windows_;  // by device
};

class PgTelemetryWriter final : public BatchingTelemetryWriter {
 public:
  explicit PgTelemetryWriter(Connection& db)
      : series_id_(db, telemetry_sql::kSeriesId),
        add_series_(db, telemetry_sql::kAddSeries),
        insert_raw_(db, telemetry_sql::kInsertRaw),
        upsert_latest_(db, telemetry_sql::kUpsertLatest),
        merge_rollup_(db, telemetry_sql::MergeRollup()),
        add_sample_(db, telemetry_sql::AddSampleToRollups()),
        pruned_before_(db, telemetry_sql::kPrunedBefore),
        energy_(db),
        db_(db) {}

  InsertOutcome Insert(const std::string& device_id, const std::string& metric, Timestamp ts,
                       double value, std::string_view site_timezone) override {
    return InsertOne(device_id, metric, ts, value, site_timezone, Cutoff());
  }

  InsertCounts Insert(const std::string& device_id, const Telemetry& telemetry,
                      std::string_view site_timezone) override {
    const Timestamp cutoff = Cutoff();
    InsertCounts counts;
    for (const auto& m : telemetry.metrics) {
      switch (InsertOne(device_id, m.name, telemetry.ts, m.value, site_timezone, cutoff)) {
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

  Timestamp PrunedBefore() override {
    auto q = pruned_before_.Run();
    return q.Next() ? q.Get<Timestamp>(0) : FromMillis(0);
  }

  std::size_t pending_rows() const override { return pending_rows_; }

  void Begin() override {
    Discard();
    batching_ = true;
  }

  void Flush() override {
    created_days_.clear();  // committed with the rows
    energy_.ReadBefore();
    for (const auto& [key, p] : pending_) {
      if (p.latest) upsert_latest_.Run(p.device_id, p.metric, p.latest->ts, p.latest->value).Exec();
      for (std::size_t l = 0; l < kLevels; ++l) {
        for (const auto& [bucket, a] : p.levels[l]) {
          merge_rollup_
              .Run(p.series, kStoredLevels[l], bucket, a.count, a.sum, a.min, a.max, a.last_ts,
                   a.last_value)
              .Exec();
        }
      }
    }
    energy_.AddDifference();
    Discard();
  }

  void Discard() noexcept override {
    // A rollback takes away the partitions this transaction created (after a Flush: none).
    for (const auto day : created_days_) known_days_.erase(day);
    created_days_.clear();
    energy_.Clear();
    pending_.clear();
    pending_rows_ = 0;
    batch_cutoff_.reset();
    batching_ = false;
  }

 private:
  // A series the transaction touched: its id, looked up or added once (while the transaction is
  // open no other connection writes, and a rollback may take an added id away), and its rollup
  // and latest rows held for the commit.
  struct Pending {
    std::int64_t series;
    std::string device_id;
    std::string metric;
    std::optional<TimedValue> latest;
    // Per stored level, the touched buckets in first-touch order (samples mostly arrive in ts
    // order, so the bucket sought is nearly always the last one).
    std::array<std::vector<std::pair<Timestamp, AggState>>, kLevels> levels;
  };
  // Calendar buckets of a zone around the last instant seen, so consecutive samples of a site
  // cost no time-zone arithmetic.
  struct CalendarCache {
    Timestamp day_start = Timestamp::max(), day_end = Timestamp::min();
    Timestamp month_start = Timestamp::max(), month_end = Timestamp::min();
  };

  // The prune cutoff, read once per transaction while batching.
  Timestamp Cutoff() {
    if (!batching_) return PrunedBefore();
    if (!batch_cutoff_) batch_cutoff_ = PrunedBefore();
    return *batch_cutoff_;
  }

  InsertOutcome InsertOne(const std::string& device_id, const std::string& metric, Timestamp ts,
                          double value, std::string_view tz, Timestamp cutoff) {
    if (ts < cutoff) return InsertOutcome::kExpired;
    Pending* held = batching_ ? &Held(device_id, metric) : nullptr;
    const std::int64_t series = held ? held->series : SeriesId(device_id, metric);
    EnsurePartition(ts);
    if (insert_raw_.Run(series, ts, value).Exec() == 0) return InsertOutcome::kDuplicate;
    const LevelBuckets buckets = Buckets(ts, tz);
    if (metric == "power_w") energy_.Touch(device_id, tz, buckets[0]);
    if (held) {
      Hold(*held, ts, value, buckets);
    } else {
      upsert_latest_.Run(device_id, metric, ts, value).Exec();
      energy_.ReadBefore();
      add_sample_.Run(series, buckets[0], buckets[1], buckets[2], buckets[3], buckets[4], value, ts)
          .Exec();
      energy_.AddDifference();
    }
    return InsertOutcome::kStored;
  }

  // The partition of ts's UTC day exists: created here when its first sample comes (DDL named from
  // the day's number only). Inside a transaction under a savepoint, so that another process
  // creating it at the same moment costs nothing but the savepoint.
  void EnsurePartition(Timestamp ts) {
    const std::int64_t day = telemetry_sql::TelemetryDay(ts);
    if (known_days_.contains(day)) return;
    const bool in_tx = db_.InTransaction();
    if (in_tx) db_.Exec("SAVEPOINT ems_partition");
    try {
      db_.Exec(telemetry_sql::CreateTelemetryPartition(day));
      if (in_tx) db_.Exec("RELEASE SAVEPOINT ems_partition");
    } catch (const StorageFault&) {
      throw;
    } catch (const std::runtime_error&) {
      // Created by another connection between our check and our statement.
      if (in_tx) db_.Exec("ROLLBACK TO SAVEPOINT ems_partition");
    }
    known_days_.insert(day);
    if (batching_) created_days_.push_back(day);
  }

  // The id of the series (device_id, metric), added when it has none.
  std::int64_t SeriesId(const std::string& device_id, const std::string& metric) {
    if (auto q = series_id_.Run(device_id, metric); q.Next()) return q.Get<std::int64_t>(0);
    auto added = add_series_.Run(device_id, metric);
    added.Next();
    return added.Get<std::int64_t>(0);
  }

  // The transaction's entry for the series (device_id, metric).
  Pending& Held(const std::string& device_id, const std::string& metric) {
    key_.assign(device_id).append(1, '\n').append(metric);
    auto it = pending_.find(key_);
    if (it == pending_.end()) {
      it = pending_
               .emplace(key_,
                        Pending{SeriesId(device_id, metric), device_id, metric, std::nullopt, {}})
               .first;
    }
    return it->second;
  }

  void Hold(Pending& p, Timestamp ts, double value, const LevelBuckets& buckets) {
    if (!p.latest) ++pending_rows_;
    if (!p.latest || ts > p.latest->ts) p.latest = TimedValue{ts, value};
    for (std::size_t l = 0; l < kLevels; ++l) {
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
  }

  LevelBuckets Buckets(Timestamp ts, std::string_view tz) {
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

  Statement series_id_;
  Statement add_series_;
  Statement insert_raw_;
  Statement upsert_latest_;
  Statement merge_rollup_;
  Statement add_sample_;
  Statement pruned_before_;
  EnergyRollups energy_;
  Connection& db_;
  std::set<std::int64_t> known_days_;       // partitions known to exist
  std::vector<std::int64_t> created_days_;  // created by the open transaction
  std::map<std::string, CalendarCache, std::less<>> calendars_;
  bool batching_ = false;
  std::optional<Timestamp> batch_cutoff_;
  std::unordered_map<std::string, Pending> pending_;  // key: device_id + '\n' + metric
  std::string key_;                                   // reused to build keys
  std::size_t pending_rows_ = 0;
};

}  // namespace

std::unique_ptr<BatchingTelemetryWriter> MakeTelemetryWriter(Connection& db) {
  return std::make_unique<PgTelemetryWriter>(db);
}

}  // namespace ems::store::postgres
