// Devices, telemetry and energy end to end (docs/contract.md §4.1, §4.3, §4.4, §5, §6.1–§6.4):
// discovery and telemetry over a real Mosquitto through the real listener, read back over the real
// API, the retained summary topic watched as a subscriber would, device CRUD over REST, and the
// simulator driving the whole stack.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kSite = "home";

// {p}/sites/home/devices/{device}/{leaf}
std::string HomeTopic(const std::string& device, const std::string& leaf) {
  return DeviceTopic(kSite, device, leaf);
}

class DevicesTest : public StackTest {
 protected:
  void Publish(const std::string& topic, const std::string& payload, bool retained = false) {
    stack_.Publish(topic, payload, retained);
    ++sent_;
  }
  void WaitApplied() { ASSERT_TRUE(stack_.WaitForReceived(sent_)); }

  void Discover() {
    Publish(HomeTopic("pv-1", "meta"), SolarMeta().dump(), true);
    Publish(HomeTopic("fridge", "meta"), OfHome(ApplianceMeta()).dump(), true);
    Publish(HomeTopic("bat-1", "meta"), OfHome(BatteryMeta()).dump(), true);
  }

  HttpAnswer Put(const std::string& path, const Json& body, const std::string& token = "") {
    return stack_.Request("PUT", path, body.dump(), token.empty() ? stack_.AdminToken() : token);
  }
  HttpAnswer Delete(const std::string& path, const std::string& token = "") {
    return stack_.Request("DELETE", path, "", token.empty() ? stack_.AdminToken() : token);
  }

  // A user and their token.
  std::string MakeUser(const std::string& name, const std::string& role,
                       std::vector<std::string> sites) {
    stack_.AddUser(name, "password-" + name, role, std::move(sites));
    return stack_.Login(name, "password-" + name);
  }

  long sent_ = 0;
};

