#include "ems/domain/charging_schedule.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <utility>

namespace ems {
namespace {

constexpr double kMillisPerHour = 3'600'000.0;
constexpr std::int64_t kMillisPerMinute = 60'000;

std::string SlotName(std::size_t index) { return "'slots[" + std::to_string(index) + "]'"; }

bool Usable(double value) { return std::isfinite(value) && value > 0; }

// soc gained per millisecond at the EV's charge power; 0 for unusable parameters.
double SocPerMilli(const EvParams& ev) {
  const double power = ChargePowerW(ev);
  if (!(Usable(ev.battery_capacity_wh) && Usable(power))) return 0;
  const double efficiency = Usable(ev.efficiency) ? std::min(ev.efficiency, 1.0) : 1.0;
  return power * efficiency / ev.battery_capacity_wh / kMillisPerHour;
}

// "7.5", "5", "11": one decimal, without a trailing ".0".
std::string FormatOneDecimal(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  std::string text = buf;
  if (text.ends_with(".0")) text.resize(text.size() - 2);
  return text;
}

// "80%", or "64.5%" when the fraction is not a whole percentage. `round_down` floors to 0.1 %
// so that a projection just short of the target never prints as the target itself.
std::string FormatPercent(double fraction, bool round_down) {
  const double tenths =
      round_down ? std::floor(fraction * 1000 + 1e-6) : std::round(fraction * 1000);
  char buf[32];
  if (std::fmod(tenths, 10) == 0) {
    std::snprintf(buf, sizeof buf, "%.0f%%", tenths / 10);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f%%", tenths / 10);
  }
  return buf;
}

// A piece of time during which the EV charges, attributed to a slot (index) or the override.
struct ChargingPiece {
  Timestamp start;
  Timestamp end;
  std::ptrdiff_t owner;  // slot index, or kOverrideOwner
};
constexpr std::ptrdiff_t kOverrideOwner = -1;

// A piece of the planning window with its price (nullopt: the tariff does not cover it).
struct PlanPiece {
  Timestamp start;
  Timestamp end;
  std::optional<double> price;
};

std::vector<PlanPiece> PlanPieces(const Tariff* tariff, Timestamp window_start,
                                  Timestamp window_end) {
  std::vector<PlanPiece> pieces;
  if (window_end <= window_start) return pieces;
  Timestamp cursor = window_start;
  if (tariff != nullptr) {
    std::vector<TariffPrice> prices = tariff->prices;
    // The codec guarantees sorted, non-overlapping prices; sorting again keeps the planner
    // correct for any input, and the cursor makes an earlier interval win over an overlap.
    std::ranges::stable_sort(prices, {}, &TariffPrice::start);
    for (const TariffPrice& p : prices) {
      const Timestamp start = std::max(p.start, cursor);
      const Timestamp end = std::min(p.end, window_end);
      if (end <= start) continue;
      if (start > cursor) pieces.push_back({cursor, start, std::nullopt});
      pieces.push_back({start, end, p.price_per_kwh});
      cursor = end;
    }
  }
  if (cursor < window_end) pieces.push_back({cursor, window_end, std::nullopt});
  return pieces;
}

std::vector<ChargingSlot> MergeAdjacent(std::vector<ChargingSlot> slots) {
  std::ranges::sort(slots, {}, &ChargingSlot::start);
  std::vector<ChargingSlot> merged;
  for (const ChargingSlot& s : slots) {
    if (!merged.empty() && merged.back().end >= s.start) {
      merged.back().end = std::max(merged.back().end, s.end);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

}  // namespace

double ChargePowerW(const EvParams& ev) {
  if (ev.measured_charge_w && Usable(*ev.measured_charge_w)) return *ev.measured_charge_w;
  return ev.max_charge_w;
}

std::optional<double> MeasuredChargePower(std::span<const double> hourly_min_power_w) {
  std::vector<double> draws;
  for (double p : hourly_min_power_w) {
    if (std::isfinite(p) && -p >= kMinChargingDrawW) draws.push_back(-p);
  }
  if (draws.size() < 3) return std::nullopt;
  std::ranges::sort(draws);
  const std::size_t mid = draws.size() / 2;
  return draws.size() % 2 == 1 ? draws[mid] : (draws[mid - 1] + draws[mid]) / 2;
}

double SocGain(const EvParams& ev, Millis duration) {
  if (duration <= Millis::zero()) return 0;
  return SocPerMilli(ev) * static_cast<double>(duration.count());
}

Result<std::vector<ChargingSlot>> ValidateSlots(std::vector<ChargingSlot> slots) {
  if (slots.empty()) {
    return Rejected(ErrorCode::kInvalidSchedule, "A manual schedule needs at least one slot.");
  }
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].end <= slots[i].start) {
      return Rejected(ErrorCode::kInvalidSchedule,
                      "Slot " + SlotName(i) + " must end after it starts.");
    }
  }
  // Sorted by start, any overlap shows up between neighbours.
  std::vector<std::size_t> order(slots.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::stable_sort(order, {}, [&](std::size_t i) { return slots[i].start; });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const std::size_t prev = order[k - 1];
    const std::size_t cur = order[k];
    if (slots[cur].start < slots[prev].end) {
      return Rejected(ErrorCode::kInvalidSchedule, "Slots " + SlotName(std::min(prev, cur)) +
                                                       " and " + SlotName(std::max(prev, cur)) +
                                                       " overlap.");
    }
  }
  std::vector<ChargingSlot> sorted;
  sorted.reserve(slots.size());
  for (std::size_t i : order) sorted.push_back(slots[i]);
  return sorted;
}

std::string_view ToString(ScheduleMode mode) {
  return mode == ScheduleMode::kPlanned ? "planned" : "manual";
}

std::optional<ScheduleMode> ParseScheduleMode(std::string_view text) {
  if (text == "manual") return ScheduleMode::kManual;
  if (text == "planned") return ScheduleMode::kPlanned;
  return std::nullopt;
}

ScheduleMode ModeOf(const ChargingSchedule& schedule) {
  return schedule.goal || schedule.recurring || schedule.rolling ? ScheduleMode::kPlanned
                                                                 : ScheduleMode::kManual;
}

std::span<const ChargingSlot> ScheduledSlots(const ChargingSchedule& schedule) {
  if (ModeOf(schedule) == ScheduleMode::kManual) return schedule.slots;
  if (!schedule.plan) return {};
  return schedule.plan->slots;
}

bool IsPaused(const ChargingSchedule& schedule, Timestamp now) {
  return schedule.paused_until && *schedule.paused_until > now;
}

std::optional<ChargingSlot> ActiveOverride(const ChargingSchedule& schedule, Timestamp now) {
  if (schedule.override_window && schedule.override_window->end > now) {
    return schedule.override_window;
  }
  return std::nullopt;
}

ChargingSchedule ApplyScheduleRequest(ChargingSchedule schedule, const ScheduleRequest& request) {
  schedule.plan.reset();
  schedule.slots.clear();
  schedule.goal.reset();
  schedule.one_off.reset();
  schedule.rolling.reset();
  if (const auto* manual = std::get_if<ManualScheduleRequest>(&request)) {
    schedule.slots = manual->slots;
    schedule.recurring.reset();
  } else if (const auto* goal = std::get_if<ChargingGoal>(&request)) {
    if (schedule.recurring) {
      schedule.one_off = *goal;
    } else {
      schedule.goal = *goal;
    }
  } else if (const auto* recurring = std::get_if<RecurringPlan>(&request)) {
    schedule.recurring = *recurring;
  } else {
    schedule.recurring.reset();
    schedule.rolling = std::get<RollingGoal>(request);
  }
  return schedule;
}

ChargingSchedule Pause(ChargingSchedule schedule, Timestamp now, std::string_view site_tz) {
  schedule.paused_until = NextLocalMidnight(now, site_tz);
  schedule.override_window.reset();
  return schedule;
}

ChargingSchedule Resume(ChargingSchedule schedule) {
  schedule.paused_until.reset();
  return schedule;
}

Result<ChargingSchedule> StartOverride(ChargingSchedule schedule, Timestamp now, bool is_at_home) {
  if (!is_at_home) return Rejected(ErrorCode::kConflict, "The EV is not at home.");
  schedule.override_window = ChargingSlot{now, now + kOverrideDuration};
  return schedule;
}

ChargingSchedule ApplyAtHome(ChargingSchedule schedule, bool is_at_home) {
  if (!is_at_home) schedule.override_window.reset();
  return schedule;
}

Projection ProjectSoc(std::span<const ChargingSlot> slots, const EvState& state,
                      std::optional<Timestamp> paused_until,
                      std::optional<ChargingSlot> override_window, const EvParams& ev,
                      Timestamp now) {
  Projection result;
  result.slots.reserve(slots.size());
  for (const ChargingSlot& s : slots) result.slots.push_back({s, 0});
  if (!state.is_at_home) {
    result.projected_soc = std::min(state.soc, 1.0);
    return result;
  }

  // Slots charge from max(now, end of pause) on.
  const Timestamp slots_from = (paused_until && *paused_until > now) ? *paused_until : now;
  std::vector<ChargingPiece> pieces;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const Timestamp start = std::max(slots[i].start, slots_from);
    if (start < slots[i].end) {
      pieces.push_back({start, slots[i].end, static_cast<std::ptrdiff_t>(i)});
    }
  }
  std::ranges::sort(pieces, {}, &ChargingPiece::start);

