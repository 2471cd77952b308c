#include "ems/domain/energy.h"

#include <gtest/gtest.h>

#include <vector>

#include "support.h"

namespace ems {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

using ems::testing::At;

DeviceReading Reading(const char* id, DeviceType type, std::optional<TimedValue> power,
                      std::optional<TimedValue> soc = std::nullopt,
                      std::optional<double> capacity = std::nullopt) {
  return DeviceReading{id, type, capacity, power, soc};
}

class SummaryTest : public ::testing::Test {
 protected:
  const Timestamp now_ = At("2026-11-21T10:00:00Z");
  TimedValue Ago(int s, double value) const { return TimedValue{now_ - seconds(s), value}; }
};

TEST_F(SummaryTest, SumsFreshPowerBySignAndCountsStaleDevices) {
  const std::vector<DeviceReading> devices = {
      Reading("pv", DeviceType::kSolarPanel, Ago(2, 3200)),
      Reading("bat", DeviceType::kBattery, Ago(5, -1830.5), Ago(5, 54.2), 10000),
      Reading("dishwasher", DeviceType::kAppliance, Ago(30, -200)),       // exactly 30 s: fresh
      Reading("hp", DeviceType::kHeatPump, Ago(31, -900)),                // 31 s: stale, left out
      Reading("ev", DeviceType::kEv, std::nullopt, std::nullopt, 60000),  // never reported
  };
  const EnergySummary s = ComputeEnergySummary("home", devices, now_, seconds(30));
  EXPECT_EQ(s.site_id, "home");
  EXPECT_EQ(s.ts, now_);
  EXPECT_DOUBLE_EQ(s.produced_w, 3200);
  EXPECT_DOUBLE_EQ(s.consumed_w, 2030.5);
  EXPECT_DOUBLE_EQ(s.net_w, 1169.5);
  EXPECT_EQ(s.devices_reporting, 3);
  EXPECT_EQ(s.devices_stale, 2);
  ASSERT_EQ(s.storage.size(), 2u);
  EXPECT_EQ(s.storage[0], (StorageStatus{"bat", DeviceType::kBattery, 10000, 54.2, 5420}));
  EXPECT_EQ(s.storage[1],
            (StorageStatus{"ev", DeviceType::kEv, 60000, std::nullopt, std::nullopt}));
}

TEST_F(SummaryTest, StorageDischargingCountsAsProducedAndNetCanBeNegative) {
  const std::vector<DeviceReading> devices = {
      Reading("bat", DeviceType::kBattery, Ago(1, 1500), Ago(1, 80), 10000),
      Reading("ev", DeviceType::kEv, Ago(1, -7400), Ago(1, 20), 60000),
      Reading("charger", DeviceType::kChargingStation, Ago(1, 0)),
  };
  const EnergySummary s = ComputeEnergySummary("home", devices, now_, seconds(30));
  EXPECT_DOUBLE_EQ(s.produced_w, 1500);
  EXPECT_DOUBLE_EQ(s.consumed_w, 7400);
  EXPECT_DOUBLE_EQ(s.net_w, -5900);   // importing from the grid
  EXPECT_EQ(s.devices_reporting, 3);  // 0 W is a fresh reading
  EXPECT_EQ(s.storage[1].stored_wh, 12000);
}

TEST_F(SummaryTest, StalenessFollowsTheParameterAndFutureReadingsAreFresh) {
  const std::vector<DeviceReading> devices = {
      Reading("pv", DeviceType::kSolarPanel, Ago(100, 1000)),
      Reading("wind", DeviceType::kWindTurbine, TimedValue{now_ + seconds(3), 400}),
  };
  const EnergySummary strict = ComputeEnergySummary("s", devices, now_, seconds(30));
  EXPECT_DOUBLE_EQ(strict.produced_w, 400);
  EXPECT_EQ(strict.devices_stale, 1);
  const EnergySummary lenient = ComputeEnergySummary("s", devices, now_, seconds(120));
  EXPECT_DOUBLE_EQ(lenient.produced_w, 1400);
  EXPECT_EQ(lenient.devices_stale, 0);
}

TEST_F(SummaryTest, StaleSocIsNotShownAndMissingCapacityLeavesStoredNull) {
  const std::vector<DeviceReading> devices = {
      Reading("bat", DeviceType::kBattery, Ago(1, -100), Ago(300, 90), 10000),
      Reading("bat2", DeviceType::kBattery, Ago(1, -100), Ago(1, 40), std::nullopt),
  };
  const EnergySummary s = ComputeEnergySummary("s", devices, now_, seconds(30));
  EXPECT_EQ(s.storage[0].soc_pct, std::nullopt);
  EXPECT_EQ(s.storage[0].stored_wh, std::nullopt);
  EXPECT_EQ(s.storage[1].soc_pct, 40);
  EXPECT_EQ(s.storage[1].stored_wh, std::nullopt);
}

TEST(ReadingOfTest, TakesPowerSocAndCapacityOfAStoredDevice) {
  Device ev;
  ev.id = "ev-1";
  ev.type = DeviceType::kEv;
  ev.properties = {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}};
  const std::vector<LatestMetric> latest = {{"temperature_c", 20, At("2026-11-21T10:00:00Z")},
                                            {"soc_pct", 55, At("2026-11-21T09:59:00Z")},
                                            {"power_w", -7000, At("2026-11-21T09:59:30Z")}};
  const DeviceReading r = ReadingOf(ev, latest);
  EXPECT_EQ(r.device_id, "ev-1");
  EXPECT_EQ(r.capacity_wh, 60000);
  EXPECT_EQ(r.power_w, (TimedValue{At("2026-11-21T09:59:30Z"), -7000}));
  EXPECT_EQ(r.soc_pct, (TimedValue{At("2026-11-21T09:59:00Z"), 55}));
}