TEST_F(DevicesTest, DiscoveryAndTelemetryShowUpInTheApiAndTheRetainedSummary) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> summaries;
  const auto summary_topic = std::string(Stack::kPrefix) + "/sites/" + kSite + "/summary";
  auto sub = stack_.Subscribe("ems-api", summary_topic, &summaries, &mu);

  Discover();
  const auto ts = Now() - seconds(2);
  const auto pv = TelemetryPayload(ts, {{"power_w", 3000.0}, {"energy_wh", 12.5}});
  Publish(HomeTopic("pv-1", "telemetry"), pv);
  Publish(HomeTopic("pv-1", "telemetry"), pv);  // redelivered: stored once
  Publish(HomeTopic("fridge", "telemetry"), TelemetryPayload(ts, {{"power_w", -150.0}}));
  Publish(HomeTopic("bat-1", "telemetry"),
          TelemetryPayload(ts, {{"power_w", -1000.0}, {"soc_pct", 50.0}}, {{"mode", "charging"}}));
  // Broken rules: never discovered, a solar panel drawing power, an impossible soc.
  Publish(HomeTopic("ghost", "telemetry"), TelemetryPayload(ts, {{"power_w", 1.0}}));
  Publish(HomeTopic("pv-1", "telemetry"), TelemetryPayload(ts + seconds(1), {{"power_w", -5.0}}));
  Publish(HomeTopic("bat-1", "telemetry"), TelemetryPayload(ts + seconds(1), {{"soc_pct", 140.0}}));
  WaitApplied();

  // The site was created by discovery with the zone the meta named.
  const auto sites = stack_.Get("/api/v1/sites");
  ASSERT_EQ(sites.status, 200) << sites.raw;
  ASSERT_EQ(sites.body["items"].size(), 1u);
  EXPECT_EQ(
      sites.body["items"][0],
      (Json{{"id", "home"}, {"name", "Home"}, {"timezone", "Europe/Berlin"}, {"device_count", 3}}));
  EXPECT_TRUE(sites.body["next_cursor"].is_null());
  EXPECT_EQ(stack_.Get("/api/v1/sites/home").body["device_count"], 3);
  EXPECT_EQ(stack_.Get("/api/v1/sites/nowhere").status, 404);

  const auto pv1 = stack_.Get("/api/v1/devices/pv-1");
  ASSERT_EQ(pv1.status, 200) << pv1.raw;
  EXPECT_EQ(pv1.body["site_id"], "home");
  EXPECT_EQ(pv1.body["type"], "solar_panel");
  EXPECT_EQ(pv1.body["properties"]["rated_power_w"], 5000);
  EXPECT_EQ(pv1.body["metrics"]["power_w"]["value"], 3000.0);
  EXPECT_EQ(pv1.body["metrics"]["power_w"]["unit"], "W");
  EXPECT_EQ(pv1.body["metrics"]["power_w"]["ts"], FormatTimestamp(ts));
  EXPECT_EQ(pv1.body["last_seen"], FormatTimestamp(ts));
  const auto bat = stack_.Get("/api/v1/devices/bat-1");
  EXPECT_EQ(bat.body["state"]["mode"], "charging");
  EXPECT_EQ(bat.body["metrics"]["soc_pct"]["value"], 50.0);  // 140 was rejected

  const auto metrics = stack_.Get("/api/v1/devices/pv-1/metrics");
  ASSERT_EQ(metrics.status, 200);
  ASSERT_EQ(metrics.body["items"].size(), 2u);
  EXPECT_EQ(metrics.body["items"][0]["name"], "energy_wh");
  EXPECT_EQ(metrics.body["items"][0]["unit"], "Wh");
  EXPECT_EQ(metrics.body["items"][1]["name"], "power_w");

  // Paged device list.
  auto page = stack_.Get("/api/v1/sites/home/devices?limit=2");
  ASSERT_EQ(page.status, 200) << page.raw;
  ASSERT_EQ(page.body["items"].size(), 2u);
  EXPECT_EQ(page.body["items"][0]["id"], "bat-1");
  EXPECT_EQ(page.body["items"][1]["id"], "fridge");
  ASSERT_TRUE(page.body["next_cursor"].is_string());
  page = stack_.Get("/api/v1/sites/home/devices?limit=2&cursor=" +
                    page.body["next_cursor"].get<std::string>());
  ASSERT_EQ(page.body["items"].size(), 1u);
  EXPECT_EQ(page.body["items"][0]["id"], "pv-1");
  EXPECT_EQ(page.body["items"][0]["metrics"]["power_w"]["value"], 3000.0);
  EXPECT_TRUE(page.body["next_cursor"].is_null());
  EXPECT_EQ(stack_.Get("/api/v1/sites/home/devices?cursor=garbage").status, 400);

  // Counted once each; the rejects are dead letters with their reasons.
  const auto stats = stack_.Get("/api/v1/ingest/stats").body;
  EXPECT_EQ(stats["received"], 10);
  EXPECT_EQ(stats["stored"], 6);
  EXPECT_EQ(stats["duplicates"], 1);
  EXPECT_EQ(stats["rejected"], 3);
  EXPECT_EQ(stats["rejected_by_reason"], (Json{{"unknown_device", 1}, {"invalid_telemetry", 2}}));
  const auto unknown = stack_.Get("/api/v1/ingest/dead-letters?reason=unknown_device").body;
  ASSERT_EQ(unknown["items"].size(), 1u);
  EXPECT_EQ(unknown["items"][0]["topic"], HomeTopic("ghost", "telemetry"));
  EXPECT_EQ(unknown["items"][0]["message"], "Device ghost was never discovered or registered.");
  const auto invalid = stack_.Get("/api/v1/ingest/dead-letters?reason=invalid_telemetry").body;
  ASSERT_EQ(invalid["items"].size(), 2u);
  const std::string both = invalid["items"][0]["message"].get<std::string>() + " " +
                           invalid["items"][1]["message"].get<std::string>();
  EXPECT_NE(both.find("power_w"), std::string::npos) << both;
  EXPECT_NE(both.find("soc_pct"), std::string::npos) << both;

  // The summary: solar supplies (+), fridge and charging battery draw (−).
  const auto summary = stack_.Get("/api/v1/sites/home/energy/summary");
  ASSERT_EQ(summary.status, 200) << summary.raw;
  EXPECT_EQ(summary.body["site_id"], "home");
  EXPECT_EQ(summary.body["produced_w"], 3000.0);
  EXPECT_EQ(summary.body["consumed_w"], 1150.0);
  EXPECT_EQ(summary.body["net_w"], 1850.0);
  EXPECT_EQ(summary.body["devices_reporting"], 3);
  EXPECT_EQ(summary.body["devices_stale"], 0);
  ASSERT_EQ(summary.body["storage"].size(), 1u);
  EXPECT_EQ(summary.body["storage"][0]["stored_wh"], 5000.0);

  // … and the same numbers on the retained topic, for a subscriber that was there and for one
  // that comes later.
  const auto matches = [](const Json& j) {
    return j.value("produced_w", 0.0) == 3000.0 && j.value("consumed_w", 0.0) == 1150.0 &&
           j.value("net_w", 0.0) == 1850.0;
  };
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    for (const auto& [topic, payload] : summaries) {
      const auto j = Json::parse(payload, nullptr, false);
      if (topic == summary_topic && !j.is_discarded() && matches(j)) return true;
    }
    return false;
  }));
  std::vector<std::pair<std::string, std::string>> late;
  auto late_sub = stack_.Subscribe("ems-api", summary_topic, &late, &mu);
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return !late.empty() && matches(Json::parse(late.back().second, nullptr, false));
  }));
  for (auto& client : {sub, late_sub}) client->disconnect()->wait();
}

