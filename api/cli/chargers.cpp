#include "api/cli/chargers.h"

#include "ems/auth/password.h"
#include "ems/domain/ids.h"

namespace ems::api {

Result<std::string> AddCharger(store::Store& store, const std::string& site_id,
                               const std::string& station, const ChargerSpec& spec, Timestamp now) {
  if (!IsValidId(site_id) || !IsValidId(station)) {
    return Rejected(ErrorCode::kInvalidDevice,
                    "Site and station ids are 1 to 64 letters, digits, '_', '.' or '-'.");
  }
  // Hashed before the write lock is taken: the hash takes a tenth of a second.
  auto password = auth::RandomToken(18);
  const auto hash = auth::HashPassword(password);
  auto tx = store.Begin(store::TxMode::kWrite);
  if (const auto existing = store.Devices().Get(station, store::Visibility::All())) {
    if (existing->site_id != site_id || existing->type != DeviceType::kChargingStation) {
      return Rejected(
          ErrorCode::kDeviceSiteMismatch,
          "Device " + station + " exists and is not a charging station of site " + site_id + ".");
    }
  } else {
    store.Sites().Ensure(site_id, site_id, "UTC", now);
    const DeviceSpec device{DeviceType::kChargingStation,
                            station,
                            {{"connectors", spec.connectors}, {"max_power_w", spec.max_power_w}}};
    auto created = store.Devices().Create(site_id, station, device, now);
    if (!created) return Unexpected(created.error());
  }
  auto registered = store.Ocpp().Register(station, hash, spec.free_vend, now);
  if (!registered) return Unexpected(registered.error());
  tx.Commit();
  return password;
}

Result<void> RemoveCharger(store::Store& store, const std::string& station) {
  if (!store.Ocpp().Unregister(station)) {
    return Rejected(ErrorCode::kNotFound, "Station " + station + " is no OCPP charger.");
  }
  return {};
}

}  // namespace ems::api
