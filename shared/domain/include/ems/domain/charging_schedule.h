// EV charging schedules (docs/contract.md §6.6): slots, pause, one-hour override, the projection of
// the state of charge, and the planner that picks the cheapest charging time from a site tariff.
//
// Everything here is pure: no I/O, no clock (`now` is always a parameter), no exceptions for
// expected failures (they are `Result` rejects). Callers can rely on:
//   - state of charge ("soc") is a fraction 0–1 everywhere, never a percentage;
//   - a slot gains max_charge_w × hours / battery_capacity_wh of soc;
//   - time windows are half-open [start, end);
//   - the command functions (Pause, Resume, StartOverride, ApplyAtHome, ApplyScheduleRequest)
//     return the new schedule and never touch fields they are not about.
//
// Typical use by the listener / API:
//   auto request = codec::DecodeScheduleRequest(body);          // validated PUT body
//   schedule = ApplyScheduleRequest(std::move(schedule), *request);
//   if (schedule.goal) schedule.plan = PlanCharging({...});     // planned mode
//   auto view = ViewSchedule(device_id, schedule, ev_state, ev_params, now);
//   codec::EncodeScheduleView(view);                            // GET answer / MQTT payload
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/tariff.h"
#include "ems/domain/time.h"

namespace ems {

// The charging parameters of an `ev` device (its `properties`). Gains are 0 when either value is
// not a positive finite number, so a misconfigured device never projects inf or NaN.
struct EvParams {
  double battery_capacity_wh = 0;
  double max_charge_w = 0;
  friend bool operator==(const EvParams&, const EvParams&) = default;
};

// What the EV reports about itself (telemetry `soc_pct` / 100 and `state.at_home`).
struct EvState {
  double soc = 0;  // 0–1
  bool is_at_home = true;
  friend bool operator==(const EvState&, const EvState&) = default;
};

// A half-open time window [start, end) during which the EV charges at max_charge_w. Also used
// for the override window.
struct ChargingSlot {
  Timestamp start;
  Timestamp end;
  friend bool operator==(const ChargingSlot&, const ChargingSlot&) = default;
};

// soc gained by charging at full power for `duration` (negative durations gain 0).
double SocGain(const EvParams& ev, Millis duration);

// Manual slots as a user sends them: at least one, each ending after it starts, none overlapping
// another (touching ends are fine). Slots may come in any order and may span days; the result
// is sorted by start. Rejects carry kInvalidSchedule and a message naming the slot by
// its 0-based position in the input, e.g. "Slots 'slots[0]' and 'slots[2]' overlap.".
Result<std::vector<ChargingSlot>> ValidateSlots(std::vector<ChargingSlot> slots);

enum class ScheduleMode { kManual, kPlanned };
std::string_view ToString(ScheduleMode mode);  // "manual" / "planned"
std::optional<ScheduleMode> ParseScheduleMode(std::string_view text);

// The goal of a planned schedule: reach `target_soc` (in (0, 1]) by `ready_by`.
struct ChargingGoal {
  double target_soc = 0;
  Timestamp ready_by;
  friend bool operator==(const ChargingGoal&, const ChargingGoal&) = default;
};

// The planner's answer for a goal.
struct ChargingPlan {
  std::vector<ChargingSlot> slots;  // sorted, non-overlapping, adjacent pieces merged
  double projected_soc = 0;         // soc once every slot has run (capped at 1)
  bool target_reachable = true;     // false: the slots are all the time there was
  std::string message;              // one sentence, e.g. "Target 80% cannot be reached by …"
  Timestamp computed_at;            // the `now` the plan was computed at
  friend bool operator==(const ChargingPlan&, const ChargingPlan&) = default;
};

// The stored schedule of one EV: what the user asked for plus the last computed plan.
// Mode is planned exactly when `goal` is set (see ModeOf).
struct ChargingSchedule {
  std::vector<ChargingSlot> slots;        // manual mode: the user's validated slots; planned: empty
  std::optional<ChargingGoal> goal;       // planned mode only
  std::optional<ChargingPlan> plan;       // planned mode: the last computed plan (none until then)
  std::optional<Timestamp> paused_until;  // a pause, possibly already over (see IsPaused)
  std::optional<ChargingSlot> override_window;  // an override, possibly already over
  friend bool operator==(const ChargingSchedule&, const ChargingSchedule&) = default;
};

ScheduleMode ModeOf(const ChargingSchedule& schedule);

// The slots that drive charging: the manual slots, or the plan's slots in planned mode (none
// before the first plan).
std::span<const ChargingSlot> ScheduledSlots(const ChargingSchedule& schedule);

// True while a pause is in force at `now` (paused_until > now).
bool IsPaused(const ChargingSchedule& schedule, Timestamp now);
// The override window if it has not ended at `now`.
std::optional<ChargingSlot> ActiveOverride(const ChargingSchedule& schedule, Timestamp now);

// ---- Commands. Each returns the schedule after the command. ----

// A validated PUT body (see codec::DecodeScheduleRequest): manual slots or a planned goal.
struct ManualScheduleRequest {
  std::vector<ChargingSlot> slots;  // validated by ValidateSlots
  friend bool operator==(const ManualScheduleRequest&, const ManualScheduleRequest&) = default;
};
using ScheduleRequest = std::variant<ManualScheduleRequest, ChargingGoal>;

// Replaces mode, slots and goal, and drops the old plan (a planned schedule needs a new
// PlanCharging). Pause and override are separate commands and are kept.
ChargingSchedule ApplyScheduleRequest(ChargingSchedule schedule, const ScheduleRequest& request);

// Pauses charging until the next local midnight of the site (`site_tz`, DST included) after
// `now`; slots resume after it. Pausing also ends a running override: "stop charging" wins.
ChargingSchedule Pause(ChargingSchedule schedule, Timestamp now, std::string_view site_tz);
// Ends the pause (no-op when not paused).
ChargingSchedule Resume(ChargingSchedule schedule);

// The length of an override.
inline constexpr Millis kOverrideDuration = std::chrono::hours(1);

// "Charge now for one hour": override window [now, now + 1 h), replacing an earlier one. An
// override charges even during a pause (it is the newer, explicit command); the pause stays and
// applies again after the hour. Rejected with kConflict ("The EV is not at home.") when
// the EV is away.
Result<ChargingSchedule> StartOverride(ChargingSchedule schedule, Timestamp now, bool is_at_home);

// The EV arrived (true: nothing changes) or left (false: ends the override, which cannot charge
// a car that is not there and must not resume if it comes back within the hour).
ChargingSchedule ApplyAtHome(ChargingSchedule schedule, bool is_at_home);

// ---- Projection. ----

struct SlotProjection {
  ChargingSlot slot;
  double soc_gained = 0;  // what this slot still adds from `now` on (0 once elapsed)
  friend bool operator==(const SlotProjection&, const SlotProjection&) = default;
};

struct Projection {
  double projected_soc = 0;           // soc + everything below, capped at 1
  std::vector<SlotProjection> slots;  // one per input slot, same order
  double override_soc_gained = 0;     // what the override adds beyond the slots
  friend bool operator==(const Projection&, const Projection&) = default;
};

// Projects the state of charge (docs/contract.md §6.6). The EV charges at instant t ≥ now when it
// is at home and t is inside the override window, or inside a slot and not inside the pause [now,
// paused_until). Consequently:
//   - a partly elapsed slot counts its remaining fraction, an elapsed one 0;
//   - the override counts only the part of its hour no (unpaused) slot covers: each instant
//     is counted once;
//   - away from home nothing is added (projected_soc = min(soc, 1));
//   - charging happens in time order and stops when the battery is full, so a slot after the
//     battery is full gains 0 and projected_soc never exceeds 1.
// `slots` are expected to be non-overlapping (ValidateSlots / PlanCharging guarantee it).
Projection ProjectSoc(std::span<const ChargingSlot> slots, const EvState& state,
                      std::optional<Timestamp> paused_until,
                      std::optional<ChargingSlot> override_window, const EvParams& ev,
                      Timestamp now);

// ---- Planner. ----

struct PlanRequest {
  double soc = 0;     // 0–1
  ChargingGoal goal;  // target_soc in (0, 1]
  EvParams ev;
  const Tariff* tariff = nullptr;  // absent: no tariff known for the site
  Timestamp now;
  std::optional<Timestamp> paused_until;  // if set, charging is planned only from this on
};

// Picks when to charge to reach goal.target_soc from soc, within [max(now, paused_until),
// ready_by):
//   - time the tariff prices is preferred over time it does not cover (a known price beats a
//     guess); among priced time the cheapest first, ties (equal prices) earliest first;
//     uncovered time, and all time without a tariff, earliest first;
//   - a price interval is split when only part of it is needed: its earliest part is taken;
//   - the charging time needed is rounded up to whole minutes;
//   - chosen pieces are sorted and adjacent ones merged into slots.
// Target already reached → no slots. Not enough time (ready_by in the past included) → every
// available minute, target_reachable = false and a message such as
// "Target 80% cannot be reached by 2026-11-22T07:00:00Z; projected 64%.".
ChargingPlan PlanCharging(const PlanRequest& request);

// A planned schedule gets a fresh plan for `now` from the EV's soc and the site's tariff (may be
// null), honouring a pause in force; a manual schedule is returned unchanged. The one way both
// the API (after a user's change) and the listener (after soc, presence or tariff change) plan.
ChargingSchedule Replan(ChargingSchedule schedule, const EvState& state, const EvParams& ev,
                        const Tariff* tariff, Timestamp now);

// ---- What GET /charging-schedule answers and the schedule topic publishes. ----

struct ScheduleView {
  std::string device_id;
  double soc = 0;
  double projected_soc = 0;
  bool is_at_home = true;
  bool is_paused = false;
  std::optional<Timestamp> paused_until;        // set exactly while paused
  std::optional<ChargingSlot> override_window;  // set exactly while an override runs
  ScheduleMode mode = ScheduleMode::kManual;
  std::vector<SlotProjection> slots;  // ScheduledSlots with what each still adds
  // Planned mode only:
  std::optional<ChargingGoal> goal;
  std::optional<bool> target_reachable;  // unset until the first plan
  std::optional<std::string> plan_message;
  friend bool operator==(const ScheduleView&, const ScheduleView&) = default;
};

// Everything a reader needs about a schedule at `now`; expired pauses and overrides read as
// none.
ScheduleView ViewSchedule(std::string device_id, const ChargingSchedule& schedule,
                          const EvState& state, const EvParams& ev, Timestamp now);

}  // namespace ems
