#include "ems/codec/schedule_codec.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

namespace ems::codec {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidSchedule;

bool Present(const Json& obj, std::string_view field) {
  const auto it = obj.find(field);
  return it != obj.end() && !it->is_null();
}

// soc fractions are shown to 0.01 percentage points.
double RoundSoc(double soc) { return std::round(soc * 10'000) / 10'000; }

Json EncodeWindow(const ChargingSlot& w) {
  return {{"start", FormatTimestamp(w.start)}, {"end", FormatTimestamp(w.end)}};
}

// A {"start", "end"} object at `path` (e.g. "slots[2]", "override").
Result<ChargingSlot> DecodeWindow(const Json& item, const std::string& path) {
  if (!item.is_object()) {
    return Rejected(kCode, "Field '" + path + "' must be an object.");
  }
  auto start = RequiredTimestamp(item, "start", kCode);
  if (!start) return Unexpected(AtPath(start.error(), path));
  auto end = RequiredTimestamp(item, "end", kCode);
  if (!end) return Unexpected(AtPath(end.error(), path));
  return ChargingSlot{*start, *end};
}

Result<std::vector<ChargingSlot>> DecodeSlots(const Json& obj) {
  const Json& items = obj.at("slots");
  if (!items.is_array()) {
    return Rejected(kCode, "Field 'slots' must be an array.");
  }
  std::vector<ChargingSlot> slots;
  slots.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto slot = DecodeWindow(items[i], "slots[" + std::to_string(i) + "]");
    if (!slot) return Unexpected(slot.error());
    slots.push_back(*slot);
  }
  return slots;
}

Result<ScheduleRequest> DecodeManual(const Json& obj) {
  auto slots = DecodeSlots(obj);
  if (!slots) return Unexpected(slots.error());
  auto valid = ValidateSlots(std::move(*slots));
  if (!valid) return Unexpected(valid.error());
  return ManualScheduleRequest{std::move(*valid)};
}

Result<double> TargetSoc(const Json& obj);

Result<ScheduleRequest> DecodeGoal(const Json& obj) {
  auto target = TargetSoc(obj);
  if (!target) return Unexpected(target.error());
  auto ready_by = RequiredTimestamp(obj, "ready_by", kCode);
  if (!ready_by) return Unexpected(ready_by.error());
  return ChargingGoal{*target, *ready_by};
}

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

Result<double> TargetSoc(const Json& obj) {
  auto target = RequiredNumber(obj, "target_soc", kCode);
  if (!target) return target;
  if (!(*target > 0 && *target <= 1)) {
    return Rejected(kCode, "Field 'target_soc' must be a fraction greater than 0 and at most 1.");
  }
  return target;
}

// "07:00" → 420.
std::optional<int> ParseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

std::string FormatClock(int minute_of_day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buf;
}

Result<RecurringRule> DecodeRule(const Json& item, const std::string& path) {
  if (!item.is_object()) return Rejected(kCode, "Field '" + path + "' must be an object.");
  RecurringRule rule;
  const auto days = item.find("days");
  if (days == item.end() || !days->is_array() || days->empty() || days->size() > 7) {
    return Rejected(kCode, "Field '" + path +
                               ".days' must list 1 to 7 of mon, tue, wed, thu, "
                               "fri, sat, sun.");
  }
  for (const Json& day : *days) {
    const auto* name = day.get_ptr<const std::string*>();
    const auto it = name ? std::ranges::find(kDayNames, *name) : kDayNames.end();
    if (it == kDayNames.end()) {
      return Rejected(kCode, "Field '" + path +
                                 ".days' must list 1 to 7 of mon, tue, wed, thu, "
                                 "fri, sat, sun.");
    }
    rule.days |= static_cast<std::uint8_t>(1u << (it - kDayNames.begin()));
  }
  auto clock = RequiredString(item, "ready_by", kCode);
  if (!clock) return Unexpected(AtPath(clock.error(), path));
  const auto minute = ParseClock(*clock);
  if (!minute) {
    return Rejected(kCode, "Field '" + path + ".ready_by' must be a local time HH:MM.");
  }
  rule.ready_by_minute = *minute;
  auto target = TargetSoc(item);
  if (!target) return Unexpected(AtPath(target.error(), path));
  rule.target_soc = *target;
  return rule;
}

Result<ScheduleRequest> DecodeRecurring(const Json& obj) {
  const Json& repeat = obj.at("repeat");
  if (!repeat.is_array() || repeat.empty() || repeat.size() > kMaxRecurringRules) {
    return Rejected(kCode, "Field 'repeat' must be an array of 1 to " +
                               std::to_string(kMaxRecurringRules) + " rules.");
  }
  RecurringPlan plan;
  for (std::size_t i = 0; i < repeat.size(); ++i) {
    auto rule = DecodeRule(repeat[i], "repeat[" + std::to_string(i) + "]");
    if (!rule) return Unexpected(rule.error());
    plan.repeat.push_back(*rule);
  }
  if (Present(obj, "skip")) {
    const Json& skip = obj.at("skip");
    if (!skip.is_array() || skip.size() > kMaxSkippedDates) {
      return Rejected(kCode, "Field 'skip' must be an array of at most " +
                                 std::to_string(kMaxSkippedDates) + " dates.");
    }
    for (std::size_t i = 0; i < skip.size(); ++i) {
      const auto* text = skip[i].get_ptr<const std::string*>();
      const auto day = text ? ParseDate(*text) : std::nullopt;
      if (!day) {
        return Rejected(kCode,
                        "Field 'skip[" + std::to_string(i) + "]' must be a date YYYY-MM-DD.");
      }
      plan.skip.push_back(*day);
    }
    // std::unique, not std::ranges::unique: clang 14 (the fuzz build) cannot take the subrange
    // it returns over GCC 12's library.
    std::ranges::sort(plan.skip);
    plan.skip.erase(std::unique(plan.skip.begin(), plan.skip.end()), plan.skip.end());
  }
  return plan;
}

Result<ScheduleRequest> DecodeRolling(const Json& obj) {
  auto target = TargetSoc(obj);
  if (!target) return Unexpected(target.error());
  auto hours = RequiredNumber(obj, "within_hours", kCode);
  if (!hours) return Unexpected(hours.error());
  if (!(*hours > 0 && *hours <= kMaxRollingHours)) {
    return Rejected(kCode, "Field 'within_hours' must be greater than 0 and at most " +
                               std::to_string(static_cast<int>(kMaxRollingHours)) + ".");
  }
  return RollingGoal{*target, Millis(static_cast<std::int64_t>(*hours * 3'600'000))};
}

Result<double> PositiveProperty(const Json& properties, std::string_view field) {
  constexpr ErrorCode kDeviceCode = ErrorCode::kInvalidDevice;
  auto value = RequiredNumber(properties, field, kDeviceCode);
  if (!value) return value;
  if (*value <= 0) {
    return Rejected(kDeviceCode, "Field '" + std::string(field) + "' must be greater than 0.");
  }
  return value;
}

}  // namespace

