// The listener's write path: applies inbox records to SQLite, one transaction per batch, with
// the ingest counters, dead letters and the inbox checkpoint in that same transaction.
//
// Each message is decoded and checked by the pure codecs and rules of ems::shared; a message
// that cannot be decoded or breaks a rule becomes a dead letter with its reason and never stops
// ingestion. Storage is idempotent (sessions by session_id, telemetry by device/ts/metric, …),
// so a replayed or redelivered message is counted as a duplicate and stored once.
//
// Not thread-safe: owned by the writer thread, with its own connection.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>
#include <string>
#include <vector>

#include "ems/store/ingest_repository.h"
#include "listener/handlers/contract_handler.h"
#include "listener/handlers/device_handler.h"
#include "listener/handlers/handler.h"
#include "listener/handlers/session_handler.h"
#include "listener/handlers/tariff_handler.h"
#include "listener/inbox.h"

namespace ems::listener {

class Ingestor {
 public:
  Ingestor(SQLite::Database& db, IngestOptions options);

  // Applies `batch` (ascending seq) in one transaction and records its last seq as the
  // checkpoint. If the transaction fails as a whole it is retried one record per transaction,
  // and a record that still fails is dead-lettered with reason "storage_error".
  BatchEffects ApplyBatch(const std::vector<InboxRecord>& batch, Timestamp now);

  std::int64_t Checkpoint() { return ingest_.Checkpoint(options_.listener_id); }

 private:
  void ApplyAll(const std::vector<InboxRecord>& records, BatchEffects& effects);
  // Adds `counts` to the totals and moves the checkpoint, inside the caller's transaction.
  void Commit(const store::IngestCounts& counts, std::int64_t last_seq, BatchEffects& effects);
  Result<Outcome> Dispatch(const InboxRecord& record, BatchEffects& effects);
  void DeadLetter(const InboxRecord& record, const Reject& reject, store::IngestCounts& counts);

  SQLite::Database& db_;
  IngestOptions options_;
  store::IngestRepository ingest_;
  // One handler per payload family; Dispatch routes each parsed topic to its handler.
  SessionHandler sessions_;
  ContractHandler contracts_;
  TariffHandler tariffs_;
  DeviceHandler devices_{db_, options_};
};

}  // namespace ems::listener
