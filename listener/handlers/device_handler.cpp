#include "listener/handlers/device_handler.h"

#include <sqlite3.h>

#include "ems/codec/device_codec.h"

namespace ems::listener {

DeviceHandler::DeviceHandler(SQLite::Database& db, const IngestOptions& options)
    : db_(db), devices_(db), telemetry_(db) {
  (void)options;
  sqlite3_rollback_hook(db_.getHandle(), &DeviceHandler::OnRollback, this);
}

DeviceHandler::~DeviceHandler() { sqlite3_rollback_hook(db_.getHandle(), nullptr, nullptr); }

void DeviceHandler::OnRollback(void* self) {
  // Runs inside SQLite: no database calls here, only a note acted on at the next use.
  static_cast<DeviceHandler*>(self)->rolled_back_ = true;
}

void DeviceHandler::DropIfRolledBack() {
  if (!rolled_back_) return;
  rolled_back_ = false;
  batch_.reset();
}

store::TelemetryBatch& DeviceHandler::Batch() {
  DropIfRolledBack();
  if (!batch_) batch_.emplace(telemetry_);
  return *batch_;
}

void DeviceHandler::BeforeCommit() {
  DropIfRolledBack();
  if (!batch_) return;
  batch_->Flush();
  batch_.reset();
}

std::size_t DeviceHandler::pending_rows() const { return batch_ ? batch_->pending_rows() : 0; }

Result<Outcome> DeviceHandler::Handle(const mqtt::MetaMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto meta = codec::DecodeMeta(r.payload);
  if (!meta) return Unexpected(meta.error());
  const auto outcome = devices_.UpsertFromMeta(topic.site, topic.device, *meta, r.arrival);
  if (!outcome) return Unexpected(outcome.error());
  if (*outcome == store::MetaOutcome::kUnchanged) return Outcome::kDuplicate;
  e.sites.insert(topic.site);
  e.devices.insert(topic.device);
  return Outcome::kStored;
}

Result<Outcome> DeviceHandler::Handle(const mqtt::TelemetryMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto telemetry = codec::DecodeTelemetry(r.payload);
  if (!telemetry) return Unexpected(telemetry.error());
  const auto context = devices_.Context(topic.device);
  if (!context) {
    return Rejected("unknown_device",
                    "Device " + topic.device + " was never discovered or registered.");
  }
  if (context->site_id != topic.site) {
    return Rejected("device_site_mismatch", "Device " + topic.device + " belongs to site " +
                                                context->site_id + ", not " + topic.site + ".");
  }
  if (auto ok = ValidateTelemetryFor(context->type, *telemetry, "invalid_telemetry"); !ok) {
    return Unexpected(ok.error());
  }
  // A device clock running ahead would hold latest values and summaries hostage (SPEC §4.1).
  if (telemetry->ts - r.arrival > std::chrono::minutes(5)) {
    return Rejected("too_new", "Telemetry stamped " + FormatTimestamp(telemetry->ts) +
                                   " is more than 5 minutes after the listener's clock (" +
                                   FormatTimestamp(r.arrival) + ").");
  }
  const auto too_old = [&] {
    return Rejected("too_old", "Telemetry stamped " + FormatTimestamp(telemetry->ts) +
                                   " is older than the raw-retention cutoff " +
                                   FormatTimestamp(telemetry_.PrunedBefore()) + ".");
  };
  // Every sample of a message shares its ts, so they expire all together or not at all.
  const auto counts = Batch().Insert(topic.device, *telemetry, context->site_timezone);
  if (counts.expired > 0) return too_old();
  if (telemetry->metrics.empty() && telemetry->ts < telemetry_.PrunedBefore()) return too_old();

  bool changed = counts.stored > 0;
  if (!changed && telemetry->state.empty() && !telemetry->metrics.empty()) {
    return Outcome::kDuplicate;  // a redelivery: nothing to record
  }
  // Without a new sample, whether the state or last_seen moved decides between stored and
  // duplicate (state-only messages, or a redelivery carrying state).
  std::optional<Device> before;
  if (!changed) before = devices_.Get(topic.device);
  devices_.RecordTelemetry(topic.device, telemetry->ts, telemetry->state);
  if (!changed) {
    const auto after = devices_.Get(topic.device);
    changed =
        !before || !after || before->state != after->state || before->last_seen != after->last_seen;
  }
  if (!changed) return Outcome::kDuplicate;
  e.sites.insert(topic.site);
  e.devices.insert(topic.device);
  return Outcome::kStored;
}

}  // namespace ems::listener
