// Store: the one way processes reach stored data (docs/contract.md §1, §9). A Store is one
// connection to the database with one repository per table family, each built once when the store
// opens: its statements are prepared once and reused for the life of the store. Callers see
// repository interfaces and Transaction, never the database library: OpenStore opens SQLite
// (src/sqlite/) for a file path and PostgreSQL (src/postgres/, docs/contract.md §9) for a
// postgresql:// URL, with the same behaviour behind the same calls.
//
// What callers can rely on:
//   - Repositories never begin or commit: the caller owns the unit of work. Begin(kRead) gives
//     one consistent snapshot for several reads; Begin(kWrite) takes the write lock at once
//     (SQLite's BEGIN IMMEDIATE), so a read-modify-write never fails half-way on a lock.
//     Without a Transaction every call commits on its own.
//   - One lifecycle for everything kept per unit of work (TransactionState below): the coalesced
//     telemetry rollups of TelemetryWriter, and any cache a caller keeps for one transaction, are
//     begun with every write transaction, written by Transaction::Commit right before the commit
//     and discarded when it rolls back. A read snapshot does no write work at its commit.
//   - Misuse fails loudly: a second Commit, or a Commit after a rollback, throws
//     std::logic_error.
//   - Expected failures are Result values with an ErrorCode. Infrastructure failures throw:
//     StorageFault when the storage itself fails (disk full, read-only, I/O, locked too long:
//     retry later with the same data); CorruptRow when a stored row cannot be read by this build
//     (an unknown enum text, an unreadable date or JSON document — never skipped, never guessed);
//     std::runtime_error when a statement's data breaks a constraint.
//   - Not thread-safe: one Store per thread (the API keeps one per worker thread, the listener
//     one for its writer). Repositories live as long as their Store.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ems/store/contract_repository.h"
#include "ems/store/device_repository.h"
#include "ems/store/energy_counter_repository.h"
#include "ems/store/ingest_repository.h"
#include "ems/store/ocpp_repository.h"
#include "ems/store/schedule_repository.h"
#include "ems/store/session_repository.h"
#include "ems/store/site_repository.h"
#include "ems/store/subscription_repository.h"
#include "ems/store/tariff_repository.h"
#include "ems/store/telemetry_reader.h"
#include "ems/store/telemetry_retention.h"
#include "ems/store/telemetry_writer.h"
#include "ems/store/user_repository.h"

namespace ems::store {

// The storage itself failed (disk full, read-only, I/O error, locked for too long), not the data
// being written: a caller keeps its data and tries again later (docs/contract.md §4.4).
class StorageFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A stored row this build cannot read; the message names the table, the row and the value.
class CorruptRow : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TxMode {
  kRead,   // a consistent snapshot; takes the write lock only if the transaction writes
  kWrite,  // takes the write lock at once
};

class Store;

// What a repository or a caller keeps for the length of one write transaction: caches of what
// it read, rows held back to be written once. Enlisted in a Store (Store::Enlist, or
// ScopedTransactionState), it is begun with every write transaction, flushed right before the
// commit (it may still write through the store) and discarded after a rollback.
class TransactionState {
 public:
  virtual ~TransactionState() = default;
  virtual void Begin() = 0;
  virtual void Flush() = 0;
  virtual void Discard() noexcept = 0;
};

// A unit of work on one Store: rolls back when destroyed uncommitted. Movable, not copyable.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // A write transaction first flushes every enlisted TransactionState; then commits. Throws
  // StorageFault (the transaction is then rolled back), std::logic_error when it already ended.
  void Commit();

 private:
  friend class Store;
  Transaction(Store* store, TxMode mode) : store_(store), mode_(mode) {}

  Store* store_;  // null once committed, rolled back or moved from
  TxMode mode_;
};

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Throws StorageFault when the lock cannot be had; std::logic_error when this store already has
  // a transaction open (units of work do not nest).
  Transaction Begin(TxMode mode);

  virtual SiteRepository& Sites() = 0;
  virtual UserRepository& Users() = 0;
  virtual DeviceRepository& Devices() = 0;
  virtual TelemetryWriter& Telemetry() = 0;
  virtual TelemetryReader& Readings() = 0;
  virtual TelemetryRetention& Retention() = 0;
  virtual SessionRepository& Sessions() = 0;
  virtual ContractRepository& Contracts() = 0;
  virtual ScheduleRepository& Schedules() = 0;
  virtual TariffRepository& Tariffs() = 0;
  virtual IngestRepository& Ingest() = 0;
  virtual SubscriptionRepository& Subscriptions() = 0;
  virtual OcppRepository& Ocpp() = 0;
  virtual EnergyCounterRepository& EnergyCounters() = 0;

  // The schema version of the database (migrations applied).
  virtual int SchemaVersion() = 0;

  // `state` takes part in every write transaction begun from now on, until Withdraw. States are
  // flushed in the reverse order of enlisting, so a caller's state, enlisted after the store's
  // own repositories, is written before the repositories it writes through flush theirs.
  void Enlist(TransactionState& state);
  void Withdraw(TransactionState& state);

 protected:
  Store() = default;

 private:
  friend class Transaction;
  virtual void BeginTransaction(TxMode mode) = 0;
  virtual void CommitTransaction() = 0;
  virtual void RollbackTransaction() noexcept = 0;
  void Rollback(TxMode mode) noexcept;

  std::vector<TransactionState*> states_;
};

// A TransactionState enlisted in `store` for as long as it lives: derive from it to keep a cache
// per write transaction (the listener's handlers do).
class ScopedTransactionState : public TransactionState {
 public:
  ScopedTransactionState(const ScopedTransactionState&) = delete;
  ScopedTransactionState& operator=(const ScopedTransactionState&) = delete;

 protected:
  explicit ScopedTransactionState(Store& store) : store_(store) { store_.Enlist(*this); }
  ~ScopedTransactionState() override { store_.Withdraw(*this); }

 private:
  Store& store_;
};

struct StoreOptions {
  // Every commit survives a power cut, not only a crash of the process (SQLite synchronous=FULL;
  // EMS_LISTENER_SYNC=always).
  bool sync_every_commit = false;
  // SQLite's page cache for this connection in MiB; 0 keeps SQLite's default (2 MiB). A writer
  // whose transactions dirty more pages than its cache holds spills them into the WAL before the
  // commit and writes them again at it.
  int cache_mib = 0;
};

// Opens a postgresql:// URL on PostgreSQL (connects, migrates under an advisory lock; throws
// std::runtime_error naming EMS_DB_URL when the server cannot be reached; `options` are
// SQLite's). Otherwise opens (creating the file and its folder if needed) and migrates the
// SQLite database at `path`: WAL mode, a busy timeout so the listener and the API never fail on
// each other's locks, foreign keys on, versioned migrations applied by whichever process starts
// first. Throws std::runtime_error with one clear sentence when the path is not usable or the
// schema is from a newer build.
std::unique_ptr<Store> OpenStore(const std::string& path, const StoreOptions& options = {});

}  // namespace ems::store
