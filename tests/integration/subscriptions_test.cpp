// Metric subscriptions end to end (docs/contract.md §5, §6.3): telemetry over a real Mosquitto
// through the real listener, subscriptions created and answered over REST through the real edge,
// across sites in different time zones and over their DST changes, with ownership, visibility and
// devices that go away.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::hours;

constexpr const char* kSubscriptions = "/api/v1/subscriptions";

// Two sites an ocean apart: Berlin's battery and New York's solar panel.
Json BerlinMeta() {
  Json meta = BatteryMeta();
  meta["site_name"] = "Berlin home";
  meta["site_timezone"] = "Europe/Berlin";
  return meta;
}
Json NewYorkMeta() {
  return {{"type", "solar_panel"},
          {"name", "Roof"},
          {"properties", {{"rated_power_w", 5000}}},
          {"site_name", "New York home"},
          {"site_timezone", "America/New_York"}};
}

Json Metric(const std::string& device, const std::string& metric) {
  return {{"device_id", device}, {"metric", metric}};
}

class SubscriptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    // The readings below are from late October 2026: keep raw telemetry of any age.
    stack_.StartListener({{"EMS_RAW_RETENTION_DAYS", "36500"}});
    stack_.StartApi();
    stack_.Publish(DeviceTopic("berlin", "bat-b", "meta"), BerlinMeta().dump(), true);
    stack_.Publish(DeviceTopic("nyc", "pv-n", "meta"), NewYorkMeta().dump(), true);
    sent_ = 2;
    ASSERT_TRUE(stack_.WaitForReceived(sent_));
  }

  // Hourly readings of both devices over [from, to): soc 50 % in Berlin, 100 W in New York.
  void PublishHourly(Timestamp from, Timestamp to) {
    std::vector<std::pair<std::string, std::string>> messages;
    for (Timestamp t = from; t < to; t += hours(1)) {
      messages.emplace_back(DeviceTopic("berlin", "bat-b", "telemetry"),
                            TelemetryPayload(t, {{"soc_pct", 50.0}}));
      messages.emplace_back(DeviceTopic("nyc", "pv-n", "telemetry"),
                            TelemetryPayload(t, {{"power_w", 100.0}}));
    }
    stack_.PublishAll(messages);
    sent_ += static_cast<long>(messages.size());
    ASSERT_TRUE(stack_.WaitForReceived(sent_));
  }

  std::string Token(const std::string& user, const std::string& role,
                    std::vector<std::string> sites) {
    stack_.AddUser(user, "password-" + user, role, std::move(sites));
    return stack_.Login(user, "password-" + user);
  }

  HttpAnswer Send(const std::string& method, const std::string& path, const Json& body,
                  const std::string& token) {
    return stack_.Request(method, path, body.is_null() ? "" : body.dump(), token);
  }

  // Creates a subscription as `token`'s user; its id.
  std::string Subscribe(const Json& metrics, const std::string& token) {
    const auto a = stack_.Post(kSubscriptions, {{"name", "Homes"}, {"metrics", metrics}}, token);
    EXPECT_EQ(a.status, 201) << a.raw;
    return a.body.value("id", "");
  }

  Stack stack_;
  long sent_ = 0;
};

// The point of `series` whose bucket starts at `ts`, or null.
Json PointAt(const Json& series, const std::string& ts) {
  for (const auto& p : series["points"]) {
    if (p["ts"] == ts) return p;
  }
  return nullptr;
}

