// A home battery that absorbs the site's surplus and covers its deficit, within its power
// limits, its reserve and its capacity; it never exports to the grid nor charges from it.
#pragma once

#include "ems/domain/time.h"

namespace ems::sim {

struct BatterySpec {
  double capacity_wh = 10000;
  double max_charge_w = 5000;
  double max_discharge_w = 4600;
  double min_soc_pct = 5;    // reserve the controller does not discharge below
  double efficiency = 0.95;  // each way; round trip ≈ 0.90
  double deadband_w = 25;    // imbalances smaller than this are left to the grid
};

class BatteryModel {
 public:
  BatteryModel(BatterySpec spec, double stored_wh);
  // First moves the energy of the power set at the previous step over dt (clamped to the
  // capacity and to empty), then sets the power at `now` from `site_balance_w`: the sum of the
  // power of every other device that the battery serves (positive = surplus).
  void Step(Millis dt, double site_balance_w);

  double power_w() const { return power_w_; }  // −max_charge_w … +max_discharge_w
  double soc_pct() const;
  double stored_wh() const { return stored_wh_; }
  const BatterySpec& spec() const { return spec_; }

 private:
  BatterySpec spec_;
  double stored_wh_;
  double power_w_ = 0;
};

}  // namespace ems::sim
