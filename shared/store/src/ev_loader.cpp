#include "ems/store/ev_loader.h"

#include <algorithm>

#include "ems/codec/schedule_codec.h"

namespace ems::store {

Result<StoredEv> LoadEv(Store& store, const std::string& id, const Visibility& visibility) {
  auto device = store.Devices().Get(id, visibility);
  if (!device) return Unexpected(NotFound("Device", id));
  if (device->type != DeviceType::kEv) {
    return Rejected(ErrorCode::kNotFound, "Device " + id + " is not an EV.");
  }
  auto params = codec::DecodeEvParams(device->properties);
  if (!params) {
    throw CorruptRow("Device " + id +
                     " has stored EV properties that do not decode: " + params.error().message);
  }
  StoredEv ev{std::move(*device), *params, {}};
  if (const auto soc = store.Readings().Latest(id, std::string(kSocMetric))) {
    ev.state.soc = std::clamp(soc->value / 100.0, 0.0, 1.0);
  }
  if (const auto it = ev.device.state.find("at_home");
      it != ev.device.state.end() && it->is_boolean()) {
    ev.state.is_at_home = it->get<bool>();
  }
  return ev;
}

}  // namespace ems::store
