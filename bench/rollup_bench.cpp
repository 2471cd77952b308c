// rollup_bench: what rollups buy. Inserts N devices × D days of 1-minute power_w samples through
// TelemetryWriter in store transactions into a temp SQLite file (time-major, one transaction per
// 10 simulated minutes, as the listener batches: rollups coalesced until each commit), then one
// more day sample by sample (every row written at once, for comparison), then times a 1h and a
// 1d series over the whole range for one device answered from rollups (TelemetryReader::Series)
// and from raw rows (the tests' raw-series oracle: GROUP BY over the raw table), checks both
// answers agree, and prints the ratio. Also times a site energy series.
//
// Usage: rollup_bench [--devices N] [--days D] [--db PATH] [--keep]
// Defaults: 100 devices (10 sites of 10, Europe/Berlin), 30 days, a file in the temp folder
// deleted at the end. Build in Release.
#include <SQLiteCpp/Transaction.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ems/store/store.h"
#include "raw_series.h"
#include "sqlite/sqlite_store.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kZone = "Europe/Berlin";

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Median wall time of `runs` calls, after one warm-up call.
double MedianMs(int runs, const std::function<void()>& fn) {
  fn();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    fn();
    ms.push_back(Seconds(Clock::now() - start) * 1000.0);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// A plausible device power curve: sign by type, daily shape, deterministic noise.
double Power(int device, std::int64_t minute) {
  const double day_phase = std::sin(2 * M_PI * static_cast<double>(minute % 1440) / 1440.0);
  const double noise = static_cast<double>((minute * 7919 + device * 104729) % 1000) / 10.0;
  switch (device % 4) {
    case 0:  // solar
      return std::max(0.0, 4000 * day_phase) + noise;
    case 1:  // battery
      return 2500 * day_phase - noise;
    default:  // consumers
      return -(500 + 300 * std::fabs(day_phase) + noise);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 100;
  int days = 30;
  bool keep = false;
  std::string path = (std::filesystem::temp_directory_path() /
                      ("ems_rollup_bench_" + std::to_string(::getpid()) + ".db"))
                         .string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--devices" && i + 1 < argc) {
      devices = std::atoi(argv[++i]);
    } else if (arg == "--days" && i + 1 < argc) {
      days = std::atoi(argv[++i]);
    } else if (arg == "--db" && i + 1 < argc) {
      path = argv[++i];
    } else if (arg == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr, "usage: rollup_bench [--devices N] [--days D] [--db PATH] [--keep]\n");
      return 2;
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // The SQLite store itself: the one-by-one insert opens its SQL transaction on the connection,
  // outside a store transaction, so the writer writes every row at once.
  auto store = std::make_unique<ems::store::sqlite::SqliteStore>(path, ems::store::StoreOptions{});
  SQLite::Database& db = store->db();
  auto& device_repo = store->Devices();
  auto& writer = store->Telemetry();
  auto& telemetry = store->Readings();

  const ems::Timestamp start = *ems::ParseTimestamp("2026-03-01T00:00:00+01:00");
  std::vector<std::string> ids;
  {
    auto tx = store->Begin(ems::store::TxMode::kWrite);
    for (int d = 0; d < devices; ++d) {
      ids.push_back("dev-" + std::to_string(d));
      const std::string site = "site-" + std::to_string(d / 10);
      const ems::DeviceType type = d % 4 == 0   ? ems::DeviceType::kSolarPanel
                                   : d % 4 == 1 ? ems::DeviceType::kBattery
                                                : ems::DeviceType::kAppliance;
      nlohmann::json props =
          type == ems::DeviceType::kBattery     ? nlohmann::json{{"capacity_wh", 10000},
                                                             {"max_charge_w", 5000},
                                                             {"max_discharge_w", 5000}}
          : type == ems::DeviceType::kAppliance ? nlohmann::json{{"average_power_w", 800}}
                                                : nlohmann::json{{"rated_power_w", 5000}};
      const auto r = device_repo.UpsertFromMeta(
          site, ids.back(), ems::DeviceMeta{{type, ids.back(), props}, site, kZone}, start);
      if (!r) {
        std::fprintf(stderr, "meta rejected: %s\n", r.error().message.c_str());
        return 1;
      }
    }
    tx.Commit();
  }

  const std::int64_t minutes = static_cast<std::int64_t>(days) * 1440;
  std::printf("rollup_bench: %d devices x %d days of 1-minute power_w = %lld samples, zone %s\n",
              devices, days, static_cast<long long>(minutes * devices), kZone);
  std::printf("database: %s\n", path.c_str());

  // --- insert: batched (the ingest path), then sample by sample ---
  const std::string metric = "power_w";
  const auto insert = [&](std::int64_t first_minute, std::int64_t end_minute, bool batched) {
    std::int64_t stored = 0;
    for (std::int64_t m0 = first_minute; m0 < end_minute; m0 += 10) {
      std::optional<ems::store::Transaction> held;  // batched: a store transaction
      std::optional<SQLite::Transaction> direct;    // one by one: the connection's own
      if (batched) {
        held.emplace(store->Begin(ems::store::TxMode::kWrite));
      } else {
        direct.emplace(db);
      }
      for (std::int64_t m = m0; m < std::min(end_minute, m0 + 10); ++m) {
        const ems::Timestamp ts = start + std::chrono::minutes(m);
        for (int d = 0; d < devices; ++d) {
          stored += writer.Insert(ids[d], metric, ts, Power(d, m), kZone) ==
                    ems::store::InsertOutcome::kStored;
        }
      }
      if (held) held->Commit();
      if (direct) direct->commit();
    }
    return stored;
  };
  const auto report = [&](const char* what, std::int64_t stored, double wall_s, double cpu_s) {
    std::printf(
        "insert %s: %lld samples in %.1f s = %.0f samples/s wall, %.0f samples/s of CPU "
        "(%d-sample transactions)\n",
        what, static_cast<long long>(stored), wall_s, static_cast<double>(stored) / wall_s,
        static_cast<double>(stored) / cpu_s, devices * 10);
  };
  {
    const auto wall = Clock::now();
    const std::clock_t cpu = std::clock();
    const std::int64_t stored = insert(0, minutes, /*batched=*/true);
    report("batched (store transactions)", stored, Seconds(Clock::now() - wall),
           static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC);
  }
  {
    const auto wall = Clock::now();
    const std::clock_t cpu = std::clock();
    const std::int64_t stored = insert(minutes, minutes + 1440, /*batched=*/false);
    report("one by one (rows written at once), 1 more day", stored, Seconds(Clock::now() - wall),
           static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC);
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::printf(
      "rows: telemetry %lld, telemetry_rollups %lld; file %.0f MiB\n",
      static_cast<long long>(db.execAndGet("SELECT count(*) FROM telemetry").getInt64()),
      static_cast<long long>(db.execAndGet("SELECT count(*) FROM telemetry_rollups").getInt64()),
      static_cast<double>(std::filesystem::file_size(path)) / (1024.0 * 1024.0));

  // --- series: rollups vs raw ---
  const ems::Timestamp end = start + std::chrono::days(days);
  const std::string device = ids[std::min(1, devices - 1)];
  int failures = 0;
  for (ems::Interval interval : {ems::Interval::k1h, ems::Interval::k1d}) {
    const ems::store::SeriesKey key{device, metric, kZone};
    const ems::SeriesWindow window{start, end, interval, ems::Agg::kAvg};
    const auto from_rollups = telemetry.Series(key, window);
    const auto from_raw = ems::testing::SeriesFromRaw(db, key, window);
    if (!from_rollups || from_rollups->size() != from_raw.size()) {
      std::printf("MISMATCH at %s: sizes differ\n", std::string(ToString(interval)).c_str());
      ++failures;
      continue;
    }
    for (std::size_t i = 0; i < from_raw.size(); ++i) {
      const auto& a = (*from_rollups)[i];
      const auto& b = from_raw[i];
      if (a.ts != b.ts || a.count != b.count || std::fabs(a.value - b.value) > 1e-6) {
        std::printf("MISMATCH at %s point %zu\n", std::string(ToString(interval)).c_str(), i);
        ++failures;
        break;
      }
    }
    const int runs = 25;
    const double rollup_ms = MedianMs(runs, [&] { (void)telemetry.Series(key, window); });
    const double raw_ms =
        MedianMs(runs, [&] { (void)ems::testing::SeriesFromRaw(db, key, window); });
    std::printf(
        "series %-3s over %d days, one device (%zu points): rollups %.3f ms, raw %.3f ms, "
        "rollups %.0fx faster (median of %d)\n",
        std::string(ToString(interval)).c_str(), days, from_raw.size(), rollup_ms, raw_ms,
        raw_ms / rollup_ms, runs);
  }

  // --- site energy (1m rollups of 10 devices) ---
  const std::string site = "site-0";
  for (ems::Interval interval : {ems::Interval::k1h, ems::Interval::k1d}) {
    std::size_t points = 0;
    const double ms = MedianMs(
        5, [&] { points = telemetry.EnergySeries(site, kZone, start, end, interval)->size(); });
    std::printf("energy series %-3s over %d days, site of %d devices (%zu points): %.1f ms\n",
                std::string(ToString(interval)).c_str(), days, std::min(devices, 10), points, ms);
  }

  store.reset();
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  return failures == 0 ? 0 : 1;
}