Result<ScheduleRequest> DecodeScheduleRequest(std::string_view text) {
  return DecodeObject(text, kMaxScheduleBytes, DecodeScheduleRequestJson);
}

Result<ScheduleRequest> DecodeScheduleRequestJson(const Json& obj) {
  if (!obj.is_object()) {
    return Rejected(kCode, "The schedule must be a JSON object.");
  }
  const int forms = int{Present(obj, "slots")} + int{Present(obj, "repeat")} +
                    int{Present(obj, "within_hours")} + int{Present(obj, "ready_by")};
  if (forms > 1 ||
      (Present(obj, "target_soc") && (Present(obj, "slots") || Present(obj, "repeat")))) {
    return Rejected(kCode,
                    "Send one of 'slots', 'repeat', 'target_soc' with 'ready_by', or "
                    "'target_soc' with 'within_hours'.");
  }
  if (Present(obj, "slots")) return DecodeManual(obj);
  if (Present(obj, "repeat")) return DecodeRecurring(obj);
  if (Present(obj, "within_hours")) return DecodeRolling(obj);
  if (Present(obj, "target_soc") || Present(obj, "ready_by")) return DecodeGoal(obj);
  return Rejected(kCode,
                  "The schedule needs one of 'slots', 'repeat', 'target_soc' with "
                  "'ready_by', or 'target_soc' with 'within_hours'.");
}