  // The override adds the parts of its window that no slot piece already covers.
  if (override_window && override_window->end > now) {
    Timestamp cursor = std::max(override_window->start, now);
    const Timestamp end = override_window->end;
    std::vector<ChargingPiece> gaps;
    for (const ChargingPiece& p : pieces) {
      if (cursor >= end) break;
      if (p.end <= cursor) continue;
      if (p.start >= end) break;
      if (p.start > cursor) gaps.push_back({cursor, p.start, kOverrideOwner});
      cursor = std::max(cursor, p.end);
    }
    if (cursor < end) gaps.push_back({cursor, end, kOverrideOwner});
    pieces.insert(pieces.end(), gaps.begin(), gaps.end());
    std::ranges::sort(pieces, {}, &ChargingPiece::start);
  }

  // Charge in time order until the battery is full.
  double level = state.soc;
  for (const ChargingPiece& p : pieces) {
    const double gain = std::max(0.0, std::min(SocGain(ev, p.end - p.start), 1.0 - level));
    level += gain;
    if (p.owner == kOverrideOwner) {
      result.override_soc_gained += gain;
    } else {
      result.slots[static_cast<std::size_t>(p.owner)].soc_gained += gain;
    }
  }
  result.projected_soc = std::min(level, 1.0);
  return result;
}

