#include "ems/sim/wind.h"

namespace ems::sim {

double WindPowerW(const WindTurbineSpec& spec, double v) {
  if (!(v >= spec.cut_in_ms) || v >= spec.cut_out_ms) return 0;
  if (v >= spec.rated_speed_ms) return spec.rated_power_w;
  const double in3 = spec.cut_in_ms * spec.cut_in_ms * spec.cut_in_ms;
  const double rated3 = spec.rated_speed_ms * spec.rated_speed_ms * spec.rated_speed_ms;
  return spec.rated_power_w * (v * v * v - in3) / (rated3 - in3);
}

}  // namespace ems::sim
