#include "ems/codec/schedule_codec.h"

#include <cmath>
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

Result<ScheduleRequest> DecodeGoal(const Json& obj) {
  auto target = RequiredNumber(obj, "target_soc", kCode);
  if (!target) return Unexpected(target.error());
  if (!(*target > 0 && *target <= 1)) {
    return Rejected(kCode, "Field 'target_soc' must be a fraction greater than 0 and at most 1.");
  }
  auto ready_by = RequiredTimestamp(obj, "ready_by", kCode);
  if (!ready_by) return Unexpected(ready_by.error());
  return ChargingGoal{*target, *ready_by};
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
  const bool manual = Present(obj, "slots");
  const bool planned = Present(obj, "target_soc") || Present(obj, "ready_by");
  if (manual && planned) {
    return Rejected(kCode, "Send either 'slots' or 'target_soc' with 'ready_by', not both.");
  }
  if (manual) return DecodeManual(obj);
  if (planned) return DecodeGoal(obj);
  return Rejected(kCode, "The schedule needs either 'slots' or 'target_soc' with 'ready_by'.");
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
  return EvParams{*capacity, *max_charge};
}

}  // namespace ems::codec