TEST_F(DevicesTest, SeriesOfAMetricAndOfSiteEnergy) {
  Discover();
  // Whole hours well in the past, so the series are complete and repeatable.
  const auto base = std::chrono::floor<hours>(Now()) - hours(4);
  for (int m : {0, 10, 20, 30}) {
    Publish(HomeTopic("pv-1", "telemetry"),
            TelemetryPayload(base + minutes(m), {{"power_w", 1000.0 + 100 * m / 10}}));
    Publish(HomeTopic("fridge", "telemetry"),
            TelemetryPayload(base + minutes(m), {{"power_w", -100.0}}));
  }
  Publish(HomeTopic("pv-1", "telemetry"),
          TelemetryPayload(base + hours(1) + minutes(5), {{"power_w", 2000.0}}));
  WaitApplied();

  const auto range = "from=" + FormatTimestamp(base) + "&to=" + FormatTimestamp(base + hours(2));
  const auto raw =
      stack_.Get("/api/v1/devices/pv-1/metrics/power_w/series?" + range + "&interval=raw");
  ASSERT_EQ(raw.status, 200) << raw.raw;
  EXPECT_EQ(raw.body["device_id"], "pv-1");
  EXPECT_EQ(raw.body["metric"], "power_w");
  EXPECT_EQ(raw.body["unit"], "W");
  EXPECT_EQ(raw.body["interval"], "raw");
  ASSERT_EQ(raw.body["points"].size(), 5u);
  EXPECT_EQ(raw.body["points"][1],
            (Json{{"ts", FormatTimestamp(base + minutes(10))}, {"value", 1100.0}, {"count", 1}}));

  const auto hourly =
      stack_.Get("/api/v1/devices/pv-1/metrics/power_w/series?" + range + "&interval=1h");
  ASSERT_EQ(hourly.status, 200) << hourly.raw;
  EXPECT_EQ(hourly.body["agg"], "avg");
  ASSERT_EQ(hourly.body["points"].size(), 2u);
  EXPECT_EQ(hourly.body["points"][0],
            (Json{{"ts", FormatTimestamp(base)}, {"value", 1150.0}, {"count", 4}}));
  EXPECT_EQ(hourly.body["points"][1],
            (Json{{"ts", FormatTimestamp(base + hours(1))}, {"value", 2000.0}, {"count", 1}}));
  const auto max =
      stack_.Get("/api/v1/devices/pv-1/metrics/power_w/series?" + range + "&interval=1h&agg=max");
  EXPECT_EQ(max.body["points"][0]["value"], 1300.0);

  // The interval is chosen from the range when none is given (2 days: 15-minute buckets).
  const auto chosen = stack_.Get(
      "/api/v1/devices/pv-1/metrics/power_w/series?from=" + FormatTimestamp(base - hours(24)) +
      "&to=" + FormatTimestamp(base + hours(24)));
  ASSERT_EQ(chosen.status, 200) << chosen.raw;
  EXPECT_EQ(chosen.body["interval"], "15m");
  EXPECT_EQ(chosen.body["points"].size(), 4u);  // :00, :15 (:20), :30 and 1:00 (1:05)

  const std::string series = "/api/v1/devices/pv-1/metrics/power_w/series?";
  EXPECT_EQ(
      stack_.Get(series + "from=" + FormatTimestamp(base) + "&to=" + FormatTimestamp(base)).status,
      422);
  const auto long_raw =
      stack_.Get(series + "interval=raw&from=" + FormatTimestamp(base - hours(24 * 401)) +
                 "&to=" + FormatTimestamp(base));
  EXPECT_EQ(long_raw.status, 422) << long_raw.raw;
  EXPECT_EQ(long_raw.body["status"], "error");
  EXPECT_EQ(stack_.Get(series + "interval=2h").status, 400);
  EXPECT_EQ(stack_.Get(series + "agg=median").status, 400);
  EXPECT_EQ(stack_.Get(series + "from=yesterday").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/devices/pv-1/metrics/voltage_v/series").status, 404);
  EXPECT_EQ(stack_.Get("/api/v1/devices/ghost/metrics/power_w/series").status, 404);

  // Site energy: 1000, 1100 and 1200 W each held for 10 minutes = 550 Wh produced, the fridge's
  // 100 W over the same 30 minutes = 50 Wh consumed. The 35 minutes from 0:30 to 1:05 are a gap
  // (over 15 minutes: not bridged) and the lone sample at 1:05 adds nothing (its end is unknown).
  const auto energy = stack_.Get("/api/v1/sites/home/energy/series?" + range + "&interval=1h");
  ASSERT_EQ(energy.status, 200) << energy.raw;
  EXPECT_EQ(energy.body["site_id"], "home");
  EXPECT_EQ(energy.body["interval"], "1h");
  ASSERT_EQ(energy.body["points"].size(), 2u);
  EXPECT_EQ(energy.body["points"][0], (Json{{"ts", FormatTimestamp(base)},
                                            {"produced_wh", 550.0},
                                            {"consumed_wh", 50.0},
                                            {"net_wh", 500.0}}));
  EXPECT_EQ(energy.body["points"][1]["produced_wh"], 0.0);
  EXPECT_EQ(stack_.Get("/api/v1/sites/home/energy/series?" + range + "&interval=raw").status, 422);
  EXPECT_EQ(stack_.Get("/api/v1/sites/home/energy/series?interval=5m").status, 400);
  EXPECT_EQ(stack_
                .Get("/api/v1/sites/home/energy/series?from=" + FormatTimestamp(base) +
                     "&to=" + FormatTimestamp(base - hours(1)))
                .status,
            422);
  EXPECT_EQ(stack_.Get("/api/v1/sites/elsewhere/energy/series").status, 404);
}

TEST_F(DevicesTest, DevicesRegisteredOverRestAcceptTelemetry) {
  Publish(HomeTopic("pv-1", "meta"), SolarMeta().dump(), true);  // creates the site
  WaitApplied();
  const std::string devices = "/api/v1/sites/home/devices";
  Json battery = {{"id", "bat-rest"},
                  {"type", "battery"},
                  {"name", "Basement battery"},
                  {"properties", {{"capacity_wh", 8000}, {"max_charge_w", 3000}}}};

  auto a = stack_.Post(devices, battery);
  EXPECT_EQ(a.status, 422) << a.raw;
  EXPECT_NE(a.body["message"].get<std::string>().find("max_discharge_w"), std::string::npos);
  battery["properties"]["max_discharge_w"] = 0;
  a = stack_.Post(devices, battery);
  EXPECT_EQ(a.status, 422);
  EXPECT_NE(a.body["message"].get<std::string>().find("max_discharge_w"), std::string::npos);
  Json toaster = battery;
  toaster["type"] = "toaster";
  a = stack_.Post(devices, toaster);
  EXPECT_EQ(a.status, 422);
  EXPECT_NE(a.body["message"].get<std::string>().find("'type'"), std::string::npos);
  EXPECT_EQ(stack_.Request("POST", devices, "{not json", stack_.AdminToken()).status, 400);
  EXPECT_EQ(stack_.Post("/api/v1/sites/nowhere/devices", battery).status, 404);

  battery["properties"]["max_discharge_w"] = 2500;
  a = stack_.Post(devices, battery);
  ASSERT_EQ(a.status, 201) << a.raw;
  EXPECT_EQ(a.body["id"], "bat-rest");
  EXPECT_EQ(a.body["site_id"], "home");
  EXPECT_EQ(a.body["type"], "battery");
  EXPECT_EQ(a.body["properties"]["max_discharge_w"], 2500);
  EXPECT_TRUE(a.body["last_seen"].is_null());
  EXPECT_EQ(stack_.Post(devices, battery).status, 409);

  Json unnamed = {
      {"type", "heat_pump"}, {"name", "Heat pump"}, {"properties", {{"rated_power_w", 3000}}}};
  a = stack_.Post(devices, unnamed);
  ASSERT_EQ(a.status, 201) << a.raw;
  const auto made_id = a.body["id"].get<std::string>();
  EXPECT_EQ(made_id.rfind("dev-", 0), 0u) << made_id;

  // Update: replaces type, name and properties; rules as on create.
  battery["name"] = "Cellar battery";
  a = Put("/api/v1/devices/bat-rest", battery);
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["name"], "Cellar battery");
  battery["properties"]["capacity_wh"] = -1;
  a = Put("/api/v1/devices/bat-rest", battery);
  EXPECT_EQ(a.status, 422);
  EXPECT_NE(a.body["message"].get<std::string>().find("capacity_wh"), std::string::npos);
  battery["properties"]["capacity_wh"] = 8000;
  battery["id"] = "other";
  EXPECT_EQ(Put("/api/v1/devices/bat-rest", battery).status, 422);
  battery.erase("id");
  EXPECT_EQ(Put("/api/v1/devices/nothing", battery).status, 404);

  // The listener accepts telemetry of the registered device at once.
  const auto ts = Now() - seconds(1);
  Publish(
      HomeTopic("bat-rest", "telemetry"),
      TelemetryPayload(ts, {{"power_w", 1500.0}, {"soc_pct", 80.0}}, {{"mode", "discharging"}}));
  WaitApplied();
  const auto got = stack_.Get("/api/v1/devices/bat-rest");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body["name"], "Cellar battery");
  EXPECT_EQ(got.body["metrics"]["power_w"]["value"], 1500.0);
  EXPECT_EQ(got.body["state"]["mode"], "discharging");
  EXPECT_EQ(got.body["last_seen"], FormatTimestamp(ts));
  EXPECT_EQ(stack_.Get("/api/v1/ingest/stats").body["rejected"], 0);
  EXPECT_EQ(stack_.Get("/api/v1/sites/home").body["device_count"], 3);

  // Roles: a viewer reads its site only; a technician of the site changes devices.
  const auto viewer = MakeUser("vera", "viewer", {"home"});
  const auto outsider = MakeUser("otto", "viewer", {"elsewhere"});
  const auto tech = MakeUser("tess", "technician", {"home"});
  EXPECT_EQ(stack_.Get("/api/v1/sites", viewer).body["items"].size(), 1u);
  EXPECT_EQ(stack_.Get("/api/v1/sites", outsider).body["items"].size(), 0u);
  EXPECT_EQ(stack_.Get("/api/v1/devices/bat-rest", viewer).status, 200);
  for (const std::string path :
       {"/api/v1/devices/bat-rest", "/api/v1/devices/bat-rest/metrics",
        "/api/v1/devices/bat-rest/metrics/power_w/series", "/api/v1/sites/home",
        "/api/v1/sites/home/devices", "/api/v1/sites/home/energy/summary",
        "/api/v1/sites/home/energy/series"}) {
    EXPECT_EQ(stack_.Get(path, outsider).status, 404) << path;
  }
  EXPECT_EQ(stack_.Post(devices, unnamed, viewer).status, 403);
  EXPECT_EQ(stack_.Post(devices, unnamed, outsider).status, 404);
  EXPECT_EQ(Delete("/api/v1/devices/bat-rest", viewer).status, 403);
  EXPECT_EQ(Delete("/api/v1/devices/bat-rest", outsider).status, 404);
  EXPECT_EQ(stack_.Post(devices, unnamed, tech).status, 201);
  EXPECT_EQ(Delete("/api/v1/devices/" + made_id, tech).status, 204);

  // Deleted: gone from the API, and its telemetry is unknown again.
  EXPECT_EQ(Delete("/api/v1/devices/bat-rest").status, 204);
  EXPECT_EQ(stack_.Get("/api/v1/devices/bat-rest").status, 404);
  EXPECT_EQ(Delete("/api/v1/devices/bat-rest").status, 404);
  Publish(HomeTopic("bat-rest", "telemetry"), TelemetryPayload(Now(), {{"power_w", 1.0}}));
  WaitApplied();
  EXPECT_EQ(stack_.Get("/api/v1/ingest/stats").body["rejected_by_reason"],
            (Json{{"unknown_device", 1}}));
}

