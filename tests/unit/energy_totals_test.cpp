// Energy counters for Home Assistant's Energy dashboard (docs/contract.md §4.6): the figures of a
// site and of its devices from the stored energy, published retained by the listener; never
// decreasing, the same after a restart, untouched by a device's meter reset.
#include "ems/domain/energy_totals.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "listener/derived/energy_totals_publisher.h"
#include "listener/ingestor.h"
#include "support.h"

namespace ems::listener {
namespace {

using Json = nlohmann::json;
using std::chrono::minutes;
using testing::At;
using testing::DeviceTopic;
using testing::TelemetryPayload;

// Derived publishers' ticks (listener/derived/derived.h): a tick stops after kTickBudget and the
// next goes on from there, so with more sites than a tick can refresh none waits for ever.
TEST(DerivedBudgetTest, ATickStopsAfterItsBudgetAndTheNextGoesOnWhereItStopped) {
  std::set<std::string> due = {"a", "b", "c", "d", "e", "f", "g", "h"};
  std::string cursor;
  std::vector<std::string> visited;
  const auto slow = [&](const std::string& item) {
    visited.push_back(item);
    std::this_thread::sleep_for(kTickBudget / 2);
    return item == "b";  // done: leaves `due`
  };
  VisitWithinBudget(due, cursor, slow);
  ASSERT_GE(visited.size(), 2u);
  ASSERT_LT(visited.size(), 8u) << "the budget did not stop the tick";
  EXPECT_EQ(visited[0], "a");
  EXPECT_FALSE(due.contains("b"));
  const auto first = visited.size();
  VisitWithinBudget(due, cursor, slow);
  ASSERT_GT(visited.size(), first);
  EXPECT_EQ(visited[first], std::string(1, static_cast<char>('a' + first)))
      << "the second tick must start where the first stopped";
  // Quick visits go round once, from the cursor, wrapping: every item seen exactly once.
  std::multiset<std::string> seen;
  VisitWithinBudget(due, cursor, [&](const std::string& item) {
    seen.insert(item);
    return false;
  });
  EXPECT_EQ(seen, std::multiset<std::string>(due.begin(), due.end()));
}

TEST(EnergyCounterTest, AFallIsAddedToTheOffsetSoThePublishedValueNeverDecreases) {
  EnergyCounter c;
  EXPECT_TRUE(Advance(c, 1000));
  EXPECT_EQ(c.published_wh(), 1000);
  EXPECT_FALSE(Advance(c, 1000));
  EXPECT_FALSE(Advance(c, 400));  // a device deleted with 600 Wh: the figure holds
  EXPECT_EQ(c.published_wh(), 1000);
  EXPECT_TRUE(Advance(c, 450));  // and grows with what comes after
  EXPECT_EQ(c.published_wh(), 1050);
  EXPECT_EQ(c, (EnergyCounter{450, 600}));
}

TEST(EnergyCounterTest, GridQuartersCountOnceEndedWithGrace) {
  EXPECT_EQ(GridCountedUntil(At("2026-11-21T10:16:59Z")), At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(GridCountedUntil(At("2026-11-21T10:17:00Z")), At("2026-11-21T10:15:00Z"));
}

TEST(EnergyCounterTest, EvChargingCountsAStationsMeteredEvOnce) {
  const std::vector<DeviceEnergy> devices = {
      {"st-1", DeviceType::kChargingStation, std::nullopt, 0, 7000},
      {"car", DeviceType::kEv, "st-1", 0, 7000},  // metered by st-1
      {"van", DeviceType::kEv, "elsewhere", 0, 2000},
      {"pv", DeviceType::kSolarPanel, std::nullopt, 3000, 0},
      {"wind", DeviceType::kWindTurbine, std::nullopt, 5000, 0},
      {"bat", DeviceType::kBattery, std::nullopt, 800, 1200},
  };
  const auto f = ComputeSiteEnergyFigures(devices, GridEnergy{100, 200});
  EXPECT_EQ(f.ev_charge, 9000);
  EXPECT_EQ(f.solar, 3000);
  EXPECT_EQ(f.battery_charge, 1200);
  EXPECT_EQ(f.battery_discharge, 800);
  EXPECT_EQ(f.grid_import, 100);
  EXPECT_EQ(f.grid_export, 200);
}

// A site "home" with solar, an appliance, a battery and an EV reporting once a minute from
// 10:00 to 10:59 UTC, stored through the listener's real write path.
class EnergyTotalsTest : public testing::TempDbTest {
 protected:
  void Apply(const std::string& topic, const std::string& payload) {
    const std::vector<InboxRecord> batch = {InboxRecord{++seq_, Now(), topic, payload}};
    const auto effects = Ingestor(store(), IngestOptions{}).ApplyBatch(batch);
    ASSERT_EQ(effects.counts.rejected, 0) << payload;
  }
  void Meta(const std::string& device, Json meta) {
    Apply(DeviceTopic("home", device, "meta"), testing::OfHome(std::move(meta)).dump());
  }
  void Telemetry(const std::string& device, Timestamp ts, const Json& metrics) {
    Apply(DeviceTopic("home", device, "telemetry"), TelemetryPayload(ts, metrics));
  }
  void LoadAnHour() {
    Meta("pv-1", testing::SolarMeta());
    Meta("fridge", testing::ApplianceMeta());
    Meta("bat-1", testing::BatteryMeta());
    Meta("car", testing::EvMeta());
    for (int m = 0; m < 60; ++m) {
      const Timestamp ts = t0_ + minutes(m);
      // The solar panel's own meter is reset to zero at 10:30: the counters do not follow it.
      Telemetry("pv-1", ts, {{"power_w", 2000.0}, {"energy_wh", (m < 30 ? 5000.0 : 0.0) + m}});
      Telemetry("fridge", ts, {{"power_w", -500.0}});
      Telemetry("bat-1", ts, {{"power_w", m < 30 ? -1000.0 : 1000.0}});
      Telemetry("car", ts, {{"power_w", m < 15 ? -3000.0 : 0.0}});
    }
  }
  // What a fresh publisher (a listener just started) publishes at `now`: topic → payload.
  std::map<std::string, Json> PublishedAt(Timestamp now) {
    std::map<std::string, Json> out;
    EnergyTotalsPublisher publisher(store(), IngestOptions{},
                                    [&](const std::string& topic, const std::string& payload) {
                                      out[topic] = Json::parse(payload);
                                    });
    publisher.Tick(now);
    return out;
  }

  const Timestamp t0_ = At("2026-11-21T10:00:00Z");
  std::int64_t seq_ = 0;
};

constexpr const char* kSiteTotals = "ems/v1/sites/home/energy/totals";

TEST_F(EnergyTotalsTest, FiguresOfTheSiteAndOfEachDevice) {
  LoadAnHour();
  const auto published = PublishedAt(t0_ + minutes(65));
  // Every minute's power holds until the next minute: 59 minutes of each.
  EXPECT_EQ(published.at(kSiteTotals),
            (Json{{"solar_kwh", 1.967},              // 2000 W × 59 min
                  {"battery_charge_kwh", 0.5},       // 1000 W × 30 min
                  {"battery_discharge_kwh", 0.483},  // 1000 W × 29 min
                  {"ev_charge_kwh", 0.75},           // 3000 W × 15 min
                  // Netted per quarter hour: 10:00 imported 2500 W × 15 min; 10:15 exported
                  // 500 W × 15 min, 10:30 2500 W × 15 min, 10:45 2500 W × 14 min.
                  {"grid_import_kwh", 0.625},
                  {"grid_export_kwh", 1.333}}));
  EXPECT_EQ(published.at("ems/v1/sites/home/devices/pv-1/energy/totals"),
            (Json{{"import_kwh", 0.0}, {"export_kwh", 1.967}}));
  EXPECT_EQ(published.at("ems/v1/sites/home/devices/fridge/energy/totals"),
            (Json{{"import_kwh", 0.492}, {"export_kwh", 0.0}}));
  EXPECT_EQ(published.at("ems/v1/sites/home/devices/bat-1/energy/totals"),
            (Json{{"import_kwh", 0.5}, {"export_kwh", 0.483}}));
  EXPECT_EQ(published.size(), 5u);
}

TEST_F(EnergyTotalsTest, AQuarterHourCountsTowardsTheGridOnlyOnceItEnded) {
  LoadAnHour();
  // At 10:20 only the quarter of 10:00 has ended (with its grace): the import of 10:00 counts,
  // the export of 10:15 not yet.
  const auto early = PublishedAt(t0_ + minutes(20)).at(kSiteTotals);
  EXPECT_EQ(early["grid_import_kwh"], 0.625);
  EXPECT_EQ(early["grid_export_kwh"], 0.0);
}

TEST_F(EnergyTotalsTest, TheSameAfterARestartAndNeverLessAfterADeviceIsDeleted) {
  LoadAnHour();
  const auto now = t0_ + minutes(65);
  const auto before = PublishedAt(now);
  Reopen();
  EXPECT_EQ(PublishedAt(now), before);  // a restarted listener publishes exactly the same

  // The battery goes, with its stored energy; its charge and discharge stay counted, and the
  // grid's quarters, recomputed without it, never show less than before.
  ASSERT_TRUE(store().Devices().Delete("bat-1"));
  Reopen();
  const auto after = PublishedAt(now).at(kSiteTotals);
  for (const auto& [figure, value] : before.at(kSiteTotals).items()) {
    EXPECT_GE(after[figure].get<double>(), value.get<double>()) << figure;
  }
  EXPECT_EQ(after["battery_charge_kwh"], 0.5);
  // Without the battery the last half hour exported 1000 W less: 1.333 − 0.483 would be less
  // than shown, so the export holds, and so does the import of 10:00 (1000 W less drawn).
  EXPECT_EQ(after["grid_export_kwh"], 1.333);
  EXPECT_EQ(after["grid_import_kwh"], 0.625);

  // What comes after adds on top.
  Meta("bat-2", testing::BatteryMeta());
  for (int m = 60; m <= 75; ++m) {
    Telemetry("bat-2", t0_ + minutes(m), {{"power_w", -2000.0}});
  }
  Reopen();
  const auto later = PublishedAt(t0_ + minutes(80)).at(kSiteTotals);
  EXPECT_EQ(later["battery_charge_kwh"], 1.0);  // 0.5 + 2000 W × 15 min
}

}  // namespace
}  // namespace ems::listener
