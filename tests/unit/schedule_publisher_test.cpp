// The listener's side of EV charging schedules (docs/contract.md §4.1 tariff, §4.3, §6.6): the
// tariff handler, the derived publisher that re-plans and publishes schedules after a batch, and
// the simulator's tariff payloads going through the real decoder.
#include "listener/derived/schedule_publisher.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "ems/codec/tariff_codec.h"
#include "ems/mqtt/topics.h"
#include "ems/sim/fleet.h"
#include "listener/handlers/tariff_handler.h"
#include "support.h"

namespace ems::listener {
namespace {

using Json = nlohmann::json;
using std::chrono::hours;

using ems::testing::At;

class TariffHandlerTest : public testing::TempDbTest {};

// Hourly prices over [from, from + n h): 0.30 everywhere but the `cheap` hours (offsets).
Tariff HourlyTariff(Timestamp from, int n, const std::map<int, double>& cheap) {
  Tariff t{"EUR", {}};
  for (int h = 0; h < n; ++h) {
    const auto it = cheap.find(h);
    t.prices.push_back(
        {from + hours(h), from + hours(h + 1), it == cheap.end() ? 0.30 : it->second});
  }
  return t;
}

InboxRecord Record(const std::string& topic, const std::string& payload, Timestamp arrival) {
  return InboxRecord{1, arrival, topic, payload};
}

TEST_F(TariffHandlerTest, StoresNewTariffsAndMarksTheSite) {
  TariffHandler handler(store());
  auto& tariffs = store().Tariffs();
  const auto now = At("2026-11-21T10:00:00Z");
  const Tariff tariff = HourlyTariff(At("2026-11-21T12:00:00Z"), 3, {{1, 0.1}});
  const std::string payload = codec::EncodeTariff(tariff).dump();

  BatchEffects e;
  const auto first = handler.Handle(mqtt::TariffMsg{"home"}, Record("t", payload, now), e);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, Outcome::kStored);
  EXPECT_EQ(e.tariff_sites, std::set<std::string>{"home"});
  EXPECT_EQ(tariffs.Get("home", Timestamp::min(), Timestamp::max()), tariff);

  BatchEffects again;
  EXPECT_EQ(handler.Handle(mqtt::TariffMsg{"home"}, Record("t", payload, now), again),
            Outcome::kDuplicate);
  EXPECT_TRUE(again.tariff_sites.empty());

  Tariff changed = tariff;
  changed.prices[0].price_per_kwh = 0.5;
  BatchEffects third;
  EXPECT_EQ(handler.Handle(mqtt::TariffMsg{"home"},
                           Record("t", codec::EncodeTariff(changed).dump(), now), third),
            Outcome::kStored);
  EXPECT_EQ(tariffs.Get("home", Timestamp::min(), Timestamp::max()), changed);
  EXPECT_EQ(third.tariff_sites.count("home"), 1u);
}

TEST_F(TariffHandlerTest, RejectsBadPayloadsAndKeepsTheStoredTariff) {
  TariffHandler handler(store());
  auto& tariffs = store().Tariffs();
  const auto now = At("2026-11-21T10:00:00Z");
  BatchEffects e;
  const auto not_json = handler.Handle(mqtt::TariffMsg{"home"}, Record("t", "{nope", now), e);
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidJson);

  const auto overlapping = handler.Handle(mqtt::TariffMsg{"home"},
                                          Record("t",
                                                 R"({"currency": "EUR", "prices": [
                  {"start": "2026-11-21T12:00:00Z", "end": "2026-11-21T14:00:00Z", "price_per_kwh": 0.2},
                  {"start": "2026-11-21T13:00:00Z", "end": "2026-11-21T15:00:00Z", "price_per_kwh": 0.3}]})",
                                                 now),
                                          e);
  ASSERT_FALSE(overlapping);
  EXPECT_EQ(overlapping.error().code, ErrorCode::kInvalidTariff);
  EXPECT_NE(overlapping.error().message.find("prices[1]"), std::string::npos);

  const auto no_prices =
      handler.Handle(mqtt::TariffMsg{"home"}, Record("t", R"({"currency": "EUR"})", now), e);
  ASSERT_FALSE(no_prices);
  EXPECT_EQ(no_prices.error().code, ErrorCode::kInvalidTariff);
  EXPECT_TRUE(e.tariff_sites.empty());
  EXPECT_FALSE(tariffs.Get("home", Timestamp::min(), Timestamp::max()));
}

