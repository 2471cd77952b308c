#include "ems/domain/energy_totals.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ems/domain/rollup.h"

namespace ems {

Timestamp GridCountedUntil(Timestamp now) {
  return BucketStart(now - kGridGrace, Interval::k15m, "UTC");
}

SiteEnergyFigures ComputeSiteEnergyFigures(std::span<const DeviceEnergy> devices,
                                           const GridEnergy& grid) {
  SiteEnergyFigures f;
  f.grid_import = grid.import_wh;
  f.grid_export = grid.export_wh;
  std::set<std::string> stations;
  for (const auto& d : devices) {
    if (d.type == DeviceType::kChargingStation) stations.insert(d.device_id);
  }
  for (const auto& d : devices) {
    switch (d.type) {
      case DeviceType::kSolarPanel:
        f.solar += d.produced_wh;
        break;
      case DeviceType::kBattery:
        f.battery_charge += d.consumed_wh;
        f.battery_discharge += d.produced_wh;
        break;
      case DeviceType::kChargingStation:
        f.ev_charge += d.consumed_wh;
        break;
      case DeviceType::kEv:
        if (!d.station_id || !stations.contains(*d.station_id)) f.ev_charge += d.consumed_wh;
        break;
      default:
        break;
    }
  }
  return f;
}

bool Advance(EnergyCounter& counter, double computed_wh) {
  const double before = counter.published_wh();
  if (computed_wh < counter.counted_wh) counter.offset_wh += counter.counted_wh - computed_wh;
  counter.counted_wh = computed_wh;
  return counter.published_wh() != before;
}

double RoundedKwh(double wh) { return std::round(wh) / 1000.0; }

}  // namespace ems
