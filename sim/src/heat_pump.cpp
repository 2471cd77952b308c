#include "ems/sim/heat_pump.h"

#include <algorithm>
#include <cmath>

#include "ems/sim/common.h"

namespace ems::sim {
namespace {

constexpr double kDesignC = -12;
constexpr double kMinModulation = 0.3;  // below this share of rated, on/off cycles
constexpr std::int64_t kCycleMs = 40 * 60 * 1000;
constexpr double kHotWaterShareOfRated = 0.6;
constexpr double kMorningHotWaterShare = 0.6;

double HeatingCop(double outdoor_c) { return std::clamp(3.2 + 0.09 * (outdoor_c - 2), 1.8, 5.0); }
// Heating water to ~55 °C: a lower COP than space heating at the same outdoor temperature.
double HotWaterCop(double outdoor_c) { return std::clamp(2.3 + 0.04 * (outdoor_c - 7), 1.7, 3.5); }

}  // namespace

double HeatingDemandW(double outdoor_c, double rated_power_w) {
  if (!(outdoor_c < kHeatingLimitC)) return 0;
  const double design_heat_w = rated_power_w * HeatingCop(kDesignC);
  const double heat_w = design_heat_w * (kHeatingLimitC - outdoor_c) / (kHeatingLimitC - kDesignC);
  return std::min(rated_power_w, heat_w / HeatingCop(outdoor_c));
}

double HotWaterHeatKwh(double outdoor_c) {
  return 7.0 * std::clamp(1.0 + 0.012 * (10.0 - outdoor_c), 0.8, 1.3);
}

HeatPumpModel::HeatPumpModel(HeatPumpSpec spec, std::uint64_t seed) : spec_(spec), seed_(seed) {}

void HeatPumpModel::Step(Timestamp now, const LocalTime& lt, const WeatherSample& weather) {
  const double outdoor_c = weather.temperature_c;
  const double h = lt.hour;
  const double rated = spec_.rated_power_w;

  // Hot water: two reheats a day at times drawn per local day.
  Draws rng(MixSeed(seed_, static_cast<std::uint64_t>(lt.day)));
  const double morning_h = rng.Uniform(5.0, 6.5);
  const double evening_h = rng.Uniform(18.0, 20.5);
  const double draw_w = kHotWaterShareOfRated * rated;
  const double day_hours = HotWaterHeatKwh(outdoor_c) * 1000.0 / (draw_w * HotWaterCop(outdoor_c));
  const double morning_len = day_hours * kMorningHotWaterShare;
  const double evening_len = day_hours - morning_len;
  const double jitter = 0.98 + 0.04 * HashUniform(MixSeed(seed_, ToMillis(now) / 10000));
  if ((h >= morning_h && h < morning_h + morning_len) ||
      (h >= evening_h && h < evening_h + evening_len)) {
    hot_water_w_ = draw_w * jitter;
    power_w_ = -hot_water_w_;
    return;
  }
  hot_water_w_ = 0;

  double demand_w = HeatingDemandW(weather.daily_mean_c, rated);
  if (h >= 22 || h < 5) {
    demand_w *= 0.85;  // night set-back
  } else if (h < 8) {
    demand_w = std::min(rated, demand_w * 1.15);  // morning recovery
  }
  if (spec_.cooling && outdoor_c > kCoolingLimitC && h >= 10 && h < 23) {
    demand_w = rated * std::clamp((outdoor_c - kCoolingLimitC) / 12.0, 0.0, 1.0);
  }
  const double min_w = kMinModulation * rated;
  double draw = 0;
  if (demand_w >= min_w) {
    draw = demand_w * jitter;
  } else if (demand_w > 0) {
    const double phase = HashUniform(seed_);
    const double position =
        std::fmod(static_cast<double>(ToMillis(now) % kCycleMs) / kCycleMs + phase, 1.0);
    draw = position < demand_w / min_w ? min_w * jitter : 0;
  }
  power_w_ = -std::min(draw, rated) + 0.0;
}

}  // namespace ems::sim
