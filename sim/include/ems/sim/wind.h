// A small wind turbine on a home: its power curve. The wind itself is the city's (weather.h):
// urban hub heights see 3–4.5 m/s on average, so such a turbine runs at a capacity factor of a
// few percent, more in winter than in summer.
#pragma once

namespace ems::sim {

struct WindTurbineSpec {
  double rated_power_w = 1500;
  double cut_in_ms = 3.5;
  double rated_speed_ms = 12.0;
  double cut_out_ms = 25.0;  // the rotor furls: no power at or above this speed
};

// 0 below cut-in and from cut-out on, cubic in the speed between cut-in and rated speed
// (the wind's power grows with v³), the rated power from there up to cut-out.
double WindPowerW(const WindTurbineSpec& spec, double wind_speed_ms);

}  // namespace ems::sim
