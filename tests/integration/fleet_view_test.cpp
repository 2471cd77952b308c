// The fleet view end to end (docs/contract.md §6.2, §6.4): every device a user may see across
// sites, paged, filtered, with its metrics from the start; and the energy summary over every
// visible site, checked against the sum of the per-site summaries.
#include <gtest/gtest.h>

#include <set>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::seconds;

class FleetViewTest : public StackTest {
 protected:
  // Two homes and a school, each device reporting a moment ago.
  void SetUp() override {
    StackTest::SetUp();
    const Json school = {{"site_name", "School"}, {"site_timezone", "America/New_York"}};
    Json pv2 = SolarMeta();
    pv2.update(school);
    Json hp = {
        {"type", "heat_pump"}, {"name", "Heat pump"}, {"properties", {{"rated_power_w", 3000}}}};
    hp.update(school);
    const std::vector<std::pair<std::string, Json>> metas = {
        {DeviceTopic("home", "pv-1", "meta"), SolarMeta()},
        {DeviceTopic("home", "bat-1", "meta"), OfHome(BatteryMeta())},
        {DeviceTopic("home", "fridge", "meta"), OfHome(ApplianceMeta())},
        {DeviceTopic("school", "pv-2", "meta"), pv2},
        {DeviceTopic("school", "hp-1", "meta"), hp},
        {DeviceTopic("depot", "bat-2", "meta"), BatteryMeta()},  // a third site, in UTC
    };
    for (const auto& [topic, meta] : metas) stack_.Publish(topic, meta.dump(), true);
    const auto ts = Now() - seconds(2);
    const std::vector<std::pair<std::string, std::string>> readings = {
        {DeviceTopic("home", "pv-1", "telemetry"), TelemetryPayload(ts, {{"power_w", 3000.5}})},
        {DeviceTopic("home", "bat-1", "telemetry"),
         TelemetryPayload(ts, {{"power_w", -1000.0}, {"soc_pct", 50.0}})},
        {DeviceTopic("home", "fridge", "telemetry"), TelemetryPayload(ts, {{"power_w", -150.0}})},
        {DeviceTopic("school", "pv-2", "telemetry"), TelemetryPayload(ts, {{"power_w", 800.25}})},
        {DeviceTopic("school", "hp-1", "telemetry"),
         TelemetryPayload(ts, {{"power_w", -2000.0}, {"temperature_c", 4.5}})},
        // bat-2 never reports: stale.
    };
    stack_.PublishAll(readings);
    ASSERT_TRUE(stack_.WaitForReceived(static_cast<long>(metas.size() + readings.size())));
  }

  std::string Token(const std::string& user, const std::string& role,
                    std::vector<std::string> sites) {
    stack_.AddUser(user, "password-" + user, role, std::move(sites));
    return stack_.Login(user, "password-" + user);
  }

  // Every item of a list as `token`, page by page.
  std::vector<Json> AllPages(const std::string& path, const std::string& token) {
    std::vector<Json> items;
    const char sep = path.find('?') == std::string::npos ? '?' : '&';
    std::string page_path = path;
    while (true) {
      const auto a = stack_.Get(page_path, token);
      EXPECT_EQ(a.status, 200) << page_path << ": " << a.raw;
      if (a.status != 200) break;
      for (const auto& item : a.body["items"]) items.push_back(item);
      if (a.body["next_cursor"].is_null()) break;
      page_path = path + sep + "cursor=" + a.body["next_cursor"].get<std::string>();
    }
    return items;
  }

  static std::vector<std::string> Ids(const std::vector<Json>& items) {
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(item["id"]);
    return ids;
  }
};

TEST_F(FleetViewTest, TheFleetListPagesEveryVisibleDeviceAcrossSites) {
  const auto fleet = stack_.GetAllItems("/api/v1/devices?limit=2");
  const std::vector<std::string> all = {"bat-1", "bat-2", "fridge", "hp-1", "pv-1", "pv-2"};
  EXPECT_EQ(Ids(fleet), all);
  // The same devices, with the same bodies, as the sites' own lists.
  std::vector<Json> by_site;
  for (const char* site : {"depot", "home", "school"}) {
    for (auto& d : stack_.GetAllItems(std::string("/api/v1/sites/") + site + "/devices")) {
      by_site.push_back(std::move(d));
    }
  }
  std::sort(by_site.begin(), by_site.end(),
            [](const Json& a, const Json& b) { return a["id"] < b["id"]; });
  EXPECT_EQ(fleet, by_site);
  EXPECT_EQ(fleet[3]["metrics"]["temperature_c"]["value"], 4.5);

  EXPECT_EQ(Ids(stack_.GetAllItems("/api/v1/devices?type=battery")),
            (std::vector<std::string>{"bat-1", "bat-2"}));
  EXPECT_EQ(Ids(stack_.GetAllItems("/api/v1/devices?site_id=school&limit=1")),
            (std::vector<std::string>{"hp-1", "pv-2"}));
  EXPECT_EQ(Ids(stack_.GetAllItems("/api/v1/devices?site_id=home&type=solar_panel")),
            (std::vector<std::string>{"pv-1"}));
  EXPECT_TRUE(stack_.GetAllItems("/api/v1/devices?site_id=nowhere").empty());
  EXPECT_EQ(stack_.Get("/api/v1/devices?type=toaster").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/devices?site_id=a/b").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/devices?cursor=garbage").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/devices?limit=0").status, 400);

  // A viewer of the school sees the school's devices only; another site lists nothing, as a site
  // that does not exist.
  const auto vera = Token("vera", "viewer", {"school"});
  EXPECT_EQ(Ids(AllPages("/api/v1/devices?limit=1", vera)),
            (std::vector<std::string>{"hp-1", "pv-2"}));
  EXPECT_TRUE(AllPages("/api/v1/devices?site_id=home", vera).empty());
  EXPECT_TRUE(AllPages("/api/v1/devices?type=battery", vera).empty());
}

