#include "ems/mqtt/home_assistant.h"

#include <array>
#include <nlohmann/json.hpp>

#include "ems/mqtt/topics.h"

namespace ems::mqtt {
namespace {

using Json = nlohmann::json;

struct SensorKind {
  std::string_view metric;  // a known metric (MetricUnit), or an energy figure
  std::string_view name;    // the entity's name within its device
  std::string_view device_class;
  std::string_view state_class;
  std::string_view unit;
};

// Every known metric (ems/domain/device.h MetricUnit) with its Home Assistant classes.
constexpr std::array<SensorKind, 8> kMetricKinds = {{
    {"power_w", "Power", "power", "measurement", "W"},
    {"energy_wh", "Energy", "energy", "total_increasing", "Wh"},
    {"soc_pct", "Battery", "battery", "measurement", "%"},
    {"voltage_v", "Voltage", "voltage", "measurement", "V"},
    {"current_a", "Current", "current", "measurement", "A"},
    {"temperature_c", "Temperature", "temperature", "measurement", "°C"},
    {"wind_speed_ms", "Wind speed", "wind_speed", "measurement", "m/s"},
    {"frequency_hz", "Frequency", "frequency", "measurement", "Hz"},
}};

constexpr std::array<SensorKind, 6> kSiteFigures = {{
    {"grid_import_kwh", "Grid import", "energy", "total_increasing", "kWh"},
    {"grid_export_kwh", "Grid export", "energy", "total_increasing", "kWh"},
    {"solar_kwh", "Solar production", "energy", "total_increasing", "kWh"},
    {"battery_charge_kwh", "Battery charge", "energy", "total_increasing", "kWh"},
    {"battery_discharge_kwh", "Battery discharge", "energy", "total_increasing", "kWh"},
    {"ev_charge_kwh", "EV charging", "energy", "total_increasing", "kWh"},
}};

constexpr std::array<SensorKind, 2> kDeviceFigures = {{
    {"import_kwh", "Energy imported", "energy", "total_increasing", "kWh"},
    {"export_kwh", "Energy exported", "energy", "total_increasing", "kWh"},
}};

template <std::size_t N>
constexpr std::array<std::string_view, N> NamesOf(const std::array<SensorKind, N>& kinds) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = kinds[i].metric;
  return names;
}
constexpr auto kSiteFigureNames = NamesOf(kSiteFigures);
constexpr auto kDeviceFigureNames = NamesOf(kDeviceFigures);

// An id in Home Assistant's object-id alphabet, one to one: '_' → "__", '.' → "_d".
std::string Escape(std::string_view id) {
  std::string out;
  for (const char c : id) {
    if (c == '_') {
      out += "__";
    } else if (c == '.') {
      out += "_d";
    } else {
      out += c;
    }
  }
  return out;
}

std::string DeviceObject(std::string_view device_id, std::string_view metric) {
  return "ems_d_" + Escape(device_id) + "_" + std::string(metric);
}
std::string SiteObject(std::string_view site_id, std::string_view figure) {
  return "ems_s_" + Escape(site_id) + "_" + std::string(figure);
}
std::string ConfigTopic(const HaSettings& s, const std::string& object) {
  return s.discovery_prefix + "/sensor/" + object + "/config";
}
std::string SiteIdentifier(std::string_view site_id) { return "ems_site_" + std::string(site_id); }

Json Sensor(const HaSettings& s, const std::string& object, const SensorKind& kind,
            const std::string& state_topic, const std::string& value_template, Json device) {
  return Json{
      {"name", kind.name},
      {"unique_id", object},
      {"state_topic", state_topic},
      {"value_template", value_template},
      {"device_class", kind.device_class},
      {"state_class", kind.state_class},
      {"unit_of_measurement", kind.unit},
      {"availability", Json::array({{{"topic", StatusTopic(s.topic_prefix, "listener")},
                                     {"payload_available", "online"},
                                     {"payload_not_available", "offline"}}})},
      {"device", std::move(device)},
      {"origin", {{"name", "ems"}}},
  };
}

// The value of `metric` in a telemetry payload, or the sensor's state when it is missing.
std::string TelemetryTemplate(std::string_view metric) {
  const std::string m(metric);
  return "{{ value_json.metrics." + m + " if value_json.metrics is defined and '" + m +
         "' in value_json.metrics else this.state }}";
}

}  // namespace

