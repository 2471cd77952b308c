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

#include <cstdint>
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

// The charging parameters of an `ev` device (its `properties`, and what it really drew). Gains
// are 0 when the capacity or the charge power is not a positive finite number, so a
// misconfigured device never projects inf or NaN.
struct EvParams {
  double battery_capacity_wh = 0;
  double max_charge_w = 0;  // nominal
  // What the EV really drew while charging recently (MeasuredChargePower); when set it replaces
  // max_charge_w in every gain (docs/decisions.md "Measured charge power").
  std::optional<double> measured_charge_w;
  // The share of the drawn energy that reaches the battery, in (0, 1]; property
  // `charge_efficiency`, 1 when not set.
  double efficiency = 1.0;
  friend bool operator==(const EvParams&, const EvParams&) = default;
};

// The power the EV charges at: the measured power when known (positive, finite), else nominal.
double ChargePowerW(const EvParams& ev);

// Hours of telemetry below this draw are not charging (standby, a trickle at the very end).
inline constexpr double kMinChargingDrawW = 1'000;

// The power an EV really draws while charging, from its recent telemetry: the strongest draw of
// each hour (the `min` of `power_w` per hour, negative while charging). Hours drawing at least
// kMinChargingDrawW count; with at least 3 of them the answer is their median draw (a positive
// number of watts: robust to a spike and to the taper of a full battery), else nullopt (the
// nominal power applies).
std::optional<double> MeasuredChargePower(std::span<const double> hourly_min_power_w);

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

// soc gained by charging at ChargePowerW × efficiency for `duration` (negative durations gain 0).
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

// Why a plan is what it is: the power and efficiency it assumed, what it is expected to cost,
// and, when the target cannot be reached, the short reason ("needs 7.5 h at 11 kW, 5 h left").
struct PlanExplanation {
  double charge_power_w = 0;    // ChargePowerW of the EV when planned
  bool power_measured = false;  // true: from the EV's telemetry, false: nominal max_charge_w
  double efficiency = 1.0;
  // Σ over the chosen time of charge_power_w × hours / 1000 × the price then; nullopt when part of
  // the chosen time has no price (or there is no tariff): a cost is never half-guessed.
  std::optional<double> expected_cost;
  std::string currency;  // the tariff's; empty without a tariff
  std::string reason;    // empty when the target is reachable
  friend bool operator==(const PlanExplanation&, const PlanExplanation&) = default;
};

// A recurring plan (docs/contract.md §6.6, docs/decisions.md "Recurring plans"): "80 % by 07:00 on
// weekdays", in the site's local time. Each occurrence is planned as a goal in turn.
struct RecurringRule {
  std::uint8_t days = 0;    // bit d set: weekday d (0 = Monday … 6 = Sunday)
  int ready_by_minute = 0;  // site-local minutes after midnight, 0–1439
  double target_soc = 0;    // (0, 1]
  friend bool operator==(const RecurringRule&, const RecurringRule&) = default;
};

inline constexpr std::size_t kMaxRecurringRules = 14;
inline constexpr std::size_t kMaxSkippedDates = 50;

struct RecurringPlan {
  std::vector<RecurringRule> repeat;  // 1 to kMaxRecurringRules rules
  std::vector<Date> skip;             // site-local dates without an occurrence, sorted, unique
  friend bool operator==(const RecurringPlan&, const RecurringPlan&) = default;
};

// A rolling goal: always be able to reach `target_soc` within `within` from now.
struct RollingGoal {
  double target_soc = 0;  // (0, 1]
  Millis within{0};       // (0, 7 days]
  friend bool operator==(const RollingGoal&, const RollingGoal&) = default;
};

// The planner's answer for a goal.
struct ChargingPlan {
  std::vector<ChargingSlot> slots;  // sorted, non-overlapping, adjacent pieces merged
  double projected_soc = 0;         // soc once every slot has run (capped at 1): at ready_by
  bool target_reachable = true;     // false: the slots are all the time there was
  std::string message;              // one sentence, e.g. "Target 80% cannot be reached by …"
  Timestamp computed_at;            // the `now` the plan was computed at
  PlanExplanation explanation;
  friend bool operator==(const ChargingPlan&, const ChargingPlan&) = default;
};

