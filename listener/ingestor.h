// The listener's write path: applies inbox records to the store, one transaction per batch, with
// the ingest counters, dead letters and the inbox checkpoint in that same transaction.
//
// Each message is decoded and checked by the pure codecs and rules; a message that cannot be
// decoded or breaks a rule becomes a dead letter and never stops ingestion. A dead letter's
// reason is the name of its Reject's ErrorCode (ToString: "invalid_json", "unknown_device", …,
// and the ingestor's own "processing_error" and "poison"): those names are stored, counted in
// ingest stats and documented, so they never change. Storage is idempotent (sessions by session_id,
// telemetry by device/ts/metric, …), so a replayed or redelivered message is counted as a duplicate
// and stored once.
//
// Failures are sorted by whose they are. A message that cannot be decoded, breaks a rule, or
// makes a handler throw is the message's fault: it becomes a dead letter and the rest go on. A
// failing database (disk full, read-only, I/O error) is nobody's message's fault: ApplyBatch
// throws store::StorageFault with nothing dead-lettered, and the caller retries the same records
// later.
//
// Not thread-safe: owned by the writer thread, with its own Store.
#pragma once

#include <set>
#include <span>
#include <string>
#include <vector>

#include "ems/store/store.h"
#include "listener/handlers/contract_handler.h"
#include "listener/handlers/device_handler.h"
#include "listener/handlers/handler.h"
#include "listener/handlers/session_handler.h"
#include "listener/handlers/tariff_handler.h"
#include "listener/inbox.h"

namespace ems::listener {

class Ingestor {
 public:
  Ingestor(store::Store& store, IngestOptions options);

  // Applies the records of `batch` (ascending seq) after the checkpoint in one transaction and
  // moves the checkpoint to the last. If that fails for a message's fault, they are applied one
  // record per transaction and a record that still fails is dead-lettered (kProcessingError).
  // Throws store::StorageFault when the database fails; what was committed before stays.
  BatchEffects ApplyBatch(const std::vector<InboxRecord>& batch);

  // Dead-letters `record` as kPoison without applying it (it crashed the listener).
  // Throws store::StorageFault like ApplyBatch.
  void Quarantine(const InboxRecord& record);

  // The last applied sequence number (kept in memory, read from the database once).
  std::int64_t Checkpoint() const { return applied_seq_; }

 private:
  // One transaction over `records`; moves applied_seq_ only once it committed.
  void ApplyInTransaction(std::span<const InboxRecord> records, BatchEffects& effects);
  void ApplyAll(std::span<const InboxRecord> records, BatchEffects& effects);
  void DeadLetterAlone(const InboxRecord& record, const Reject& reject, BatchEffects& effects);
  // Adds `counts` to the totals and moves the checkpoint, inside the caller's transaction.
  void Commit(const store::IngestCounts& counts, std::int64_t last_seq, BatchEffects& effects);
  Result<Outcome> Dispatch(const InboxRecord& record, BatchEffects& effects);
  void DeadLetter(const InboxRecord& record, const Reject& reject, store::IngestCounts& counts);

  store::Store& store_;
  IngestOptions options_;
  std::int64_t applied_seq_;
  // One handler per payload family; Dispatch routes each parsed topic to its handler.
  SessionHandler sessions_{store_, options_};
  ContractHandler contracts_{store_};
  TariffHandler tariffs_{store_};
  DeviceHandler devices_{store_};
};

}  // namespace ems::listener
