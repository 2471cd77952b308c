// Energy counters for Home Assistant's Energy dashboard (docs/contract.md §4.6,
// docs/home-assistant.md): kWh totals of a site (grid import and export, solar, battery charge and
// discharge, EV charging) and of each device (import, export), from the stored energy of
// docs/contract.md §6.4. Pure.
//
// What is counted:
//   - a device's export = the energy it supplied to the site (produced_wh of its energy rollups),
//     its import = the energy it drew (consumed_wh);
//   - solar = what solar panels supplied; battery charge / discharge = what batteries drew /
//     supplied; EV charging = what charging stations drew, plus what EVs drew that no station
//     of the site meters (an EV whose `station_id` property names a charging station of the
//     same site is counted once, by that station);
//   - grid import / export: the site's net energy (produced − consumed) netted per quarter hour,
//     as GET /sites/{site}/energy/series?interval=15m answers it: a quarter with net_wh < 0
//     imported −net_wh, one with net_wh > 0 exported it. Only quarters that have ended (with
//     kGridGrace for the readings still on their way) count, so a quarter whose net changes
//     sign while it runs never takes back what it showed.
//
// Never decreasing: a figure computed from stored data can fall (a device deleted with its
// energy, a late reading that lowers a minute's average). Home Assistant reads any decrease of a
// total_increasing sensor as a meter reset and counts the whole new value again, so a published
// figure is the computed one plus an offset that grows by every fall (EnergyCounter), kept in the
// database: the same after a restart, and after a rebuild of the rollups from stored data.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/time.h"

namespace ems {

// A quarter hour counts towards the grid figures once it ended this long ago.
inline constexpr Millis kGridGrace = std::chrono::minutes(2);

// The stored energy of one device, all time.
struct DeviceEnergy {
  std::string device_id;
  DeviceType type = DeviceType::kSolarPanel;
  std::optional<std::string> station_id;  // an EV's `station_id` property
  double produced_wh = 0;
  double consumed_wh = 0;
};

// A site's grid energy over whole quarter hours, and what those quarters held in all.
struct GridEnergy {
  double import_wh = 0;
  double export_wh = 0;
};

// The end of the last quarter hour that counts towards the grid figures at `now`.
Timestamp GridCountedUntil(Timestamp now);

// The figures of docs/contract.md §4.6, in Wh (named without the unit: they are published in kWh).
struct SiteEnergyFigures {
  double grid_import = 0;
  double grid_export = 0;
  double solar = 0;
  double battery_charge = 0;
  double battery_discharge = 0;
  double ev_charge = 0;
};

SiteEnergyFigures ComputeSiteEnergyFigures(std::span<const DeviceEnergy> devices,
                                           const GridEnergy& grid);

// One published figure: what was last computed from stored data, and the offset added so the
// published value never decreases.
struct EnergyCounter {
  double counted_wh = 0;
  double offset_wh = 0;
  double published_wh() const { return counted_wh + offset_wh; }
  friend bool operator==(const EnergyCounter&, const EnergyCounter&) = default;
};

// Moves `counter` to the newly computed `computed_wh`: a fall adds to the offset, so
// published_wh() never decreases. Returns true when published_wh() changed.
bool Advance(EnergyCounter& counter, double computed_wh);

// Wh → kWh rounded to the watt-hour (what the totals payloads carry).
double RoundedKwh(double wh);

}  // namespace ems
