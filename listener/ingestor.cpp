#include "listener/ingestor.h"

#include <SQLiteCpp/Transaction.h>

#include "ems/mqtt/topics.h"
#include "ems/util/log.h"

namespace ems::listener {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

}  // namespace

Ingestor::Ingestor(SQLite::Database& db, IngestOptions options)
    : db_(db),
      options_(std::move(options)),
      ingest_(db),
      sessions_(db, options_),
      contracts_(db),
      tariffs_(db) {}

BatchEffects Ingestor::ApplyBatch(const std::vector<InboxRecord>& batch, Timestamp now) {
  (void)now;
  BatchEffects effects;
  if (batch.empty()) return effects;
  try {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    ApplyAll(batch, effects);
    tx.commit();
    return effects;
  } catch (const SQLite::Exception& e) {
    log::Error(std::string("batch failed, retrying one message at a time: ") + e.what());
  }
  effects = BatchEffects{};
  for (const auto& record : batch) {
    try {
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      ApplyAll({record}, effects);
      tx.commit();
    } catch (const SQLite::Exception& e) {
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      store::IngestCounts counts;
      ++counts.received;
      DeadLetter(record, Reject{"storage_error", std::string("Storing failed: ") + e.what()},
                 counts);
      Commit(counts, record.seq, effects);
      tx.commit();
    }
  }
  return effects;
}

void Ingestor::ApplyAll(const std::vector<InboxRecord>& records, BatchEffects& effects) {
  store::IngestCounts counts;
  for (const auto& record : records) {
    ++counts.received;
    if (!counts.last_message_at || *counts.last_message_at < record.arrival) {
      counts.last_message_at = record.arrival;
    }
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
