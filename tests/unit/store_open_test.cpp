// How a store opens its SQLite connection (store/store.h, StoreOptions), on a real file: WAL
// with a busy timeout for the processes that share the file, synchronous NORMAL unless every
// commit must survive a power cut, and the page cache a writer asks for; and how it brings a
// database of an earlier version up to date with its data.
#include <gtest/gtest.h>

#include <numeric>

#include "ems/store/store.h"
#include "sqlite/migrations.h"
#include "sqlite/sqlite_store.h"
#include "support.h"

namespace ems::store {
namespace {

class StoreOpenTest : public ::testing::Test {
 protected:
  std::unique_ptr<sqlite::SqliteStore> Open(const StoreOptions& options) {
    return std::make_unique<sqlite::SqliteStore>((dir_.path() / "ems.db").string(), options);
  }
  static std::int64_t Pragma(sqlite::SqliteStore& s, const std::string& name) {
    return s.db().execAndGet("PRAGMA " + name).getInt64();
  }

  testing::TempDir dir_;
};

TEST_F(StoreOpenTest, DefaultsAreWalNormalSyncAndSqlitesOwnCache) {
  auto s = Open({});
  EXPECT_EQ(s->db().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(Pragma(*s, "synchronous"), 1);  // NORMAL
  EXPECT_EQ(Pragma(*s, "foreign_keys"), 1);
  EXPECT_EQ(Pragma(*s, "cache_size"), -2000);  // SQLite's default: 2 000 KiB
}

TEST_F(StoreOpenTest, AWriterGetsTheCacheAndTheSyncItAsksFor) {
  auto s = Open({.sync_every_commit = true, .cache_mib = 16});
  EXPECT_EQ(Pragma(*s, "synchronous"), 2);          // FULL
  EXPECT_EQ(Pragma(*s, "cache_size"), -16 * 1024);  // in KiB when negative
}

// A database last opened by a version before energy rollups (schema 4) and before series ids
// (schema 8), holding three minutes of a solar panel's power: after the upgrade its raw samples,
// rollups and energy read as they would had they been written by this version.
TEST_F(StoreOpenTest, AnOlderDatabaseIsMigratedWithItsTelemetry) {
  const std::string path = (dir_.path() / "ems.db").string();
  {
    SQLite::Database old(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (const auto& m : sqlite::Migrations()) {
      if (m.version <= 4) old.exec(m.sql);
    }
    old.exec("PRAGMA user_version = 4");
    old.exec(
        "INSERT INTO sites (id, name, timezone, created_at) VALUES ('home', 'Home', 'UTC', 0);"
        "INSERT INTO devices (id, site_id, type, name, created_at, updated_at) "
        "VALUES ('pv', 'home', 'solar_panel', 'PV', 0, 0), "
        "('bat', 'home', 'battery', 'Battery', 0, 0);"
        // 10:00, 10:01 and 10:02 UTC on 2026-11-21
        "INSERT INTO telemetry (device_id, metric, ts, value) VALUES "
        "('pv', 'power_w', 1795255200000, 1000), ('pv', 'power_w', 1795255260000, 2000), "
        "('pv', 'power_w', 1795255320000, 3000), ('bat', 'soc_pct', 1795255200000, 50);"
        "INSERT INTO metric_latest (device_id, metric, ts, value) VALUES "
        "('pv', 'power_w', 1795255320000, 3000), ('bat', 'soc_pct', 1795255200000, 50);"
        "INSERT INTO telemetry_rollups VALUES "
        "('pv', 'power_w', '1m', 1795255200000, 1, 1000, 1000, 1000, 1795255200000, 1000), "
        "('pv', 'power_w', '1m', 1795255260000, 1, 2000, 2000, 2000, 1795255260000, 2000), "
        "('pv', 'power_w', '1m', 1795255320000, 1, 3000, 3000, 3000, 1795255320000, 3000), "
        "('pv', 'power_w', '1h', 1795255200000, 3, 6000, 1000, 3000, 1795255320000, 3000), "
        "('bat', 'soc_pct', '1h', 1795255200000, 1, 50, 50, 50, 1795255200000, 50);");
  }
  auto s = Open({});
  EXPECT_EQ(s->SchemaVersion(), sqlite::Migrations().back().version);
  const Timestamp ten = testing::At("2026-11-21T10:00:00Z");
  const Timestamp eleven = testing::At("2026-11-21T11:00:00Z");

  const auto raw = s->Readings().Raw("pv", "power_w", ten, eleven);
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[1].ts, ten + Millis(1 * 60000));
  EXPECT_EQ(raw[1].value, 2000);
  const auto hour =
      s->Readings().Series({"pv", "power_w", "UTC"}, {ten, eleven, Interval::k1h, Agg::kAvg});
  ASSERT_TRUE(hour);
  ASSERT_EQ(hour->size(), 1u);
  EXPECT_EQ((*hour)[0].value, 2000);
  EXPECT_EQ((*hour)[0].count, 3);
  const auto soc =
      s->Readings().Series({"bat", "soc_pct", "UTC"}, {ten, eleven, Interval::k1h, Agg::kLast});
  ASSERT_TRUE(soc);
  ASSERT_EQ(soc->size(), 1u);
  EXPECT_EQ((*soc)[0].value, 50);

  // Energy rollups were built from the minutes, as integrating them per request gives.
  const auto stored = s->Readings().EnergySeries("home", "UTC", ten, eleven, Interval::k1h);
  const auto minutes = s->Readings().EnergySeries("home", "UTC", ten, eleven, Interval::k1m);
  ASSERT_TRUE(stored && minutes);
  ASSERT_EQ(stored->size(), 1u);
  const double integrated =
      std::accumulate(minutes->begin(), minutes->end(), 0.0,
                      [](double sum, const EnergyBucket& b) { return sum + b.produced_wh; });
  EXPECT_NEAR(integrated, 50, 1e-9);  // 1 minute at 1 kW, 1 at 2 kW
  EXPECT_NEAR((*stored)[0].produced_wh, integrated, 1e-9);

  // The writer finds the migrated series: a stored sample is a duplicate, a new one adds to it.
  auto& writer = s->Telemetry();
  EXPECT_EQ(writer.Insert("pv", "power_w", ten + Millis(1 * 60000), 2000, "UTC"),
            InsertOutcome::kDuplicate);
  EXPECT_EQ(writer.Insert("pv", "power_w", ten + Millis(3 * 60000), 4000, "UTC"),
            InsertOutcome::kStored);
  const auto after =
      s->Readings().Series({"pv", "power_w", "UTC"}, {ten, eleven, Interval::k1h, Agg::kSum});
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)[0].value, 10000);
}

}  // namespace
}  // namespace ems::store
