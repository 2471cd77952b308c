// The weather of one city: outdoor temperature, cloud cover and wind, as pure functions of time.
//
// Each quantity is its climate normal (by day of year and time of day) plus smooth random
// anomalies (SmoothNoise) drawn from the city's seed, so:
// - every home of a city (and the market pricing its tariff) sees the same weather;
// - the weather at an instant does not depend on when the simulation started nor on its step:
//   a backfill and a live run agree, and tomorrow's weather is known today — which is what a
//   day-ahead market prices (from the slow, forecastable parts: fronts and calms, not single
//   clouds and gusts).
#pragma once

#include <array>
#include <cstdint>

#include "ems/domain/time.h"

namespace ems::sim {

struct Climate {
  double latitude_deg = 0;
  double longitude_deg = 0;  // east positive
  // Mean cloud cover (0 = clear … 1 = overcast) by month, January first.
  std::array<double, 12> cloud_cover{};
  double annual_mean_c = 10;       // air temperature
  double annual_amplitude_c = 9;   // warmest month − annual mean
  double daily_amplitude_c = 4;    // warmest hour (≈ 15:00 solar) − daily mean
  double mean_wind_ms = 3.8;       // yearly mean at a small urban turbine's hub (10–15 m)
  double wind_winter_boost = 0.2;  // the coldest month's mean is (1 + boost) × the yearly mean
  bool southern_hemisphere() const { return latitude_deg < 0; }
};

struct WeatherSample {
  double temperature_c = 0;
  // The same without its daily cycle: what a heating controller's damped outdoor sensor reads
  // (a building's mass evens out day and night).
  double daily_mean_c = 0;
  double cloud_cover = 0;    // 0–1, passing clouds included
  double wind_speed_ms = 0;  // at a small urban turbine, gusts included
};

class Weather {
 public:
  Weather(const Climate& climate, std::uint64_t seed);

  WeatherSample At(Timestamp t) const;

  // The forecastable parts, what the day-ahead market sees:
  // cloud cover without passing clouds (0–1);
  double SlowCloudCover(Timestamp t) const;
  // the capacity factor of the country's wind fleet (0.05–0.65, tall turbines, correlated with
  // the city's wind).
  double GridWindFactor(Timestamp t) const;

  // Temperature without weather (climate normal at t).
  double NormalTemperatureC(Timestamp t) const;
  // Mean cloud cover of the season at t (the monthly normals, interpolated).
  double NormalCloudCover(Timestamp t) const;
  // Mean wind speed of the season at t.
  double NormalWindSpeedMs(Timestamp t) const;

  const Climate& climate() const { return climate_; }

 private:
  double DailyCycleC(Timestamp t) const;  // warmest ≈ 15:00 solar time
  double CloudLatent(Timestamp t) const;  // slow anomaly, variance 1
  double WindLatent(Timestamp t) const;   // slow anomaly, variance 1

  Climate climate_;
  std::uint64_t seed_;
};

// Days since the warmest day of the year's mean temperature cycle, as the cosine argument:
// cos(SeasonAngle) = 1 in high summer (late July north, late January south), −1 in midwinter.
double SeasonAngle(Timestamp t, bool southern_hemisphere);

}  // namespace ems::sim