class IntegrationTest : public ::testing::Test {
 protected:
  std::vector<EnergyBucket> Hourly(const char* from, const char* to) {
    return MakeEnergyBuckets(At(from), At(to), Interval::k1h, "UTC");
  }
  static Timestamp End(const std::vector<EnergyBucket>& b) { return b.back().ts + hours(1); }
};

TEST_F(IntegrationTest, ConstantPowerForAnHourIsItsWattHours) {
  std::vector<PowerSample> samples;
  for (int m = 0; m <= 60; ++m) samples.push_back({At("2026-11-21T10:00:00Z") + minutes(m), 1000});
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T12:00:00Z");
  AccumulateEnergy(samples, buckets, End(buckets));
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_NEAR(buckets[0].produced_wh, 1000, 1e-9);  // 60 × 16.666… Wh
  EXPECT_DOUBLE_EQ(buckets[0].consumed_wh, 0);
  // The 11:00 sample is the last: its power holds for an unknown time, so it adds nothing.
  EXPECT_DOUBLE_EQ(buckets[1].produced_wh, 0);
}

TEST_F(IntegrationTest, StepMethodHoldsEachSampleUntilTheNext) {
  // 0 W at 10:00, 1200 W at 10:10 and 10:20: step gives 0 + 1200 W × 10 min = 200 Wh (a
  // trapezoid would give 100 + 200 = 300 Wh).
  const std::vector<PowerSample> samples = {{At("2026-11-21T10:00:00Z"), 0},
                                            {At("2026-11-21T10:10:00Z"), 1200},
                                            {At("2026-11-21T10:20:00Z"), 1200}};
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  AccumulateEnergy(samples, buckets, End(buckets));
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 200);
}

TEST_F(IntegrationTest, SpansAcrossBucketEdgesAreSplitProRata) {
  // 1200 W from 10:55 to 11:05: 5 minutes (100 Wh) in each hour.
  const std::vector<PowerSample> samples = {{At("2026-11-21T10:55:00Z"), 1200},
                                            {At("2026-11-21T11:05:00Z"), 0}};
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T12:00:00Z");
  AccumulateEnergy(samples, buckets, End(buckets));
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 100);
  EXPECT_DOUBLE_EQ(buckets[1].produced_wh, 100);
}

TEST_F(IntegrationTest, GapsLongerThan15MinutesAreNotBridged) {
  const std::vector<PowerSample> samples = {
      {At("2026-11-21T10:00:00Z"), -1200},  // → 10:15, exactly 15 min: bridged, 300 Wh
      {At("2026-11-21T10:15:00Z"), -1200},  // → 10:31, 16 min: not bridged
      {At("2026-11-21T10:31:00Z"), -1200},  // → 10:36: 100 Wh
      {At("2026-11-21T10:36:00Z"), 0},
  };
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  AccumulateEnergy(samples, buckets, End(buckets));
  EXPECT_DOUBLE_EQ(buckets[0].consumed_wh, 400);
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 0);
  EXPECT_DOUBLE_EQ(buckets[0].net_wh(), -400);
}

TEST_F(IntegrationTest, SignDecidesProducedOrConsumedPerSpan) {
  // A battery charges at 2000 W for 30 min, then discharges at 1000 W for 15 min.
  const std::vector<PowerSample> samples = {{At("2026-11-21T10:00:00Z"), -2000},
                                            {At("2026-11-21T10:15:00Z"), -2000},
                                            {At("2026-11-21T10:30:00Z"), 1000},
                                            {At("2026-11-21T10:45:00Z"), 1000}};
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  AccumulateEnergy(samples, buckets, End(buckets));
  EXPECT_DOUBLE_EQ(buckets[0].consumed_wh, 1000);
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 250);
  EXPECT_DOUBLE_EQ(buckets[0].net_wh(), -750);
}

TEST_F(IntegrationTest, PartsOutsideTheBucketsAreDropped) {
  // 600 W from 09:55 to 10:05 and from 10:55 to 11:05, buckets only [10:00, 11:00).
  const std::vector<PowerSample> samples = {{At("2026-11-21T09:55:00Z"), 600},
                                            {At("2026-11-21T10:05:00Z"), 0},
                                            {At("2026-11-21T10:55:00Z"), 600},
                                            {At("2026-11-21T11:05:00Z"), 0}};
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  AccumulateEnergy(samples, buckets, End(buckets));
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 100);  // 5 min + 5 min at 600 W
}

