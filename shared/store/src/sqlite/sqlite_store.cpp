#include "sqlite/sqlite_store.h"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "sqlite/migrations.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {
namespace {

// The migration that added energy_rollups (0005_energy.sql), which data stored before must fill.
constexpr int kEnergyRollupsVersion = 5;

int UserVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

std::unique_ptr<SQLite::Database> Open(const std::string& path, const StoreOptions& options) {
  // Once, before SQLite initialises (it refuses later, harmlessly): without memory statistics,
  // which nothing here reads, SQLite's allocator takes no process-wide mutex at every allocation.
  [[maybe_unused]] static const int no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  const std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
    // NOMUTEX: a Store (its connection and statements) is used by one thread at a time, so
    // SQLite need not lock a mutex on every call (measured: an eighth of a series request).
    db->setBusyTimeout(10000);
    db->exec("PRAGMA journal_mode=WAL");
    // A committed transaction survives a process crash at NORMAL; only power loss can undo the
    // last commits, the same bound as the broker's own persistence. FULL closes that too.
    db->exec(options.sync_every_commit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    db->exec("PRAGMA foreign_keys=ON");
    if (options.cache_mib > 0) {  // negative: in KiB
      db->exec("PRAGMA cache_size = -" + std::to_string(options.cache_mib * 1024));
    }
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("Cannot open the database at '" + path + "' (" + e.what() +
                             "): check EMS_DB_PATH.");
  }

  const auto& migrations = Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  // BEGIN IMMEDIATE takes the write lock first, so two processes starting together migrate
  // once: the second waits and then sees the new version.
  SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
  const int current = UserVersion(*db);
  if (current > latest) {
    throw std::runtime_error("The database at '" + path + "' has schema version " +
                             std::to_string(current) + ", newer than this build knows (" +
                             std::to_string(latest) + ").");
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    db->exec(m.sql);
    db->exec("PRAGMA user_version = " + std::to_string(m.version));
  }
  // With the latest schema, which the statements of the rebuild are written for.
  if (current > 0 && current < kEnergyRollupsVersion) RebuildEnergyRollups(*db);
  tx.commit();
  return db;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, const StoreOptions& options)
    : db_(Open(path, options)),
      sites_(MakeSiteRepository(*db_)),
      users_(MakeUserRepository(*db_)),
      devices_(MakeDeviceRepository(*db_, *sites_)),
      telemetry_(MakeTelemetryWriter(*db_)),
      readings_(MakeTelemetryReader(*db_)),
      retention_(MakeTelemetryRetention(*db_)),
      sessions_(MakeSessionRepository(*db_)),
      contracts_(MakeContractRepository(*db_)),
      schedules_(MakeScheduleRepository(*db_)),
      tariffs_(MakeTariffRepository(*db_)),
      ingest_(MakeIngestRepository(*db_)),
      subscriptions_(MakeSubscriptionRepository(*db_)),
      ocpp_(MakeOcppRepository(*db_)),
      energy_counters_(MakeEnergyCounterRepository(*db_)) {
  Enlist(*telemetry_);
}

SqliteStore::~SqliteStore() {
  if (in_transaction_) RollbackTransaction();
}

int SqliteStore::SchemaVersion() {
  auto q = user_version_.Run();
  q.Next();
  return q.Get<int>(0);
}

void SqliteStore::BeginTransaction(TxMode mode) {
  if (in_transaction_) throw std::logic_error("A transaction is already open on this store.");
  (mode == TxMode::kWrite ? begin_write_ : begin_read_).Run().Exec();
  in_transaction_ = true;
}

void SqliteStore::CommitTransaction() {
  commit_.Run().Exec();
  in_transaction_ = false;
}

void SqliteStore::RollbackTransaction() noexcept {
  in_transaction_ = false;
  // Fails only when SQLite already rolled back by itself (an I/O error, a full disk): then there
  // is nothing left to undo.
  try {
    rollback_.Run().Exec();
  } catch (const std::exception&) {
  }
}

}  // namespace ems::store::sqlite