TEST_F(FleetViewTest, ADeviceRegisteredOverRestListsItsTypesMetricsFromTheStart) {
  const Json battery = {
      {"id", "bat-rest"},
      {"type", "battery"},
      {"name", "Cellar battery"},
      {"properties", {{"capacity_wh", 8000}, {"max_charge_w", 3000}, {"max_discharge_w", 3000}}}};
  const auto created = stack_.Post("/api/v1/sites/home/devices", battery);
  ASSERT_EQ(created.status, 201) << created.raw;
  const Json expected = Json::parse(R"({
      "power_w": {"value": null, "unit": "W", "ts": null},
      "soc_pct": {"value": null, "unit": "%", "ts": null}})");
  EXPECT_EQ(created.body["metrics"], expected);
  EXPECT_EQ(stack_.Get("/api/v1/devices/bat-rest").body["metrics"], expected);
  EXPECT_EQ(stack_.Get("/api/v1/devices/bat-rest/metrics").body, Json::parse(R"({"items": [
      {"name": "power_w", "value": null, "unit": "W", "ts": null},
      {"name": "soc_pct", "value": null, "unit": "%", "ts": null}]})"));
  for (const std::string list : {"/api/v1/sites/home/devices", "/api/v1/devices"}) {
    bool listed = false;
    for (const auto& d : stack_.GetAllItems(list)) {
      if (d["id"] == "bat-rest") {
        listed = true;
        EXPECT_EQ(d["metrics"], expected) << list;
      }
    }
    EXPECT_TRUE(listed) << list;
  }
  // Its typical metrics have a (still empty) series; others do not exist.
  const auto soc = stack_.Get("/api/v1/devices/bat-rest/metrics/soc_pct/series");
  ASSERT_EQ(soc.status, 200) << soc.raw;
  EXPECT_TRUE(soc.body["points"].empty());
  EXPECT_EQ(stack_.Get("/api/v1/devices/bat-rest/metrics/voltage_v/series").status, 404);

  // The first telemetry fills the values in.
  const auto ts = Now() - seconds(1);
  stack_.Publish(DeviceTopic("home", "bat-rest", "telemetry"),
                 TelemetryPayload(ts, {{"soc_pct", 75.0}}));
  ASSERT_TRUE(stack_.WaitForReceived(12));
  const auto metrics = stack_.Get("/api/v1/devices/bat-rest").body["metrics"];
  EXPECT_EQ(metrics["soc_pct"]["value"], 75.0);
  EXPECT_EQ(metrics["soc_pct"]["ts"], FormatTimestamp(ts));
  EXPECT_TRUE(metrics["power_w"]["value"].is_null());
}

TEST_F(FleetViewTest, TheFleetSummaryIsTheSumOfTheSiteSummaries) {
  const auto check = [&](const std::string& token, const std::vector<std::string>& sites) {
    const auto fleet = stack_.Get("/api/v1/energy/summary", token);
    ASSERT_EQ(fleet.status, 200) << fleet.raw;
    EXPECT_FALSE(fleet.body.contains("site_id"));
    EXPECT_EQ(fleet.body["sites"], sites.size());
    double produced = 0, consumed = 0, net = 0;
    int reporting = 0, stale = 0;
    Json storage = Json::array();
    for (const auto& site : sites) {
      const auto s = stack_.Get("/api/v1/sites/" + site + "/energy/summary", token);
      ASSERT_EQ(s.status, 200) << s.raw;
      produced += s.body["produced_w"].get<double>();
      consumed += s.body["consumed_w"].get<double>();
      net += s.body["net_w"].get<double>();
      reporting += s.body["devices_reporting"].get<int>();
      stale += s.body["devices_stale"].get<int>();
      for (const auto& st : s.body["storage"]) storage.push_back(st);
    }
    EXPECT_NEAR(fleet.body["produced_w"].get<double>(), produced, 1e-6);
    EXPECT_NEAR(fleet.body["consumed_w"].get<double>(), consumed, 1e-6);
    EXPECT_NEAR(fleet.body["net_w"].get<double>(), net, 1e-6);
    EXPECT_EQ(fleet.body["devices_reporting"], reporting);
    EXPECT_EQ(fleet.body["devices_stale"], stale);
    EXPECT_EQ(fleet.body["storage"], storage);
  };
  check(stack_.AdminToken(), {"depot", "home", "school"});
  const auto admin = stack_.Get("/api/v1/energy/summary").body;
  EXPECT_EQ(admin["produced_w"], 3800.75);
  EXPECT_EQ(admin["consumed_w"], 3150.0);
  EXPECT_EQ(admin["net_w"], 650.75);
  EXPECT_EQ(admin["devices_reporting"], 5);
  EXPECT_EQ(admin["devices_stale"], 1);  // bat-2 never reported

  check(Token("vera", "viewer", {"school"}), {"school"});
  const auto nobody = Token("nina", "viewer", {});
  const auto none = stack_.Get("/api/v1/energy/summary", nobody);
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(none.body["sites"], 0);
  EXPECT_EQ(none.body["produced_w"], 0.0);
  EXPECT_TRUE(none.body["storage"].empty());
}

}  // namespace
}  // namespace ems::testing