// What ems-publisher sends on {p}/sites/{site}/tariff must pass the listener's decoder, be
// stored once per change, and price whole quarter hours without gaps.
TEST_F(TariffHandlerTest, EverySimulatedTariffDecodesAndStores) {
  TariffHandler handler(store());
  auto& tariffs = store().Tariffs();
  const auto start = At("2026-03-28T09:30:00Z");  // spans the Europe/Berlin switch to DST
  // Hourly telemetry and sessions keep the run short; tariffs do not depend on them.
  sim::FleetConfig config;
  config.telemetry_interval = hours(1);
  config.session_interval = hours(1);
  sim::Fleet fleet(config, start);
  std::vector<std::pair<sim::OutMessage, Timestamp>> messages;  // with the time it was sent
  for (auto t = start; t <= start + hours(50); t += hours(1)) {
    auto batch = fleet.Advance(t);
    for (auto& m : batch) {
      if (m.topic.ends_with("/tariff")) messages.emplace_back(std::move(m), t);
    }
  }
  std::map<std::string, int> per_site;
  for (const auto& [m, sent] : messages) {
    const auto topic = mqtt::ParseTopic("ems/v1", m.topic);
    ASSERT_TRUE(topic) << m.topic;
    const auto* tariff_topic = std::get_if<mqtt::TariffMsg>(&*topic);
    if (!tariff_topic) continue;
    EXPECT_TRUE(m.retained);
    const auto tariff = codec::DecodeTariff(m.payload);
    ASSERT_TRUE(tariff) << tariff.error().message << "\n" << m.payload;
    EXPECT_EQ(tariff->currency.size(), 3u);
    ASSERT_GE(tariff->prices.size(), 2u) << m.payload;  // time-of-use: a few blocks a day
    for (std::size_t i = 0; i < tariff->prices.size(); ++i) {
      const auto& p = tariff->prices[i];
      EXPECT_EQ((p.end - p.start) % std::chrono::minutes(15), Millis(0));
      if (i > 0) {
        EXPECT_EQ(p.start, tariff->prices[i - 1].end);
      }
    }

    BatchEffects e;
    const auto stored = handler.Handle(*tariff_topic, Record(m.topic, m.payload, sent), e);
    ASSERT_TRUE(stored) << stored.error().message;
    // From its arrival on, the site is priced as the new tariff says.
    for (const auto& p : tariff->prices) {
      if (p.start < sent) continue;
      EXPECT_EQ(tariffs.Get(tariff_topic->site, p.start, p.end), (Tariff{tariff->currency, {p}}));
    }
    ++per_site[tariff_topic->site];
  }
  // The first at start, then one at 13:00 local on each of the two following days at most.
  ASSERT_EQ(per_site.size(), 3u);
  for (const auto& [site, n] : per_site) EXPECT_GE(n, 2) << site;
}