Json EncodeScheduleView(const ScheduleView& view) {
  Json slots = Json::array();
  for (const SlotProjection& s : view.slots) {
    Json slot = EncodeWindow(s.slot);
    slot["soc_gained"] = RoundSoc(s.soc_gained);
    slots.push_back(std::move(slot));
  }
  Json out = {
      {"device_id", view.device_id},
      {"soc", RoundSoc(view.soc)},
      {"projected_soc", RoundSoc(view.projected_soc)},
      {"is_at_home", view.is_at_home},
      {"is_paused", view.is_paused},
      {"paused_until", view.paused_until ? Json(FormatTimestamp(*view.paused_until)) : Json()},
      {"override", view.override_window ? EncodeWindow(*view.override_window) : Json()},
      {"mode", ToString(view.mode)},
      {"slots", std::move(slots)},
  };
  if (view.mode == ScheduleMode::kPlanned) {
    out["target_soc"] = view.goal ? Json(RoundSoc(view.goal->target_soc)) : Json();
    out["ready_by"] = view.goal ? Json(FormatTimestamp(view.goal->ready_by)) : Json();
    out["target_reachable"] = view.target_reachable ? Json(*view.target_reachable) : Json();
    out["plan_message"] = view.plan_message ? Json(*view.plan_message) : Json();
    const PlanExplanation* why = view.explanation ? &*view.explanation : nullptr;
    out["next_start"] = view.next_start ? Json(FormatTimestamp(*view.next_start)) : Json();
    out["expected_cost"] =
        why && why->expected_cost ? Json(std::round(*why->expected_cost * 100) / 100) : Json();
    out["currency"] = why && !why->currency.empty() ? Json(why->currency) : Json();
    out["expected_soc_at_ready_by"] =
        view.expected_soc_at_ready_by ? Json(RoundSoc(*view.expected_soc_at_ready_by)) : Json();
    out["reason"] = why && !why->reason.empty() ? Json(why->reason) : Json();
    out["charge_power_w"] = why ? Json(std::round(why->charge_power_w)) : Json();
    out["power_source"] = why ? Json(why->power_measured ? "measured" : "nominal") : Json();
    out["efficiency"] = why ? Json(RoundSoc(why->efficiency)) : Json();
    Json recurring;
    if (view.recurring) {
      Json rules = Json::array();
      for (const RecurringRule& rule : view.recurring->repeat) {
        Json days = Json::array();
        for (std::size_t d = 0; d < kDayNames.size(); ++d) {
          if (rule.days & (1u << d)) days.push_back(kDayNames[d]);
        }
        rules.push_back({{"days", std::move(days)},
                         {"ready_by", FormatClock(rule.ready_by_minute)},
                         {"target_soc", RoundSoc(rule.target_soc)}});
      }
      Json skip = Json::array();
      for (const Date& day : view.recurring->skip) skip.push_back(FormatDate(day));
      recurring = {{"repeat", std::move(rules)}, {"skip", std::move(skip)}};
    }
    out["recurring"] = std::move(recurring);
    out["rolling"] =
        view.rolling
            ? Json{{"target_soc", RoundSoc(view.rolling->target_soc)},
                   {"within_hours", static_cast<double>(view.rolling->within.count()) / 3'600'000}}
            : Json();
  }
  return out;
}