ChargingPlan PlanCharging(const PlanRequest& request) {
  ChargingPlan plan;
  plan.computed_at = request.now;
  PlanExplanation& explanation = plan.explanation;
  explanation.charge_power_w = ChargePowerW(request.ev);
  explanation.power_measured =
      request.ev.measured_charge_w && Usable(*request.ev.measured_charge_w);
  explanation.efficiency =
      Usable(request.ev.efficiency) ? std::min(request.ev.efficiency, 1.0) : 1.0;
  if (request.tariff != nullptr) explanation.currency = request.tariff->currency;
  const double target = std::min(request.goal.target_soc, 1.0);
  const std::string target_text = FormatPercent(target, /*round_down=*/false);
  const std::string ready_by_text = FormatTimestamp(request.goal.ready_by);
  const double need = target - request.soc;
  if (need <= 1e-9) {
    plan.projected_soc = std::min(request.soc, 1.0);
    plan.message = "Target " + target_text + " is already reached.";
    if (request.tariff != nullptr) explanation.expected_cost = 0;
    return plan;
  }

  Timestamp window_start = request.now;
  if (request.paused_until) window_start = std::max(window_start, *request.paused_until);
  std::vector<PlanPiece> pieces = PlanPieces(request.tariff, window_start, request.goal.ready_by);
  std::int64_t available_ms = 0;
  for (const PlanPiece& p : pieces) available_ms += (p.end - p.start).count();

  // Exact charging time needed, then rounded up to whole minutes (tolerating float noise such
  // as 0.8 - 0.5 = 0.30000000000000004).
  const double per_ms = SocPerMilli(request.ev);
  const double exact_ms = per_ms > 0 ? need / per_ms : HUGE_VAL;
  const bool reachable = static_cast<double>(available_ms) + 0.5 >= exact_ms;
  std::int64_t needed_ms = available_ms;
  if (reachable) {
    const auto ms = static_cast<std::int64_t>(std::ceil(exact_ms - 1e-3));
    needed_ms =
        std::min(available_ms, (ms + kMillisPerMinute - 1) / kMillisPerMinute * kMillisPerMinute);
  }

  // Priced time first (cheapest, then earliest), then uncovered time (earliest).
  std::ranges::stable_sort(pieces, [](const PlanPiece& a, const PlanPiece& b) {
    if (a.price.has_value() != b.price.has_value()) return a.price.has_value();
    if (a.price && *a.price != *b.price) return *a.price < *b.price;
    return a.start < b.start;
  });
  std::vector<ChargingSlot> chosen;
  std::int64_t remaining = needed_ms;
  double cost = 0;
  bool all_priced = true;
  for (const PlanPiece& p : pieces) {
    if (remaining <= 0) break;
    const std::int64_t take = std::min(remaining, (p.end - p.start).count());
    chosen.push_back({p.start, p.start + Millis(take)});
    remaining -= take;
    if (p.price) {
      cost +=
          explanation.charge_power_w * static_cast<double>(take) / kMillisPerHour / 1000 * *p.price;
    } else {
      all_priced = false;
    }
  }
  if (request.tariff != nullptr && all_priced) explanation.expected_cost = cost;
  plan.slots = MergeAdjacent(std::move(chosen));
  plan.projected_soc = std::min(1.0, request.soc + SocGain(request.ev, Millis(needed_ms)));
  plan.target_reachable = reachable;
  if (reachable) {
    plan.message = "Target " + target_text + " will be reached by " + ready_by_text + ".";
  } else {
    plan.message = "Target " + target_text + " cannot be reached by " + ready_by_text +
                   "; projected " + FormatPercent(plan.projected_soc, /*round_down=*/true) + ".";
    const std::string left = FormatOneDecimal(static_cast<double>(available_ms) / kMillisPerHour);
    explanation.reason = per_ms > 0
                             ? "needs " + FormatOneDecimal(exact_ms / kMillisPerHour) + " h at " +
                                   FormatOneDecimal(explanation.charge_power_w / 1000) + " kW, " +
                                   left + " h left"
                             : "the EV's charge power or battery capacity is unknown";
  }
  return plan;
}

