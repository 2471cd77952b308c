// An EV device as the charging-schedule rules see it (SPEC §6.6): its parameters from the
// device properties, its soc from the latest `soc_pct` (0 until reported), and whether it is at
// home from the device state's `at_home` (true until reported). Shared by the API and the
// listener so both derive the same view.
#pragma once

#include <string>

#include "ems/domain/charging_schedule.h"
#include "ems/domain/result.h"
#include "ems/store/device_repository.h"
#include "ems/store/telemetry_repository.h"

namespace ems::store {

struct StoredEv {
  Device device;
  EvParams params;
  EvState state;
};

// Rejects with reason "not_found": no such device ("Device x not found."), or not an `ev`
// ("Device x is not an EV.").
Result<StoredEv> LoadEv(DeviceRepository& devices, TelemetryRepository& telemetry,
                        const std::string& id);

}  // namespace ems::store