TEST_F(DevicesTest, TheSimulatedFleetFillsTheStackWithoutRejections) {
  stack_.StartPublisher({{"EMS_PUBLISHER_INTERVAL_S", "1"}});
  const std::vector<std::string> sites = {"site-1", "site-2", "site-3", "hub-1"};
  // Every device of every simulated site has a latest power_w.
  const auto all_report = [&] {
    for (const auto& site : sites) {
      const auto list = stack_.Get("/api/v1/sites/" + site + "/devices?limit=1000");
      if (list.status != 200 || list.body["items"].size() < 4) return false;
      for (const auto& d : list.body["items"]) {
        if (!d["metrics"].contains("power_w")) return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(all_report, seconds(30)));
  std::this_thread::sleep_for(seconds(3));  // a few more readings
  const auto listed = stack_.Get("/api/v1/sites");
  ASSERT_EQ(listed.body["items"].size(), 4u);  // three homes and the charging hub
  for (const auto& s : listed.body["items"]) {
    EXPECT_GE(s["device_count"].get<int>(), 4) << s;
    EXPECT_NE(s["timezone"], "UTC") << s;  // the meta's zone
  }
  const auto stats = stack_.Get("/api/v1/ingest/stats").body;
  EXPECT_GT(stats["stored"].get<long>(), 100) << stats;
  EXPECT_EQ(stats["rejected"], 0) << stats;
  if (stats["rejected"] != 0) {
    std::cerr << stack_.Get("/api/v1/ingest/dead-letters?limit=20").raw << "\n";
  }
  // Live readings: every device of every site reports (none is stale), and a home draws what a
  // home draws (no public charger inside it).
  for (const auto& site : sites) {
    const auto summary = stack_.Get("/api/v1/sites/" + site + "/energy/summary");
    ASSERT_EQ(summary.status, 200);
    EXPECT_EQ(summary.body["devices_stale"].get<int>(), 0) << summary.raw;
    if (site != "hub-1") {
      EXPECT_LT(summary.body["consumed_w"].get<double>(), 30000) << summary.raw;
    }
  }
  stack_.publisher().Stop();
}

}  // namespace
}  // namespace ems::testing
