#include "ems/store/ev_loader.h"

#include <algorithm>

#include "ems/codec/schedule_codec.h"

namespace ems::store {

Result<StoredEv> LoadEv(DeviceRepository& devices, TelemetryRepository& telemetry,
                        const std::string& id) {
  auto device = devices.Get(id);
  if (!device) return Rejected("not_found", "Device " + id + " not found.");
  if (device->type != DeviceType::kEv)
    return Rejected("not_found", "Device " + id + " is not an EV.");
  StoredEv ev{std::move(*device), {}, {}};
  // Properties were validated when the device was registered; a broken one gains nothing rather
  // than failing every read.
  ev.params = codec::DecodeEvParams(ev.device.properties).value_or(EvParams{});
  if (const auto soc = telemetry.Latest(id, std::string(kSocMetric))) {
    ev.state.soc = std::clamp(soc->value / 100.0, 0.0, 1.0);
  }
  if (const auto it = ev.device.state.find("at_home");
      it != ev.device.state.end() && it->is_boolean()) {
    ev.state.is_at_home = it->get<bool>();
  }
  return ev;
}

}  // namespace ems::store
