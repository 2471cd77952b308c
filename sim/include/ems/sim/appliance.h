// The household's appliances, each a pure function of time: its draw at an instant follows from
// the local calendar and draws keyed by (seed, day or instant), with no state at all.
//
// - fridge: compressor cycles of 45 minutes, on for about a third of each at its running power;
// - dishwasher: most days one ~2 h run in the evening (sometimes after lunch): two heating phases
//   at its running power, pump and drying phases below 100 W;
// - washing machine: a ~1.5 h run on about 60 % of days, morning or early evening: heating at its
//   running power, then drum and spin;
// - clothes dryer (US homes): a ~1 h run after most washes, heating at its running power;
// - base load: lighting, electronics, cooking and kettles: a night standby, morning and evening
//   peaks, short 2 kW kettle bursts and a dinner cooking block.
// The `average_power_w` property of an appliance's meta is its running power (what it draws while
// running: a dishwasher about 1800 W); for the base load, which always runs, its daily mean.
//
// Households differ by region (HouseholdProfile): a US home uses about twice the electricity of
// an EU home, apart from heating and the car.
#pragma once

#include <cstdint>
#include <span>

#include "ems/domain/time.h"
#include "ems/sim/local_clock.h"

namespace ems::sim {

enum class ApplianceKind { kFridge, kDishwasher, kWashingMachine, kDryer, kBaseLoad };

struct HouseholdProfile {
  double base_load_scale = 1.0;  // × the EU base-load profile (≈ 5 kWh/day)
  double fridge_w = 120;         // compressor running power
  double washes_per_day = 0.6;   // chance of a wash on a day
  bool dryer = false;            // a tumble dryer runs after most washes
};

// The appliances of a household with `profile`, in the order a site lists them.
std::span<const ApplianceKind> AppliancesOf(const HouseholdProfile& profile);

// What it draws while running, W (> 0): the `average_power_w` of its meta.
double RunningPowerW(ApplianceKind kind, const HouseholdProfile& profile);

class ApplianceModel {
 public:
  ApplianceModel(ApplianceKind kind, HouseholdProfile profile, std::uint64_t seed);
  // Sets the draw at `now` (local time `lt`).
  void Step(Timestamp now, const LocalTime& lt);

  double power_w() const { return power_w_; }  // ≤ 0
  bool running() const { return running_; }    // a programme or the compressor is on
  ApplianceKind kind() const { return kind_; }

 private:
  struct DayPlan {
    bool run = false;                     // programme appliances: a run that day
    double start_h = 0;                   // …starting at this local hour
    double cook_start_h = 0, cook_h = 0;  // base load: dinner cooking block (cook_h 0 = none)
  };
  DayPlan PlanFor(std::int64_t day, int weekday) const;
  double ProgrammeDraw(Timestamp now, const LocalTime& lt);
  double FridgeDraw(Timestamp now);
  double BaseLoadDraw(Timestamp now, const LocalTime& lt);

  ApplianceKind kind_;
  HouseholdProfile profile_;
  std::uint64_t seed_;
  double power_w_ = 0;
  bool running_ = false;
};

}  // namespace ems::sim