// The stored schedule of one EV: what the user asked for plus the last computed plan.
// Mode is planned exactly when `goal` is set (see ModeOf).
struct ChargingSchedule {
  std::vector<ChargingSlot> slots;  // manual mode: the user's validated slots; planned: empty
  // Planned mode only: the goal the plan is for — the user's one-off goal, or the occurrence of
  // the recurring plan / the rolling goal that Replan resolved last.
  std::optional<ChargingGoal> goal;
  std::optional<RecurringPlan> recurring;  // a recurring plan (planned mode)
  std::optional<ChargingGoal> one_off;     // with `recurring`: a one-off goal for its day
  std::optional<RollingGoal> rolling;      // a rolling goal (planned mode)
  std::optional<ChargingPlan> plan;        // planned mode: the last computed plan (none until then)
  std::optional<Timestamp> paused_until;   // a pause, possibly already over (see IsPaused)
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
using ScheduleRequest =
    std::variant<ManualScheduleRequest, ChargingGoal, RecurringPlan, RollingGoal>;

// Replaces mode, slots and goals, and drops the old plan (a planned schedule needs a new
// PlanCharging). Pause and override are separate commands and are kept. One exception: a
// one-off goal sent while a recurring plan is set keeps the recurring plan and takes precedence
// for the site-local day of its ready_by (ResolveGoal); once that passed, the recurring plan
// goes on. A recurring plan or rolling goal leaves `goal` unset until Replan resolves it.
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
// Price intervals may have any length (hourly, quarter-hour, mixed within a day, the 92 or 100
// quarter hours of a DST day): the planner works on UTC instants only.
// Target already reached → no slots. Not enough time (ready_by in the past included) → every
// available minute, target_reachable = false, a message such as
// "Target 80% cannot be reached by 2026-11-22T07:00:00Z; projected 64%." and the explanation's
// reason "needs 7.5 h at 11 kW, 5 h left".
ChargingPlan PlanCharging(const PlanRequest& request);

// The goal to plan for at `now` in the site's zone `site_tz`:
//   - a rolling goal: target_soc by now + within;
//   - a recurring plan: the earliest of the active one-off goal (ready_by after now) and the
//     recurring occurrences after now — site-local (date, ready_by) on a listed weekday, not a
//     skipped date, not the local date of the active one-off (it takes precedence for its day);
//     DST-safe (ems::LocalTimeOf); nullopt when none falls within 400 days;
//   - otherwise the stored goal.
std::optional<ChargingGoal> ResolveGoal(const ChargingSchedule& schedule, Timestamp now,
                                        std::string_view site_tz);

// A planned schedule gets its goal resolved (ResolveGoal) and a fresh plan for `now` from the EV's
// soc and the site's tariff (may be null), honouring a pause in force; a manual schedule is
// returned unchanged. The one way both the API (after a user's change) and the listener (after
// soc, presence or tariff change) plan.
ChargingSchedule Replan(ChargingSchedule schedule, const EvState& state, const EvParams& ev,
                        const Tariff* tariff, Timestamp now, std::string_view site_tz);

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
  // From the last plan (unset until the first): the start of its first slot not yet over, and
  // the plan's explanation and projected soc at ready_by.
  std::optional<Timestamp> next_start;
  std::optional<PlanExplanation> explanation;
  std::optional<double> expected_soc_at_ready_by;
  std::optional<RecurringPlan> recurring;
  std::optional<RollingGoal> rolling;
  friend bool operator==(const ScheduleView&, const ScheduleView&) = default;
};

// Everything a reader needs about a schedule at `now`; expired pauses and overrides read as
// none.
ScheduleView ViewSchedule(std::string device_id, const ChargingSchedule& schedule,
                          const EvState& state, const EvParams& ev, Timestamp now);

}  // namespace ems