class SchedulePublisherTest : public testing::TempDbTest {
 protected:
  void SetUp() override {
    auto& devices = store().Devices();
    DeviceMeta ev{
        DeviceSpec{
            DeviceType::kEv,
            "Car",
            {{"battery_capacity_wh", 50000}, {"max_charge_w", 10000}, {"max_discharge_w", 0}}},
        "Home", "Europe/Berlin"};
    ASSERT_TRUE(devices.UpsertFromMeta("home", "ev-1", ev, now_));
    DeviceMeta battery{
        DeviceSpec{DeviceType::kBattery,
                   "Battery",
                   {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 5000}}},
        "Home", "Europe/Berlin"};
    ASSERT_TRUE(devices.UpsertFromMeta("home", "bat-1", battery, now_));
    auto& telemetry = store().Telemetry();
    telemetry.Insert("ev-1", "soc_pct", now_ - std::chrono::minutes(1), 50, "Europe/Berlin");
  }

  // ev-1 planned to 90 % by midnight UTC, under a tariff cheapest at 15:00 and then 19:00 UTC.
  void PlanToNinetyPercentWithTariff() {
    ChargingSchedule planned;
    planned.goal = ChargingGoal{0.9, At("2026-11-22T00:00:00Z")};
    store().Schedules().Put("ev-1", planned, now_);
    store().Tariffs().Put("home", Timestamp::min(),
                          HourlyTariff(At("2026-11-21T12:00:00Z"), 12, {{3, 0.10}, {7, 0.12}}),
                          now_);
  }

  std::unique_ptr<ScheduleDerivedPublisher> MakePublisher() {
    return std::make_unique<ScheduleDerivedPublisher>(
        store(), IngestOptions{}, [this](const std::string& topic, const std::string& payload) {
          published_.emplace_back(topic, Json::parse(payload));
        });
  }

  const Timestamp now_ = At("2026-11-21T10:00:00Z");
  std::vector<std::pair<std::string, Json>> published_;
};

