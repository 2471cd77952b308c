// Home Assistant MQTT discovery configs (docs/contract.md §4.6, ems/mqtt/home_assistant.h): what
// the listener publishes for every device type and for a site, and what the API clears.
#include "ems/mqtt/home_assistant.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace ems::mqtt {
namespace {

using Json = nlohmann::json;

const HaSettings kSettings{"homeassistant", "ems/v1"};
const HaSite kSite{"home", "Home"};

Device DeviceOf(DeviceType type, const std::string& id) {
  Device d;
  d.id = id;
  d.site_id = kSite.id;
  d.type = type;
  d.name = "My " + std::string(ToString(type));
  return d;
}

std::vector<std::string> Typical(DeviceType type) {
  std::vector<std::string> out;
  for (const auto m : TypicalMetrics(type)) out.emplace_back(m);
  return out;
}

// What Home Assistant's Energy dashboard and sensor classes expect of each known metric.
struct Expected {
  std::string device_class, state_class, unit;
};
const std::map<std::string, Expected> kClasses = {
    {"power_w", {"power", "measurement", "W"}},
    {"energy_wh", {"energy", "total_increasing", "Wh"}},
    {"soc_pct", {"battery", "measurement", "%"}},
    {"voltage_v", {"voltage", "measurement", "V"}},
    {"current_a", {"current", "measurement", "A"}},
    {"temperature_c", {"temperature", "measurement", "°C"}},
    {"wind_speed_ms", {"wind_speed", "measurement", "m/s"}},
    {"frequency_hz", {"frequency", "measurement", "Hz"}},
    {"import_kwh", {"energy", "total_increasing", "kWh"}},
    {"export_kwh", {"energy", "total_increasing", "kWh"}},
};

TEST(HomeAssistantTest, EveryDeviceTypeGetsASensorPerKnownMetricAndItsEnergyCounters) {
  for (const DeviceType type : AllDeviceTypes()) {
    SCOPED_TRACE(std::string(ToString(type)));
    const Device device = DeviceOf(type, "dev-1");
    const auto metrics = Typical(type);
    const auto configs = DeviceConfigs(kSettings, kSite, device, metrics);
    ASSERT_EQ(configs.size(), metrics.size() + 2);  // every typical metric has a known unit
    const auto clearable = DeviceConfigTopics(kSettings, device.id);
    for (std::size_t i = 0; i < configs.size(); ++i) {
      const auto& c = configs[i];
      const std::string metric =
          i < metrics.size() ? metrics[i] : (i == metrics.size() ? "import_kwh" : "export_kwh");
      SCOPED_TRACE(metric);
      const std::string object = "ems_d_dev-1_" + metric;
      EXPECT_EQ(c.topic, "homeassistant/sensor/" + object + "/config");
      EXPECT_NE(std::find(clearable.begin(), clearable.end(), c.topic), clearable.end());
      const auto j = Json::parse(c.payload);
      EXPECT_EQ(j["unique_id"], object);
      EXPECT_EQ(j["device_class"], kClasses.at(metric).device_class);
      EXPECT_EQ(j["state_class"], kClasses.at(metric).state_class);
      EXPECT_EQ(j["unit_of_measurement"], kClasses.at(metric).unit);
      EXPECT_EQ(j["availability"][0]["topic"], "ems/v1/status/listener");
      EXPECT_EQ(j["availability"][0]["payload_available"], "online");
      EXPECT_EQ(j["availability"][0]["payload_not_available"], "offline");
      EXPECT_EQ(j["device"]["identifiers"], Json::array({"ems_device_dev-1"}));
      EXPECT_EQ(j["device"]["name"], device.name);
      EXPECT_EQ(j["device"]["model"], ToString(type));
      EXPECT_EQ(j["device"]["via_device"], "ems_site_home");
      if (i < metrics.size()) {
        EXPECT_EQ(j["state_topic"], "ems/v1/sites/home/devices/dev-1/telemetry");
        EXPECT_EQ(j["value_template"], "{{ value_json.metrics." + metric +
                                           " if value_json.metrics is defined and '" + metric +
                                           "' in value_json.metrics else this.state }}");
      } else {
        EXPECT_EQ(j["state_topic"], "ems/v1/sites/home/devices/dev-1/energy/totals");
        EXPECT_EQ(j["value_template"], "{{ value_json." + metric + " }}");
      }
    }
  }
}

TEST(HomeAssistantTest, MetricsWithoutAKnownUnitGetNoSensor) {
  const auto configs = DeviceConfigs(kSettings, kSite, DeviceOf(DeviceType::kInverter, "inv"),
                                     std::vector<std::string>{"current_a", "mood_score"});
  ASSERT_EQ(configs.size(), 3u);  // current_a, then import and export
  EXPECT_EQ(Json::parse(configs[0].payload)["unique_id"], "ems_d_inv_current_a");
}

TEST(HomeAssistantTest, ASiteHasOneEnergySensorPerFigureOnItsTotalsTopic) {
  const auto configs = SiteConfigs(kSettings, kSite);
  const auto names = SiteEnergyFigureNames();
  ASSERT_EQ(configs.size(), names.size());
  EXPECT_EQ(
      std::vector<std::string>(names.begin(), names.end()),
      (std::vector<std::string>{"grid_import_kwh", "grid_export_kwh", "solar_kwh",
                                "battery_charge_kwh", "battery_discharge_kwh", "ev_charge_kwh"}));
  const auto clearable = SiteConfigTopics(kSettings, kSite.id);
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const std::string figure(names[i]);
    const auto j = Json::parse(configs[i].payload);
    EXPECT_EQ(configs[i].topic, "homeassistant/sensor/ems_s_home_" + figure + "/config");
    EXPECT_EQ(clearable[i], configs[i].topic);
    EXPECT_EQ(j["state_topic"], "ems/v1/sites/home/energy/totals");
    EXPECT_EQ(j["value_template"], "{{ value_json." + figure + " }}");
    EXPECT_EQ(j["device_class"], "energy");
    EXPECT_EQ(j["state_class"], "total_increasing");
    EXPECT_EQ(j["unit_of_measurement"], "kWh");
    EXPECT_EQ(j["device"]["identifiers"], Json::array({"ems_site_home"}));
    EXPECT_EQ(j["device"]["name"], "Home");
    EXPECT_FALSE(j["device"].contains("via_device"));
  }
}