TEST_F(SubscriptionsTest, SeriesFollowEachSitesZoneAcrossItsDstChange) {
  PublishHourly(At("2026-10-23T00:00:00Z"), At("2026-11-04T00:00:00Z"));
  const auto id = Subscribe({Metric("bat-b", "soc_pct"), Metric("pv-n", "power_w")}, "");
  EXPECT_EQ(id.rfind("sub-", 0), 0u) << id;

  const std::string range = "from=2026-10-24T00:00:00Z&to=2026-11-03T00:00:00Z";
  const auto a = stack_.Get(std::string(kSubscriptions) + "/" + id + "/series?" + range +
                            "&interval=1d&agg=sum");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["subscription_id"], id);
  EXPECT_EQ(a.body["interval"], "1d");
  EXPECT_EQ(a.body["agg"], "sum");
  const Json& series = a.body["series"];
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0]["device_id"], "bat-b");
  EXPECT_EQ(series[0]["status"], "available");
  EXPECT_EQ(series[0]["site_id"], "berlin");
  EXPECT_EQ(series[0]["timezone"], "Europe/Berlin");
  EXPECT_EQ(series[0]["unit"], "%");
  EXPECT_EQ(series[1]["timezone"], "America/New_York");
  // Each day starts at its site's midnight; the day its summer time ends has 25 hours.
  EXPECT_EQ(PointAt(series[0], "2026-10-23T22:00:00Z")["count"], 24);
  EXPECT_EQ(PointAt(series[0], "2026-10-24T22:00:00Z")["count"], 25);  // 25 October, Berlin
  EXPECT_EQ(PointAt(series[0], "2026-10-25T23:00:00Z")["count"], 24);
  EXPECT_EQ(PointAt(series[1], "2026-10-31T04:00:00Z")["count"], 24);
  EXPECT_EQ(PointAt(series[1], "2026-11-01T04:00:00Z")["count"], 25);  // 1 November, New York
  EXPECT_EQ(PointAt(series[1], "2026-11-01T04:00:00Z")["value"], 2500.0);
  EXPECT_EQ(PointAt(series[1], "2026-11-02T05:00:00Z")["count"], 24);
  // Each series is exactly what the device series answers.
  for (const auto& s : series) {
    const auto alone =
        stack_.Get("/api/v1/devices/" + s["device_id"].get<std::string>() + "/metrics/" +
                   s["metric"].get<std::string>() + "/series?" + range + "&interval=1d&agg=sum");
    ASSERT_EQ(alone.status, 200) << alone.raw;
    EXPECT_EQ(s["points"], alone.body["points"]) << s["device_id"];
  }

  // Defaults as the device series: interval from the range (10 days: hourly), avg.
  const auto chosen = stack_.Get(std::string(kSubscriptions) + "/" + id + "/series?" + range);
  ASSERT_EQ(chosen.status, 200) << chosen.raw;
  EXPECT_EQ(chosen.body["interval"], "1h");
  EXPECT_EQ(chosen.body["agg"], "avg");
  EXPECT_EQ(chosen.body["series"][1]["points"].size(), 240u);

  // The point limit counts the whole answer: 35 days of minutes fit one series, not two.
  const std::string long_range = "from=2026-10-01T00:00:00Z&to=2026-11-05T00:00:00Z&interval=1m";
  EXPECT_EQ(stack_.Get("/api/v1/devices/pv-n/metrics/power_w/series?" + long_range).status, 200);
  const auto too_many =
      stack_.Get(std::string(kSubscriptions) + "/" + id + "/series?" + long_range);
  EXPECT_EQ(too_many.status, 422) << too_many.raw;
  EXPECT_NE(too_many.raw.find("over 2 series; choose an interval of 15m"), std::string::npos)
      << too_many.raw;
  const std::string series_path = std::string(kSubscriptions) + "/" + id + "/series?";
  EXPECT_EQ(stack_.Get(series_path + "from=2026-10-24T00:00:00Z&to=2026-10-24T00:00:00Z").status,
            422);
  EXPECT_EQ(
      stack_.Get(series_path + "interval=raw&from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z")
          .status,
      422);
  EXPECT_EQ(stack_.Get(series_path + "agg=median").status, 400);
  EXPECT_EQ(stack_.Get(series_path + "interval=2h").status, 400);
}

