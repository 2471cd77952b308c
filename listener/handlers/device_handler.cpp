#include "listener/handlers/device_handler.h"

#include "ems/codec/device_codec.h"

namespace ems::listener {

Result<Outcome> DeviceHandler::Handle(const mqtt::MetaMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto meta = codec::DecodeMeta(r.payload);
  if (!meta) return Unexpected(meta.error());
  contexts_.clear();  // the device's type or site, or the site's zone, may change
  const auto outcome = store_.Devices().UpsertFromMeta(topic.site, topic.device, *meta, r.arrival);
  if (!outcome) return Unexpected(outcome.error());
  if (*outcome == store::MetaOutcome::kUnchanged) return Outcome::kDuplicate;
  e.sites.insert(topic.site);
  e.devices.insert(topic.device);
  return Outcome::kStored;
}

const std::optional<store::DeviceContext>& DeviceHandler::Context(const std::string& device_id) {
  const auto it = contexts_.find(device_id);
  if (it != contexts_.end()) return it->second;
  return contexts_.emplace(device_id, store_.Devices().Context(device_id)).first->second;
}

Result<Outcome> DeviceHandler::Handle(const mqtt::TelemetryMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto telemetry = codec::DecodeTelemetry(r.payload);
  if (!telemetry) return Unexpected(telemetry.error());
  const auto& context = Context(topic.device);
  if (!context) {
    return Rejected(ErrorCode::kUnknownDevice,
                    "Device " + topic.device + " was never discovered or registered.");
  }
  if (context->site_id != topic.site) {
    return Rejected(ErrorCode::kDeviceSiteMismatch, "Device " + topic.device + " belongs to site " +
                                                        context->site_id + ", not " + topic.site +
                                                        ".");
  }
  if (auto ok = ValidateTelemetryFor(context->type, *telemetry, ErrorCode::kInvalidTelemetry);
      !ok) {
    return Unexpected(ok.error());
  }
  // A device clock running ahead would hold latest values and summaries hostage (docs/contract.md
  // §4.1).
  if (telemetry->ts - r.arrival > std::chrono::minutes(5)) {
    return Rejected(ErrorCode::kTooNew, "Telemetry stamped " + FormatTimestamp(telemetry->ts) +
                                            " is more than 5 minutes after the listener's clock (" +
                                            FormatTimestamp(r.arrival) + ").");
  }
  const auto too_old = [&] {
    return Rejected(ErrorCode::kTooOld, "Telemetry stamped " + FormatTimestamp(telemetry->ts) +
                                            " is older than the raw-retention cutoff " +
                                            FormatTimestamp(store_.Telemetry().PrunedBefore()) +
                                            ".");
  };
  // Every sample of a message shares its ts, so they expire all together or not at all.
  const auto counts = store_.Telemetry().Insert(topic.device, *telemetry, context->site_timezone);
  if (counts.expired > 0) return too_old();
  if (telemetry->metrics.empty() && telemetry->ts < store_.Telemetry().PrunedBefore())
    return too_old();

  bool changed = counts.stored > 0;
  if (!changed && telemetry->state.empty() && !telemetry->metrics.empty()) {
    return Outcome::kDuplicate;  // a redelivery: nothing to record
  }
  if (changed && telemetry->state.empty()) {  // only last_seen moves: once, at the end
    const auto [it, added] = last_seen_.try_emplace(topic.device, telemetry->ts);
    if (!added) it->second = std::max(it->second, telemetry->ts);
  } else {
    RecordState(topic.device, telemetry->ts, telemetry->state, changed);
  }
  if (!changed) return Outcome::kDuplicate;
  e.sites.insert(topic.site);
  e.devices.insert(topic.device);
  e.readings.push_back(telemetry->ts);
  return Outcome::kStored;
}

void DeviceHandler::Flush() {
  for (const auto& [device, ts] : last_seen_) {
    store_.Devices().RecordTelemetry(device, ts, nlohmann::json::object());
  }
  last_seen_.clear();
}

void DeviceHandler::RecordState(const std::string& device, Timestamp ts,
                                const nlohmann::json& state, bool& changed) {
  // The device's pending last_seen first: whether `state` is newer depends on it.
  if (const auto it = last_seen_.find(device); it != last_seen_.end()) {
    store_.Devices().RecordTelemetry(device, it->second, nlohmann::json::object());
    last_seen_.erase(it);
  }
  // Without a new sample, whether the state or last_seen moved decides between stored and
  // duplicate (state-only messages, or a redelivery carrying state).
  std::optional<Device> before;
  if (!changed) before = store_.Devices().Get(device, store::Visibility::All());
  store_.Devices().RecordTelemetry(device, ts, state);
  if (!changed) {
    const auto after = store_.Devices().Get(device, store::Visibility::All());
    changed =
        !before || !after || before->state != after->state || before->last_seen != after->last_seen;
  }
}

}  // namespace ems::listener
