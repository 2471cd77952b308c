#include "ems/sim/fleet.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "ems/mqtt/topics.h"

namespace ems::sim {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Timestamp At(const char* text) { return *ParseTimestamp(text); }

const std::set<std::string> kDeviceTypes{"solar_panel", "wind_turbine",    "battery",
                                         "ev",          "appliance",       "heat_pump",
                                         "inverter",    "charging_station"};

// device id → type, from discovery.
std::map<std::string, std::string> TypesOf(const Fleet& fleet) {
  std::map<std::string, std::string> types;
  for (const OutMessage& m : fleet.Discovery()) {
    const auto parsed = mqtt::ParseTopic("ems/v1", m.topic);
    const auto& meta = std::get<mqtt::MetaMsg>(*parsed);
    types[meta.device] = json::parse(m.payload).at("type").get<std::string>();
  }
  return types;
}

std::vector<OutMessage> AdvanceInSteps(Fleet& fleet, Timestamp from, Timestamp to, Millis step) {
  std::vector<OutMessage> all;
  auto take = [&](std::vector<OutMessage> batch) {
    all.insert(all.end(), std::make_move_iterator(batch.begin()),
               std::make_move_iterator(batch.end()));
  };
  for (Timestamp t = from; t <= to; t += step) take(fleet.Advance(t));
  take(fleet.Advance(to));
  return all;
}

TEST(FleetTest, DiscoveryListsEveryDeviceOnceWithAValidType) {
  Fleet fleet(FleetConfig{}, At("2026-11-21T10:00:00Z"));
  const auto discovery = fleet.Discovery();
  ASSERT_EQ(discovery.size(), 3u * (9 + 2));
  std::set<std::string> topics, devices;
  std::map<std::string, std::string> zone_of_site, name_of_site;
  std::map<std::string, int> types;
  for (const OutMessage& m : discovery) {
    EXPECT_TRUE(m.retained);
    EXPECT_TRUE(topics.insert(m.topic).second) << m.topic;
    const auto parsed = mqtt::ParseTopic("ems/v1", m.topic);
    ASSERT_TRUE(parsed.has_value()) << m.topic;
    ASSERT_TRUE(std::holds_alternative<mqtt::MetaMsg>(*parsed)) << m.topic;
    const auto& meta = std::get<mqtt::MetaMsg>(*parsed);
    EXPECT_TRUE(devices.insert(meta.device).second) << meta.device;
    EXPECT_EQ(m.topic, mqtt::MetaTopic("ems/v1", meta.site, meta.device));

    const json j = json::parse(m.payload);
    const std::string type = j.at("type");
    EXPECT_TRUE(kDeviceTypes.contains(type)) << type;
    ++types[type];
    EXPECT_FALSE(j.at("name").get<std::string>().empty());
    ASSERT_TRUE(j.at("properties").is_object());
    EXPECT_FALSE(j.at("properties").empty());
    for (const auto& [key, value] : j.at("properties").items()) {
      ASSERT_TRUE(value.is_number()) << key;
      if (key == "max_discharge_w") {
        EXPECT_GE(value.get<double>(), 0) << key;  // 0 = no vehicle-to-home
      } else {
        EXPECT_GT(value.get<double>(), 0) << key;
      }
    }
    if (type == "charging_station") {
      EXPECT_TRUE(j.at("properties").at("connectors").is_number_integer());
    }
    // One name and zone per site.
    const std::string zone = j.at("site_timezone");
    const std::string name = j.at("site_name");
    EXPECT_TRUE(IsValidTimeZone(zone)) << zone;
    EXPECT_FALSE(name.empty());
    if (zone_of_site.contains(meta.site)) {
      EXPECT_EQ(zone_of_site[meta.site], zone);
      EXPECT_EQ(name_of_site[meta.site], name);
    }
    zone_of_site[meta.site] = zone;
    name_of_site[meta.site] = name;
  }
  EXPECT_EQ(zone_of_site.size(), 3u);
  EXPECT_EQ((std::set<std::string>{zone_of_site["site-1"], zone_of_site["site-2"],
                                   zone_of_site["site-3"]}),
            (std::set<std::string>{"Europe/Berlin", "America/New_York", "Australia/Sydney"}));
  EXPECT_EQ(types["solar_panel"], 3);
  EXPECT_EQ(types["wind_turbine"], 3);
  EXPECT_EQ(types["battery"], 3);
  EXPECT_EQ(types["ev"], 3);
  EXPECT_EQ(types["appliance"], 12);
  EXPECT_EQ(types["heat_pump"], 3);
  EXPECT_EQ(types["charging_station"], 6);
}

TEST(FleetTest, ManySitesKeepIdsUnique) {
  FleetConfig config;
  config.sites = 14;
  config.stations_per_site = 3;
  Fleet fleet(config, At("2026-11-21T10:00:00Z"));
  std::set<std::string> topics;
  std::set<std::string> site_names;
  for (const OutMessage& m : fleet.Discovery()) {
    EXPECT_TRUE(topics.insert(m.topic).second);
    site_names.insert(json::parse(m.payload).at("site_name").get<std::string>());
  }
  EXPECT_EQ(topics.size(), 14u * (9 + 3));
  EXPECT_EQ(site_names.size(), 14u);
}

TEST(FleetTest, TelemetryEveryIntervalPerDevice) {
  for (const char* start_text : {"2026-11-21T10:00:00Z", "2026-11-21T10:00:02.300Z"}) {
    const Timestamp start = At(start_text);
    Fleet fleet(FleetConfig{}, start);
    const auto types = TypesOf(fleet);
    const auto messages = AdvanceInSteps(fleet, start, start + minutes(10), Millis(730));
    std::map<std::string, std::vector<Timestamp>> ts_by_device;
    for (const OutMessage& m : messages) {
      const auto parsed = mqtt::ParseTopic("ems/v1", m.topic);
      ASSERT_TRUE(parsed.has_value()) << m.topic;
      if (!std::holds_alternative<mqtt::TelemetryMsg>(*parsed)) continue;
      EXPECT_FALSE(m.retained);
      const auto& tm = std::get<mqtt::TelemetryMsg>(*parsed);
      const auto ts = ParseTimestamp(json::parse(m.payload).at("ts").get<std::string>());
      ASSERT_TRUE(ts.has_value());
      ts_by_device[tm.device].push_back(*ts);
    }
    ASSERT_EQ(ts_by_device.size(), types.size());
    for (const auto& [device, stamps] : ts_by_device) {
      ASSERT_FALSE(stamps.empty());
      EXPECT_GE(stamps.front(), start);
      EXPECT_LT(stamps.front(), start + seconds(5));
      EXPECT_EQ(ToMillis(stamps.front()) % 5000, 0) << device;
      for (std::size_t i = 1; i < stamps.size(); ++i) {
        ASSERT_EQ(stamps[i] - stamps[i - 1], seconds(5)) << device;
      }
      EXPECT_GE(stamps.size(), 120u);
      EXPECT_LE(stamps.size(), 121u);
    }
  }
}

TEST(FleetTest, SameSeedSameOutputHoweverAdvanceIsCalled) {
  const Timestamp start = At("2026-11-21T06:59:58Z");
  FleetConfig config;
  config.seed = 42;
  Fleet a(config, start);
  Fleet b(config, start);
  const auto all_steps = AdvanceInSteps(a, start, start + hours(1), Millis(1234));
  const auto at_once = b.Advance(start + hours(1));
  ASSERT_EQ(all_steps.size(), at_once.size());
  for (std::size_t i = 0; i < at_once.size(); ++i) {
    ASSERT_EQ(all_steps[i].topic, at_once[i].topic) << i;
    ASSERT_EQ(all_steps[i].payload, at_once[i].payload) << i;
    ASSERT_EQ(all_steps[i].retained, at_once[i].retained) << i;
  }
  EXPECT_EQ(a.Discovery().size(), b.Discovery().size());

  config.seed = 43;
  Fleet c(config, start);
  const auto other = c.Advance(start + hours(1));
  std::set<std::string> payloads;
  for (const OutMessage& m : at_once) payloads.insert(m.payload);
  std::size_t differing = 0;
  for (const OutMessage& m : other) differing += payloads.contains(m.payload) ? 0 : 1;
  EXPECT_GT(differing, other.size() / 2);
}

TEST(FleetTest, AdvanceIntoThePastReturnsNothing) {
  const Timestamp start = At("2026-11-21T10:00:00Z");
  Fleet fleet(FleetConfig{}, start);
  EXPECT_FALSE(fleet.Advance(start + minutes(1)).empty());
  EXPECT_TRUE(fleet.Advance(start + seconds(30)).empty());
  EXPECT_TRUE(fleet.Advance(start + minutes(1)).empty());
}

TEST(FleetTest, RejectsInvalidConfig) {
  FleetConfig zero_interval;
  zero_interval.telemetry_interval = seconds(0);
  EXPECT_THROW(Fleet(zero_interval, Timestamp{}), std::invalid_argument);
  FleetConfig negative_sites;
  negative_sites.sites = -1;
  EXPECT_THROW(Fleet(negative_sites, Timestamp{}), std::invalid_argument);
}

void ExpectFiniteNumber(const json& v, const std::string& what) {
  ASSERT_TRUE(v.is_number()) << what;
  ASSERT_TRUE(std::isfinite(v.get<double>())) << what;
}

// Two days of a fleet, every payload checked against SPEC §4.1.
TEST(FleetTest, PayloadsFollowTheSpecAndTheSignConvention) {
  FleetConfig config;
  config.telemetry_interval = seconds(120);
  config.session_interval = seconds(300);
  const Timestamp start = At("2026-07-14T00:00:00Z");  // a Tuesday
  Fleet fleet(config, start);
  const auto types = TypesOf(fleet);
  std::map<std::string, std::string> zone_of_site;
  for (const OutMessage& m : fleet.Discovery()) {
    const auto parsed = mqtt::ParseTopic("ems/v1", m.topic);
    const auto& meta = std::get<mqtt::MetaMsg>(*parsed);
    zone_of_site[meta.site] = json::parse(m.payload).at("site_timezone");
  }

  std::map<std::string, int> tariffs_per_site;
  std::map<std::string, std::set<std::string>> completed_by_station;
  std::set<std::string> session_ids;
  std::map<std::string, std::pair<double, double>> power_range;  // device → (min, max)
  std::map<std::string, double> solar_energy;
  int ev_away = 0;
  const auto messages = AdvanceInSteps(fleet, start, start + days(2), minutes(7));
  ASSERT_GT(messages.size(), 2u * 24 * 30 * types.size());
  for (const OutMessage& m : messages) {
    const auto parsed = mqtt::ParseTopic("ems/v1", m.topic);
    ASSERT_TRUE(parsed.has_value()) << m.topic;
    json j;
    ASSERT_NO_THROW(j = json::parse(m.payload)) << m.payload;
    ASSERT_TRUE(j.is_object());

    if (const auto* t = std::get_if<mqtt::TelemetryMsg>(&*parsed)) {
      ASSERT_FALSE(m.retained);
      const std::string& type = types.at(t->device);
      ASSERT_TRUE(ParseTimestamp(j.at("ts").get<std::string>()).has_value());
      const json& metrics = j.at("metrics");
      for (const auto& [name, value] : metrics.items()) ExpectFiniteNumber(value, name);
      const double p = metrics.at("power_w");
      auto& range = power_range.try_emplace(t->device, p, p).first->second;
      range = {std::min(range.first, p), std::max(range.second, p)};
      if (type == "solar_panel" || type == "wind_turbine") {
        ASSERT_GE(p, 0) << m.payload;
      }
      if (type == "appliance" || type == "heat_pump" || type == "charging_station") {
        ASSERT_LE(p, 0) << m.payload;
      }
      if (metrics.contains("soc_pct")) {
        ASSERT_GE(metrics.at("soc_pct").get<double>(), 0);
        ASSERT_LE(metrics.at("soc_pct").get<double>(), 100);
      }
      if (type == "solar_panel") {
        const double e = metrics.at("energy_wh");
        ASSERT_GE(e, solar_energy[t->device]);
        solar_energy[t->device] = e;
      }
      if (type == "wind_turbine") {
        ExpectFiniteNumber(metrics.at("wind_speed_ms"), "wind");
      }
      if (type == "heat_pump") {
        ExpectFiniteNumber(metrics.at("temperature_c"), "temperature");
      }
      if (type == "battery") {
        ASSERT_TRUE(metrics.contains("soc_pct"));
      }
      if (type == "ev") {
        const json& state = j.at("state");
        const std::string mode = state.at("mode");
        ASSERT_TRUE(mode == "charging" || mode == "discharging" || mode == "idle") << mode;
        ASSERT_TRUE(state.at("at_home").is_boolean());
        if (mode == "charging") {
          ASSERT_LT(p, 0);
        }
        if (mode == "discharging") {
          ASSERT_GT(p, 0);
        }
        if (mode == "idle") {
          ASSERT_EQ(p, 0);
        }
        if (!state.at("at_home").get<bool>()) {
          ASSERT_EQ(p, 0);
          ++ev_away;
        }
      } else {
        ASSERT_FALSE(j.contains("state")) << m.payload;
      }
    } else if (const auto* s = std::get_if<mqtt::SessionMsg>(&*parsed)) {
      ASSERT_FALSE(m.retained);
      ASSERT_EQ(types.at(s->station), "charging_station");
      std::set<std::string> keys;
      for (const auto& [key, value] : j.items()) keys.insert(key);
      EXPECT_EQ(keys, (std::set<std::string>{"session_id", "station_id", "connector", "vehicle_id",
                                             "status", "started_at", "ended_at", "energy_kwh",
                                             "cost", "currency"}));
      EXPECT_EQ(j.at("station_id"), s->station);
      EXPECT_EQ(j.at("currency"), "EUR");
      EXPECT_TRUE(j.at("connector").is_number_integer());
      const auto started = ParseTimestamp(j.at("started_at").get<std::string>());
      ASSERT_TRUE(started.has_value());
      const std::string id = j.at("session_id");
      if (j.at("status") == "completed") {
        const auto ended = ParseTimestamp(j.at("ended_at").get<std::string>());
        ASSERT_TRUE(ended.has_value());
        EXPECT_GE(*ended, *started);
        EXPECT_NEAR(j.at("cost").get<double>(), j.at("energy_kwh").get<double>() * 0.6,
                    j.at("energy_kwh").get<double>());
        EXPECT_TRUE(session_ids.insert(id).second) << id;
        completed_by_station[s->station].insert(id);
      } else {
        EXPECT_EQ(j.at("status"), "active");
        EXPECT_TRUE(j.at("ended_at").is_null());
        EXPECT_FALSE(session_ids.contains(id)) << "active after completed: " << id;
      }
    } else if (const auto* tr = std::get_if<mqtt::TariffMsg>(&*parsed)) {
      ASSERT_TRUE(m.retained);
      ++tariffs_per_site[tr->site];
      EXPECT_EQ(j.at("currency"), "EUR");
      const json& prices = j.at("prices");
      ASSERT_GE(prices.size(), 23u);
      Timestamp last_end{};
      for (const json& p : prices) {
        const auto s_ts = ParseTimestamp(p.at("start").get<std::string>());
        const auto e_ts = ParseTimestamp(p.at("end").get<std::string>());
        ASSERT_TRUE(s_ts && e_ts);
        EXPECT_GT(*e_ts, *s_ts);
        EXPECT_GE(*s_ts, last_end);
        last_end = *e_ts;
        ExpectFiniteNumber(p.at("price_per_kwh"), "price");
      }
    } else {
      FAIL() << "unexpected topic " << m.topic;
    }
  }
  // At start, then at 13:00 local on each of the two days.
  ASSERT_EQ(tariffs_per_site.size(), 3u);
  for (const auto& [site, n] : tariffs_per_site) EXPECT_EQ(n, 3) << site;
  // One completed session per station per five minutes, start included.
  ASSERT_EQ(completed_by_station.size(), 6u);
  for (const auto& [station, ids] : completed_by_station) {
    EXPECT_EQ(ids.size(), 2u * 24 * 12 + 1) << station;
  }
  // Storage both charges and discharges somewhere over two July days; the EV commutes.
  for (const auto& [device, type] : types) {
    if (type == "battery") {
      EXPECT_LT(power_range[device].first, 0) << device;
      EXPECT_GT(power_range[device].second, 0) << device;
    }
    if (type == "solar_panel") {
      EXPECT_GT(power_range[device].second, 1000) << device;
    }
  }
  EXPECT_GT(ev_away, 0);
}

// Not run by default: the throughput of a 30-day backfill (build with -DCMAKE_BUILD_TYPE=Release,
// run with --gtest_also_run_disabled_tests).
TEST(FleetTest, DISABLED_ThirtyDayBackfillThroughput) {
  const Timestamp start = At("2026-10-22T00:00:00Z");
  Fleet fleet(FleetConfig{}, start);
  const auto wall = std::chrono::steady_clock::now();
  std::size_t messages = 0, bytes = 0;
  for (Timestamp t = start; t <= start + days(30); t += seconds(5)) {
    for (const OutMessage& m : fleet.Advance(t)) {
      ++messages;
      bytes += m.topic.size() + m.payload.size();
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  std::printf("%zu messages, %.1f MB in %.2f s: %.0f msg/s\n", messages, bytes / 1e6, secs,
              messages / secs);
  EXPECT_GT(messages, 1'000'000u);
}

}  // namespace
}  // namespace ems::sim
