#include "ems/store/ev_loader.h"

#include <algorithm>

#include "ems/codec/schedule_codec.h"

namespace ems::store {
namespace {

// How far back the EV's telemetry tells its real charge power.
constexpr auto kMeasuredPowerWindow = std::chrono::days(7);

// The strongest draw of each hour of the last 7 days (whole hours, so the answer only changes
// when an hour's data does), as MeasuredChargePower reads it.
std::optional<double> MeasuredChargePowerOf(Store& store, const std::string& id, Timestamp now) {
  const Timestamp to(std::chrono::floor<std::chrono::hours>(now) + std::chrono::hours(1));
  const auto points = store.Readings().Series(
      {id, std::string(kPowerMetric)}, {to - kMeasuredPowerWindow, to, Interval::k1h, Agg::kMin});
  if (!points) return std::nullopt;
  std::vector<double> minima;
  minima.reserve(points->size());
  for (const SeriesPoint& p : *points) minima.push_back(p.value);
  return MeasuredChargePower(minima);
}

}  // namespace

Result<StoredEv> LoadEv(Store& store, const std::string& id, const Visibility& visibility,
                        Timestamp now) {
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
  ev.params.measured_charge_w = MeasuredChargePowerOf(store, id, now);
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
