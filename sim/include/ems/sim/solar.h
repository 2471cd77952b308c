// Rooftop photovoltaics: the sun's position, clear-sky irradiance, what clouds leave of it, the
// irradiance on a tilted and oriented panel, and the AC power of the array.
//
// The chain, each step a standard textbook model:
// - sun position from declination, equation of time and hour angle (accurate to ~1°);
// - clear sky: Meinel's beam irradiance 1353·0.7^(AM^0.678) W/m² (Kasten–Young air mass), plus
//   10 % of it as diffuse light;
// - clouds (cover C): global irradiance × (1 − 0.75·C^3.4) (Kasten–Czeplak), beam × (1 − C),
//   the rest diffuse;
// - the panel (isotropic sky): beam · cos(angle of incidence) + diffuse · (1 + cos tilt)/2 +
//   ground reflection (albedo 0.2) · (1 − cos tilt)/2;
// - the array: rated × irradiance/1000 W/m² × 0.85 (inverter, wiring, soiling, mismatch) ×
//   (1 − 0.4 %/K above 25 °C cell temperature), capped at the rated power.
// Pure apart from SolarModel's energy counter.
#pragma once

#include "ems/domain/time.h"
#include "ems/sim/weather.h"

namespace ems::sim {

struct SunPosition {
  double elevation_deg = 0;  // above the horizon; negative at night
  double azimuth_deg = 0;    // from north, clockwise (90 = east, 180 = south)
};
SunPosition SunAt(Timestamp t, double latitude_deg, double longitude_deg);

// Sunset in hours after UTC midnight of the day of `t` (may exceed 24 west of Greenwich); for a
// polar day or night, the solar noon ± 12 h or ± 0 h.
double SunsetUtcHour(Timestamp t, double latitude_deg, double longitude_deg);

struct Irradiance {
  double ghi = 0;  // global horizontal, W/m²
  double dni = 0;  // direct normal
  double dhi = 0;  // diffuse horizontal
};
Irradiance ClearSkyIrradiance(const SunPosition& sun, Timestamp t);
Irradiance CloudyIrradiance(const Irradiance& clear, const SunPosition& sun, double cloud_cover);

struct PanelOrientation {
  double tilt_deg = 35;      // 0 = flat
  double azimuth_deg = 180;  // where the panel faces, from north clockwise (180 = south)
};
// Irradiance on the panel's plane, W/m².
double PlaneOfArrayIrradiance(const Irradiance& sky, const SunPosition& sun,
                              const PanelOrientation& panel);

struct SolarSpec {
  double rated_power_w = 5000;  // peak (kWp) of the array
  double latitude_deg = 0;
  double longitude_deg = 0;
  PanelOrientation panel;
};

// AC power of the array for the sky and air temperature given.
double SolarPowerW(const SolarSpec& spec, const SunPosition& sun, const Irradiance& sky,
                   double air_temperature_c);

// An array with a lifetime energy counter. Step(now, dt, weather) first adds the power of the
// previous step over dt to the counter (the same sample-and-hold a reader of the telemetry
// integrates), then sets the power at `now`.
class SolarModel {
 public:
  SolarModel(SolarSpec spec, double energy_wh);
  void Step(Timestamp now, Millis dt, const WeatherSample& weather);

  double power_w() const { return power_w_; }      // ≥ 0
  double energy_wh() const { return energy_wh_; }  // never decreases
  const SolarSpec& spec() const { return spec_; }

 private:
  SolarSpec spec_;
  double energy_wh_;
  double power_w_ = 0;
};

// What an array of `rated_power_w` produced from 2020-01-01 to `t` at a typical 1000 kWh per kWp
// and year: the starting value of a new counter.
double SolarLifetimeEnergyWh(double rated_power_w, Timestamp t);

}  // namespace ems::sim
