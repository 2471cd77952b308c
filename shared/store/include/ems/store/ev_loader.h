// An EV device as the charging-schedule rules see it (docs/contract.md §6.6): its parameters from
// the device properties, its soc from the latest `soc_pct` (0 until reported), and whether it is at
// home from the device state's `at_home` (true until reported), and its measured charge power
// from the hourly strongest draw of its last 7 days of `power_w` (MeasuredChargePower; unset
// without 3 such hours, so the nominal max_charge_w applies). Shared by the API and the
// listener so both derive the same view.
#pragma once

#include <string>

#include "ems/domain/charging_schedule.h"
#include "ems/domain/result.h"
#include "ems/store/store.h"

namespace ems::store {

struct StoredEv {
  Device device;
  EvParams params;
  EvState state;
};

// Rejects kNotFound: no such device or one `visibility` hides ("Device x not found."), or not an
// `ev` ("Device x is not an EV."). Throws CorruptRow for stored EV properties that do not decode
// (they were validated when the device was registered).
// `now` bounds the 7 days of telemetry the measured charge power is read from.
Result<StoredEv> LoadEv(Store& store, const std::string& id, const Visibility& visibility,
                        Timestamp now);

}  // namespace ems::store
