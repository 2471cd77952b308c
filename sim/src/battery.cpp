#include "ems/sim/battery.h"

#include <algorithm>

#include "ems/sim/common.h"

namespace ems::sim {

BatteryModel::BatteryModel(BatterySpec spec, double stored_wh)
    : spec_(spec), stored_wh_(std::clamp(stored_wh, 0.0, spec.capacity_wh)) {}

double BatteryModel::soc_pct() const {
  return std::clamp(100.0 * stored_wh_ / spec_.capacity_wh, 0.0, 100.0);
}

void BatteryModel::Step(Millis dt, double balance_w) {
  const double dt_h = Hours(dt);
  if (power_w_ < 0) {
    stored_wh_ = std::min(spec_.capacity_wh, stored_wh_ - power_w_ * spec_.efficiency * dt_h);
  } else {
    stored_wh_ = std::max(0.0, stored_wh_ - power_w_ / spec_.efficiency * dt_h);
  }
  const double floor_wh = spec_.capacity_wh * spec_.min_soc_pct / 100.0;
  power_w_ = 0;
  if (balance_w > spec_.deadband_w && stored_wh_ < spec_.capacity_wh) {
    power_w_ = -std::min(balance_w, spec_.max_charge_w);
  } else if (balance_w < -spec_.deadband_w && stored_wh_ > floor_wh) {
    power_w_ = std::min(-balance_w, spec_.max_discharge_w);
  }
  power_w_ += 0.0;  // never -0
}

}  // namespace ems::sim