Result<ScheduleView> DecodeScheduleView(std::string_view text) {
  auto parsed = ParseObject(text, kMaxScheduleBytes);
  if (!parsed) return Unexpected(parsed.error());
  const Json& obj = *parsed;
  ScheduleView view;
  EMS_TRY(device_id, RequiredId(obj, "device_id", kCode));
  EMS_TRY(soc, RequiredNumber(obj, "soc", kCode));
  EMS_TRY(projected_soc, RequiredNumber(obj, "projected_soc", kCode));
  EMS_TRY(is_at_home, RequiredBool(obj, "is_at_home", kCode));
  EMS_TRY(is_paused, RequiredBool(obj, "is_paused", kCode));
  EMS_TRY(paused_until, OptionalTimestamp(obj, "paused_until", kCode));
  EMS_TRY(mode_text, RequiredString(obj, "mode", kCode));
  const auto mode = ParseScheduleMode(mode_text);
  if (!mode) {
    return Rejected(kCode, "Field 'mode' must be \"manual\" or \"planned\".");
  }
  if (!Present(obj, "slots")) return Rejected(kCode, "Field 'slots' is required.");
  EMS_TRY(slots, DecodeSlots(obj));
  const Json& items = obj.at("slots");
  for (std::size_t i = 0; i < slots.size(); ++i) {
    auto gained = RequiredNumber(items[i], "soc_gained", kCode);
    if (!gained) return Unexpected(AtPath(gained.error(), "slots[" + std::to_string(i) + "]"));
    view.slots.push_back({slots[i], *gained});
  }
  if (Present(obj, "override")) {
    EMS_TRY(window, DecodeWindow(obj.at("override"), "override"));
    view.override_window = window;
  }
  if (*mode == ScheduleMode::kPlanned) {
    EMS_TRY(target, OptionalNumber(obj, "target_soc", kCode));
    EMS_TRY(ready_by, OptionalTimestamp(obj, "ready_by", kCode));
    if (target && ready_by) view.goal = ChargingGoal{*target, *ready_by};
    const auto reachable = obj.find("target_reachable");
    if (reachable != obj.end() && !reachable->is_null()) {
      EMS_TRY(value, RequiredBool(obj, "target_reachable", kCode));
      view.target_reachable = value;
    }
    EMS_TRY(message, OptionalString(obj, "plan_message", kCode));
    view.plan_message = message;
    EMS_TRY(next_start, OptionalTimestamp(obj, "next_start", kCode));
    view.next_start = next_start;
    EMS_TRY(expected_soc, OptionalNumber(obj, "expected_soc_at_ready_by", kCode));
    view.expected_soc_at_ready_by = expected_soc;
    EMS_TRY(power, OptionalNumber(obj, "charge_power_w", kCode));
    if (power) {
      PlanExplanation why;
      why.charge_power_w = *power;
      EMS_TRY(source, OptionalString(obj, "power_source", kCode));
      why.power_measured = source == "measured";
      EMS_TRY(efficiency, OptionalNumber(obj, "efficiency", kCode));
      why.efficiency = efficiency.value_or(1.0);
      EMS_TRY(cost, OptionalNumber(obj, "expected_cost", kCode));
      why.expected_cost = cost;
      EMS_TRY(currency, OptionalString(obj, "currency", kCode));
      why.currency = currency.value_or("");
      EMS_TRY(reason, OptionalString(obj, "reason", kCode));
      why.reason = reason.value_or("");
      view.explanation = std::move(why);
    }
  }
  view.device_id = std::move(device_id);
  view.soc = soc;
  view.projected_soc = projected_soc;
  view.is_at_home = is_at_home;
  view.is_paused = is_paused;
  view.paused_until = paused_until;
  view.mode = *mode;
  return view;
}

Result<EvParams> DecodeEvParams(const Json& properties) {
  if (!properties.is_object()) {
    return Rejected(ErrorCode::kInvalidDevice, "The EV properties must be a JSON object.");
  }
  auto capacity = PositiveProperty(properties, "battery_capacity_wh");
  if (!capacity) return Unexpected(capacity.error());
  auto max_charge = PositiveProperty(properties, "max_charge_w");
  if (!max_charge) return Unexpected(max_charge.error());
  EvParams params{*capacity, *max_charge};
  auto efficiency = OptionalNumber(properties, "charge_efficiency", ErrorCode::kInvalidDevice);
  if (!efficiency) return Unexpected(efficiency.error());
  if (*efficiency) {
    if (!(**efficiency > 0 && **efficiency <= 1)) {
      return Rejected(ErrorCode::kInvalidDevice,
                      "Field 'charge_efficiency' must be a fraction greater than 0 and at most 1.");
    }
    params.efficiency = **efficiency;
  }
  return params;
}

}  // namespace ems::codec
