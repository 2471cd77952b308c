// Home Assistant on the real broker (docs/contract.md §4.6, docs/home-assistant.md): subscribed as
// Home Assistant's own broker user (`ems-api ha-user add`), it finds a sensor config for every
// metric of every device type and for every energy figure, and each value_template, rendered by
// Jinja2 as Home Assistant renders it, yields the value ems really published. Configs come again
// when Home Assistant says `online`, and go (empty retained payloads) with their device.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <set>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::seconds;

struct DeviceCase {
  std::string id, type;
  Json properties, metrics;
};

const std::vector<DeviceCase>& EveryType() {
  static const std::vector<DeviceCase> cases = {
      {"pv", "solar_panel", {{"rated_power_w", 5000}}, {{"power_w", 1830.5}, {"energy_wh", 12345}}},
      {"wind",
       "wind_turbine",
       {{"rated_power_w", 3000}},
       {{"power_w", 800}, {"wind_speed_ms", 7.5}}},
      {"bat",
       "battery",
       {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 4000}},
       {{"power_w", -1830.5}, {"soc_pct", 54.2}}},
      {"car",
       "ev",
       {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}},
       {{"power_w", -7000}, {"soc_pct", 40}}},
      {"fridge", "appliance", {{"average_power_w", 150}}, {{"power_w", -150}}},
      {"hp", "heat_pump", {{"rated_power_w", 2500}}, {{"power_w", -2000}, {"temperature_c", 45.5}}},
      {"inv",
       "inverter",
       {{"rated_power_w", 6000}},
       {{"frequency_hz", 50.01}, {"power_w", 3000}, {"voltage_v", 230.4}}},
      {"st",
       "charging_station",
       {{"max_power_w", 22000}, {"connectors", 2}},
       {{"energy_wh", 500}, {"power_w", -11000}}},
  };
  return cases;
}

// Renders Home Assistant templates with Jinja2 (tests/integration/tools/render_ha_templates.py):
// each case is {"template", "payload", "state"}; the answer holds a string or {"error"} each.
Json Render(Stack& stack, const Json& cases) {
  const auto in = stack.dir() + "/render-in.json", out = stack.dir() + "/render-out.json";
  std::ofstream(in) << cases.dump();
  Process p({"/usr/bin/python3", stack.SourcePath("tests/integration/tools/render_ha_templates.py"),
             in, out},
            {{"PATH", "/usr/bin:/bin"}}, stack.dir(), stack.dir() + "/render.log");
  EXPECT_EQ(p.Wait(seconds(30)), 0) << p.Log();
  std::ifstream f(out);
  return Json::parse(f, nullptr, false);
}

class HomeAssistantTest : public StackTest {
 protected:
  // The last payload seen on each topic.
  std::map<std::string, std::string> Latest() {
    std::lock_guard lock(mu_);
    std::map<std::string, std::string> out;
    for (const auto& [topic, payload] : seen_) out[topic] = payload;
    return out;
  }
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> seen_;
};

