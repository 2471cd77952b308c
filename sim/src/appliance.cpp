#include "ems/sim/appliance.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numeric>

#include "ems/sim/common.h"

namespace ems::sim {
namespace {

struct Phase {
  double minutes;
  double power_w;  // < 0: this share of the running power (a heating phase)
};
constexpr double kHeating = -1;
constexpr std::array<Phase, 6> kDishwasherProgramme{{
    {8, 45},         // pre-rinse: pump
    {18, kHeating},  // main wash heating
    {35, 75},        // wash: circulation pump
    {12, kHeating},  // hot rinse heating
    {15, 65},        // rinse
    {30, 8},         // condensation drying
}};
constexpr std::array<Phase, 5> kWasherProgramme{{
    {5, 15},         // fill
    {15, kHeating},  // heating
    {40, 180},       // wash: drum turning both ways
    {20, 120},       // rinses
    {10, 450},       // spin
}};
constexpr std::array<Phase, 2> kDryerProgramme{{
    {45, kHeating},  // heating and tumbling
    {10, 200},       // cool-down tumbling
}};
constexpr double kStandbyW = 0.5;
constexpr double kFridgeIdleW = 1.5;
constexpr double kKettleW = 2000;
constexpr double kKettleMinutes = 3;  // mean of 2–4
constexpr double kHobHighW = 2000, kHobLowW = 1200, kHobHighShare = 0.6;
constexpr double kCookingChance = 0.7;
constexpr double kCookingHours = 0.55;  // mean of 0.35–0.75
constexpr double kWashToDryHours = 1.6;
constexpr double kDryAfterWashChance = 0.8;
constexpr std::chrono::seconds kFridgeCycle{2700};

// EU household base load (W) by local hour: night standby, breakfast, a lower day, the evening
// peak. About 5.4 kWh a day.
constexpr std::array<double, 24> kBaseLoadProfile{100, 95,  90,  90,  95,  130, 240, 320,
                                                  280, 200, 180, 190, 250, 200, 180, 180,
                                                  240, 360, 440, 460, 400, 330, 240, 150};
// Kettle bursts per hour by local hour.
constexpr std::array<double, 24> kKettleRate{0,    0,   0,    0,    0,    0.05, 0.3,  0.35,
                                             0.25, 0.1, 0.1,  0.05, 0.1,  0.05, 0.05, 0.15,
                                             0.15, 0.1, 0.15, 0.2,  0.15, 0.1,  0.05, 0.01};

std::span<const Phase> ProgrammeOf(ApplianceKind kind) {
  switch (kind) {
    case ApplianceKind::kDishwasher:
      return kDishwasherProgramme;
    case ApplianceKind::kWashingMachine:
      return kWasherProgramme;
    default:
      return kDryerProgramme;
  }
}

double ProgrammeHours(ApplianceKind kind) {
  double minutes = 0;
  for (const Phase& p : ProgrammeOf(kind)) minutes += p.minutes;
  return minutes / 60.0;
}

// Linear interpolation in a 24-entry table indexed by local hour, wrapping at midnight.
double HourlyProfile(const std::array<double, 24>& table, double hour) {
  const int h = static_cast<int>(hour) % 24;
  const double frac = hour - std::floor(hour);
  return table[static_cast<std::size_t>(h)] +
         (table[static_cast<std::size_t>((h + 1) % 24)] - table[static_cast<std::size_t>(h)]) *
             frac;
}

double Mean(const std::array<double, 24>& table) {
  return std::accumulate(table.begin(), table.end(), 0.0) / 24.0;
}

constexpr std::array<ApplianceKind, 4> kEuAppliances{
    ApplianceKind::kFridge, ApplianceKind::kDishwasher, ApplianceKind::kWashingMachine,
    ApplianceKind::kBaseLoad};
constexpr std::array<ApplianceKind, 5> kWithDryer{
    ApplianceKind::kFridge, ApplianceKind::kDishwasher, ApplianceKind::kWashingMachine,
    ApplianceKind::kDryer, ApplianceKind::kBaseLoad};

}  // namespace

std::span<const ApplianceKind> AppliancesOf(const HouseholdProfile& profile) {
  if (profile.dryer) return kWithDryer;
  return kEuAppliances;
}

double RunningPowerW(ApplianceKind kind, const HouseholdProfile& profile) {
  switch (kind) {
    case ApplianceKind::kFridge:
      return profile.fridge_w;
    case ApplianceKind::kDishwasher:
      return 1800;
    case ApplianceKind::kWashingMachine:
      return 2000;
    case ApplianceKind::kDryer:
      return 2800;
    case ApplianceKind::kBaseLoad: {
      const double kettle_w = Mean(kKettleRate) * kKettleMinutes / 60.0 * kKettleW;
      const double hob_w = kHobHighShare * kHobHighW + (1 - kHobHighShare) * kHobLowW;
      const double cooking_w = kCookingChance * kCookingHours * hob_w / 24.0;
      return std::round((Mean(kBaseLoadProfile) + cooking_w) * profile.base_load_scale + kettle_w);
    }
  }
  return 1;
}

ApplianceModel::ApplianceModel(ApplianceKind kind, HouseholdProfile profile, std::uint64_t seed)
    : kind_(kind), profile_(profile), seed_(seed) {}

ApplianceModel::DayPlan ApplianceModel::PlanFor(std::int64_t day, int weekday) const {
  // One generator per (household, day, kind); the dryer reads the washer's plan.
  const auto rng_of = [&](ApplianceKind k) {
    return Draws(
        MixSeed(seed_, static_cast<std::uint64_t>(day), static_cast<std::uint64_t>(k) + 1));
  };
  DayPlan plan;
  switch (kind_) {
    case ApplianceKind::kDishwasher: {
      auto rng = rng_of(kind_);
      plan.run = rng.Chance(0.75);
      plan.start_h = rng.Chance(0.8) ? rng.Uniform(19.5, 22.0) : rng.Uniform(13.0, 14.5);
      break;
    }
    case ApplianceKind::kWashingMachine: {
      auto rng = rng_of(kind_);
      plan.run = rng.Chance(weekday < 5 ? profile_.washes_per_day : 1.3 * profile_.washes_per_day);
      plan.start_h = rng.Chance(0.5) ? rng.Uniform(8.5, 11.0) : rng.Uniform(17.0, 19.5);
      break;
    }
    case ApplianceKind::kDryer: {
      ApplianceModel washer(ApplianceKind::kWashingMachine, profile_, seed_);
      const DayPlan wash = washer.PlanFor(day, weekday);
      auto rng = rng_of(kind_);
      plan.run = wash.run && rng.Chance(kDryAfterWashChance);
      plan.start_h = wash.start_h + kWashToDryHours;
      break;
    }
    case ApplianceKind::kBaseLoad: {
      auto rng = rng_of(kind_);
      if (rng.Chance(kCookingChance)) {
        plan.cook_start_h = rng.Uniform(17.5, 19.3);
        plan.cook_h = rng.Uniform(0.35, 0.75);
      }
      break;
    }
    case ApplianceKind::kFridge:
      break;
  }
  return plan;
}

void ApplianceModel::Step(Timestamp now, const LocalTime& lt) {
  switch (kind_) {
    case ApplianceKind::kFridge:
      power_w_ = -FridgeDraw(now);
      break;
    case ApplianceKind::kBaseLoad:
      power_w_ = -BaseLoadDraw(now, lt);
      break;
    default:
      power_w_ = -ProgrammeDraw(now, lt);
      break;
  }
}

double ApplianceModel::FridgeDraw(Timestamp now) {
  const std::int64_t cycle_ms = std::chrono::duration_cast<Millis>(kFridgeCycle).count();
  const std::int64_t k = FloorDiv(ToMillis(now), cycle_ms);
  const double position = static_cast<double>(ToMillis(now) - k * cycle_ms) / cycle_ms;
  const std::uint64_t key = MixSeed(seed_, static_cast<std::uint64_t>(k));
  const double duty = 0.28 + 0.12 * HashUniform(key);
  running_ = position < duty;
  if (!running_) return kFridgeIdleW;
  return profile_.fridge_w * (0.9 + 0.2 * HashUniform(key + 1));
}

double ApplianceModel::ProgrammeDraw(Timestamp now, const LocalTime& lt) {
  running_ = false;
  const double length_h = ProgrammeHours(kind_);
  // Today's run, or yesterday's still going after midnight.
  for (const std::int64_t day_back : {0, 1}) {
    const DayPlan plan = PlanFor(lt.day - day_back, (lt.weekday + 7 - day_back) % 7);
    const double elapsed_h = lt.hour + 24.0 * static_cast<double>(day_back) - plan.start_h;
    if (!plan.run || elapsed_h < 0 || elapsed_h >= length_h) continue;
    running_ = true;
    double elapsed_min = elapsed_h * 60.0;
    for (const Phase& phase : ProgrammeOf(kind_)) {
      if (elapsed_min < phase.minutes) {
        const double nominal =
            phase.power_w == kHeating ? RunningPowerW(kind_, profile_) : phase.power_w;
        // ±3 % from instant to instant: mains voltage, motor load.
        const double jitter = 0.97 + 0.06 * HashUniform(MixSeed(seed_, ToMillis(now) / 1000));
        return nominal * jitter;
      }
      elapsed_min -= phase.minutes;
    }
  }
  return kStandbyW;
}

double ApplianceModel::BaseLoadDraw(Timestamp now, const LocalTime& lt) {
  const double h = lt.hour;
  const double noise = SmoothNoise(seed_, now, std::chrono::minutes(30));
  double draw = HourlyProfile(kBaseLoadProfile, h) * profile_.base_load_scale *
                std::max(0.5, 1.0 + 0.15 * noise);
  // Kettle: in each quarter hour, a burst with the hour's rate; when and how long from the draw.
  constexpr std::int64_t kQuarterMs = 15 * 60 * 1000;
  const std::int64_t quarter = FloorDiv(ToMillis(now), kQuarterMs);
  const std::uint64_t key = MixSeed(seed_, static_cast<std::uint64_t>(quarter), 0x6b);
  const double rate = kKettleRate[static_cast<std::size_t>(h) % 24];
  if (HashUniform(key) < rate / 4.0) {
    const double minutes = 2.0 + 2.0 * HashUniform(key + 1);
    const double offset = (15.0 - minutes) * HashUniform(key + 2);
    const double into = static_cast<double>(ToMillis(now) - quarter * kQuarterMs) / 60000.0;
    if (into >= offset && into < offset + minutes) draw += kKettleW;
  }
  const DayPlan plan = PlanFor(lt.day, lt.weekday);
  running_ = plan.cook_h > 0 && h >= plan.cook_start_h && h < plan.cook_start_h + plan.cook_h;
  if (running_) {
    // Hob plates switching on and off, every 30 s.
    const bool high = HashUniform(MixSeed(seed_, ToMillis(now) / 30000, 0x60b)) < kHobHighShare;
    draw += (high ? kHobHighW : kHobLowW) * profile_.base_load_scale;
  }
  return draw;
}

}  // namespace ems::sim
