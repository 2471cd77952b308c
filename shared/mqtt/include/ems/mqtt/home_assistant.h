// Home Assistant MQTT discovery (docs/contract.md §4.6, docs/home-assistant.md): the retained
// configs that make every device metric with a known unit, and every energy counter, a sensor in
// Home Assistant without YAML. Pure: builds topics and payloads; the listener publishes them, the
// API clears them when it deletes a device or a site.
//
// One config per sensor at `{discovery}/sensor/{object}/config`, where object (also the
// unique_id) is `ems_d_{device}_{metric}` for a device's metric, `ems_d_{device}_import_kwh` /
// `_export_kwh` for its energy counters and `ems_s_{site}_{figure}` for a site's figures; ids are
// escaped into Home Assistant's [A-Za-z0-9_-] ('_' → "__", '.' → "_d"), so two ids never share
// an object. Each config carries a `device` block (an ems device, or the site itself; a device's
// `via_device` is its site), availability on `{p}/status/listener`, and device_class,
// state_class and unit as the Energy dashboard needs them (power W measurement, energy
// total_increasing, battery %, temperature °C, ...).
//
// States: a metric's sensor reads the device's own telemetry topic ({"ts", "metrics": {...}}).
// A message may carry only some metrics, so the template keeps the sensor's state when its metric
// is missing (`... if ... in value_json.metrics else this.state`) instead of making Home
// Assistant log a template error. Energy sensors read the listener's retained totals topics,
// which always carry every figure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ems/config/settings.h"
#include "ems/domain/device.h"

namespace ems::mqtt {

struct HaSettings {
  std::string discovery_prefix = "homeassistant";  // EMS_HA_PREFIX
  std::string topic_prefix = "ems/v1";             // EMS_TOPIC_PREFIX
};

// EMS_HA_PREFIX and EMS_TOPIC_PREFIX; nullopt when EMS_HA_DISCOVERY is off. Throws
// config::ConfigError for a prefix that is empty or holds a wildcard.
std::optional<HaSettings> HaSettingsFrom(const config::Settings& settings);

// A retained message; an empty payload clears the config.
struct HaConfig {
  std::string topic;
  std::string payload;
};

struct HaSite {
  std::string id;
  std::string name;
};

// The figures of a site's energy totals topic, and of a device's (docs/contract.md §4.6), in
// payload order.
std::span<const std::string_view> SiteEnergyFigureNames();
std::span<const std::string_view> DeviceEnergyFigureNames();

// Home Assistant's status topic, `{discovery}/status` ("online" when it (re)starts).
std::string HaStatusTopic(const HaSettings& s);

// The configs of a site's energy figures (device block: the site).
std::vector<HaConfig> SiteConfigs(const HaSettings& s, const HaSite& site);
// The configs of a device: one per metric of `metrics` with a known unit (MetricUnit), in the
// order given, then its energy import and export.
std::vector<HaConfig> DeviceConfigs(const HaSettings& s, const HaSite& site, const Device& device,
                                    std::span<const std::string> metrics);
// Every config topic a device or a site may have published, to clear them (empty payloads).
std::vector<std::string> DeviceConfigTopics(const HaSettings& s, std::string_view device_id);
std::vector<std::string> SiteConfigTopics(const HaSettings& s, std::string_view site_id);

}  // namespace ems::mqtt