TEST(HomeAssistantTest, IdsWithDotsAndUnderscoresNeverShareAnObject) {
  // Home Assistant's object ids allow [A-Za-z0-9_-] only; ids may also hold '.'.
  std::set<std::string> objects;
  for (const std::string id : {"a.b", "a_b", "a_db", "a__b", "a-b"}) {
    const auto configs = DeviceConfigs(kSettings, kSite, DeviceOf(DeviceType::kAppliance, id),
                                       std::vector<std::string>{"power_w"});
    const std::string object = Json::parse(configs[0].payload)["unique_id"];
    EXPECT_EQ(object.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
              std::string::npos)
        << object;
    EXPECT_TRUE(objects.insert(object).second) << object;
  }
}

TEST(HomeAssistantTest, ThePrefixesMoveEveryTopic) {
  const HaSettings moved{"ha-test", "acme/v2"};
  EXPECT_EQ(HaStatusTopic(moved), "ha-test/status");
  const auto c = DeviceConfigs(moved, kSite, DeviceOf(DeviceType::kBattery, "bat"),
                               std::vector<std::string>{"soc_pct"});
  EXPECT_EQ(c[0].topic, "ha-test/sensor/ems_d_bat_soc_pct/config");
  const auto j = Json::parse(c[0].payload);
  EXPECT_EQ(j["state_topic"], "acme/v2/sites/home/devices/bat/telemetry");
  EXPECT_EQ(j["availability"][0]["topic"], "acme/v2/status/listener");
}

}  // namespace
}  // namespace ems::mqtt