TEST_F(HomeAssistantTest, EveryConfigRendersAgainstWhatEmsPublishesAndGoesWithItsDevice) {
  const auto added = stack_.EmsApiCommand("ha-user add");
  ASSERT_EQ(added.code, 0) << added.output;
  EXPECT_NE(added.output.find("MQTT username homeassistant"), std::string::npos) << added.output;
  stack_.AddPassword("homeassistant", PrintedPassword(added.output));
  EXPECT_EQ(stack_.EmsApiCommand("ha-user add").code, 1);  // one Home Assistant user

  auto ha = stack_.Subscribe("homeassistant", "homeassistant/#", &seen_, &mu_);
  ha->subscribe(std::string(Stack::kPrefix) + "/#", 1)->wait();

  std::size_t expected_configs = 6;  // the site's figures
  for (const auto& d : EveryType()) {
    stack_.Publish(DeviceTopic("home", d.id, "meta"),
                   Json{{"type", d.type},
                        {"name", "My " + d.id},
                        {"properties", d.properties},
                        {"site_name", "Home"}}
                       .dump(),
                   true);
    stack_.Publish(DeviceTopic("home", d.id, "telemetry"), TelemetryPayload(Now(), d.metrics));
    expected_configs += d.metrics.size() + 2;  // each metric has a known unit; import, export
  }
  const auto configs = [&] {
    std::map<std::string, Json> out;
    for (const auto& [topic, payload] : Latest()) {
      if (topic.starts_with("homeassistant/sensor/") && !payload.empty()) {
        out[topic] = Json::parse(payload);
      }
    }
    return out;
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto latest = Latest();
        return configs().size() >= expected_configs &&
               latest.contains("ems/v1/sites/home/energy/totals") &&
               latest.contains("ems/v1/sites/home/devices/st/energy/totals");
      },
      seconds(20)))
      << configs().size() << " of " << expected_configs << " configs";
  EXPECT_EQ(configs().size(), expected_configs);
  EXPECT_EQ(Latest()["ems/v1/status/listener"], "online");  // every config's availability

  // A message without one of the battery's metrics: its soc sensor keeps its state.
  stack_.Publish(DeviceTopic("home", "bat", "telemetry"),
                 TelemetryPayload(Now(), {{"power_w", -1000.5}}));
  ASSERT_TRUE(WaitFor([&] {
    return Latest()["ems/v1/sites/home/devices/bat/telemetry"].find("-1000.5") != std::string::npos;
  }));

  const auto latest = Latest();
  Json cases = Json::array();
  std::vector<std::pair<std::string, double>> expected;  // config topic, value
  for (const auto& [topic, config] : configs()) {
    const std::string state_topic = config["state_topic"];
    ASSERT_TRUE(latest.contains(state_topic)) << topic << " reads " << state_topic;
    const Json payload = Json::parse(latest.at(state_topic));
    const std::string template_text = config["value_template"];
    double value = 0;
    if (payload.contains("metrics")) {
      // "{{ value_json.metrics.<metric> if ... }}": the metric, or the state kept.
      const auto metric = template_text.substr(22, template_text.find(' ', 22) - 22);
      value = payload["metrics"].contains(metric) ? payload["metrics"][metric].get<double>() : -1;
    } else {
      const auto figure = template_text.substr(14, template_text.find(' ', 14) - 14);
      ASSERT_TRUE(payload.contains(figure)) << figure << " in " << payload;
      value = payload[figure].get<double>();
    }
    cases.push_back({{"template", template_text}, {"payload", payload.dump()}, {"state", "-1"}});
    expected.emplace_back(topic, value);
    EXPECT_EQ(config["availability"][0]["topic"], "ems/v1/status/listener") << topic;
  }
  const Json rendered = Render(stack_, cases);
  ASSERT_TRUE(rendered.is_array()) << rendered;
  ASSERT_EQ(rendered.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(rendered[i].is_string()) << expected[i].first << ": " << rendered[i];
    EXPECT_DOUBLE_EQ(std::stod(rendered[i].get<std::string>()), expected[i].second)
        << expected[i].first << " rendered '" << rendered[i] << "'";
  }
  // The battery's soc sensor was rendered against the message without soc_pct: state kept.
  const std::pair<std::string, double> soc_kept("homeassistant/sensor/ems_d_bat_soc_pct/config",
                                                -1);
  EXPECT_NE(std::find(expected.begin(), expected.end(), soc_kept), expected.end());

  {
    std::lock_guard lock(mu_);
    seen_.clear();
  }
  // Home Assistant reads; it cannot write ems's topics.
  ha->publish(DeviceTopic("home", "pv", "telemetry"), TelemetryPayload(Now(), {{"power_w", 1.0}}),
              1, false)
      ->wait();
  // Home Assistant restarts: every config comes again.
  ha->publish("homeassistant/status", "online", 1, false)->wait();
  EXPECT_TRUE(WaitFor([&] { return configs().size() >= expected_configs; }, seconds(10)))
      << configs().size();
  EXPECT_FALSE(Latest().contains(DeviceTopic("home", "pv", "telemetry")))
      << "Home Assistant's user wrote a device topic";

  // A device deleted over REST takes its configs and energy totals with it.
  ASSERT_EQ(stack_.Request("DELETE", "/api/v1/devices/bat", "", stack_.AdminToken()).status, 204);
  EXPECT_TRUE(WaitFor([&] {
    const auto now = Latest();
    for (const char* object : {"ems_d_bat_power_w", "ems_d_bat_soc_pct", "ems_d_bat_import_kwh",
                               "ems_d_bat_export_kwh"}) {
      const auto it = now.find("homeassistant/sensor/" + std::string(object) + "/config");
      if (it == now.end() || !it->second.empty()) return false;
    }
    const auto totals = now.find("ems/v1/sites/home/devices/bat/energy/totals");
    return totals != now.end() && totals->second.empty();
  }));
  // So does a site, with every device it still had.
  ASSERT_EQ(
      stack_.Request("DELETE", "/api/v1/sites/home?cascade=true", "", stack_.AdminToken()).status,
      204);
  EXPECT_TRUE(WaitFor([&] {
    const auto now = Latest();
    for (const std::string topic :
         {"homeassistant/sensor/ems_s_home_grid_import_kwh/config",
          "homeassistant/sensor/ems_s_home_ev_charge_kwh/config",
          "homeassistant/sensor/ems_d_pv_power_w/config",
          "homeassistant/sensor/ems_d_inv_voltage_v/config", "ems/v1/sites/home/energy/totals",
          "ems/v1/sites/home/devices/st/energy/totals"}) {
      const auto it = now.find(topic);
      if (it == now.end() || !it->second.empty()) return false;
    }
    return true;
  }));
  ha->disconnect()->wait();
}

TEST(HomeAssistantSettingsTest, DiscoveryOffPublishesNoConfigsButTheEnergyTotals) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener({{"EMS_HA_DISCOVERY", "0"}});
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;
  auto watcher = stack.Subscribe("ems-api", "#", &seen, &mu);
  stack.Publish(
      DeviceTopic("home", "pv", "meta"),
      Json{{"type", "solar_panel"}, {"name", "Roof"}, {"properties", {{"rated_power_w", 1}}}}
          .dump(),
      true);
  const auto has = [&](const std::string& prefix) {
    std::lock_guard lock(mu);
    return std::any_of(seen.begin(), seen.end(),
                       [&](const auto& m) { return m.first.starts_with(prefix); });
  };
  EXPECT_TRUE(WaitFor([&] { return has("ems/v1/sites/home/devices/pv/energy/totals"); }));
  EXPECT_FALSE(has("homeassistant/"));
  watcher->disconnect()->wait();
}

}  // namespace
}  // namespace ems::testing
