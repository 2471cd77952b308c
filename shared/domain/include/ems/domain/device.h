// Devices and their metrics (docs/contract.md §4.1, §6.2): the device types, the property rules of
// each type, the metric rules (names, finite values, soc range, the power sign convention) and
// metric units. Pure: no I/O, no clock.
//
// Properties and state are open JSON objects: the rules below constrain only the fields a type
// requires (and `mode` / `at_home` in state); every other field is kept as given. Rule functions
// return a Reject whose message names the offending field, ready for a 422 answer or a dead-letter
// row; `code` is the caller's ErrorCode (e.g. kInvalidMeta, kInvalidDevice).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems {

enum class DeviceType {
  kSolarPanel,
  kWindTurbine,
  kBattery,
  kEv,
  kAppliance,
  kHeatPump,
  kInverter,
  kChargingStation,
};

// "solar_panel", "wind_turbine", "battery", "ev", "appliance", "heat_pump", "inverter",
// "charging_station".
std::string_view ToString(DeviceType t);
// Exact, case-sensitive match of the names above.
std::optional<DeviceType> ParseDeviceType(std::string_view s);
// Every type, in the order of the enum.
std::span<const DeviceType> AllDeviceTypes();
// "solar_panel, wind_turbine, …" for messages.
std::string DeviceTypeList();

// True for the types that store energy and appear in the summary's `storage` list.
bool IsStorage(DeviceType t);

// What a meta payload and a REST body both describe: the device's kind and configuration.
struct DeviceSpec {
  DeviceType type = DeviceType::kSolarPanel;
  std::string name;
  nlohmann::json properties = nlohmann::json::object();
  friend bool operator==(const DeviceSpec&, const DeviceSpec&) = default;
};

// A device discovery message (docs/contract.md §4.1 `meta`): creates or updates the device, and its
// site when the site is new (then named `site_name`, in zone `site_timezone`; defaults: the site
// id, "UTC").
struct DeviceMeta {
  DeviceSpec spec;
  std::optional<std::string> site_name;
  std::optional<std::string> site_timezone;  // an IANA zone cctz can load
  friend bool operator==(const DeviceMeta&, const DeviceMeta&) = default;
};

// A stored device (docs/contract.md §6.2 without its metrics).
struct Device {
  std::string id;
  std::string site_id;
  DeviceType type = DeviceType::kSolarPanel;
  std::string name;
  nlohmann::json properties = nlohmann::json::object();
  nlohmann::json state = nlohmann::json::object();  // latest telemetry `state`, merged by key
  std::optional<Timestamp> last_seen;               // newest telemetry `ts` seen
  Timestamp created_at;
  Timestamp updated_at;
  friend bool operator==(const Device&, const Device&) = default;
};

// Names the required numeric properties of a type, e.g. {"capacity_wh", "max_charge_w",
// "max_discharge_w"} for a battery. Their meaning: rated_power_w the nameplate power (solar,
// wind, heat pump, inverter); capacity_wh / battery_capacity_wh the usable energy, max_charge_w
// and max_discharge_w the power limits (battery, ev); an appliance's average_power_w is what it
// draws while it runs (a dishwasher about 1800 W, a fridge compressor 120–180 W), not its draw
// averaged over the day; a charging station's max_power_w and connectors.
std::span<const std::string_view> RequiredProperties(DeviceType t);

// `properties` must be a JSON object holding every required property of `type` as a number
// greater than 0, except: an ev's `max_discharge_w` may be 0 (no vehicle-to-home), and a
// charging_station's `connectors` must be an integer ≥ 1. Messages: "Property 'capacity_wh' is
// required.", "Property 'capacity_wh' must be a number greater than 0.".
Result<void> ValidateProperties(DeviceType type, const nlohmann::json& properties, ErrorCode code);

// Name (ValidateName, ems/domain/ids.h), then properties.
Result<void> ValidateDeviceSpec(const DeviceSpec& spec, ErrorCode code);

// The capacity a storage device declares: `capacity_wh` (battery) or `battery_capacity_wh` (ev);
// std::nullopt for other types or when the property is missing or not a positive number.
std::optional<double> StorageCapacityWh(DeviceType type, const nlohmann::json& properties);

// --- metrics ---

inline constexpr std::string_view kPowerMetric = "power_w";
inline constexpr std::string_view kSocMetric = "soc_pct";

// `[a-z][a-z0-9_]{0,63}`.
bool IsValidMetricName(std::string_view name);

// The metrics a device of `type` reports (docs/contract.md §4.1's table; a charging station also
// meters energy_wh), in name order: solar_panel energy_wh, power_w; wind_turbine power_w,
// wind_speed_ms; battery and ev power_w, soc_pct; appliance power_w; heat_pump power_w,
// temperature_c; inverter frequency_hz, power_w, voltage_v; charging_station energy_wh,
// power_w. A device lists these from the start, before its first telemetry; it may report others
// too.
std::span<const std::string_view> TypicalMetrics(DeviceType type);

// kNotFound "Device <id> not found.": a device that does not exist, or that the caller may not see
// (docs/contract.md §5 answers both alike).
Reject DeviceNotFound(std::string_view device_id);

// A device exposes `metric` when it reported it (`reported`: it has a latest value) or its type
// reports it (TypicalMetrics); else kNotFound "Device <id> has no metric <metric>.".
Result<void> RequireExposedMetric(std::string_view device_id, DeviceType type,
                                  std::string_view metric, bool reported);

// The unit of a known metric ("W" for power_w, "Wh", "%", "V", "A", "°C", "m/s", "Hz");
// std::nullopt (JSON null) for any other name.
std::optional<std::string_view> MetricUnit(std::string_view name);

// The rules every metric obeys whatever the device: a valid name, a finite value, soc_pct within
// 0–100.
Result<void> ValidateMetric(std::string_view name, double value, ErrorCode code);

// ValidateMetric plus the sign convention of `power_w` (positive = supplies the site, negative =
// draws from it): solar_panel and wind_turbine never draw (≥ 0); appliance, heat_pump and
// charging_station never supply (≤ 0); battery, ev and inverter may do either.
Result<void> ValidateMetricFor(DeviceType type, std::string_view name, double value,
                               ErrorCode code);

// One metric of one telemetry message.
struct MetricSample {
  std::string name;
  double value = 0;
  friend bool operator==(const MetricSample&, const MetricSample&) = default;
};

// The latest stored value of one metric of a device (latest by `ts`, not by arrival).
struct LatestMetric {
  std::string name;
  double value = 0;
  Timestamp ts;
  friend bool operator==(const LatestMetric&, const LatestMetric&) = default;
};

// A decoded telemetry payload (docs/contract.md §4.1): `{"ts", "metrics": {...}, "state": {...}?}`.
struct Telemetry {
  Timestamp ts;
  std::vector<MetricSample> metrics;                // in name order
  nlohmann::json state = nlohmann::json::object();  // empty when the payload had none
  friend bool operator==(const Telemetry&, const Telemetry&) = default;
};

// The type-dependent rules of a decoded message: every metric through ValidateMetricFor.
Result<void> ValidateTelemetryFor(DeviceType type, const Telemetry& t, ErrorCode code);

// Telemetry `state`: a JSON object; when present, `at_home` is a bool and `mode` one of
// "charging", "discharging", "idle". Other keys are kept.
Result<void> ValidateDeviceState(const nlohmann::json& state, ErrorCode code);

}  // namespace ems