std::span<const std::string_view> SiteEnergyFigureNames() { return kSiteFigureNames; }
std::span<const std::string_view> DeviceEnergyFigureNames() { return kDeviceFigureNames; }

std::optional<HaSettings> HaSettingsFrom(const config::Settings& settings) {
  if (!settings.GetBool("EMS_HA_DISCOVERY")) return std::nullopt;
  const auto& prefix = settings.Get("EMS_HA_PREFIX");
  if (prefix.empty() || prefix.find_first_of("+#") != std::string::npos) {
    throw config::ConfigError("EMS_HA_PREFIX",
                              "must be a topic prefix without + or #, got '" + prefix + "'.");
  }
  return HaSettings{prefix, settings.Get("EMS_TOPIC_PREFIX")};
}

std::string HaStatusTopic(const HaSettings& s) { return s.discovery_prefix + "/status"; }

std::vector<HaConfig> SiteConfigs(const HaSettings& s, const HaSite& site) {
  const Json device = {{"identifiers", Json::array({SiteIdentifier(site.id)})},
                       {"name", site.name},
                       {"model", "site"},
                       {"manufacturer", "ems"}};
  std::vector<HaConfig> out;
  for (const auto& kind : kSiteFigures) {
    const auto object = SiteObject(site.id, kind.metric);
    out.push_back(
        {ConfigTopic(s, object), Sensor(s, object, kind, SiteEnergyTopic(s.topic_prefix, site.id),
                                        "{{ value_json." + std::string(kind.metric) + " }}", device)
                                     .dump()});
  }
  return out;
}

std::vector<HaConfig> DeviceConfigs(const HaSettings& s, const HaSite& site, const Device& device,
                                    std::span<const std::string> metrics) {
  const Json block = {{"identifiers", Json::array({"ems_device_" + device.id})},
                      {"name", device.name},
                      {"model", ToString(device.type)},
                      {"manufacturer", "ems"},
                      {"via_device", SiteIdentifier(site.id)}};
  std::vector<HaConfig> out;
  const auto telemetry = TelemetryTopic(s.topic_prefix, site.id, device.id);
  for (const auto& metric : metrics) {
    for (const auto& kind : kMetricKinds) {
      if (kind.metric != metric) continue;
      const auto object = DeviceObject(device.id, metric);
      out.push_back({ConfigTopic(s, object),
                     Sensor(s, object, kind, telemetry, TelemetryTemplate(metric), block).dump()});
    }
  }
  const auto totals = DeviceEnergyTopic(s.topic_prefix, site.id, device.id);
  for (const auto& kind : kDeviceFigures) {
    const auto object = DeviceObject(device.id, kind.metric);
    out.push_back(
        {ConfigTopic(s, object),
         Sensor(s, object, kind, totals, "{{ value_json." + std::string(kind.metric) + " }}", block)
             .dump()});
  }
  return out;
}

std::vector<std::string> DeviceConfigTopics(const HaSettings& s, std::string_view device_id) {
  std::vector<std::string> out;
  for (const auto& kind : kMetricKinds) {
    out.push_back(ConfigTopic(s, DeviceObject(device_id, kind.metric)));
  }
  for (const auto& kind : kDeviceFigures) {
    out.push_back(ConfigTopic(s, DeviceObject(device_id, kind.metric)));
  }
  return out;
}

std::vector<std::string> SiteConfigTopics(const HaSettings& s, std::string_view site_id) {
  std::vector<std::string> out;
  for (const auto& kind : kSiteFigures)
    out.push_back(ConfigTopic(s, SiteObject(site_id, kind.metric)));
  return out;
}

}  // namespace ems::mqtt