TEST_F(SchedulePublisherTest, TariffChangeReplansAtTheCheapestHoursAndPublishes) {
  auto& repo = store().Schedules();
  // 0.4 of soc at 0.2 per hour: two hours, the cheapest two of the tariff.
  PlanToNinetyPercentWithTariff();
  auto publisher = MakePublisher();
  BatchEffects e;
  e.tariff_sites.insert("home");
  publisher->AfterCommit(e, now_);

  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].first, "ems/v1/sites/home/devices/ev-1/schedule");
  const Json& view = published_[0].second;
  EXPECT_EQ(view["device_id"], "ev-1");
  EXPECT_EQ(view["mode"], "planned");
  EXPECT_DOUBLE_EQ(view["soc"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(view["projected_soc"].get<double>(), 0.9);
  EXPECT_EQ(view["target_reachable"], true);
  EXPECT_EQ(view["slots"], Json::parse(R"([
      {"start": "2026-11-21T15:00:00Z", "end": "2026-11-21T16:00:00Z", "soc_gained": 0.2},
      {"start": "2026-11-21T19:00:00Z", "end": "2026-11-21T20:00:00Z", "soc_gained": 0.2}])"));
  const auto stored = repo.Get("ev-1");
  ASSERT_TRUE(stored && stored->plan);
  EXPECT_EQ(stored->plan->computed_at, now_);
  EXPECT_EQ(stored->plan->slots.size(), 2u);

  // Nothing changed for a subscriber: not sent again.
  publisher->AfterCommit(e, now_);
  EXPECT_EQ(published_.size(), 1u);
}

TEST_F(SchedulePublisherTest, SocChangeReplansAndOtherDevicesAreSkipped) {
  PlanToNinetyPercentWithTariff();
  auto& telemetry = store().Telemetry();
  telemetry.Insert("ev-1", "soc_pct", now_, 80, "Europe/Berlin");

  auto publisher = MakePublisher();
  BatchEffects e;
  e.devices = {"bat-1", "ev-1", "gone"};
  publisher->AfterCommit(e, now_);
  ASSERT_EQ(published_.size(), 1u);
  const Json& view = published_[0].second;
  EXPECT_DOUBLE_EQ(view["soc"].get<double>(), 0.8);
  // 0.1 left: half an hour, the start of the cheapest hour.
  EXPECT_EQ(view["slots"], Json::parse(R"([
      {"start": "2026-11-21T15:00:00Z", "end": "2026-11-21T15:30:00Z", "soc_gained": 0.1}])"));
}

TEST_F(SchedulePublisherTest, MeasuredChargePowerPlansLongerAndIsExplained) {
  PlanToNinetyPercentWithTariff();
  // The car really draws 7.4 kW on its 10 kW wallbox: four hours of telemetry before now.
  auto& telemetry = store().Telemetry();
  for (int k = 0; k < 24; ++k) {
    telemetry.Insert("ev-1", "power_w", now_ - hours(4) + std::chrono::minutes(10 * k), -7'400,
                     "Europe/Berlin");
  }
  auto publisher = MakePublisher();
  BatchEffects e;
  e.devices = {"ev-1"};
  publisher->AfterCommit(e, now_);
  ASSERT_EQ(published_.size(), 1u);
  const Json& view = published_[0].second;
  EXPECT_EQ(view["power_source"], "measured");
  EXPECT_EQ(view["charge_power_w"], 7400);
  // 20 kWh at 7.4 kW: 2 h 43 min — both cheap hours and the earliest 43 priced minutes.
  Json windows = Json::array();
  for (const Json& slot : view["slots"]) windows.push_back({slot["start"], slot["end"]});
  EXPECT_EQ(windows, Json::parse(R"([["2026-11-21T12:00:00Z", "2026-11-21T12:43:00Z"],
                                     ["2026-11-21T15:00:00Z", "2026-11-21T16:00:00Z"],
                                     ["2026-11-21T19:00:00Z", "2026-11-21T20:00:00Z"]])"));
  EXPECT_EQ(view["slots"][1]["soc_gained"], 0.148);  // 7.4 kW into 50 kWh for an hour
  EXPECT_EQ(view["next_start"], "2026-11-21T12:00:00Z");
  EXPECT_EQ(view["expected_cost"], 3.22);
  EXPECT_EQ(view["currency"], "EUR");
  EXPECT_TRUE(view["reason"].is_null());
}

TEST_F(SchedulePublisherTest, ManualEvWithoutScheduleGetsTheDefaultView) {
  auto publisher = MakePublisher();
  BatchEffects e;
  e.devices = {"ev-1"};
  publisher->AfterCommit(e, now_);
  ASSERT_EQ(published_.size(), 1u);
  const Json& view = published_[0].second;
  EXPECT_EQ(view["mode"], "manual");
  EXPECT_EQ(view["slots"], Json::array());
  EXPECT_EQ(view["is_at_home"], true);  // never reported: at home
  EXPECT_EQ(view["override"], nullptr);
  EXPECT_FALSE(store().Schedules().Get("ev-1"));  // nothing stored for it
}

TEST_F(SchedulePublisherTest, GoingAwayEndsTheOverride) {
  auto& repo = store().Schedules();
  repo.SetOverride("ev-1", ChargingSlot{now_, now_ + hours(1)}, now_);
  auto publisher = MakePublisher();
  BatchEffects e;
  e.devices = {"ev-1"};
  publisher->AfterCommit(e, now_ + std::chrono::minutes(5));
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_TRUE(published_[0].second["override"].is_object());  // at home: it runs

  auto& devices = store().Devices();
  ASSERT_TRUE(devices.RecordTelemetry("ev-1", now_ + std::chrono::minutes(6),
                                      Json{{"at_home", false}, {"mode", "idle"}}));
  publisher->AfterCommit(e, now_ + std::chrono::minutes(7));
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[1].second["is_at_home"], false);
  EXPECT_EQ(published_[1].second["override"], nullptr);
  EXPECT_FALSE(repo.Get("ev-1")->override_window);

  // Back home within the hour: the override does not come back.
  ASSERT_TRUE(
      devices.RecordTelemetry("ev-1", now_ + std::chrono::minutes(8), Json{{"at_home", true}}));
  publisher->AfterCommit(e, now_ + std::chrono::minutes(9));
  ASSERT_EQ(published_.size(), 3u);
  EXPECT_EQ(published_[2].second["override"], nullptr);
}

}  // namespace
}  // namespace ems::listener