std::optional<ChargingGoal> ResolveGoal(const ChargingSchedule& schedule, Timestamp now,
                                        std::string_view site_tz) {
  if (schedule.rolling) {
    return ChargingGoal{schedule.rolling->target_soc, now + schedule.rolling->within};
  }
  if (!schedule.recurring) return schedule.goal;
  std::optional<ChargingGoal> best;
  std::optional<Date> one_off_day;
  if (schedule.one_off && schedule.one_off->ready_by > now) {
    best = schedule.one_off;
    one_off_day = LocalDate(schedule.one_off->ready_by, site_tz);
  }
  constexpr int kHorizonDays = 400;
  const Date today = LocalDate(now, site_tz);
  for (int k = 0; k <= kHorizonDays; ++k) {
    const Date day = AddDays(today, k);
    // Occurrences are after local midnight of `day`, so none on a later day beats `best`.
    if (best && LocalMidnightOf(day, site_tz) > best->ready_by) break;
    if (day == one_off_day || std::ranges::binary_search(schedule.recurring->skip, day)) continue;
    const int weekday = WeekdayOf(day);
    for (const RecurringRule& rule : schedule.recurring->repeat) {
      if ((rule.days & (1u << weekday)) == 0) continue;
      const Timestamp at = LocalTimeOf(day, rule.ready_by_minute, site_tz);
      if (at > now && (!best || at < best->ready_by)) best = ChargingGoal{rule.target_soc, at};
    }
  }
  return best;
}

ScheduleView ViewSchedule(std::string device_id, const ChargingSchedule& schedule,
                          const EvState& state, const EvParams& ev, Timestamp now) {
  ScheduleView view;
  view.device_id = std::move(device_id);
  view.soc = state.soc;
  view.is_at_home = state.is_at_home;
  view.is_paused = IsPaused(schedule, now);
  if (view.is_paused) view.paused_until = schedule.paused_until;
  view.override_window = ActiveOverride(schedule, now);
  view.mode = ModeOf(schedule);
  Projection projection = ProjectSoc(ScheduledSlots(schedule), state, schedule.paused_until,
                                     view.override_window, ev, now);
  view.projected_soc = projection.projected_soc;
  view.slots = std::move(projection.slots);
  view.recurring = schedule.recurring;
  view.rolling = schedule.rolling;
  if (schedule.goal) {
    view.goal = schedule.goal;
    if (schedule.plan) {
      view.target_reachable = schedule.plan->target_reachable;
      view.plan_message = schedule.plan->message;
      view.explanation = schedule.plan->explanation;
      view.expected_soc_at_ready_by = schedule.plan->projected_soc;
      for (const ChargingSlot& slot : schedule.plan->slots) {
        if (slot.end > now) {
          view.next_start = slot.start;
          break;
        }
      }
    }
  }
  return view;
}

ChargingSchedule Replan(ChargingSchedule schedule, const EvState& state, const EvParams& ev,
                        const Tariff* tariff, Timestamp now, std::string_view site_tz) {
  if (ModeOf(schedule) == ScheduleMode::kManual) return schedule;
  schedule.goal = ResolveGoal(schedule, now, site_tz);
  if (!schedule.goal) {
    schedule.plan.reset();
    return schedule;
  }
  PlanRequest request;
  request.soc = state.soc;
  request.goal = *schedule.goal;
  request.ev = ev;
  request.tariff = tariff;
  request.now = now;
  if (IsPaused(schedule, now)) request.paused_until = schedule.paused_until;
  schedule.plan = PlanCharging(request);
  return schedule;
}

}  // namespace ems
