#include "ems/sim/solar.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ems/sim/common.h"
#include "ems/sim/local_clock.h"

namespace ems::sim {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
constexpr std::int64_t kMsPerDay = 86'400'000;

struct SolarDay {
  double declination_rad;
  double equation_of_time_h;
  int day_of_year;
};

SolarDay SolarDayOf(std::int64_t utc_day) {
  const int doy = DayOfYear(utc_day);
  const double n = doy + 1;
  const double b = 2 * kPi * (n - 81) / 364.0;
  return {23.44 * kDeg * std::sin(2 * kPi * (284 + n) / 365.0),
          (9.87 * std::sin(2 * b) - 7.53 * std::cos(b) - 1.5 * std::sin(b)) / 60.0, doy};
}

}  // namespace

SunPosition SunAt(Timestamp t, double latitude_deg, double longitude_deg) {
  const std::int64_t ms = ToMillis(t);
  const std::int64_t day = FloorDiv(ms, kMsPerDay);
  const double utc_h = static_cast<double>(ms - day * kMsPerDay) / 3.6e6;
  const SolarDay sd = SolarDayOf(day);
  const double solar_h = utc_h + longitude_deg / 15.0 + sd.equation_of_time_h;
  const double hour_angle = (solar_h - 12.0) * 15.0 * kDeg;
  const double lat = latitude_deg * kDeg;
  const double dec = sd.declination_rad;
  const double sin_el =
      std::sin(lat) * std::sin(dec) + std::cos(lat) * std::cos(dec) * std::cos(hour_angle);
  const double el = std::asin(std::clamp(sin_el, -1.0, 1.0));
  // Azimuth from north, clockwise: atan2 of the east and north components of the sun vector.
  const double east = -std::cos(dec) * std::sin(hour_angle);
  const double north =
      std::sin(dec) * std::cos(lat) - std::cos(dec) * std::sin(lat) * std::cos(hour_angle);
  double az = std::atan2(east, north) / kDeg;
  if (az < 0) az += 360;
  return {el / kDeg, az};
}

double SunsetUtcHour(Timestamp t, double latitude_deg, double longitude_deg) {
  const SolarDay sd = SolarDayOf(FloorDiv(ToMillis(t), kMsPerDay));
  const double noon = 12.0 - longitude_deg / 15.0 - sd.equation_of_time_h;
  const double cos_h0 =
      std::clamp(-std::tan(latitude_deg * kDeg) * std::tan(sd.declination_rad), -1.0, 1.0);
  return noon + std::acos(cos_h0) / kDeg / 15.0;
}

Irradiance ClearSkyIrradiance(const SunPosition& sun, Timestamp t) {
  if (sun.elevation_deg <= 0) return {};
  const double sin_el = std::sin(sun.elevation_deg * kDeg);
  // Kasten–Young air mass.
  const double air_mass = 1.0 / (sin_el + 0.50572 * std::pow(sun.elevation_deg + 6.07995, -1.6364));
  const int doy = DayOfYear(FloorDiv(ToMillis(t), kMsPerDay));
  const double extraterrestrial = 1353.0 * (1.0 + 0.033 * std::cos(2 * kPi * doy / 365.0));
  Irradiance sky;
  sky.dni = extraterrestrial * std::pow(0.7, std::pow(air_mass, 0.678));
  sky.dhi = 0.1 * sky.dni;
  sky.ghi = sky.dni * sin_el + sky.dhi;
  return sky;
}

Irradiance CloudyIrradiance(const Irradiance& clear, const SunPosition& sun, double cloud_cover) {
  const double c = std::clamp(cloud_cover, 0.0, 1.0);
  Irradiance sky;
  sky.ghi = clear.ghi * (1.0 - 0.75 * std::pow(c, 3.4));
  sky.dni = clear.dni * (1.0 - c);
  const double beam_horizontal = sky.dni * std::max(0.0, std::sin(sun.elevation_deg * kDeg));
  sky.dhi = std::max(0.0, sky.ghi - beam_horizontal);
  return sky;
}

double PlaneOfArrayIrradiance(const Irradiance& sky, const SunPosition& sun,
                              const PanelOrientation& panel) {
  if (sun.elevation_deg <= 0) return 0;
  const double tilt = panel.tilt_deg * kDeg;
  const double el = sun.elevation_deg * kDeg;
  const double cos_incidence =
      std::sin(el) * std::cos(tilt) +
      std::cos(el) * std::sin(tilt) * std::cos((sun.azimuth_deg - panel.azimuth_deg) * kDeg);
  constexpr double kAlbedo = 0.2;
  return sky.dni * std::max(0.0, cos_incidence) + sky.dhi * (1 + std::cos(tilt)) / 2 +
         sky.ghi * kAlbedo * (1 - std::cos(tilt)) / 2;
}

double SolarPowerW(const SolarSpec& spec, const SunPosition& sun, const Irradiance& sky,
                   double air_temperature_c) {
  const double poa = PlaneOfArrayIrradiance(sky, sun, spec.panel);
  if (poa <= 0) return 0;
  constexpr double kSystemEfficiency = 0.85;
  constexpr double kTemperatureCoefficient = -0.004;  // per K above 25 °C
  const double cell_c = air_temperature_c + 0.03 * poa;
  const double temperature_factor = 1.0 + kTemperatureCoefficient * (cell_c - 25.0);
  return std::clamp(spec.rated_power_w * poa / 1000.0 * kSystemEfficiency * temperature_factor, 0.0,
                    spec.rated_power_w);
}

SolarModel::SolarModel(SolarSpec spec, double energy_wh) : spec_(spec), energy_wh_(energy_wh) {}

void SolarModel::Step(Timestamp now, Millis dt, const WeatherSample& weather) {
  energy_wh_ += power_w_ * Hours(dt);
  const SunPosition sun = SunAt(now, spec_.latitude_deg, spec_.longitude_deg);
  const Irradiance sky = CloudyIrradiance(ClearSkyIrradiance(sun, now), sun, weather.cloud_cover);
  power_w_ = SolarPowerW(spec_, sun, sky, weather.temperature_c);
}

double SolarLifetimeEnergyWh(double rated_power_w, Timestamp t) {
  constexpr std::int64_t kInstalledMs = 1'577'836'800'000;  // 2020-01-01T00:00:00Z
  const double years = std::max<double>(0, static_cast<double>(ToMillis(t) - kInstalledMs)) /
                       (365.25 * static_cast<double>(kMsPerDay));
  return std::floor(rated_power_w * 1000.0 * years);  // 1000 kWh per kWp = 1000 Wh per W
}

}  // namespace ems::sim
