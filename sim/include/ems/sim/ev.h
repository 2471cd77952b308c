// A commuter's electric car that follows the charging schedule the product made for it.
//
// Trips: weekdays it leaves between 7:00 and 8:00 local and returns between 17:00 and 19:00; on
// some weekend days it makes a shorter outing. It loses charge only while driving (the first and
// last part of a trip). Away from home it never charges (power 0, mode idle).
//
// At home it charges at its full power (the wallbox's limit) when:
// - a schedule speaks for the instant (CommandAt): inside the override hour, or inside a slot and
//   not paused — until the battery is full; never while the schedule holds it back;
// - no schedule speaks (none received, or the last slot is over): "charge on arrival", from
//   the moment it comes home until it reaches its charge limit, once per arrival.
// With vehicle-to-home (max_discharge_w > 0) and a schedule in force, it supplies the home's
// deficit during the evening peak (17–22 h) while above its floor and not charging.
//
// Pure apart from its state (EvState and the schedules it was given): the same inputs give the
// same outputs; calendar draws come from (seed, local day).
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include "ems/domain/charging_schedule.h"
#include "ems/domain/time.h"
#include "ems/sim/local_clock.h"

namespace ems::sim {

enum class EvMode { kIdle, kCharging, kDischarging };
std::string_view ToString(EvMode m);  // "idle", "charging", "discharging"

struct EvSpec {
  double battery_capacity_wh = 60000;
  double max_charge_w = 11000;    // what car and wallbox manage together
  double max_discharge_w = 0;     // 0 = no vehicle-to-home
  double charge_limit_pct = 80;   // charging on arrival stops here
  double v2h_floor_soc_pct = 50;  // vehicle-to-home keeps at least this for the next trip
  double consumption_wh_per_km = 175;
  double efficiency = 0.92;  // charger losses: the battery gains this share of the grid energy
  // What the owner registered as the car's charge power (the wallbox's rating), when it differs
  // from what car and wallbox really manage (max_charge_w); 0: the same. The product learns the
  // real power from the telemetry (docs/decisions.md "Measured charge power").
  double nominal_charge_w = 0;
};

// What a schedule tells the car at instant t:
// - kCharge inside the override window, or inside a slot and not inside the pause;
// - kHold at any other instant while the schedule is in force (a manual schedule until its last
//   slot ends, a planned one until its ready_by), and during a pause;
// - kNone when the schedule has nothing to say (no slots left, no pause, no override): the car
//   does what it does without one.
enum class ScheduleCommand { kNone, kCharge, kHold };
ScheduleCommand CommandAt(const ScheduleView& view, Timestamp t);

// What a restart must restore (with the schedules).
struct EvState {
  double stored_wh = 0;
  bool at_home = true;
  bool arrival_charge_done = false;  // reached the charge limit since it last came home
  friend bool operator==(const EvState&, const EvState&) = default;
};

// A schedule the car follows from instant `from` on (the simulated instant it was received).
struct FollowedSchedule {
  Timestamp from;
  ScheduleView view;
  friend bool operator==(const FollowedSchedule&, const FollowedSchedule&) = default;
};

class EvModel {
 public:
  EvModel(EvSpec spec, std::uint64_t seed, EvState state);

  // Follows `view` from `from` on; a later call supersedes it from its own `from`.
  void Follow(ScheduleView view, Timestamp from);

  // First moves the energy of the previous step's power (and driving) over dt, then decides the
  // power at `now`. `site_balance_w` is the sum of the other home devices (for vehicle-to-home).
  void Step(Timestamp now, Millis dt, const LocalTime& lt, double site_balance_w);

  double power_w() const { return power_w_; }
  double charge_w() const { return power_w_ < 0 ? -power_w_ : 0.0; }  // what the wallbox meters
  double soc_pct() const;
  EvMode mode() const { return mode_; }
  bool at_home() const { return state_.at_home; }
  const EvState& state() const { return state_; }
  const std::deque<FollowedSchedule>& schedules() const { return schedules_; }
  const EvSpec& spec() const { return spec_; }

 private:
  struct DayPlan {
    bool trip = false;
    double depart_h = 0, return_h = 0;         // local hours
    double drive_out_h = 0, drive_back_h = 0;  // durations of the two drives, hours
    double drive_power_w = 0;                  // battery drain while driving
  };
  DayPlan PlanFor(const LocalTime& lt) const;
  ScheduleCommand Command(Timestamp now);

  EvSpec spec_;
  std::uint64_t seed_;
  EvState state_;
  std::deque<FollowedSchedule> schedules_;  // by `from`; the first is in force once reached
  std::int64_t plan_day_ = -1;
  DayPlan plan_;
  double power_w_ = 0;
  double drain_w_ = 0;
  EvMode mode_ = EvMode::kIdle;
};

}  // namespace ems::sim
