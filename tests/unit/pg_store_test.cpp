// What only the PostgreSQL backend has (docs/contract.md §9, docs/architecture.md): how it is
// chosen and opened, how it fails when the server is not there, its migrations under a lock, raw
// telemetry in day partitions that retention drops whole, and the one writer at a time that
// SQLite's lock gave. Runs as pg.pg_store_test (label postgres); skipped in the unit pass.
#include "postgres/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ems/store/database.h"
#include "ems/store/store.h"
#include "postgres/migrations.h"
#include "sqlite/migrations.h"
#include "support.h"

namespace ems::store {
namespace {

using testing::At;

class PgStoreTest : public testing::TempDbTest {
 protected:
  void SetUp() override {
    if (!postgres()) GTEST_SKIP() << "runs on PostgreSQL only (pg.pg_store_test)";
  }
  // The battery "bat" of the site "home".
  void AddBattery() {
    Exec(
        "INSERT INTO sites (id, name, timezone, created_at) VALUES ('home', 'Home', 'UTC', 0) "
        "ON CONFLICT DO NOTHING");
    Exec(
        "INSERT INTO devices (id, site_id, type, name, created_at, updated_at) "
        "VALUES ('bat', 'home', 'battery', 'B', 0, 0)");
  }
};

TEST_F(PgStoreTest, AUrlSelectsPostgresAndThePathSqlite) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://ems@db:5432/ems"));
  EXPECT_TRUE(IsPostgresUrl("postgres://ems@db/ems"));
  EXPECT_FALSE(IsPostgresUrl("./data/ems.db"));
  auto opened = OpenStore(db_path());
  EXPECT_NE(dynamic_cast<postgres::PgStore*>(opened.get()), nullptr);
}

TEST_F(PgStoreTest, ASettingOtherThanAPostgresUrlIsRefusedNamingIt) {
  const std::string no_env = (dir_.path() / "none.env").string();
  const char* mysql[] = {"test", "--db-url=mysql://db/ems"};
  const config::Settings s("test", config::CommonOptions("test", ""), 2, mysql, no_env);
  try {
    DatabaseOf(s);
    FAIL() << "accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("EMS_DB_URL"), std::string::npos) << e.what();
  }
  const char* path[] = {"test", "--db-url=", "--db-path=x/ems.db"};
  EXPECT_EQ(
      DatabaseOf(config::Settings("test", config::CommonOptions("test", ""), 3, path, no_env)),
      "x/ems.db");
}

TEST_F(PgStoreTest, AServerThatIsNotThereFailsWithOneLineNamingTheSetting) {
  // A port nothing listens on: the server's own, plus one that initdb never gives.
  const std::string url = "postgresql://ems:secret@127.0.0.1:1/ems?connect_timeout=2";
  try {
    OpenStore(url);
    FAIL() << "opened";
  } catch (const config::ConfigError& e) {  // a process exits 2 on it (RunService)
    const std::string what = e.what();
    EXPECT_NE(what.find("EMS_DB_URL"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.find("secret"), std::string::npos) << "the password is masked: " << what;
  }
}

TEST_F(PgStoreTest, TheSchemaVersionIsTheSqliteOneItMatches) {
  EXPECT_EQ(store().SchemaVersion(), sqlite::Migrations().back().version);
  EXPECT_EQ(store().SchemaVersion(), postgres::Migrations().back().version);
  // Opened again (and by a second process at once): nothing is migrated twice.
  std::vector<std::thread> openers;
  std::atomic<int> opened = 0;
  for (int i = 0; i < 3; ++i) {
    openers.emplace_back([&] {
      auto s = OpenStore(db_path());
      opened += s->SchemaVersion() == sqlite::Migrations().back().version;
    });
  }
  for (auto& t : openers) t.join();
  EXPECT_EQ(opened, 3);
}

TEST_F(PgStoreTest, RawTelemetryLivesInDayPartitionsThatRetentionDropsWhole) {
  AddBattery();
  auto& w = store().Telemetry();
  for (const char* ts : {"2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z", "2026-01-03T01:00:00Z",
                         "2026-01-03T23:00:00Z", "2026-01-04T00:00:00Z"}) {
    ASSERT_EQ(w.Insert("bat", "soc_pct", At(ts), 50, "UTC"), InsertOutcome::kStored) << ts;
  }
  const auto partitions = [&] {
    return Count(
        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE "
        "i.inhparent = 'telemetry'::regclass AND c.relname BETWEEN 'telemetry_p20260101' AND "
        "'telemetry_p20260104'");
  };
  EXPECT_EQ(partitions(), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry_p20260103"), 2);

  // The cutoff inside 3 January: 1 and 2 January go whole, 3 January loses its first sample.
  EXPECT_EQ(store().Retention().PruneRawBefore(At("2026-01-03T12:00:00Z")), 3);
  EXPECT_EQ(partitions(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry"), 2);
  EXPECT_EQ(store().Retention().PrunedBefore(), At("2026-01-03T12:00:00Z"));
  // A late sample of a dropped day is refused, not stored in a partition made again.
  EXPECT_EQ(w.Insert("bat", "soc_pct", At("2026-01-02T11:00:00Z"), 1, "UTC"),
            InsertOutcome::kExpired);
  EXPECT_EQ(partitions(), 2);
  // The rollups stay.
  EXPECT_EQ(store().Readings().Latest("bat", "soc_pct")->ts, At("2026-01-04T00:00:00Z"));
}

TEST_F(PgStoreTest, ARolledBackTransactionTakesItsNewPartitionWithItAndTheWriterMakesItAgain) {
  AddBattery();
  {
    auto tx = store().Begin(TxMode::kWrite);
    ASSERT_EQ(store().Telemetry().Insert("bat", "soc_pct", At("2025-06-01T10:00:00Z"), 5, "UTC"),
              InsertOutcome::kStored);
  }  // rolled back
  EXPECT_EQ(Count("SELECT count(*) FROM pg_class WHERE relname = 'telemetry_p20250601'"), 0);
  auto tx = store().Begin(TxMode::kWrite);
  EXPECT_EQ(store().Telemetry().Insert("bat", "soc_pct", At("2025-06-01T10:00:00Z"), 5, "UTC"),
            InsertOutcome::kStored);
  tx.Commit();
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry_p20250601"), 1);
}

// SQLite's BEGIN IMMEDIATE let one writer at a time read, decide and write; on PostgreSQL every
// write transaction holds one advisory lock, so a read-modify-write of two processes never
// interleaves: 2 × 50 increments through separate stores all count.
TEST_F(PgStoreTest, WriteTransactionsOfTwoStoresNeverInterleave) {
  const auto work = [&] {
    auto s = OpenStore(db_path());
    for (int i = 0; i < 50; ++i) {
      auto tx = s->Begin(TxMode::kWrite);
      const auto at = s->Ingest().Checkpoint("l");
      s->Ingest().SetCheckpoint("l", at + 1);
      tx.Commit();
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(store().Ingest().Checkpoint("l"), 100);
}

TEST_F(PgStoreTest, AStatementThatBreaksAConstraintIsNotAStorageFault) {
  auto tx = store().Begin(TxMode::kWrite);
  // A device of a site that does not exist breaks the foreign key.
  EXPECT_THROW(Exec("INSERT INTO devices (id, site_id, type, name, created_at, updated_at) "
                    "VALUES ('x', 'nowhere', 'battery', 'B', 0, 0)"),
               std::runtime_error);
  // The unit of work is spoiled: its commit says so and rolls back.
  EXPECT_THROW(tx.Commit(), std::runtime_error);
  EXPECT_EQ(store().Sites().AllIds().size(), 0u);
}

TEST_F(PgStoreTest, AnUnreadableStoredValueIsACorruptRow) {
  AddBattery();
  Exec("UPDATE devices SET type = 'toaster' WHERE id = 'bat'");
  EXPECT_THROW(store().Devices().Get("bat", Visibility::All()), CorruptRow);
}

}  // namespace
}  // namespace ems::store
