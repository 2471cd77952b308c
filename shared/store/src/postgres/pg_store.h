// PgStore: the Store of ems/store/store.h over one PostgreSQL connection (docs/contract.md §9),
// and the factories of its repositories (one .cpp each beside this header, with the statements of
// the SQLite backend in PostgreSQL's dialect). Everything PostgreSQL-specific — libpq, the
// partitions of raw telemetry, the writers' lock, jsonb — stays in this folder.
//
// Processes reach it only through OpenStore with a postgresql:// URL.
#pragma once

#include <memory>
#include <string>

#include "ems/store/store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

// TelemetryWriter with the unit of work's edges (see sqlite::BatchingTelemetryWriter).
class BatchingTelemetryWriter : public TelemetryWriter, public TransactionState {};

std::unique_ptr<SiteRepository> MakeSiteRepository(Connection& db);
std::unique_ptr<UserRepository> MakeUserRepository(Connection& db);
std::unique_ptr<DeviceRepository> MakeDeviceRepository(Connection& db, SiteRepository& sites);
std::unique_ptr<BatchingTelemetryWriter> MakeTelemetryWriter(Connection& db);
std::unique_ptr<TelemetryReader> MakeTelemetryReader(Connection& db);
std::unique_ptr<TelemetryRetention> MakeTelemetryRetention(Connection& db);
std::unique_ptr<SessionRepository> MakeSessionRepository(Connection& db);
std::unique_ptr<ContractRepository> MakeContractRepository(Connection& db);
std::unique_ptr<ScheduleRepository> MakeScheduleRepository(Connection& db);
std::unique_ptr<TariffRepository> MakeTariffRepository(Connection& db);
std::unique_ptr<IngestRepository> MakeIngestRepository(Connection& db);
std::unique_ptr<SubscriptionRepository> MakeSubscriptionRepository(Connection& db);
std::unique_ptr<OcppRepository> MakeOcppRepository(Connection& db);
std::unique_ptr<EnergyCounterRepository> MakeEnergyCounterRepository(Connection& db);

// The key of the advisory lock every write transaction takes (see PgStore::BeginTransaction).
inline constexpr std::int64_t kWriterLock = 0x656d73;  // "ems"

class PgStore final : public Store {
 public:
  // Connects and migrates (see OpenStore).
  explicit PgStore(const std::string& url);
  ~PgStore() override;

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

  Connection& db() { return *db_; }

 private:
  void BeginTransaction(TxMode mode) override;
  void CommitTransaction() override;
  void RollbackTransaction() noexcept override;

  std::unique_ptr<Connection> db_;
  Statement schema_version_{*db_, "SELECT version FROM ems_schema WHERE id = 1"};
  Statement writer_lock_{*db_, "SELECT pg_advisory_xact_lock(?1)"};
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

}  // namespace ems::store::postgres
