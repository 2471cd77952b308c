#include "listener/handlers/device_handler.h"

#include "ems/codec/device_codec.h"

namespace ems::listener {

Result<Outcome> DeviceHandler::Handle(const mqtt::MetaMsg& topic, const InboxRecord& r,
                                      BatchEffects& e) {
  auto meta = codec::DecodeMeta(r.payload);
  if (!meta) return Unexpected(meta.error());
  const auto outcome = store_.Devices().UpsertFromMeta(topic.site, topic.device, *meta, r.arrival);
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
  const auto context = store_.Devices().Context(topic.device);
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
  // A device clock running ahead would hold latest values and summaries hostage (SPEC §4.1).
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
  // Without a new sample, whether the state or last_seen moved decides between stored and
  // duplicate (state-only messages, or a redelivery carrying state).
  std::optional<Device> before;
  if (!changed) before = store_.Devices().Get(topic.device, store::Visibility::All());
  store_.Devices().RecordTelemetry(topic.device, telemetry->ts, telemetry->state);
  if (!changed) {
    const auto after = store_.Devices().Get(topic.device, store::Visibility::All());
    changed =
        !before || !after || before->state != after->state || before->last_seen != after->last_seen;
  }
  if (!changed) return Outcome::kDuplicate;
  e.sites.insert(topic.site);
  e.devices.insert(topic.device);
  return Outcome::kStored;
}

}  // namespace ems::listener
