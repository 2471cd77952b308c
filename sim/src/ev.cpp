#include "ems/sim/ev.h"

#include <algorithm>
#include <utility>

#include "ems/sim/common.h"

namespace ems::sim {
namespace {

bool Inside(const ChargingSlot& window, Timestamp t) { return window.start <= t && t < window.end; }

}  // namespace

std::string_view ToString(EvMode m) {
  switch (m) {
    case EvMode::kIdle:
      return "idle";
    case EvMode::kCharging:
      return "charging";
    case EvMode::kDischarging:
      return "discharging";
  }
  return "idle";
}

ScheduleCommand CommandAt(const ScheduleView& view, Timestamp t) {
  if (view.override_window && Inside(*view.override_window, t)) return ScheduleCommand::kCharge;
  const bool paused = view.paused_until && t < *view.paused_until;
  bool in_force = view.mode == ScheduleMode::kPlanned && view.goal && t < view.goal->ready_by;
  for (const SlotProjection& s : view.slots) {
    if (Inside(s.slot, t)) return paused ? ScheduleCommand::kHold : ScheduleCommand::kCharge;
    in_force = in_force || t < s.slot.end;
  }
  return in_force || paused ? ScheduleCommand::kHold : ScheduleCommand::kNone;
}

EvModel::EvModel(EvSpec spec, std::uint64_t seed, EvState state)
    : spec_(spec), seed_(seed), state_(state) {
  state_.stored_wh = std::clamp(state_.stored_wh, 0.0, spec_.battery_capacity_wh);
}

double EvModel::soc_pct() const {
  return std::clamp(100.0 * state_.stored_wh / spec_.battery_capacity_wh, 0.0, 100.0);
}

void EvModel::Follow(ScheduleView view, Timestamp from) {
  // A schedule received earlier in simulated time than one already queued replaces it too.
  while (!schedules_.empty() && schedules_.back().from >= from) schedules_.pop_back();
  schedules_.push_back({from, std::move(view)});
}

EvModel::DayPlan EvModel::PlanFor(const LocalTime& lt) const {
  Draws rng(MixSeed(seed_, static_cast<std::uint64_t>(lt.day)));
  DayPlan plan;
  double km = 0;
  if (lt.weekday < 5) {  // commute
    plan.trip = true;
    plan.depart_h = rng.Uniform(7.0, 8.0);
    plan.return_h = rng.Uniform(17.0, 19.0);
    km = rng.Uniform(12, 35);
  } else if (rng.Chance(0.45)) {  // a weekend outing
    plan.trip = true;
    plan.depart_h = rng.Uniform(9.5, 12.0);
    plan.return_h = rng.Uniform(14.0, 18.5);
    km = rng.Uniform(20, 80);
  }
  const double speed_kmh = rng.Uniform(35, 55);
  plan.drive_out_h = km / speed_kmh;
  plan.drive_back_h = km / speed_kmh * rng.Uniform(0.9, 1.3);  // evening traffic
  plan.drive_power_w = spec_.consumption_wh_per_km * speed_kmh;
  return plan;
}

ScheduleCommand EvModel::Command(Timestamp now) {
  while (schedules_.size() > 1 && schedules_[1].from <= now) schedules_.pop_front();
  if (schedules_.empty() || schedules_.front().from > now) return ScheduleCommand::kNone;
  return CommandAt(schedules_.front().view, now);
}

void EvModel::Step(Timestamp now, Millis dt, const LocalTime& lt, double balance_w) {
  const double dt_h = Hours(dt);
  const double cap = spec_.battery_capacity_wh;
  double& stored = state_.stored_wh;
  if (power_w_ < 0) {
    stored = std::min(cap, stored - power_w_ * spec_.efficiency * dt_h);
  } else {
    stored = std::max(0.0, stored - power_w_ / spec_.efficiency * dt_h);
  }
  stored = std::max(0.0, stored - drain_w_ * dt_h);

  if (lt.day != plan_day_) {
    plan_ = PlanFor(lt);
    plan_day_ = lt.day;
  }
  const double h = lt.hour;
  power_w_ = 0;
  drain_w_ = 0;
  mode_ = EvMode::kIdle;
  if (plan_.trip && h >= plan_.depart_h && h < plan_.return_h) {
    state_.at_home = false;
    const bool driving =
        h < plan_.depart_h + plan_.drive_out_h || h >= plan_.return_h - plan_.drive_back_h;
    if (driving) drain_w_ = plan_.drive_power_w;
    return;
  }
  if (!state_.at_home) {  // just came home: plugged in again
    state_.at_home = true;
    state_.arrival_charge_done = false;
  }
  const ScheduleCommand command = Command(now);
  bool charge = false;
  switch (command) {
    case ScheduleCommand::kCharge:
      charge = stored < cap;
      break;
    case ScheduleCommand::kHold:
      break;
    case ScheduleCommand::kNone:
      if (soc_pct() >= spec_.charge_limit_pct) state_.arrival_charge_done = true;
      charge = !state_.arrival_charge_done;
      break;
  }
  if (charge) {
    power_w_ = -spec_.max_charge_w;
    mode_ = EvMode::kCharging;
    return;
  }
  constexpr double kV2hDeadbandW = 50;
  const bool evening_peak = h >= 17.0 && h < 22.0;
  if (command != ScheduleCommand::kNone && spec_.max_discharge_w > 0 && evening_peak &&
      balance_w < -kV2hDeadbandW && stored > cap * spec_.v2h_floor_soc_pct / 100.0) {
    power_w_ = std::min(-balance_w, spec_.max_discharge_w);
    mode_ = EvMode::kDischarging;
  }
}

}  // namespace ems::sim
