// EV charging schedules end to end (docs/contract.md §4.1 tariff, §4.3 schedule topic, §5, §6.6): a
// tariff and an EV over MQTT through a real Mosquitto, the real listener and API, schedules changed
// and read through REST, and the retained schedule topic watched as a subscriber would.
#include <gtest/gtest.h>

#include <mutex>

#include "ems/store/store.h"
#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::hours;

constexpr const char* kSite = "home";
constexpr const char* kEv = "ev-1";
constexpr const char* kZone = "Europe/Berlin";

std::string SchedulePath(const std::string& ev = kEv) {
  return "/api/v1/devices/" + ev + "/charging-schedule";
}

std::string DeviceTopic(const std::string& device, const std::string& leaf) {
  return std::string(Stack::kPrefix) + "/sites/" + kSite + "/devices/" + device + "/" + leaf;
}

// Built by appending: GCC 12's -Warray-bounds misreads the inlined operator+ chain here.
std::string TariffTopic() {
  std::string topic(Stack::kPrefix);
  topic.append("/sites/").append(kSite).append("/tariff");
  return topic;
}

// Hourly prices over [from, from + n h): 0.30 everywhere but the `cheap` hours (offsets).
std::string TariffJson(Timestamp from, int n, const std::map<int, double>& cheap) {
  Json prices = Json::array();
  for (int h = 0; h < n; ++h) {
    const auto it = cheap.find(h);
    prices.push_back({{"start", FormatTimestamp(from + hours(h))},
                      {"end", FormatTimestamp(from + hours(h + 1))},
                      {"price_per_kwh", it == cheap.end() ? 0.30 : it->second}});
  }
  return Json{{"currency", "EUR"}, {"prices", prices}}.dump();
}

// Quarter-hour prices over [from, from + n × 15 min): 0.30 everywhere but the `cheap` quarter
// hours (offsets).
std::string QuarterHourTariffJson(Timestamp from, int n, const std::map<int, double>& cheap) {
  Json prices = Json::array();
  for (int q = 0; q < n; ++q) {
    const auto it = cheap.find(q);
    prices.push_back({{"start", FormatTimestamp(from + std::chrono::minutes(15 * q))},
                      {"end", FormatTimestamp(from + std::chrono::minutes(15 * (q + 1)))},
                      {"price_per_kwh", it == cheap.end() ? 0.30 : it->second}});
  }
  return Json{{"currency", "EUR"}, {"prices", prices}}.dump();
}

Json Slot(Timestamp start, Timestamp end) {
  return {{"start", FormatTimestamp(start)}, {"end", FormatTimestamp(end)}};
}

class SchedulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    stack_.StartListener();
    stack_.StartApi();
    // Prices start at least an hour ahead, so the whole test runs before them.
    const auto now = Now();
    h0_ = std::chrono::ceil<hours>(now) + hours(1);
    std::string schedules(Stack::kPrefix);  // appended: see TariffTopic
    schedules.append("/sites/+/devices/+/schedule");
    sub_ = stack_.Subscribe("ems-api", schedules, &schedule_msgs_, &mu_);
  }

  void Publish(const std::string& topic, const std::string& payload, bool retained = false) {
    stack_.Publish(topic, payload, retained);
    ++sent_;
  }
  void WaitApplied() { ASSERT_TRUE(stack_.WaitForReceived(sent_)); }

  // An EV (and a battery) discovered over MQTT, with soc 50 % and at home. When this build's
  // listener does not store meta or telemetry yet (the device/telemetry handler is another
  // change), the same rows are written straight into the database the services share.
  void DiscoverDevices() {
    const Json ev_meta = {
        {"type", "ev"},
        {"name", "Family car"},
        {"properties",
         {{"battery_capacity_wh", 50000}, {"max_charge_w", 10000}, {"max_discharge_w", 0}}},
        {"site_name", "Home"},
        {"site_timezone", kZone}};
    const Json battery_meta = {
        {"type", "battery"},
        {"name", "Garage battery"},
        {"properties", {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 5000}}},
        {"site_name", "Home"},
        {"site_timezone", kZone}};
    Publish(DeviceTopic(kEv, "meta"), ev_meta.dump(), true);
    Publish(DeviceTopic("bat-1", "meta"), battery_meta.dump(), true);
    const auto ts = Now() - std::chrono::seconds(1);
    Publish(DeviceTopic(kEv, "telemetry"), Json{{"ts", FormatTimestamp(ts)},
                                                {"metrics", {{"soc_pct", 50.0}}},
                                                {"state", {{"mode", "idle"}, {"at_home", true}}}}
                                               .dump());
    WaitApplied();

    auto store = store::OpenStore(stack_.database());
    auto& devices = store->Devices();
    for (const auto& [id, meta] : {std::pair{kEv, ev_meta}, std::pair{"bat-1", battery_meta}}) {
      if (devices.Get(id, store::Visibility::All())) continue;
      inserted_directly_ = true;
      DeviceMeta m{DeviceSpec{*ParseDeviceType(meta["type"].get<std::string>()),
                              meta["name"].get<std::string>(), meta["properties"]},
                   "Home", kZone};
      ASSERT_TRUE(devices.UpsertFromMeta(kSite, id, m, Now()));
    }
    if (!store->Readings().Latest(kEv, "soc_pct")) {
      inserted_directly_ = true;
      store->Telemetry().Insert(kEv, "soc_pct", ts, 50.0, kZone);
      devices.RecordTelemetry(kEv, ts, Json{{"mode", "idle"}, {"at_home", true}});
    }
    if (inserted_directly_) {
      std::cerr << "[ note ] the listener did not store meta/telemetry; devices inserted "
                   "directly into the database\n";
    }
  }

  // The newest schedule message for `ev` that satisfies `pred`, waiting for it.
  std::optional<Json> WaitForSchedule(const std::function<bool(const Json&)>& pred,
                                      const std::string& ev = kEv) {
    std::optional<Json> found;
    WaitFor([&] {
      std::lock_guard lock(mu_);
      for (auto it = schedule_msgs_.rbegin(); it != schedule_msgs_.rend(); ++it) {
        if (it->first != DeviceTopic(ev, "schedule")) continue;
        const auto j = Json::parse(it->second, nullptr, false);
        if (!j.is_discarded() && pred(j)) {
          found = j;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  HttpAnswer Put(const std::string& path, const Json& body) {
    return stack_.Request("PUT", path, body.dump(), stack_.AdminToken());
  }

  Stack stack_;
  Timestamp h0_;
  long sent_ = 0;
  bool inserted_directly_ = false;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> schedule_msgs_;
  std::shared_ptr<::mqtt::async_client> sub_;
};

TEST_F(SchedulesTest, PlannedScheduleTakesTheCheapestHoursAndFollowsTheTariff) {
  DiscoverDevices();
  Publish(TariffTopic(), TariffJson(h0_, 12, {{3, 0.10}, {7, 0.12}}), true);
  WaitApplied();
  const auto stats = stack_.Get("/api/v1/ingest/stats");
  EXPECT_FALSE(stats.body["rejected_by_reason"].contains("invalid_tariff")) << stats.raw;

  // soc 0.5 → 0.9 at 10 kW into 50 kWh (0.2 per hour): two hours, the two cheapest.
  const Json goal = {{"target_soc", 0.9}, {"ready_by", FormatTimestamp(h0_ + hours(12))}};
  const auto put = Put(SchedulePath(), goal);
  ASSERT_EQ(put.status, 200) << put.raw;
  const Json expected_slots =
      Json::array({Slot(h0_ + hours(3), h0_ + hours(4)), Slot(h0_ + hours(7), h0_ + hours(8))});
  auto with_gain = [](Json slots, double gain) {
    for (auto& s : slots) s["soc_gained"] = gain;
    return slots;
  };
  EXPECT_EQ(put.body["device_id"], kEv);
  EXPECT_EQ(put.body["mode"], "planned");
  EXPECT_DOUBLE_EQ(put.body["soc"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(put.body["projected_soc"].get<double>(), 0.9);
  EXPECT_EQ(put.body["target_reachable"], true);
  EXPECT_EQ(put.body["is_at_home"], true);
  EXPECT_EQ(put.body["is_paused"], false);
  EXPECT_EQ(put.body["slots"], with_gain(expected_slots, 0.2));

  const auto get = stack_.Get(SchedulePath());
  ASSERT_EQ(get.status, 200) << get.raw;
  EXPECT_EQ(get.body["slots"], with_gain(expected_slots, 0.2));
  EXPECT_DOUBLE_EQ(get.body["target_soc"].get<double>(), 0.9);
  EXPECT_EQ(get.body["ready_by"], FormatTimestamp(h0_ + hours(12)));

  // The API published the new view on the schedule topic.
  ASSERT_TRUE(WaitForSchedule([&](const Json& j) {
    return j["mode"] == "planned" && j["slots"] == with_gain(expected_slots, 0.2);
  }));

  // A new tariff: the listener re-plans and publishes; the API answers the stored plan.
  Publish(TariffTopic(), TariffJson(h0_, 12, {{5, 0.05}, {6, 0.06}}), true);
  WaitApplied();
  const Json moved = with_gain(Json::array({Slot(h0_ + hours(5), h0_ + hours(7))}), 0.4);
  ASSERT_TRUE(WaitForSchedule([&](const Json& j) { return j["slots"] == moved; }));
  EXPECT_EQ(stack_.Get(SchedulePath()).body["slots"], moved);

  // The view is retained: a subscriber arriving now gets it at once.
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> late;
  auto late_sub = stack_.Subscribe("ems-api", DeviceTopic(kEv, "schedule"), &late, &mu);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return !late.empty();
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(Json::parse(late.back().second)["slots"], moved);
}

// Prices with validity (docs/contract.md §4.1): a tariff that arrives later replaces only the
// prices that had not begun; GET /api/v1/sites/{site}/tariff answers each price as it was valid.
TEST_F(SchedulesTest, ALaterTariffKeepsThePricesAlreadyValidAndTheRouteAnswersThem) {
  DiscoverDevices();
  const Timestamp past = std::chrono::floor<hours>(Now()) - hours(2);
  const auto hourly = [&](double price) {
    Json prices = Json::array();
    for (int h = 0; h < 6; ++h) {
      prices.push_back({{"start", FormatTimestamp(past + hours(h))},
                        {"end", FormatTimestamp(past + hours(h + 1))},
                        {"price_per_kwh", price}});
    }
    return Json{{"currency", "EUR"}, {"prices", prices}}.dump();
  };
  std::string site_path("/api/v1/sites/");  // appended: see TariffTopic
  site_path.append(kSite).append("/tariff");
  std::string path = site_path;
  path.append("?from=")
      .append(FormatTimestamp(past))
      .append("&to=")
      .append(FormatTimestamp(past + hours(6)));
  Publish(TariffTopic(), hourly(0.20), true);
  WaitApplied();
  auto first = stack_.Get(path);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["site_id"], kSite);
  EXPECT_EQ(first.body["currency"], "EUR");
  EXPECT_EQ(first.body["prices"], Json::parse(hourly(0.20))["prices"]);

  const Timestamp before = Now();
  Publish(TariffTopic(), hourly(0.50), true);
  WaitApplied();
  const Timestamp after = Now();
  const auto second = stack_.Get(path);
  ASSERT_EQ(second.status, 200) << second.raw;
  const Json& prices = second.body["prices"];
  ASSERT_EQ(prices.size(), 6u) << second.raw;
  for (int h = 0; h < 6; ++h) {
    const auto start = past + hours(h);
    EXPECT_EQ(prices[h]["start"], FormatTimestamp(start));
    const double price = prices[h]["price_per_kwh"].get<double>();
    // Begun before the new tariff arrived: still what was valid then. Not yet begun: the new one.
    if (start < before) {
      EXPECT_DOUBLE_EQ(price, 0.20) << h;
    }
    if (start > after) {
      EXPECT_DOUBLE_EQ(price, 0.50) << h;
    }
  }

  // The default range (yesterday to tomorrow) holds them all; a site without a tariff answers
  // none; a range over 400 days is refused.
  EXPECT_EQ(stack_.Get(site_path).body["prices"], prices);
  ASSERT_EQ(stack_.Post("/api/v1/sites", {{"id", "cabin"}, {"name", "Cabin"}}).status, 201);
  const auto none = stack_.Get("/api/v1/sites/cabin/tariff");
  EXPECT_EQ(none.status, 200) << none.raw;
  EXPECT_TRUE(none.body["currency"].is_null()) << none.raw;
  EXPECT_EQ(none.body["prices"], Json::array()) << none.raw;
  const auto too_long =
      stack_.Get("/api/v1/sites/cabin/tariff?from=2025-01-01T00:00:00Z&to=2026-06-01T00:00:00Z");
  EXPECT_EQ(too_long.status, 422) << too_long.raw;
  EXPECT_EQ(too_long.body["message"], "A tariff range may span at most 400 days.");
}

TEST_F(SchedulesTest, PauseResumeOverrideAndPresence) {
  DiscoverDevices();
  const Json slots = Json::array({Slot(h0_ + hours(3), h0_ + hours(4)),  // given out of order
                                  Slot(h0_ + hours(1), h0_ + hours(2))});
  const auto put = Put(SchedulePath(), {{"slots", slots}});
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body["mode"], "manual");
  ASSERT_EQ(put.body["slots"].size(), 2u);
  EXPECT_EQ(put.body["slots"][0]["start"], FormatTimestamp(h0_ + hours(1)));
  EXPECT_DOUBLE_EQ(put.body["projected_soc"].get<double>(), 0.9);
  EXPECT_FALSE(put.body.contains("target_soc"));

  const auto before = NextLocalMidnight(Now(), kZone);
  const auto paused = stack_.Post(SchedulePath() + "/pause", Json::object());
  const auto after = NextLocalMidnight(Now(), kZone);
  ASSERT_EQ(paused.status, 200) << paused.raw;
  EXPECT_EQ(paused.body["is_paused"], true);
  const auto until = paused.body["paused_until"].get<std::string>();
  EXPECT_TRUE(until == FormatTimestamp(before) || until == FormatTimestamp(after)) << until;
  ASSERT_TRUE(WaitForSchedule([](const Json& j) { return j["is_paused"] == true; }));
  EXPECT_EQ(stack_.Get(SchedulePath()).body["is_paused"], true);

  const auto resumed = stack_.Post(SchedulePath() + "/resume", Json::object());
  ASSERT_EQ(resumed.status, 200) << resumed.raw;
  EXPECT_EQ(resumed.body["is_paused"], false);
  EXPECT_TRUE(resumed.body["paused_until"].is_null());
  EXPECT_DOUBLE_EQ(resumed.body["projected_soc"].get<double>(), 0.9);

  const auto override = stack_.Post(SchedulePath() + "/override", Json::object());
  ASSERT_EQ(override.status, 200) << override.raw;
  ASSERT_TRUE(override.body["override"].is_object());
  const auto start = ParseTimestamp(override.body["override"]["start"].get<std::string>());
  const auto end = ParseTimestamp(override.body["override"]["end"].get<std::string>());
  ASSERT_TRUE(start && end);
  EXPECT_EQ(*end - *start, hours(1));
  EXPECT_GT(override.body["projected_soc"].get<double>(), 0.9);
  ASSERT_TRUE(WaitForSchedule([](const Json& j) { return j["override"].is_object(); }));

  // Leaving ends the override, and nothing is projected while away.
  const auto away = Put("/api/v1/devices/ev-1/state", {{"is_at_home", false}});
  ASSERT_EQ(away.status, 200) << away.raw;
  EXPECT_EQ(away.body["device_id"], kEv);
  EXPECT_EQ(away.body["is_at_home"], false);
  EXPECT_EQ(away.body["state"]["at_home"], false);
  EXPECT_EQ(away.body["state"]["mode"], "idle");  // other state keys are kept
  const auto gone = stack_.Get(SchedulePath());
  EXPECT_EQ(gone.body["is_at_home"], false);
  EXPECT_TRUE(gone.body["override"].is_null());
  EXPECT_DOUBLE_EQ(gone.body["projected_soc"].get<double>(), 0.5);
  ASSERT_TRUE(WaitForSchedule([](const Json& j) { return j["is_at_home"] == false; }));

  const auto refused = stack_.Post(SchedulePath() + "/override", Json::object());
  EXPECT_EQ(refused.status, 409) << refused.raw;
  EXPECT_EQ(refused.body["status"], "error");
  EXPECT_EQ(refused.body["message"], "The EV is not at home.");

  // Back home: charging by the slots again; the ended override does not come back.
  ASSERT_EQ(Put("/api/v1/devices/ev-1/state", {{"is_at_home", true}}).status, 200);
  const auto back = stack_.Get(SchedulePath());
  EXPECT_EQ(back.body["is_at_home"], true);
  EXPECT_TRUE(back.body["override"].is_null());
  EXPECT_DOUBLE_EQ(back.body["projected_soc"].get<double>(), 0.9);
}

TEST_F(SchedulesTest, InvalidRequestsAndVisibility) {
  DiscoverDevices();
  auto expect_error = [&](const HttpAnswer& a, int status, const std::string& needle) {
    EXPECT_EQ(a.status, status) << a.raw;
    EXPECT_EQ(a.body["status"], "error") << a.raw;
    EXPECT_NE(a.body["message"].get<std::string>().find(needle), std::string::npos) << a.raw;
  };
  expect_error(
      Put(SchedulePath(), {{"slots", Json::array({Slot(h0_, h0_ + hours(2)),
                                                  Slot(h0_ + hours(1), h0_ + hours(3))})}}),
      422, "overlap");
  expect_error(Put(SchedulePath(), {{"slots", Json::array()}}), 422, "slot");
  expect_error(Put(SchedulePath(), {{"slots", Json::array({Slot(h0_ + hours(1), h0_)})}}), 422,
               "slots[0]");
  expect_error(Put(SchedulePath(), {{"target_soc", 1.5}, {"ready_by", FormatTimestamp(h0_)}}), 422,
               "target_soc");
  expect_error(Put(SchedulePath(), {{"slots", Json::array({Slot(h0_, h0_ + hours(1))})},
                                    {"target_soc", 0.8},
                                    {"ready_by", FormatTimestamp(h0_)}}),
               422, "Send one of");
  expect_error(
      Put(SchedulePath(),
          {{"repeat",
            Json::array({{{"days", {"someday"}}, {"ready_by", "07:00"}, {"target_soc", 0.8}}})}}),
      422, "repeat[0].days");
  expect_error(stack_.Request("PUT", SchedulePath(), "{not json", stack_.AdminToken()), 400,
               "JSON");
  expect_error(Put("/api/v1/devices/ev-1/state", {{"is_at_home", "yes"}}), 422, "is_at_home");
  // Nothing was stored by the refused requests.
  EXPECT_EQ(stack_.Get(SchedulePath()).body["slots"], Json::array());

  expect_error(stack_.Get(SchedulePath("nope")), 404, "not found");
  expect_error(stack_.Get(SchedulePath("bat-1")), 404, "is not an EV");
  expect_error(stack_.Post(SchedulePath("bat-1") + "/pause", Json::object()), 404, "is not an EV");
  expect_error(stack_.Request("GET", SchedulePath(), "", ""), 401, "token");

  // Visibility: a viewer of another site sees nothing, not even that the EV exists; a viewer of
  // this site is its household and operates the car (docs/contract.md §5).
  ASSERT_TRUE(stack_.AddUser("outsider", "outsider-password", "viewer", {"elsewhere"}));
  ASSERT_TRUE(stack_.AddUser("resident", "resident-password", "viewer", {kSite}));
  const auto outsider = stack_.Login("outsider", "outsider-password");
  expect_error(stack_.Request("GET", SchedulePath(), "", outsider), 404, "Device ev-1 not found.");
  expect_error(stack_.Request("POST", SchedulePath() + "/pause", "{}", outsider), 404,
               "Device ev-1 not found.");
  expect_error(stack_.Request("POST", SchedulePath("bat-1") + "/pause", "{}", outsider), 404,
               "Device bat-1 not found.");
  const auto resident = stack_.Login("resident", "resident-password");
  EXPECT_EQ(stack_.Request("GET", SchedulePath(), "", resident).status, 200);
  const auto paused = stack_.Request("POST", SchedulePath() + "/pause", "{}", resident);
  EXPECT_EQ(paused.status, 200) << paused.raw;
  EXPECT_EQ(paused.body["is_paused"], true);
  EXPECT_EQ(stack_.Request("POST", SchedulePath() + "/resume", "{}", resident).status, 200);

  // A broken tariff becomes a dead letter with reason invalid_tariff.
  Publish(TariffTopic(), R"({"currency": "EUR", "prices": [{"start": "x"}]})");
  WaitApplied();
  const auto stats = stack_.Get("/api/v1/ingest/stats");
  EXPECT_EQ(stats.body["rejected_by_reason"]["invalid_tariff"], 1) << stats.raw;
  EXPECT_TRUE(stack_.listener().Running());
}

TEST_F(SchedulesTest, RecurringPlanIsExplainedOnTheRetainedTopicAndFollowsQuarterHourPrices) {
  DiscoverDevices();
  // Quarter-hour prices: 0.10 in 03:00–04:00 and 07:00–08:00 after h0 (as quarter hours).
  std::map<int, double> cheap;
  for (int q : {12, 13, 14, 15, 28, 29, 30, 31}) cheap[q] = 0.10;
  Publish(TariffTopic(), QuarterHourTariffJson(h0_, 48, cheap), true);
  WaitApplied();

  // "90 % by <the local time of h0 + 12 h> every day": its next occurrence is h0 + 12 h.
  const Timestamp ready_by = h0_ + hours(12);
  const Json recurring = {
      {"repeat", Json::array({{{"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                               {"ready_by", FormatLocal(ready_by, kZone, "%H:%M")},
                               {"target_soc", 0.9}}})},
      {"skip", Json::array()}};
  const auto put = Put(SchedulePath(), recurring);
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body["mode"], "planned");
  EXPECT_EQ(put.body["ready_by"], FormatTimestamp(ready_by));
  EXPECT_EQ(put.body["recurring"]["repeat"][0]["target_soc"], 0.9);
  // 0.5 → 0.9 at 10 kW into 50 kWh: 2 h, the eight cheap quarter hours; 20 kWh at 0.10.
  EXPECT_EQ(put.body["next_start"], FormatTimestamp(h0_ + hours(3)));
  EXPECT_EQ(put.body["expected_cost"], 2.0);
  EXPECT_EQ(put.body["currency"], "EUR");
  EXPECT_EQ(put.body["expected_soc_at_ready_by"], 0.9);
  EXPECT_TRUE(put.body["reason"].is_null());
  EXPECT_EQ(put.body["power_source"], "nominal");
  EXPECT_EQ(put.body["charge_power_w"], 10000);

  // New quarter-hour prices: the listener re-plans the occurrence and publishes the explanation.
  cheap.clear();
  for (int q = 20; q < 28; ++q) cheap[q] = 0.05;
  Publish(TariffTopic(), QuarterHourTariffJson(h0_, 48, cheap), true);
  WaitApplied();
  ASSERT_TRUE(WaitForSchedule([&](const Json& j) {
    // value(): before the new plan a message may lack the fields, and a const JSON's operator[]
    // asserts on a missing key in the sanitizer (Debug) build.
    return j.value("next_start", Json()) == FormatTimestamp(h0_ + hours(5)) &&
           j.value("expected_cost", Json()) == 1.0;
  }));

  // Retained: a subscriber arriving now reads the explained plan at once.
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> late;
  auto late_sub = stack_.Subscribe("ems-api", DeviceTopic(kEv, "schedule"), &late, &mu);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return !late.empty();
  }));
  std::lock_guard lock(mu);
  Json retained = Json::parse(late.back().second);  // not const: a missing key reads as null
  EXPECT_EQ(retained["next_start"], FormatTimestamp(h0_ + hours(5)));
  EXPECT_EQ(retained["expected_cost"], 1.0);
  EXPECT_EQ(retained["currency"], "EUR");
  EXPECT_EQ(retained["ready_by"], FormatTimestamp(ready_by));
  EXPECT_EQ(retained["slots"], Json::array({Json{{"start", FormatTimestamp(h0_ + hours(5))},
                                                 {"end", FormatTimestamp(h0_ + hours(7))},
                                                 {"soc_gained", 0.4}}}));
}

}  // namespace
}  // namespace ems::testing