TEST_F(SubscriptionsTest, EachUserSeesOnlyTheirOwnAndOnlyDevicesTheyMaySee) {
  const auto vera = Token("vera", "viewer", {"berlin"});
  // New York's device is answered exactly as a device that does not exist.
  const auto invisible =
      stack_.Post(kSubscriptions, {{"name", "x"}, {"metrics", {Metric("pv-n", "power_w")}}}, vera);
  const auto missing =
      stack_.Post(kSubscriptions, {{"name", "x"}, {"metrics", {Metric("ghost", "power_w")}}}, vera);
  EXPECT_EQ(invisible.status, 404);
  EXPECT_EQ(invisible.body["message"], "Device pv-n not found.");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["message"], "Device ghost not found.");
  const auto no_metric =
      stack_.Post(kSubscriptions, {{"name", "x"}, {"metrics", {Metric("bat-b", "rpm")}}}, vera);
  EXPECT_EQ(no_metric.status, 404);
  EXPECT_EQ(no_metric.body["message"], "Device bat-b has no metric rpm.");
  EXPECT_EQ(stack_.Request("POST", kSubscriptions, "{not json", vera).status, 400);
  const auto twice = stack_.Post(
      kSubscriptions,
      {{"name", "x"}, {"metrics", {Metric("bat-b", "soc_pct"), Metric("bat-b", "soc_pct")}}}, vera);
  EXPECT_EQ(twice.status, 422) << twice.raw;
  EXPECT_EQ(twice.body["message"], "Field 'metrics[1]' names bat-b soc_pct a second time.");

  // Before its first telemetry a battery already exposes soc_pct: it may be subscribed.
  const auto created = stack_.Post(
      kSubscriptions, {{"name", "Battery"}, {"metrics", {Metric("bat-b", "soc_pct")}}}, vera);
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string id = created.body["id"];
  const std::string path = std::string(kSubscriptions) + "/" + id;
  EXPECT_EQ(created.body["name"], "Battery");
  EXPECT_EQ(created.body["metrics"], Json::array({Metric("bat-b", "soc_pct")}));
  EXPECT_EQ(stack_.Get(path, vera).body, created.body);

  // Another user, the admin included, finds nothing there.
  const auto admin = stack_.AdminToken();
  for (const std::string& p : {path, path + "/series"}) {
    EXPECT_EQ(stack_.Get(p, admin).status, 404) << p;
  }
  EXPECT_EQ(
      Send("PUT", path, {{"name", "mine"}, {"metrics", {Metric("pv-n", "power_w")}}}, admin).status,
      404);
  EXPECT_EQ(Send("DELETE", path, nullptr, admin).status, 404);
  EXPECT_TRUE(stack_.Get(kSubscriptions, admin).body["items"].empty());
  EXPECT_EQ(stack_.Get(path, vera).body["name"], "Battery");

  // Updates follow the rules of creation.
  EXPECT_EQ(
      Send("PUT", path, {{"name", "x"}, {"metrics", {Metric("pv-n", "power_w")}}}, vera).status,
      404);
  const auto renamed =
      Send("PUT", path, {{"name", "Berlin"}, {"metrics", {Metric("bat-b", "power_w")}}}, vera);
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(renamed.body["name"], "Berlin");
  EXPECT_EQ(renamed.body["metrics"], Json::array({Metric("bat-b", "power_w")}));
  EXPECT_EQ(renamed.body["created_at"], created.body["created_at"]);

  // A user's list, paged by cursor.
  for (const char* name : {"one", "two", "three"}) {
    const Json body = {{"name", name}, {"metrics", {Metric("bat-b", "soc_pct")}}};
    ASSERT_EQ(stack_.Post(kSubscriptions, body, vera).status, 201);
  }
  std::vector<std::string> ids;
  std::string cursor;
  do {
    const auto page = stack_.Get(
        std::string(kSubscriptions) + "?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor),
        vera);
    ASSERT_EQ(page.status, 200) << page.raw;
    EXPECT_LE(page.body["items"].size(), 3u);
    for (const auto& s : page.body["items"]) ids.push_back(s["id"]);
    cursor = page.body["next_cursor"].is_null() ? "" : page.body["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(stack_.Get(std::string(kSubscriptions) + "?cursor=garbage", vera).status, 400);

  EXPECT_EQ(Send("DELETE", path, nullptr, vera).status, 204);
  EXPECT_EQ(stack_.Get(path, vera).status, 404);
  EXPECT_EQ(Send("DELETE", path, nullptr, vera).status, 404);
}

TEST_F(SubscriptionsTest, ADeviceThatGoesAwayIsUnavailableWithoutFailingOrLeaking) {
  PublishHourly(At("2026-11-20T00:00:00Z"), At("2026-11-21T00:00:00Z"));
  const auto otto = Token("otto", "technician", {"berlin", "nyc"});
  const auto id = Subscribe({Metric("pv-n", "power_w"), Metric("bat-b", "soc_pct")}, otto);
  const auto series_path = std::string(kSubscriptions) + "/" + id +
                           "/series?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&interval=1h";
  auto a = stack_.Get(series_path, otto);
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["series"][0]["points"].size(), 24u);

  // Otto loses New York (his token is taken anew, as after any change of his sites).
  {
    SQLite::Database db(stack_.db_path(), SQLite::OPEN_READWRITE);
    db.exec("DELETE FROM user_sites WHERE username = 'otto' AND site_id = 'nyc'");
  }
  const auto berlin_only = stack_.Login("otto", "password-otto");
  a = stack_.Get(series_path, berlin_only);
  ASSERT_EQ(a.status, 200) << a.raw;
  const Json unavailable = {
      {"device_id", "pv-n"},     {"metric", "power_w"}, {"unit", "W"},
      {"interval", "1h"},        {"agg", "avg"},        {"points", Json::array()},
      {"status", "unavailable"}, {"site_id", nullptr},  {"timezone", nullptr}};
  EXPECT_EQ(a.body["series"][0], unavailable);
  EXPECT_EQ(a.body["series"][1]["status"], "available");
  EXPECT_EQ(a.body["series"][1]["points"].size(), 24u);
  // The subscription still names the device; otto may not subscribe it anew.
  EXPECT_EQ(stack_.Get(std::string(kSubscriptions) + "/" + id, berlin_only).body["metrics"][0],
            Metric("pv-n", "power_w"));

  // Deleted: unavailable to the admin too, who sees every site.
  const auto admin_id = Subscribe({Metric("pv-n", "power_w"), Metric("bat-b", "soc_pct")}, "");
  ASSERT_EQ(Send("DELETE", "/api/v1/devices/pv-n", nullptr, stack_.AdminToken()).status, 204);
  a = stack_.Get(std::string(kSubscriptions) + "/" + admin_id +
                 "/series?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&interval=1h");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["series"][0], unavailable);
  EXPECT_EQ(a.body["series"][1]["points"].size(), 24u);
}

}  // namespace
}  // namespace ems::testing
