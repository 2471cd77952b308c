#include "ems/domain/device.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "ems/domain/ids.h"

namespace ems {
namespace {

constexpr std::array kAllTypes = {
    DeviceType::kSolarPanel, DeviceType::kWindTurbine,     DeviceType::kBattery,
    DeviceType::kEv,         DeviceType::kAppliance,       DeviceType::kHeatPump,
    DeviceType::kInverter,   DeviceType::kChargingStation,
};

constexpr std::array<std::string_view, 1> kRatedPower = {"rated_power_w"};
constexpr std::array<std::string_view, 3> kBatteryProps = {"capacity_wh", "max_charge_w",
                                                           "max_discharge_w"};
constexpr std::array<std::string_view, 3> kEvProps = {"battery_capacity_wh", "max_charge_w",
                                                      "max_discharge_w"};
constexpr std::array<std::string_view, 1> kApplianceProps = {"average_power_w"};
constexpr std::array<std::string_view, 2> kStationProps = {"max_power_w", "connectors"};

// TypicalMetrics, each list in name order.
constexpr std::array<std::string_view, 2> kSolarMetrics = {"energy_wh", "power_w"};
constexpr std::array<std::string_view, 2> kWindMetrics = {"power_w", "wind_speed_ms"};
constexpr std::array<std::string_view, 2> kStorageMetrics = {"power_w", "soc_pct"};
constexpr std::array<std::string_view, 1> kPowerOnly = {"power_w"};
constexpr std::array<std::string_view, 2> kHeatPumpMetrics = {"power_w", "temperature_c"};
constexpr std::array<std::string_view, 3> kInverterMetrics = {"frequency_hz", "power_w",
                                                              "voltage_v"};
constexpr std::array<std::string_view, 2> kStationMetrics = {"energy_wh", "power_w"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kUnits = {{
    {"power_w", "W"},
    {"energy_wh", "Wh"},
    {"soc_pct", "%"},
    {"voltage_v", "V"},
    {"current_a", "A"},
    {"temperature_c", "°C"},
    {"wind_speed_ms", "m/s"},
    {"frequency_hz", "Hz"},
}};

std::string Property(std::string_view name) { return "Property '" + std::string(name) + "'"; }
std::string Metric(std::string_view name) { return "Metric '" + std::string(name) + "'"; }

bool IsWholeNumber(const nlohmann::json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

}  // namespace

std::string_view ToString(DeviceType t) {
  switch (t) {
    case DeviceType::kSolarPanel:
      return "solar_panel";
    case DeviceType::kWindTurbine:
      return "wind_turbine";
    case DeviceType::kBattery:
      return "battery";
    case DeviceType::kEv:
      return "ev";
    case DeviceType::kAppliance:
      return "appliance";
    case DeviceType::kHeatPump:
      return "heat_pump";
    case DeviceType::kInverter:
      return "inverter";
    case DeviceType::kChargingStation:
      return "charging_station";
  }
  return "unknown";
}

std::optional<DeviceType> ParseDeviceType(std::string_view s) {
  for (DeviceType t : kAllTypes) {
    if (ToString(t) == s) return t;
  }
  return std::nullopt;
}

std::span<const DeviceType> AllDeviceTypes() { return kAllTypes; }

std::string DeviceTypeList() {
  std::string out;
  for (DeviceType t : kAllTypes) {
    if (!out.empty()) out += ", ";
    out += ToString(t);
  }
  return out;
}

bool IsStorage(DeviceType t) { return t == DeviceType::kBattery || t == DeviceType::kEv; }

std::span<const std::string_view> RequiredProperties(DeviceType t) {
  switch (t) {
    case DeviceType::kBattery:
      return kBatteryProps;
    case DeviceType::kEv:
      return kEvProps;
    case DeviceType::kAppliance:
      return kApplianceProps;
    case DeviceType::kChargingStation:
      return kStationProps;
    case DeviceType::kSolarPanel:
    case DeviceType::kWindTurbine:
    case DeviceType::kHeatPump:
    case DeviceType::kInverter:
      return kRatedPower;
  }
  return kRatedPower;
}

Result<void> ValidateProperties(DeviceType type, const nlohmann::json& properties, ErrorCode code) {
  if (!properties.is_object()) {
    return Rejected(code, "Field 'properties' must be an object.");
  }
  for (std::string_view name : RequiredProperties(type)) {
    const auto it = properties.find(name);
    if (it == properties.end() || it->is_null()) {
      return Rejected(code, Property(name) + " is required.");
    }
    const nlohmann::json& v = *it;
    if (type == DeviceType::kChargingStation && name == "connectors") {
      if (!IsWholeNumber(v) || v.get<double>() < 1) {
        return Rejected(code, Property(name) + " must be an integer of at least 1.");
      }
      continue;
    }
    const bool zero_allowed = type == DeviceType::kEv && name == "max_discharge_w";
    if (!v.is_number() || !std::isfinite(v.get<double>()) ||
        (zero_allowed ? v.get<double>() < 0 : v.get<double>() <= 0)) {
      return Rejected(code, Property(name) + (zero_allowed ? " must be a number of at least 0."
                                                           : " must be a number greater than 0."));
    }
  }
  return {};
}

Result<void> ValidateDeviceSpec(const DeviceSpec& spec, ErrorCode code) {
  if (auto ok = ValidateName(spec.name, code); !ok) return ok;
  return ValidateProperties(spec.type, spec.properties, code);
}

std::optional<double> StorageCapacityWh(DeviceType type, const nlohmann::json& properties) {
  std::string_view field;
  if (type == DeviceType::kBattery) {
    field = "capacity_wh";
  } else if (type == DeviceType::kEv) {
    field = "battery_capacity_wh";
  } else {
    return std::nullopt;
  }
  if (!properties.is_object()) return std::nullopt;
  const auto it = properties.find(field);
  if (it == properties.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  if (!std::isfinite(v) || v <= 0) return std::nullopt;
  return v;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::span<const std::string_view> TypicalMetrics(DeviceType type) {
  switch (type) {
    case DeviceType::kSolarPanel:
      return kSolarMetrics;
    case DeviceType::kWindTurbine:
      return kWindMetrics;
    case DeviceType::kBattery:
    case DeviceType::kEv:
      return kStorageMetrics;
    case DeviceType::kAppliance:
      return kPowerOnly;
    case DeviceType::kHeatPump:
      return kHeatPumpMetrics;
    case DeviceType::kInverter:
      return kInverterMetrics;
    case DeviceType::kChargingStation:
      return kStationMetrics;
  }
  return kPowerOnly;
}

Reject DeviceNotFound(std::string_view device_id) { return NotFound("Device", device_id); }

Result<void> RequireExposedMetric(std::string_view device_id, DeviceType type,
                                  std::string_view metric, bool reported) {
  const auto typical = TypicalMetrics(type);
  if (reported || std::find(typical.begin(), typical.end(), metric) != typical.end()) return {};
  return Rejected(ErrorCode::kNotFound, "Device " + std::string(device_id) + " has no metric " +
                                            std::string(metric) + ".");
}

std::optional<std::string_view> MetricUnit(std::string_view name) {
  for (const auto& [metric, unit] : kUnits) {
    if (metric == name) return unit;
  }
  return std::nullopt;
}

Result<void> ValidateMetric(std::string_view name, double value, ErrorCode code) {
  if (!IsValidMetricName(name)) {
    return Rejected(
        code, "Metric name '" + std::string(name.substr(0, 80)) +
                  "' must be 1 to 64 characters of a-z, 0-9 and '_', starting with a letter.");
  }
  if (!std::isfinite(value)) {
    return Rejected(code, Metric(name) + " must be a finite number.");
  }
  if (name == kSocMetric && (value < 0 || value > 100)) {
    return Rejected(code, Metric(name) + " must be between 0 and 100.");
  }
  return {};
}

Result<void> ValidateMetricFor(DeviceType type, std::string_view name, double value,
                               ErrorCode code) {
  if (auto ok = ValidateMetric(name, value, code); !ok) return ok;
  if (name != kPowerMetric) return {};
  switch (type) {
    case DeviceType::kSolarPanel:
    case DeviceType::kWindTurbine:
      if (value < 0) {
        return Rejected(code, Metric(name) + " of a " + std::string(ToString(type)) +
                                  " must be 0 or more (positive = supplying power to the site).");
      }
      return {};
    case DeviceType::kAppliance:
    case DeviceType::kHeatPump:
    case DeviceType::kChargingStation:
      if (value > 0) {
        return Rejected(code, Metric(name) + " of a " + std::string(ToString(type)) +
                                  " must be 0 or less (negative = drawing power from the site).");
      }
      return {};
    case DeviceType::kBattery:
    case DeviceType::kEv:
    case DeviceType::kInverter:
      return {};
  }
  return {};
}

Result<void> ValidateTelemetryFor(DeviceType type, const Telemetry& t, ErrorCode code) {
  for (const auto& m : t.metrics) {
    if (auto ok = ValidateMetricFor(type, m.name, m.value, code); !ok) return ok;
  }
  return {};
}

Result<void> ValidateDeviceState(const nlohmann::json& state, ErrorCode code) {
  if (!state.is_object()) return Rejected(code, "Field 'state' must be an object.");
  if (const auto it = state.find("at_home"); it != state.end() && !it->is_boolean()) {
    return Rejected(code, "Field 'state.at_home' must be true or false.");
  }
  if (const auto it = state.find("mode"); it != state.end()) {
    if (!it->is_string() || (*it != "charging" && *it != "discharging" && *it != "idle")) {
      return Rejected(code, "Field 'state.mode' must be one of charging, discharging, idle.");
    }
  }
  return {};
}

}  // namespace ems
