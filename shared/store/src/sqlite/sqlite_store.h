// SqliteStore: the Store of ems/store/store.h over one SQLite connection, and the factories of
// its repositories (one .cpp each beside this header, every SQL statement of a table family in
// its file). Everything SQLite-specific — pragmas, upsert syntax, json_patch/json_set, the rollback
// of a unit of work — stays in this folder.
//
// Processes reach it only through OpenStore; white-box tests of the implementation may include
// this header (target ems_store_testing) to look at the tables or inject failures through db().
#pragma once

#include <SQLiteCpp/Database.h>

#include <memory>
#include <string>

#include "ems/store/store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

// TelemetryWriter with the unit of work's edges: inside a write transaction it holds rollup and
// latest-value rows back until its Flush, right before the commit (see telemetry_writer.h).
class BatchingTelemetryWriter : public TelemetryWriter, public TransactionState {};

std::unique_ptr<SiteRepository> MakeSiteRepository(SQLite::Database& db);
std::unique_ptr<UserRepository> MakeUserRepository(SQLite::Database& db);
std::unique_ptr<DeviceRepository> MakeDeviceRepository(SQLite::Database& db, SiteRepository& sites);
std::unique_ptr<BatchingTelemetryWriter> MakeTelemetryWriter(SQLite::Database& db);
// Fills the empty energy_rollups from every stored power minute (the migration that adds it).
void RebuildEnergyRollups(SQLite::Database& db);
std::unique_ptr<TelemetryReader> MakeTelemetryReader(SQLite::Database& db);
std::unique_ptr<TelemetryRetention> MakeTelemetryRetention(SQLite::Database& db);
std::unique_ptr<SessionRepository> MakeSessionRepository(SQLite::Database& db);
std::unique_ptr<ContractRepository> MakeContractRepository(SQLite::Database& db);
std::unique_ptr<ScheduleRepository> MakeScheduleRepository(SQLite::Database& db);
std::unique_ptr<TariffRepository> MakeTariffRepository(SQLite::Database& db);
std::unique_ptr<IngestRepository> MakeIngestRepository(SQLite::Database& db);
std::unique_ptr<SubscriptionRepository> MakeSubscriptionRepository(SQLite::Database& db);
std::unique_ptr<OcppRepository> MakeOcppRepository(SQLite::Database& db);
std::unique_ptr<EnergyCounterRepository> MakeEnergyCounterRepository(SQLite::Database& db);

class SqliteStore final : public Store {
 public:
  // Opens and migrates (see OpenStore), then prepares every repository's statements.
  SqliteStore(const std::string& path, const StoreOptions& options);
  ~SqliteStore() override;

  SiteRepository& Sites() override { return *sites_; }
  UserRepository& Users() override { return *users_; }
  DeviceRepository& Devices() override { return *devices_; }
  TelemetryWriter& Telemetry() override { return *telemetry_; }
  TelemetryReader& Readings() override { return *readings_; }
  TelemetryRetention& Retention() override { return *retention_; }
  SessionRepository& Sessions() override { return *sessions_; }
  ContractRepository& Contracts() override { return *contracts_; }
  ScheduleRepository& Schedules() override { return *schedules_; }
  TariffRepository& Tariffs() override { return *tariffs_; }
  IngestRepository& Ingest() override { return *ingest_; }
  SubscriptionRepository& Subscriptions() override { return *subscriptions_; }
  OcppRepository& Ocpp() override { return *ocpp_; }
  EnergyCounterRepository& EnergyCounters() override { return *energy_counters_; }
  int SchemaVersion() override;

  // The connection itself, for white-box tests.
  SQLite::Database& db() { return *db_; }

 private:
  void BeginTransaction(TxMode mode) override;
  void CommitTransaction() override;
  void RollbackTransaction() noexcept override;

  std::unique_ptr<SQLite::Database> db_;  // first: outlives every statement below
  // Transaction control, prepared once like every other statement.
  Statement begin_read_{*db_, "BEGIN DEFERRED"};
  Statement begin_write_{*db_, "BEGIN IMMEDIATE"};
  Statement commit_{*db_, "COMMIT"};
  Statement rollback_{*db_, "ROLLBACK"};
  Statement user_version_{*db_, "PRAGMA user_version"};
  bool in_transaction_ = false;
  std::unique_ptr<SiteRepository> sites_;
  std::unique_ptr<UserRepository> users_;
  std::unique_ptr<DeviceRepository> devices_;
  std::unique_ptr<BatchingTelemetryWriter> telemetry_;
  std::unique_ptr<TelemetryReader> readings_;
  std::unique_ptr<TelemetryRetention> retention_;
  std::unique_ptr<SessionRepository> sessions_;
  std::unique_ptr<ContractRepository> contracts_;
  std::unique_ptr<ScheduleRepository> schedules_;
  std::unique_ptr<TariffRepository> tariffs_;
  std::unique_ptr<IngestRepository> ingest_;
  std::unique_ptr<SubscriptionRepository> subscriptions_;
  std::unique_ptr<OcppRepository> ocpp_;
  std::unique_ptr<EnergyCounterRepository> energy_counters_;
};

}  // namespace ems::store::sqlite
