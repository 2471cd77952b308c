#include "ems/sim/weather.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "ems/sim/common.h"
#include "ems/sim/local_clock.h"

namespace ems::sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kPi = std::numbers::pi;
constexpr std::int64_t kMsPerDay = 86'400'000;

// Independent noise streams of a city.
enum Stream : std::uint64_t {
  kTemperatureSlow = 1,
  kTemperatureFast,
  kCloudSlow,
  kCloudFast,
  kCloudPassing,
  kWindSlow,
  kWindFast,
  kGust,
};

// Weights of the two time scales of a slow anomaly; 0.8² + 0.6² = 1 keeps the variance at 1.
constexpr double kSlowWeight = 0.8;
constexpr double kFastWeight = 0.6;

constexpr double kTemperatureStddevC = 3.2;
// Cloud cover is logistic(logit(normal) · stretch + spread · anomaly): the anomalies make clear
// and overcast days common, as they are, and `stretch` keeps the mean near the normal (the
// probit approximation E[logistic(a + sX)] ≈ logistic(a / √(1 + πs²/8))).
constexpr double kCloudSpread = 2.0;
constexpr double kPassingSpread = 0.7;
constexpr double kWindLogStddev = 0.45;
constexpr double kGustStddev = 0.15;

double UtcDayOfYear(Timestamp t) { return DayOfYear(FloorDiv(ToMillis(t), kMsPerDay)); }

double Logit(double p) {
  p = std::clamp(p, 1e-3, 1 - 1e-3);
  return std::log(p / (1 - p));
}

double ProbitStretch(double spread) { return std::sqrt(1.0 + kPi * spread * spread / 8.0); }

}  // namespace

double SeasonAngle(Timestamp t, bool southern_hemisphere) {
  const double warmest_day = southern_hemisphere ? 19 : 200;
  return 2 * kPi * (UtcDayOfYear(t) - warmest_day) / 365.25;
}

Weather::Weather(const Climate& climate, std::uint64_t seed) : climate_(climate), seed_(seed) {}

double Weather::DailyCycleC(Timestamp t) const {
  const std::int64_t ms = ToMillis(t);
  const double utc_h = static_cast<double>(ms - FloorDiv(ms, kMsPerDay) * kMsPerDay) / 3.6e6;
  const double solar_h = utc_h + climate_.longitude_deg / 15.0;
  return climate_.daily_amplitude_c * std::cos(2 * kPi * (solar_h - 15.0) / 24.0);
}

double Weather::NormalTemperatureC(Timestamp t) const {
  const double season = SeasonAngle(t, climate_.southern_hemisphere());
  return climate_.annual_mean_c + climate_.annual_amplitude_c * std::cos(season) + DailyCycleC(t);
}

double Weather::NormalCloudCover(Timestamp t) const {
  // Monthly normals belong to mid-month; linear in between, wrapping at the year's end.
  const double month = UtcDayOfYear(t) / (365.25 / 12.0) - 0.5;
  const double floor = std::floor(month);
  const double frac = month - floor;
  const int a = (static_cast<int>(floor) + 12) % 12;
  const int b = (a + 1) % 12;
  const auto& c = climate_.cloud_cover;
  return c[static_cast<std::size_t>(a)] * (1 - frac) + c[static_cast<std::size_t>(b)] * frac;
}

double Weather::NormalWindSpeedMs(Timestamp t) const {
  return climate_.mean_wind_ms *
         (1.0 -
          climate_.wind_winter_boost * std::cos(SeasonAngle(t, climate_.southern_hemisphere())));
}

double Weather::CloudLatent(Timestamp t) const {
  return kSlowWeight * SmoothNoise(MixSeed(seed_, kCloudSlow), t, hours(48)) +
         kFastWeight * SmoothNoise(MixSeed(seed_, kCloudFast), t, hours(8));
}

double Weather::WindLatent(Timestamp t) const {
  return kSlowWeight * SmoothNoise(MixSeed(seed_, kWindSlow), t, hours(36)) +
         kFastWeight * SmoothNoise(MixSeed(seed_, kWindFast), t, hours(6));
}

double Weather::SlowCloudCover(Timestamp t) const {
  return Logistic(Logit(NormalCloudCover(t)) * ProbitStretch(kCloudSpread) +
                  kCloudSpread * CloudLatent(t));
}

double Weather::GridWindFactor(Timestamp t) const {
  const double season = std::cos(SeasonAngle(t, climate_.southern_hemisphere()));
  return 0.05 + 0.6 * Logistic(1.8 * WindLatent(t) - 1.2 - 0.5 * season);
}

WeatherSample Weather::At(Timestamp t) const {
  WeatherSample w;
  w.temperature_c = NormalTemperatureC(t) +
                    kTemperatureStddevC *
                        (kSlowWeight * SmoothNoise(MixSeed(seed_, kTemperatureSlow), t, hours(72)) +
                         kFastWeight * SmoothNoise(MixSeed(seed_, kTemperatureFast), t, hours(12)));
  w.daily_mean_c = w.temperature_c - DailyCycleC(t);
  const double spread = std::hypot(kCloudSpread, kPassingSpread);
  w.cloud_cover =
      Logistic(Logit(NormalCloudCover(t)) * ProbitStretch(spread) + kCloudSpread * CloudLatent(t) +
               kPassingSpread * SmoothNoise(MixSeed(seed_, kCloudPassing), t, minutes(25)));
  const double gust =
      std::max(0.0, 1.0 + kGustStddev * SmoothNoise(MixSeed(seed_, kGust), t, seconds(20)));
  w.wind_speed_ms =
      NormalWindSpeedMs(t) *
      std::exp(kWindLogStddev * WindLatent(t) - 0.5 * kWindLogStddev * kWindLogStddev) * gust;
  return w;
}

}  // namespace ems::sim
