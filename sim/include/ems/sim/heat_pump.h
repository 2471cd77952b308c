// An air-source heat pump for space heating, domestic hot water and (at hot sites) cooling: its
// electrical draw as a pure function of the outdoor temperature and the local calendar.
//
// - Space heating: heat demand grows linearly as the day's mean outdoor temperature falls below
//   16 °C (the balance point: a cool summer night does not switch the heating on) and reaches
//   the pump's full heat at −12 °C (its design point); the COP falls with the outdoor temperature
//   (≈ 3.2 at 2 °C). Night set-back 22–5 h, morning recovery until 8 h. Below 30 % of its rated
//   draw the compressor cannot modulate and runs in 40-minute on/off cycles.
// - Hot water, all year: the tank is reheated twice a day (early morning and evening, times drawn
//   per day) for ~7 kWh of heat a day (more in winter, colder mains water), at 60 % of the rated
//   draw and a COP falling with the outdoor temperature; hot water has priority over heating and
//   cooling while it runs.
// - Cooling (only where the site's climate calls for it): above 23 °C outdoors, up to its rated
//   draw at 35 °C, from 10:00 to 23:00.
#pragma once

#include <cstdint>

#include "ems/domain/time.h"
#include "ems/sim/local_clock.h"
#include "ems/sim/weather.h"

namespace ems::sim {

// Heating balance point: above this outdoor temperature a house needs no heating.
inline constexpr double kHeatingLimitC = 16.0;
// Cooling starts above this outdoor temperature.
inline constexpr double kCoolingLimitC = 23.0;

// Steady electrical draw (W, ≥ 0) for space heating at `outdoor_c`: 0 at or above 16 °C, capped
// at `rated_power_w`.
double HeatingDemandW(double outdoor_c, double rated_power_w);
// Hot-water heat needed on a day, kWh (thermal).
double HotWaterHeatKwh(double outdoor_c);

struct HeatPumpSpec {
  double rated_power_w = 3000;
  bool cooling = false;
};

class HeatPumpModel {
 public:
  HeatPumpModel(HeatPumpSpec spec, std::uint64_t seed);
  // Sets the draw at `now` for the weather given.
  void Step(Timestamp now, const LocalTime& lt, const WeatherSample& weather);

  double power_w() const { return power_w_; }          // ≤ 0
  double hot_water_w() const { return hot_water_w_; }  // ≥ 0: the part of |power_w| for hot water
  const HeatPumpSpec& spec() const { return spec_; }

 private:
  HeatPumpSpec spec_;
  std::uint64_t seed_;
  double power_w_ = 0;
  double hot_water_w_ = 0;
};

}  // namespace ems::sim
