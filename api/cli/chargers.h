// OCPP chargers (docs/contract.md §4.5, docs/ocpp.md): `ems-api charger add|list|remove`.
//
// A charger is a charging_station device of a site with a password for ems-ocpp's handshake
// (HTTP Basic STATION:password), stored as an Argon2id hash in ocpp_chargers. Adding creates the
// site (name = id, zone UTC) and the device when they do not exist; a device that exists already
// must be a charging_station of that site. Removing unregisters the charger (it can no longer
// connect) and keeps the device, its sessions and its telemetry; its transaction ids are never
// given again if it is registered anew.
#pragma once

#include <optional>
#include <string>

#include "ems/domain/result.h"
#include "ems/store/store.h"

namespace ems::api {

struct ChargerSpec {
  int connectors = 1;
  double max_power_w = 22000;  // a three-phase 32 A wallbox
  bool free_vend = false;
};

// Registers `station` on `site_id`; returns its password (shown once). Rejects kInvalidDevice
// (bad ids or spec), kDeviceSiteMismatch (the device is on another site or of another type) and
// kConflict (already a charger).
Result<std::string> AddCharger(store::Store& store, const std::string& site_id,
                               const std::string& station, const ChargerSpec& spec, Timestamp now);
// Rejects kNotFound when `station` is no charger.
Result<void> RemoveCharger(store::Store& store, const std::string& station);

}  // namespace ems::api
