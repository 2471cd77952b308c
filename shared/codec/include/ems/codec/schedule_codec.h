// JSON codecs of EV charging schedules (docs/contract.md §6.6, §4.3): the PUT body, the GET answer
// (also the retained payload of `{p}/sites/{site}/devices/{ev}/schedule`) and its decoder, and the
// EV parameters read from an `ev` device's properties.
//
// Rejects carry kInvalidSchedule (or kInvalidDevice for EV properties), and
// kInvalidJson for text that is not a JSON object; the API answers kInvalidJson with 400 and
// every other reason with 422. Messages name the field, e.g. "Field 'slots[1].end' must be an
// RFC 3339 timestamp.".
#pragma once

#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/domain/charging_schedule.h"
#include "ems/domain/result.h"

namespace ems::codec {

// Largest schedule request accepted (hundreds of slots).
inline constexpr std::size_t kMaxScheduleBytes = 64 << 10;
// Longest horizon of a rolling goal.
inline constexpr double kMaxRollingHours = 168;

// The PUT body, validated, ready for ApplyScheduleRequest:
//   {"slots": [{"start": "...", "end": "..."}, ...]}  → ManualScheduleRequest, slots checked by
//                                                       ValidateSlots (non-empty, end > start,
//                                                       no overlap) and sorted by start;
//   {"target_soc": 0.8, "ready_by": "..."}           → ChargingGoal, target_soc in (0, 1].
//   {"repeat": [{"days": ["mon", …], "ready_by": "07:00", "target_soc": 0.8}],
//    "skip": ["2026-12-24"]}                          → RecurringPlan: 1–14 rules, days of
//                                                       mon…sun, a site-local HH:MM, at most 50
//                                                       skipped dates (sorted, duplicates dropped);
//   {"target_soc": 0.6, "within_hours": 12}          → RollingGoal, within_hours in (0, 168].
// Two forms at once, or none, is rejected. Null counts as absent; other fields are ignored.
// ready_by in the past is accepted here (the codec has no clock): the planner then reports the
// target as unreachable.
Result<ScheduleRequest> DecodeScheduleRequest(std::string_view text);
Result<ScheduleRequest> DecodeScheduleRequestJson(const Json& obj);  // an already parsed body

// The GET answer:
//   {"device_id", "soc": 0.5, "projected_soc": 0.7, "is_at_home": true, "is_paused": false,
//    "paused_until": "..."|null, "override": {"start", "end"}|null, "mode": "manual"|"planned",
//    "slots": [{"start", "end", "soc_gained"}]}
// and, in planned mode only, four more fields:
//   "target_soc": 0.8, "ready_by": "...",
//   "target_reachable": true|false|null  (null until the first plan is computed),
//   "plan_message": "Target 80% cannot be reached by …; projected 64%."|null,
// and the plan's explanation (null until the first plan, docs/contract.md §6.6 and
// docs/decisions.md "Explained plans"):
//   "next_start": the start of the first slot not yet over|null, "expected_cost": 2.35|null
//   (rounded to cents; null without a price for all the chosen time), "currency": "EUR"|null,
//   "expected_soc_at_ready_by": 0.8, "reason": "needs 7.5 h at 11 kW, 5 h left"|null (null when
//   reachable), "charge_power_w": 7400, "power_source": "measured"|"nominal", "efficiency": 0.9;
// and the recurring plan {"repeat", "skip"}|null and rolling goal {"target_soc",
// "within_hours"}|null as they were set (target_soc / ready_by then name the occurrence planned).
// soc values are fractions rounded to 4 decimals (0.01 percentage points), so float noise such
// as 0.30000000000000004 reads 0.3. paused_until is null unless paused; override is null unless
// running.
Json EncodeScheduleView(const ScheduleView& view);

// The inverse, for a client of the schedule topic (the simulated EV follows what it reads):
// every field EncodeScheduleView writes, soc values as rounded there. Rejects (reason
// kInvalidSchedule, kInvalidJson) name the field.
Result<ScheduleView> DecodeScheduleView(std::string_view text);

// EV parameters from an `ev` device's `properties` object: `battery_capacity_wh` and
// `max_charge_w`, both positive finite numbers, and the optional `charge_efficiency` in (0, 1]
// (kInvalidDevice otherwise).
Result<EvParams> DecodeEvParams(const Json& properties);

}  // namespace ems::codec