TEST_F(IntegrationTest, DevicesAccumulateIntoTheSameBuckets) {
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  const std::vector<PowerSample> pv = {{At("2026-11-21T10:00:00Z"), 3000},
                                       {At("2026-11-21T10:10:00Z"), 3000}};
  const std::vector<PowerSample> hp = {{At("2026-11-21T10:00:00Z"), -600},
                                       {At("2026-11-21T10:10:00Z"), -600}};
  AccumulateEnergy(pv, buckets, End(buckets));
  AccumulateEnergy(hp, buckets, End(buckets));
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 500);
  EXPECT_DOUBLE_EQ(buckets[0].consumed_wh, 100);
  EXPECT_DOUBLE_EQ(buckets[0].net_wh(), 400);
}

TEST_F(IntegrationTest, LocalDaysAcrossSpringForwardHold23And24Hours) {
  // 1000 W sampled every 15 min for 48 h from Berlin's local midnight of 2026-03-29.
  std::vector<PowerSample> samples;
  for (int q = 0; q <= 48 * 4; ++q) {
    samples.push_back({At("2026-03-28T23:00:00Z") + minutes(15 * q), 1000});
  }
  auto days = MakeEnergyBuckets(At("2026-03-29T00:00:00Z"), At("2026-03-30T12:00:00Z"),
                                Interval::k1d, "Europe/Berlin");
  ASSERT_EQ(days.size(), 2u);
  AccumulateEnergy(samples, days, NextBucketStart(days.back().ts, Interval::k1d, "Europe/Berlin"));
  EXPECT_EQ(FormatTimestamp(days[0].ts), "2026-03-28T23:00:00Z");
  EXPECT_DOUBLE_EQ(days[0].produced_wh, 23000);
  EXPECT_EQ(FormatTimestamp(days[1].ts), "2026-03-29T22:00:00Z");
  EXPECT_DOUBLE_EQ(days[1].produced_wh, 24000);
}

TEST_F(IntegrationTest, UnsortedDuplicateOrSingleSamplesAddNothing) {
  auto buckets = Hourly("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  const std::vector<PowerSample> one = {{At("2026-11-21T10:00:00Z"), 5000}};
  AccumulateEnergy(one, buckets, End(buckets));
  const std::vector<PowerSample> same_ts = {{At("2026-11-21T10:00:00Z"), 5000},
                                            {At("2026-11-21T10:00:00Z"), 5000}};
  AccumulateEnergy(same_ts, buckets, End(buckets));
  EXPECT_DOUBLE_EQ(buckets[0].produced_wh, 0);
}

TEST_F(SummaryTest, TheFleetSummaryIsTheSumOfTheSiteSummaries) {
  const std::vector<DeviceReading> home = {
      Reading("pv", DeviceType::kSolarPanel, Ago(2, 3200)),
      Reading("bat", DeviceType::kBattery, Ago(5, -1830.5), Ago(5, 54.2), 10000),
      Reading("hp", DeviceType::kHeatPump, Ago(31, -900)),  // stale
  };
  const std::vector<DeviceReading> school = {
      Reading("pv2", DeviceType::kSolarPanel, Ago(1, 800)),
      Reading("ev", DeviceType::kEv, Ago(1, -7400), Ago(1, 20), 60000),
  };
  const std::vector<EnergySummary> sites = {
      ComputeEnergySummary("home", home, now_, seconds(30)),
      ComputeEnergySummary("empty", {}, now_, seconds(30)),
      ComputeEnergySummary("school", school, now_, seconds(30)),
  };
  const FleetEnergySummary fleet = SumEnergySummaries(sites, now_);
  EXPECT_EQ(fleet.sites, 3);
  EXPECT_EQ(fleet.total.site_id, "");
  EXPECT_EQ(fleet.total.ts, now_);
  EXPECT_DOUBLE_EQ(fleet.total.produced_w, 4000);
  EXPECT_DOUBLE_EQ(fleet.total.consumed_w, 9230.5);
  EXPECT_DOUBLE_EQ(fleet.total.net_w, -5230.5);
  EXPECT_EQ(fleet.total.devices_reporting, 4);
  EXPECT_EQ(fleet.total.devices_stale, 1);
  ASSERT_EQ(fleet.total.storage.size(), 2u);
  EXPECT_EQ(fleet.total.storage[0].device_id, "bat");  // in the order of the sites
  EXPECT_EQ(fleet.total.storage[1], (StorageStatus{"ev", DeviceType::kEv, 60000, 20, 12000}));
  // Summing the site summaries equals summarising all their devices at once.
  std::vector<DeviceReading> all = home;
  all.insert(all.end(), school.begin(), school.end());
  EnergySummary at_once = ComputeEnergySummary("", all, now_, seconds(30));
  EXPECT_EQ(fleet.total, at_once);
  EXPECT_EQ(SumEnergySummaries({}, now_), (FleetEnergySummary{0, EnergySummary{"", now_}}));
}

}  // namespace
}  // namespace ems
