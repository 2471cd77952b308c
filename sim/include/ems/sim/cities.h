// Where the simulated homes are, and what a typical home there has: the climate normals of six
// cities, their tariff, household profile and the sizes of the home's equipment.
//
// Climate: monthly cloud cover, temperature normals, and the mean wind speed a small turbine
// sees on an urban roof (3–4.5 m/s). Homes: a south-facing roof (north-facing in Sydney) at
// 30–35°, a small wind turbine, a heat pump sized to the climate (cooling too where summers are
// hot), a home battery and the family car.
#pragma once

#include <span>
#include <string_view>

#include "ems/sim/appliance.h"
#include "ems/sim/battery.h"
#include "ems/sim/ev.h"
#include "ems/sim/heat_pump.h"
#include "ems/sim/solar.h"
#include "ems/sim/tariff.h"
#include "ems/sim/weather.h"
#include "ems/sim/wind.h"

namespace ems::sim {

struct City {
  std::string_view name;
  std::string_view time_zone;
  Climate climate;
  TariffRegion tariff;
  HouseholdProfile household;
  double solar_w;
  PanelOrientation panel;
  double wind_w;
  HeatPumpSpec heat_pump;
  BatterySpec battery;
  EvSpec ev;
};

// Berlin, New York, Sydney, Tokyo, London, Los Angeles: site i is in city i mod 6.
std::span<const City> Cities();

}  // namespace ems::sim
