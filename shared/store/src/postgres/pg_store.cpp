#include "postgres/pg_store.h"

#include <stdexcept>

#include "postgres/migrations.h"
#include "postgres/telemetry_sql.h"

namespace ems::store::postgres {
namespace {

// The key of the advisory lock under which a process migrates, so two starting together migrate
// once: the second waits, then sees the new version.
constexpr std::int64_t kMigrationLock = 0x656d736d;  // "emsm"

std::unique_ptr<Connection> Open(const std::string& url) {
  auto db = std::make_unique<Connection>(url);
  const auto& migrations = Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  db->Exec("BEGIN");
  try {
    Statement lock(*db, "SELECT pg_advisory_xact_lock(?1)");
    lock.Run(kMigrationLock).Next();
    db->Exec(
        "CREATE TABLE IF NOT EXISTS ems_schema (id BIGINT PRIMARY KEY CHECK (id = 1), "
        "version BIGINT NOT NULL)");
    int current = 0;
    {
      Statement version(*db, "SELECT version FROM ems_schema WHERE id = 1");
      auto q = version.Run();
      if (q.Next()) current = q.Get<int>(0);
    }
    if (current > latest) {
      throw std::runtime_error("The database at '" + MaskedUrl(url) + "' has schema version " +
                               std::to_string(current) + ", newer than this build knows (" +
                               std::to_string(latest) + ").");
    }
    Statement record(*db,
                     "INSERT INTO ems_schema (id, version) VALUES (1, ?1) "
                     "ON CONFLICT (id) DO UPDATE SET version = excluded.version");
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      db->Exec(m.sql);
      record.Run(static_cast<std::int64_t>(m.version)).Exec();
    }
    db->Exec("COMMIT");
  } catch (...) {
    PQclear(PQexec(db->get(), "ROLLBACK"));
    throw;
  }
  // Partitions for the days around now, ahead of the samples (the writer creates any other day's
  // when its first sample comes).
  const std::int64_t today = telemetry_sql::TelemetryDay(Now());
  for (std::int64_t day = today - 1; day <= today + 2; ++day) {
    try {
      db->Exec(telemetry_sql::CreateTelemetryPartition(day));
    } catch (const StorageFault&) {
      throw;
    } catch (const std::runtime_error&) {
      // Created by another process starting at the same moment.
    }
  }
  return db;
}

}  // namespace

PgStore::PgStore(const std::string& url)
    : db_(Open(url)),
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

PgStore::~PgStore() {
  if (in_transaction_) RollbackTransaction();
}

int PgStore::SchemaVersion() {
  auto q = schema_version_.Run();
  return q.Next() ? q.Get<int>(0) : 0;
}

void PgStore::BeginTransaction(TxMode mode) {
  if (in_transaction_) throw std::logic_error("A transaction is already open on this store.");
  db_->EnsureUp();
  if (mode == TxMode::kRead) {
    // One snapshot for every read of the unit of work, as SQLite's deferred transaction.
    db_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  } else {
    // SQLite's BEGIN IMMEDIATE: one writer at a time, taken at once. Callers read, decide and
    // write inside a write transaction (a device's meta, a session's merge, a contract's late
    // event, the energy rollups' before/after reads), so every write transaction holds one
    // advisory lock until it ends; READ COMMITTED then shows each statement every commit before
    // it. Waiting longer than lock_timeout is a StorageFault. docs/decisions.md.
    db_->Exec("BEGIN");
    try {
      writer_lock_.Run(kWriterLock);
    } catch (...) {
      PQclear(PQexec(db_->get(), "ROLLBACK"));
      throw;
    }
  }
  in_transaction_ = true;
}

void PgStore::CommitTransaction() {
  if (PQtransactionStatus(db_->get()) == PQTRANS_INERROR) {
    // PostgreSQL would answer COMMIT with a rollback: a statement of this unit of work failed.
    RollbackTransaction();
    throw std::runtime_error("The transaction was rolled back: one of its statements failed.");
  }
  db_->Exec("COMMIT");
  in_transaction_ = false;
}

void PgStore::RollbackTransaction() noexcept {
  in_transaction_ = false;
  // Fails only when the connection is lost: then the server rolled back already.
  PQclear(PQexec(db_->get(), "ROLLBACK"));
}

}  // namespace ems::store::postgres
