#include "listener/ingestor.h"

#include <SQLiteCpp/Transaction.h>

#include <algorithm>

#include "ems/mqtt/topics.h"
#include "ems/store/database.h"
#include "ems/util/log.h"

namespace ems::listener {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

// Runs `body`, turning a SQLite error that means the storage failed into store::StorageFault;
// every other exception passes through as the message's fault.
template <class F>
void Guarded(F&& body) {
  try {
    body();
  } catch (const SQLite::Exception& e) {
    if (store::IsStorageFault(e)) throw store::StorageFault(e.what());
    throw;
  }
}

}  // namespace

Ingestor::Ingestor(SQLite::Database& db, IngestOptions options)
    : db_(db),
      options_(std::move(options)),
      ingest_(db),
      applied_seq_(ingest_.Checkpoint(options_.listener_id)),
      sessions_(db, options_),
      contracts_(db),
      tariffs_(db) {}

void Ingestor::ApplyInTransaction(std::span<const InboxRecord> records, BatchEffects& effects) {
  Guarded([&] {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    ApplyAll(records, effects);
    tx.commit();
  });
  applied_seq_ = records.back().seq;
}

BatchEffects Ingestor::ApplyBatch(const std::vector<InboxRecord>& batch) {
  BatchEffects effects;
  const auto first_new = std::find_if(batch.begin(), batch.end(),
                                      [&](const InboxRecord& r) { return r.seq > applied_seq_; });
  const std::span<const InboxRecord> records(first_new, batch.end());
  if (records.empty()) return effects;
  try {
    ApplyInTransaction(records, effects);
    return effects;
  } catch (const store::StorageFault&) {
    throw;
  } catch (const std::exception& e) {
    log::Warn(std::string("a batch failed, applying its messages one at a time: ") + e.what());
  }
  effects = BatchEffects{};
  for (const auto& record : records) {
    try {
      ApplyInTransaction({&record, 1}, effects);
    } catch (const store::StorageFault&) {
      throw;
    } catch (const std::exception& e) {
      DeadLetterAlone(record,
                      Reject{"processing_error", std::string("Processing failed: ") + e.what()},
                      effects);
    }
  }
  return effects;
}

void Ingestor::Quarantine(const InboxRecord& record) {
  BatchEffects effects;
  DeadLetterAlone(record,
                  Reject{"poison",
                         "Applying this message stopped the listener twice, so it was "
                         "set aside without being applied."},
                  effects);
}

void Ingestor::DeadLetterAlone(const InboxRecord& record, const Reject& reject,
                               BatchEffects& effects) {
  Guarded([&] {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    store::IngestCounts counts;
    ++counts.received;
    counts.last_message_at = record.arrival;
    DeadLetter(record, reject, counts);
    Commit(counts, record.seq, effects);
    tx.commit();
  });
  applied_seq_ = record.seq;
}

void Ingestor::ApplyAll(std::span<const InboxRecord> records, BatchEffects& effects) {
  store::IngestCounts counts;
  for (const auto& record : records) {
    ++counts.received;
    if (!counts.last_message_at || *counts.last_message_at < record.arrival) {
      counts.last_message_at = record.arrival;
    }
    if (record.redelivered) {  // the broker sent again what the inbox already holds
      ++counts.duplicates;
      continue;
    }
    if (options_.faults.before_apply) options_.faults.before_apply(record);
    const auto outcome = Dispatch(record, effects);
    if (!outcome) {
      DeadLetter(record, outcome.error(), counts);
    } else if (*outcome == Outcome::kStored) {
      ++counts.stored;
    } else {
      ++counts.duplicates;
    }
  }
  devices_.BeforeCommit();  // the telemetry batch writes its rollups inside this transaction
  Commit(counts, records.back().seq, effects);
}
void Ingestor::Commit(const store::IngestCounts& counts, std::int64_t last_seq,
                      BatchEffects& effects) {
  ingest_.Add(counts);
  ingest_.SetCheckpoint(options_.listener_id, last_seq);
  auto& total = effects.counts;
  total.received += counts.received;
  total.stored += counts.stored;
  total.duplicates += counts.duplicates;
  total.rejected += counts.rejected;
  for (const auto& [reason, n] : counts.rejected_by_reason) total.rejected_by_reason[reason] += n;
}

void Ingestor::DeadLetter(const InboxRecord& record, const Reject& reject,
                          store::IngestCounts& counts) {
  ++counts.rejected;
  ++counts.rejected_by_reason[reject.reason];
  ingest_.AddDeadLetter(record.arrival, record.topic, record.payload, reject.reason,
                        reject.message);
  log::WarnThrottled(reject.reason, "rejected a message on " + record.topic + " (" + reject.reason +
                                        "): " + reject.message);
}

Result<Outcome> Ingestor::Dispatch(const InboxRecord& record, BatchEffects& effects) {
  const auto topic = mqtt::ParseTopic(options_.prefix, record.topic);
  if (!topic) {
    return Rejected("unknown_topic", "The topic is not one the listener accepts.");
  }
  return std::visit(
      Overloaded{
          [&](const mqtt::SessionMsg& t) { return sessions_.Handle(t, record, effects); },
          [&](const mqtt::LegacySessionMsg& t) { return sessions_.Handle(t, record, effects); },
          [&](const mqtt::ContractEventMsg& t) { return contracts_.Handle(t, record, effects); },
          [&](const mqtt::TariffMsg& t) { return tariffs_.Handle(t, record, effects); },
          [&](const mqtt::MetaMsg& t) { return devices_.Handle(t, record, effects); },
          [&](const mqtt::TelemetryMsg& t) { return devices_.Handle(t, record, effects); },
          [&](const auto&) -> Result<Outcome> {
            return Rejected("unsupported_topic", "This listener does not store this topic yet.");
          },
      },
      *topic);
}

}  // namespace ems::listener
