#include "listener/ingestor.h"

#include <algorithm>

#include "ems/mqtt/topics.h"
#include "ems/util/log.h"

namespace ems::listener {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

}  // namespace

Ingestor::Ingestor(store::Store& store, IngestOptions options)
    : store_(store),
      options_(std::move(options)),
      applied_seq_(store_.Ingest().Checkpoint(options_.listener_id)) {}

void Ingestor::ApplyInTransaction(std::span<const InboxRecord> records, BatchEffects& effects) {
  auto tx = store_.Begin(store::TxMode::kWrite);
  ApplyAll(records, effects);
  tx.Commit();
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
      DeadLetterAlone(
          record,
          Reject{ErrorCode::kProcessingError, std::string("Processing failed: ") + e.what()},
          effects);
    }
  }
  return effects;
}

void Ingestor::Quarantine(const InboxRecord& record) {
  BatchEffects effects;
  DeadLetterAlone(record,
                  Reject{ErrorCode::kPoison,
                         "Applying this message stopped the listener twice, so it was "
                         "set aside without being applied."},
                  effects);
}

void Ingestor::DeadLetterAlone(const InboxRecord& record, const Reject& reject,
                               BatchEffects& effects) {
  auto tx = store_.Begin(store::TxMode::kWrite);
  store::IngestCounts counts;
  ++counts.received;
  counts.last_message_at = record.arrival;
  DeadLetter(record, reject, counts);
  Commit(counts, record.seq, effects);
  tx.Commit();
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
  Commit(counts, records.back().seq, effects);
}

void Ingestor::Commit(const store::IngestCounts& counts, std::int64_t last_seq,
                      BatchEffects& effects) {
  store_.Ingest().Add(counts);
  store_.Ingest().SetCheckpoint(options_.listener_id, last_seq);
  auto& total = effects.counts;
  total.received += counts.received;
  total.stored += counts.stored;
  total.duplicates += counts.duplicates;
  total.rejected += counts.rejected;
  for (const auto& [reason, n] : counts.rejected_by_reason) total.rejected_by_reason[reason] += n;
}

void Ingestor::DeadLetter(const InboxRecord& record, const Reject& reject,
                          store::IngestCounts& counts) {
  const std::string reason(ToString(reject.code));
  ++counts.rejected;
  ++counts.rejected_by_reason[reason];
  store_.Ingest().AddDeadLetter(record.arrival, record.topic, record.payload, reason,
                                reject.message);
  log::WarnThrottled(
      reason, "rejected a message on " + record.topic + " (" + reason + "): " + reject.message);
}

Result<Outcome> Ingestor::Dispatch(const InboxRecord& record, BatchEffects& effects) {
  const auto topic = mqtt::ParseTopic(options_.prefix, record.topic);
  if (!topic) {
    return Rejected(ErrorCode::kUnknownTopic, "The topic is not one the listener accepts.");
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
            return Rejected(ErrorCode::kUnsupportedTopic,
                            "This listener does not store this topic yet.");
          },
      },
      *topic);
}

}  // namespace ems::listener
