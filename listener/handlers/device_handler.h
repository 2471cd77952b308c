// Device discovery and telemetry (docs/contract.md §4.1): `{p}/sites/{site}/devices/{device}/meta`
// and
// `.../telemetry`, applied inside the writer's open transaction.
//
// Meta: decoded by codec::DecodeMeta, then DeviceRepository::UpsertFromMeta, which creates the
// site when new (named `site_name`, in zone `site_timezone`) and creates or updates the device.
// Created or updated → kStored; identical to what is stored → kDuplicate. Rejects: kInvalidJson,
// kInvalidMeta, kDeviceSiteMismatch (the device id belongs to another site).
//
// Telemetry, in this order of checks: decodable payload (kInvalidJson, kInvalidTelemetry: bad
// ts, non-finite values, soc_pct outside 0–100, bad state); a device that was discovered or
// registered (kUnknownDevice); the device belongs to the topic's site (kDeviceSiteMismatch); the
// device type's sign convention for power_w (kInvalidTelemetry); stamped at most 5 minutes after
// the listener's clock at its arrival (kTooNew); not older than the last raw-retention cutoff
// (kTooOld: its raw twin may already be pruned, so storing it could count it twice in rollups).
// Samples go to TelemetryWriter, keyed by (device, metric, ts): inside the writer's transaction
// their rollups are coalesced until its commit and dropped with a rollback, so a batch retried
// message by message never writes rollups of a rolled-back attempt. Then
// DeviceRepository::RecordTelemetry moves last_seen and merges state (for a message with new
// samples and no state, once per device and transaction, see Flush). Any new sample
// (or, for a message without new samples, a changed state or last_seen) → kStored and the device
// and its site are marked in BatchEffects; otherwise kDuplicate.
//
// Writer thread only.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "ems/mqtt/topics.h"
#include "ems/store/store.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

// Keeps what it read and what it holds back for one write transaction of `store`, in which it is
// enlisted for its life (store::ScopedTransactionState).
class DeviceHandler : public store::ScopedTransactionState {
 public:
  explicit DeviceHandler(store::Store& store) : ScopedTransactionState(store), store_(store) {}

  Result<Outcome> Handle(const mqtt::MetaMsg& topic, const InboxRecord& r, BatchEffects& e);
  Result<Outcome> Handle(const mqtt::TelemetryMsg& topic, const InboxRecord& r, BatchEffects& e);
  // A write transaction begins, or rolled back: what was read or left pending is forgotten.
  void Begin() override { Discard(); }
  void Discard() noexcept override {
    contexts_.clear();
    last_seen_.clear();
  }
  // Before the transaction commits: writes the last_seen left pending.
  void Flush() override;

 private:
  const std::optional<store::DeviceContext>& Context(const std::string& device_id);
  // RecordTelemetry now, after the device's pending last_seen; for a message without a new
  // sample, sets `changed` when the state or last_seen moved.
  void RecordState(const std::string& device, Timestamp ts, const nlohmann::json& state,
                   bool& changed);

  store::Store& store_;
  // Device contexts (site, type, zone) read in the open write transaction. While it is open no
  // other connection writes, and in it only a meta message changes a device or a site's zone
  // (it forgets them all), so a context read once holds for the rest of the transaction.
  std::unordered_map<std::string, std::optional<store::DeviceContext>> contexts_;
  // The newest ts of each device whose messages in the open transaction stored samples and
  // carried no state: moving last_seen is all they do to the device, so it is written once per
  // device before the commit instead of once per message.
  std::unordered_map<std::string, Timestamp> last_seen_;
};

}  // namespace ems::listener
