// The telemetry repositories (writer, reader, retention) and DeviceRepository against a real
// SQLite file with every migration.
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>

#include "ems/store/store.h"
#include "raw_series.h"
#include "support.h"

namespace ems::store {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using Json = nlohmann::json;

using ems::testing::At;

DeviceMeta Meta(DeviceType type, Json properties, std::optional<std::string> tz = std::nullopt) {
  return DeviceMeta{{type, "Device", std::move(properties)}, "Home", std::move(tz)};
}

const Json kBatteryProps = {
    {"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 4000}};
const Json kRated = {{"rated_power_w", 5000}};

class RepositoryTest : public testing::TempDbTest {
 protected:
  void AddDevice(const std::string& site, const std::string& id, DeviceType type, Json props,
                 std::optional<std::string> tz = std::nullopt) {
    ASSERT_TRUE(devices().UpsertFromMeta(site, id, Meta(type, std::move(props), std::move(tz)),
                                         At("2026-01-01T00:00:00Z")));
  }

  DeviceRepository& devices() { return store().Devices(); }
  TelemetryWriter& writer() { return store().Telemetry(); }
  TelemetryReader& reader() { return store().Readings(); }
  TelemetryRetention& retention() { return store().Retention(); }
};

// --- ingest ---

TEST_F(RepositoryTest, DuplicateSampleIsStoredOnceAndCountedOnceInRollups) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  const Timestamp ts = At("2026-11-21T10:00:05Z");
  EXPECT_EQ(writer().Insert("pv", "power_w", ts, 1500, "UTC"), InsertOutcome::kStored);
  EXPECT_EQ(writer().Insert("pv", "power_w", ts, 1500, "UTC"), InsertOutcome::kDuplicate);
  // Same key, different value (a corrupted re-delivery): still the first one stands.
  EXPECT_EQ(writer().Insert("pv", "power_w", ts, 9999, "UTC"), InsertOutcome::kDuplicate);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry"), 1);
  for (Interval i : {Interval::k1m, Interval::k15m, Interval::k1h, Interval::k1d, Interval::k1w,
                     Interval::k1mo}) {
    const auto points =
        reader().Series({"pv", "power_w", "UTC"},
                        {At("2026-11-21T00:00:00Z"), At("2026-11-22T00:00:00Z"), i, Agg::kSum});
    ASSERT_TRUE(points) << ToString(i);
    ASSERT_EQ(points->size(), 1u) << ToString(i);
    EXPECT_EQ((*points)[0].count, 1) << ToString(i);
    EXPECT_EQ((*points)[0].value, 1500) << ToString(i);
  }
}

TEST_F(RepositoryTest, MessageInsertCountsNewAndDuplicateMetrics) {
  AddDevice("home", "bat", DeviceType::kBattery, kBatteryProps);
  const Telemetry first{At("2026-11-21T10:00:00Z"), {{"power_w", -1830.5}, {"soc_pct", 54.2}}, {}};
  EXPECT_EQ(writer().Insert("bat", first, "UTC"), (InsertCounts{2, 0, 0}));
  Telemetry again = first;
  again.metrics.push_back({"temperature_c", 21});
  EXPECT_EQ(writer().Insert("bat", again, "UTC"), (InsertCounts{1, 2, 0}));
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry"), 3);
}

TEST_F(RepositoryTest, ATransactionDetectsDuplicatesWithinItselfAndCoalescesRows) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  auto tx = store().Begin(TxMode::kWrite);
  for (int s = 0; s < 120; s += 10) {
    EXPECT_EQ(
        writer().Insert("pv", "power_w", At("2026-11-21T10:00:00Z") + seconds(s), 100 + s, "UTC"),
        InsertOutcome::kStored);
  }
  EXPECT_EQ(writer().Insert("pv", "power_w", At("2026-11-21T10:00:00Z"), 100, "UTC"),
            InsertOutcome::kDuplicate);
  // 12 samples: 2 minute rows + one row each at 15m, 1h, 1d, 1mo + the latest value.
  EXPECT_EQ(writer().pending_rows(), 7u);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry_rollups"), 0);  // nothing before the commit
  tx.Commit();
  EXPECT_EQ(writer().pending_rows(), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry_rollups"), 6);
  const auto minutes = reader().Series(
      {"pv", "power_w", "UTC"},
      {At("2026-11-21T10:00:00Z"), At("2026-11-21T10:02:00Z"), Interval::k1m, Agg::kMax});
  EXPECT_EQ(*minutes, (std::vector<SeriesPoint>{{At("2026-11-21T10:00:00Z"), 150, 6},
                                                {At("2026-11-21T10:01:00Z"), 210, 6}}));
  EXPECT_EQ(reader().Latest("pv", "power_w"),
            (LatestMetric{"power_w", 210, At("2026-11-21T10:01:50Z")}));
}

TEST_F(RepositoryTest, HeldRowsOfARolledBackTransactionLeaveNoTrace) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  {
    auto tx = store().Begin(TxMode::kWrite);
    writer().Insert("pv", "power_w", At("2026-11-21T10:00:00Z"), 100, "UTC");
    // An exception here: no Commit; the transaction rolls back.
  }
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry_rollups"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM metric_latest"), 0);
  // Redelivered, the sample is new again and counted once.
  EXPECT_EQ(writer().Insert("pv", "power_w", At("2026-11-21T10:00:00Z"), 100, "UTC"),
            InsertOutcome::kStored);
  EXPECT_EQ(Count("SELECT sum(sample_count) FROM telemetry_rollups"), 5);
}

TEST_F(RepositoryTest, LatestIsByTimestampNotByArrival) {
  AddDevice("home", "bat", DeviceType::kBattery, kBatteryProps);
  writer().Insert("bat", "power_w", At("2026-11-21T10:00:10Z"), -500, "UTC");
  writer().Insert("bat", "power_w", At("2026-11-21T10:00:00Z"), -900, "UTC");  // late arrival
  writer().Insert("bat", "soc_pct", At("2026-11-21T10:00:00Z"), 50, "UTC");
  EXPECT_EQ(reader().Latest("bat", "power_w"),
            (LatestMetric{"power_w", -500, At("2026-11-21T10:00:10Z")}));
  writer().Insert("bat", "power_w", At("2026-11-21T10:00:20Z"), 300, "UTC");
  const auto all = reader().Latest("bat");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], (LatestMetric{"power_w", 300, At("2026-11-21T10:00:20Z")}));
  EXPECT_EQ(all[1], (LatestMetric{"soc_pct", 50, At("2026-11-21T10:00:00Z")}));
  EXPECT_EQ(reader().Latest("bat", "voltage_v"), std::nullopt);
  // `last` of the rollup also follows ts: the 10:00:00 sample arrived last but is not last.
  const auto last = reader().Series(
      {"bat", "power_w", "UTC"},
      {At("2026-11-21T10:00:00Z"), At("2026-11-21T10:01:00Z"), Interval::k1m, Agg::kLast});
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, (std::vector<SeriesPoint>{{At("2026-11-21T10:00:00Z"), 300, 3}}));
}

TEST_F(RepositoryTest, TelemetryForAnUnknownDeviceThrows) {
  EXPECT_THROW(writer().Insert("ghost", "power_w", At("2026-11-21T10:00:00Z"), 1, "UTC"),
               std::runtime_error);
}

// --- series ---

// Samples across Berlin's spring-forward day, at irregular intervals, arriving out of order and
// partly twice. Integer values keep every sum exact, so answers compare with ==.
class SeriesEquivalenceTest : public RepositoryTest {
 protected:
  void SetUp() override {
    RepositoryTest::SetUp();
    AddDevice("berlin", "bat", DeviceType::kBattery, kBatteryProps, "Europe/Berlin");
    std::mt19937 rng(20260329);
    // Bursts a few seconds apart (several samples per minute) mixed with pauses of up to 25 min.
    std::uniform_int_distribution<int> burst_s(5, 60);
    std::uniform_int_distribution<int> pause_s(61, 1500);
    std::bernoulli_distribution in_burst(0.7);
    std::uniform_int_distribution<int> value(-5000, 5000);
    for (Timestamp t = At("2026-03-10T00:00:07Z"); t < At("2026-04-12T00:00:00Z");
         t += seconds(in_burst(rng) ? burst_s(rng) : pause_s(rng))) {
      samples_.push_back({t, static_cast<double>(value(rng))});
    }
    std::vector<TimedValue> arrival = samples_;
    std::shuffle(arrival.begin(), arrival.end(), rng);
    arrival.insert(arrival.end(), samples_.begin(), samples_.begin() + 500);  // re-deliveries
    // "bat" sample by sample (outside a store transaction each Insert writes every row at once;
    // the SQL transaction is opened on the connection itself only for speed), "bat2" through
    // store transactions of 700 samples (rows held and coalesced until the commit): both paths
    // must write the same rollups.
    AddDevice("berlin", "bat2", DeviceType::kBattery, kBatteryProps, "Europe/Berlin");
    int stored = 0;
    int stored_batched = 0;
    {
      Exec("BEGIN");
      for (const auto& s : arrival) {
        stored += writer().Insert("bat", "power_w", s.ts, s.value, "Europe/Berlin") ==
                  InsertOutcome::kStored;
      }
      Exec("COMMIT");
    }
    for (std::size_t i = 0; i < arrival.size(); i += 700) {
      auto tx = store().Begin(TxMode::kWrite);
      for (std::size_t k = i; k < std::min(arrival.size(), i + 700); ++k) {
        stored_batched += writer().Insert("bat2", "power_w", arrival[k].ts, arrival[k].value,
                                          "Europe/Berlin") == InsertOutcome::kStored;
      }
      tx.Commit();
    }
    ASSERT_EQ(stored, static_cast<int>(samples_.size()));
    ASSERT_EQ(stored_batched, static_cast<int>(samples_.size()));
  }
  std::vector<TimedValue> samples_;
};

TEST_F(SeriesEquivalenceTest, RollupAnswersEqualTheRawAnswersAtEveryIntervalAndAgg) {
  ASSERT_GT(samples_.size(), 5000u);
  // Unaligned bounds: the first and last buckets are partly outside [from, to).
  const Timestamp from = At("2026-03-12T13:17:00Z");
  const Timestamp to = At("2026-04-09T08:41:30Z");
  for (Interval i : {Interval::k1m, Interval::k15m, Interval::k1h, Interval::k1d, Interval::k1w,
                     Interval::k1mo}) {
    for (Agg agg : {Agg::kAvg, Agg::kMin, Agg::kMax, Agg::kSum, Agg::kLast}) {
      const SeriesKey key{"bat", "power_w", "Europe/Berlin"};
      const SeriesWindow window{from, to, i, agg};
      const auto rollups = reader().Series(key, window);
      ASSERT_TRUE(rollups);
      const auto reference = ComputeSeries(samples_, from, to, i, agg, "Europe/Berlin");
      ASSERT_FALSE(reference.empty());
      EXPECT_EQ(*rollups, reference) << ToString(i) << " " << ToString(agg);
      if (!postgres()) {  // the oracle's SQL is SQLite's
        EXPECT_EQ(testing::SeriesFromRaw(db(), key, window), reference)
            << ToString(i) << " " << ToString(agg);
      }
      EXPECT_EQ(reader().Series({"bat2", "power_w", "Europe/Berlin"}, window), reference)
          << ToString(i) << " " << ToString(agg);
    }
  }
}

TEST_F(SeriesEquivalenceTest, BatchedIngestWritesExactlyTheRowsOfSampleBySampleIngest) {
  // Rows of raw samples and rollups name their device through their series.
  const auto differing = [&](std::string table, const char* columns) {
    if (table != "metric_latest") table += " JOIN series ON series.id = series_id";
    const std::string a =
        std::string("SELECT ") + columns + " FROM " + table + " WHERE device_id = 'bat'";
    const std::string b =
        std::string("SELECT ") + columns + " FROM " + table + " WHERE device_id = 'bat2'";
    return Count("SELECT count(*) FROM (" + a + " EXCEPT " + b + ")") +
           Count("SELECT count(*) FROM (" + b + " EXCEPT " + a + ")");
  };
  EXPECT_GT(Count("SELECT count(*) FROM telemetry_rollups JOIN series ON series.id = series_id "
                  "WHERE device_id = 'bat2'"),
            10000);
  EXPECT_EQ(differing("telemetry_rollups",
                      "metric, interval, bucket, sample_count, value_sum, value_min, value_max, "
                      "last_ts, last_value"),
            0);
  EXPECT_EQ(differing("metric_latest", "metric, ts, value"), 0);
  EXPECT_EQ(differing("telemetry", "metric, ts, value"), 0);
}

TEST_F(SeriesEquivalenceTest, DailyBucketsFollowBerlinDst) {
  const auto points = reader().Series(
      {"bat", "power_w", "Europe/Berlin"},
      {At("2026-03-28T12:00:00Z"), At("2026-03-30T12:00:00Z"), Interval::k1d, Agg::kAvg});
  ASSERT_TRUE(points);
  ASSERT_EQ(points->size(), 3u);
  EXPECT_EQ(FormatTimestamp((*points)[0].ts), "2026-03-27T23:00:00Z");
  EXPECT_EQ(FormatTimestamp((*points)[1].ts), "2026-03-28T23:00:00Z");  // the 23-hour day
  EXPECT_EQ(FormatTimestamp((*points)[2].ts), "2026-03-29T22:00:00Z");
  const auto in_day = std::count_if(samples_.begin(), samples_.end(), [](const TimedValue& s) {
    return s.ts >= At("2026-03-28T23:00:00Z") && s.ts < At("2026-03-29T22:00:00Z");
  });
  EXPECT_EQ((*points)[1].count, in_day);
}

TEST_F(SeriesEquivalenceTest, RawIntervalReturnsSamplesOfTheExactRange) {
  const Timestamp from = samples_[100].ts;
  const Timestamp to = samples_[110].ts;
  const auto points =
      reader().Series({"bat", "power_w", "Europe/Berlin"}, {from, to, Interval::kRaw, Agg::kAvg});
  ASSERT_TRUE(points);
  ASSERT_EQ(points->size(), 10u);  // from inclusive, to exclusive
  for (std::size_t k = 0; k < 10; ++k) {
    EXPECT_EQ((*points)[k], (SeriesPoint{samples_[100 + k].ts, samples_[100 + k].value, 1}));
  }
}

TEST_F(RepositoryTest, SeriesRejectsBadRanges) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  const Timestamp t0 = At("2026-01-01T00:00:00Z");
  const auto backwards =
      reader().Series({"pv", "power_w", "UTC"}, {t0, t0, Interval::k1h, Agg::kAvg});
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::kInvalidQuery);
  EXPECT_FALSE(
      reader().Series({"pv", "power_w", "UTC"}, {t0, t0 + days(401), Interval::kRaw, Agg::kAvg}));
  const auto empty =
      reader().Series({"pv", "power_w", "UTC"}, {t0, t0 + days(401), Interval::k1d, Agg::kAvg});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(RepositoryTest, SeveralSeriesAnswerEachAsAloneInItsOwnZoneAcrossDstChanges) {
  AddDevice("berlin", "bat-b", DeviceType::kBattery, kBatteryProps, "Europe/Berlin");
  AddDevice("nyc", "pv-n", DeviceType::kSolarPanel, kRated, "America/New_York");
  auto tx = store().Begin(TxMode::kWrite);
  for (Timestamp t = At("2026-10-23T00:00:00Z"); t < At("2026-11-04T00:00:00Z"); t += hours(1)) {
    writer().Insert("bat-b", "soc_pct", t, 50, "Europe/Berlin");
    writer().Insert("pv-n", "power_w", t, 100, "America/New_York");
  }
  tx.Commit();
  const Timestamp from = At("2026-10-24T00:00:00Z");
  const Timestamp to = At("2026-11-03T00:00:00Z");
  const std::vector<SeriesKey> keys = {{"bat-b", "soc_pct", "Europe/Berlin"},
                                       {"pv-n", "power_w", "America/New_York"},
                                       {"ghost", "power_w", "UTC"}};
  const auto all = reader().Series(keys, {from, to, Interval::k1d, Agg::kSum});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ((*all)[i], *reader().Series(keys[i], {from, to, Interval::k1d, Agg::kSum}))
        << keys[i].device_id;
  }
  EXPECT_TRUE((*all)[2].empty());
  // Each day starts at its site's local midnight; the day summer time ends has 25 hours: in
  // Berlin 25 October, in New York 1 November.
  const auto day = [](const std::vector<SeriesPoint>& points, const char* start) {
    const auto it = std::find_if(points.begin(), points.end(),
                                 [&](const SeriesPoint& p) { return p.ts == At(start); });
    return it == points.end() ? std::int64_t{-1} : it->count;
  };
  EXPECT_EQ(day((*all)[0], "2026-10-23T22:00:00Z"), 24);
  EXPECT_EQ(day((*all)[0], "2026-10-24T22:00:00Z"), 25);
  EXPECT_EQ(day((*all)[0], "2026-10-25T23:00:00Z"), 24);
  EXPECT_EQ(day((*all)[1], "2026-10-31T04:00:00Z"), 24);
  EXPECT_EQ(day((*all)[1], "2026-11-01T04:00:00Z"), 25);
  EXPECT_EQ(day((*all)[1], "2026-11-02T05:00:00Z"), 24);
}

TEST_F(RepositoryTest, ThePointLimitCountsEverySeriesOfTheAnswer) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  const Timestamp t0 = At("2026-11-01T00:00:00Z");
  const std::vector<SeriesKey> one = {{"pv", "power_w", "UTC"}};
  const std::vector<SeriesKey> two = {{"pv", "power_w", "UTC"}, {"pv", "energy_wh", "UTC"}};
  // 50 400 one-minute buckets fit one series, not two.
  EXPECT_TRUE(reader().Series(one, {t0, t0 + days(35), Interval::k1m, Agg::kAvg}));
  const auto buckets = reader().Series(two, {t0, t0 + days(35), Interval::k1m, Agg::kAvg});
  ASSERT_FALSE(buckets);
  EXPECT_EQ(buckets.error().code, ErrorCode::kInvalidQuery);
  // Raw samples are counted as they are read: 50 001 of each metric are one too many together.
  auto tx = store().Begin(TxMode::kWrite);
  for (int i = 0; i <= 50'000; ++i) {
    writer().Insert("pv", "power_w", t0 + seconds(i), i, "UTC");
    writer().Insert("pv", "energy_wh", t0 + seconds(i), i, "UTC");
  }
  tx.Commit();
  const auto alone = reader().Series(one, {t0, t0 + days(1), Interval::kRaw, Agg::kAvg});
  ASSERT_TRUE(alone);
  EXPECT_EQ((*alone)[0].size(), 50'001u);
  const auto raw = reader().Series(two, {t0, t0 + days(1), Interval::kRaw, Agg::kAvg});
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().message, TooManyRawPoints(t0, t0 + days(1), 2).message);
}

// --- pruning ---

TEST_F(RepositoryTest, PruneDeletesOldRawRowsAndKeepsRollupsAndLatest) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  AddDevice("home", "hp", DeviceType::kHeatPump, kRated);
  auto tx = store().Begin(TxMode::kWrite);
  for (Timestamp t = At("2026-11-01T00:00:00Z"); t < At("2026-11-11T00:00:00Z"); t += minutes(10)) {
    writer().Insert("pv", "power_w", t, 100, "UTC");
    writer().Insert("hp", "power_w", t, -50, "UTC");
  }
  tx.Commit();
  const auto daily = [&] {
    return reader().Series(
        {"pv", "power_w", "UTC"},
        {At("2026-11-01T00:00:00Z"), At("2026-11-11T00:00:00Z"), Interval::k1d, Agg::kSum});
  };
  const auto before = *daily();
  ASSERT_EQ(before.size(), 10u);
  EXPECT_EQ(before[0], (SeriesPoint{At("2026-11-01T00:00:00Z"), 14400, 144}));

  const Timestamp cutoff = At("2026-11-06T00:00:00Z");
  EXPECT_EQ(retention().PruneRawBefore(cutoff), 2 * 5 * 144);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry"), 2 * 5 * 144);
  EXPECT_TRUE(reader().Raw("pv", "power_w", At("2026-11-01T00:00:00Z"), cutoff).empty());
  EXPECT_EQ(daily(), before);
  EXPECT_EQ(reader().Latest("pv", "power_w")->ts, At("2026-11-10T23:50:00Z"));
  EXPECT_EQ(retention().PrunedBefore(), cutoff);

  // A late re-delivery of a pruned sample must not count twice in the rollups.
  EXPECT_EQ(writer().Insert("pv", "power_w", At("2026-11-01T00:00:00Z"), 100, "UTC"),
            InsertOutcome::kExpired);
  EXPECT_EQ(daily(), before);
  // A new sample after the cutoff is still stored.
  EXPECT_EQ(writer().Insert("pv", "power_w", At("2026-11-06T00:00:01Z"), 1, "UTC"),
            InsertOutcome::kStored);
  // The cutoff never moves back.
  retention().PruneRawBefore(At("2026-11-02T00:00:00Z"));
  EXPECT_EQ(retention().PrunedBefore(), cutoff);
}

// --- energy ---

TEST_F(RepositoryTest, EnergySeriesIntegratesPowerOfEveryDeviceOfTheSite) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  AddDevice("home", "hp", DeviceType::kHeatPump, kRated);
  AddDevice("home", "bat", DeviceType::kBattery, kBatteryProps);
  AddDevice("other", "pv2", DeviceType::kSolarPanel, kRated);
  auto tx = store().Begin(TxMode::kWrite);
  // pv: 1200 W every 10 s from 10:00 to 11:00 → 1200 Wh in the 10:00 hour.
  for (Timestamp t = At("2026-11-21T10:00:00Z"); t <= At("2026-11-21T11:00:00Z");
       t += seconds(10)) {
    writer().Insert("pv", "power_w", t, 1200, "UTC");
    writer().Insert("pv2", "power_w", t, 5000, "UTC");  // another site: not counted
  }
  // hp: -600 W every minute 10:30–11:30 → 300 Wh in each hour.
  for (Timestamp t = At("2026-11-21T10:30:00Z"); t <= At("2026-11-21T11:30:00Z"); t += minutes(1)) {
    writer().Insert("hp", "power_w", t, -600, "UTC");
  }
  // bat: -3000 W at 11:00 and 11:05, then silent for 20 min (not bridged), 0 W at 11:25.
  writer().Insert("bat", "power_w", At("2026-11-21T11:00:00Z"), -3000, "UTC");
  writer().Insert("bat", "power_w", At("2026-11-21T11:05:00Z"), -3000, "UTC");
  writer().Insert("bat", "power_w", At("2026-11-21T11:25:00Z"), 0, "UTC");
  tx.Commit();
  const auto buckets = reader().EnergySeries("home", "UTC", At("2026-11-21T10:00:00Z"),
                                             At("2026-11-21T12:00:00Z"), Interval::k1h);
  ASSERT_TRUE(buckets);
  ASSERT_EQ(buckets->size(), 2u);
  EXPECT_EQ((*buckets)[0].ts, At("2026-11-21T10:00:00Z"));
  EXPECT_NEAR((*buckets)[0].produced_wh, 1200, 1e-9);
  EXPECT_NEAR((*buckets)[0].consumed_wh, 300, 1e-9);
  EXPECT_NEAR((*buckets)[0].net_wh(), 900, 1e-9);
  EXPECT_NEAR((*buckets)[1].produced_wh, 0, 1e-9);
  EXPECT_NEAR((*buckets)[1].consumed_wh, 300 + 250, 1e-9);  // hp + 5 min of battery

  const auto daily = reader().EnergySeries("home", "UTC", At("2026-11-21T00:00:00Z"),
                                           At("2026-11-22T00:00:00Z"), Interval::k1d);
  ASSERT_TRUE(daily);
  ASSERT_EQ(daily->size(), 1u);
  EXPECT_NEAR((*daily)[0].produced_wh, 1200, 1e-9);
  EXPECT_NEAR((*daily)[0].consumed_wh, 850, 1e-9);

  EXPECT_EQ(reader()
                .EnergySeries("home", "UTC", At("2026-11-21T00:00:00Z"), At("2026-11-22T00:00:00Z"),
                              Interval::kRaw)
                .error()
                .code,
            ErrorCode::kInvalidQuery);
}

// What the stored energy rollups must answer: every device's 1-minute power averages integrated
// at query time (AccumulateEnergy), as the energy series was computed before energy was kept at
// ingest; summed over the site's devices.
std::vector<EnergyBucket> IntegratedFromMinutes(TelemetryReader& reader,
                                                const std::vector<std::string>& devices,
                                                std::string_view tz, Timestamp from, Timestamp to,
                                                Interval interval) {
  auto buckets = MakeEnergyBuckets(from, to, interval, tz);
  const Timestamp end = NextBucketStart(buckets.back().ts, interval, tz);
  for (const auto& device : devices) {
    const auto series = reader.Series({device, "power_w", std::string(tz)},
                                      {from - hours(1), end + hours(1), Interval::k1m, Agg::kAvg});
    std::vector<PowerSample> minutes;
    for (const auto& p : *series) minutes.push_back(PowerSample{p.ts, p.value});
    AccumulateEnergy(minutes, buckets, end);
  }
  return buckets;
}

TEST_F(RepositoryTest, StoredEnergyEqualsIntegratingTheMinutesWhateverTheArrivalOrder) {
  constexpr const char* kZone = "Europe/Berlin";  // the range crosses the 29 March DST change
  const std::vector<std::string> ids = {"pv", "bat", "hp"};
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated, kZone);
  AddDevice("home", "bat", DeviceType::kBattery, kBatteryProps);
  AddDevice("home", "hp", DeviceType::kHeatPump, kRated);
  const Timestamp from = At("2026-03-27T22:00:00Z");  // local midnight of 28 March
  const Timestamp to = At("2026-03-30T22:00:00Z");
  // Samples 20 s to 9 min apart with pauses over 15 min, signs that change (the battery), zeros,
  // then sent in a shuffled order, a tenth twice, in several transactions and some alone.
  std::mt19937 rng(7);
  std::vector<std::tuple<std::string, Timestamp, double>> samples;
  for (const auto& id : ids) {
    for (Timestamp t = from; t < to;) {
      const double v = id == "pv"   ? std::uniform_real_distribution<>(0, 5000)(rng)
                       : id == "hp" ? -std::uniform_real_distribution<>(0, 3000)(rng)
                                    : std::uniform_real_distribution<>(-4000, 4000)(rng);
      samples.emplace_back(id, t, std::uniform_int_distribution<>(0, 9)(rng) == 0 ? 0.0 : v);
      const bool pause = std::uniform_int_distribution<>(0, 40)(rng) == 0;
      t += pause ? minutes(std::uniform_int_distribution<>(16, 90)(rng))
                 : seconds(std::uniform_int_distribution<>(20, 540)(rng));
    }
  }
  std::shuffle(samples.begin(), samples.end(), rng);
  for (std::size_t i = 0; i < samples.size(); i += 500) {
    const bool batched = (i / 500) % 3 != 2;
    std::optional<Transaction> tx;
    if (batched) tx.emplace(store().Begin(TxMode::kWrite));
    for (std::size_t j = i; j < std::min(samples.size(), i + 500); ++j) {
      const auto& [id, t, v] = samples[j];
      writer().Insert(id, "power_w", t, v, kZone);
      if (j % 10 == 0) writer().Insert(id, "power_w", t, v, kZone);  // a redelivery
    }
    if (tx) tx->Commit();
  }
  const auto compare = [&] {
    for (const Interval interval :
         {Interval::k15m, Interval::k1h, Interval::k1d, Interval::k1w, Interval::k1mo}) {
      SCOPED_TRACE(ToString(interval));
      const auto stored = reader().EnergySeries("home", kZone, from, to, interval);
      ASSERT_TRUE(stored);
      const auto expected = IntegratedFromMinutes(reader(), ids, kZone, from, to, interval);
      ASSERT_EQ(stored->size(), expected.size());
      double total = 0;
      for (std::size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ((*stored)[k].ts, expected[k].ts);
        EXPECT_NEAR((*stored)[k].produced_wh, expected[k].produced_wh, 1e-6);
        EXPECT_NEAR((*stored)[k].consumed_wh, expected[k].consumed_wh, 1e-6);
        total += expected[k].produced_wh + expected[k].consumed_wh;
      }
      EXPECT_GT(total, 10000) << "the data must hold energy for the comparison to mean much";
    }
  };
  compare();
  if (postgres()) return;  // PostgreSQL's schema starts with the table
  // The migration that adds the table builds it from the minutes already stored.
  Exec("DELETE FROM energy_rollups");
  sqlite::RebuildEnergyRollups(db());
  compare();
}

TEST_F(RepositoryTest, SiteReadingsFeedTheSummary) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  AddDevice("home", "bat", DeviceType::kBattery, kBatteryProps);
  AddDevice("home", "hp", DeviceType::kHeatPump, kRated);
  const Timestamp now = At("2026-11-21T10:00:30Z");
  writer().Insert("pv", "power_w", At("2026-11-21T10:00:25Z"), 3200, "UTC");
  writer().Insert("bat", "power_w", At("2026-11-21T10:00:20Z"), -1830.5, "UTC");
  writer().Insert("bat", "soc_pct", At("2026-11-21T10:00:20Z"), 54.2, "UTC");
  writer().Insert("bat", "power_w", At("2026-11-21T10:00:10Z"), 999, "UTC");  // older, late
  writer().Insert("hp", "power_w", At("2026-11-21T09:59:00Z"), -900, "UTC");  // stale
  const auto readings = reader().SiteReadings("home");
  ASSERT_EQ(readings.size(), 3u);
  EXPECT_EQ(readings[0].device_id, "bat");
  EXPECT_EQ(readings[0].capacity_wh, 10000);
  const EnergySummary s = ComputeEnergySummary("home", readings, now, seconds(30));
  EXPECT_DOUBLE_EQ(s.produced_w, 3200);
  EXPECT_DOUBLE_EQ(s.consumed_w, 1830.5);
  EXPECT_EQ(s.devices_reporting, 2);
  EXPECT_EQ(s.devices_stale, 1);
  ASSERT_EQ(s.storage.size(), 1u);
  EXPECT_DOUBLE_EQ(*s.storage[0].stored_wh, 5420);
}

// --- devices ---

TEST_F(RepositoryTest, MetaCreatesSiteAndDeviceThenUpdatesOnlyOnChange) {
  const DeviceMeta meta{
      {DeviceType::kBattery, "Garage battery", kBatteryProps}, "Home", "Europe/Berlin"};
  EXPECT_EQ(devices().UpsertFromMeta("home", "bat", meta, At("2026-11-21T10:00:00Z")),
            MetaOutcome::kCreated);
  EXPECT_EQ(store().Sites().Timezone("home"), "Europe/Berlin");
  EXPECT_EQ(Text("SELECT name FROM sites WHERE id = 'home'"), "Home");
  EXPECT_EQ(devices().UpsertFromMeta("home", "bat", meta, At("2026-11-21T11:00:00Z")),
            MetaOutcome::kUnchanged);
  DeviceMeta renamed = meta;
  renamed.spec.name = "Basement battery";
  renamed.site_timezone = "UTC";  // an existing site is not changed by discovery
  EXPECT_EQ(devices().UpsertFromMeta("home", "bat", renamed, At("2026-11-21T12:00:00Z")),
            MetaOutcome::kUpdated);
  const auto d = devices().Get("bat", Visibility::All());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "Basement battery");
  EXPECT_EQ(d->site_id, "home");
  EXPECT_EQ(d->properties, kBatteryProps);
  EXPECT_EQ(d->created_at, At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(d->updated_at, At("2026-11-21T12:00:00Z"));
  EXPECT_EQ(store().Sites().Timezone("home"), "Europe/Berlin");
  const auto ctx = devices().Context("bat");
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->site_id, "home");
  EXPECT_EQ(ctx->type, DeviceType::kBattery);
  EXPECT_EQ(ctx->site_timezone, "Europe/Berlin");
  EXPECT_EQ(devices().Context("ghost"), std::nullopt);

  const auto moved = devices().UpsertFromMeta("cabin", "bat", meta, At("2026-11-21T13:00:00Z"));
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kDeviceSiteMismatch);
  EXPECT_EQ(moved.error().message, "Device 'bat' belongs to site 'home', not 'cabin'.");
}

TEST_F(RepositoryTest, MetaWithoutSiteFieldsCreatesAUtcSiteNamedAfterItsId) {
  ASSERT_TRUE(devices().UpsertFromMeta(
      "s1", "pv", DeviceMeta{{DeviceType::kSolarPanel, "Roof", kRated}, std::nullopt, std::nullopt},
      At("2026-11-21T10:00:00Z")));
  EXPECT_EQ(store().Sites().Timezone("s1"), "UTC");
  EXPECT_EQ(Text("SELECT name FROM sites WHERE id = 's1'"), "s1");
}

TEST_F(RepositoryTest, RestCreateUpdateDeleteWithTheirRejections) {
  AddDevice("home", "pv", DeviceType::kSolarPanel, kRated);
  const DeviceSpec hp{DeviceType::kHeatPump, "Heat pump", {{"rated_power_w", 3000}}};
  const auto created = devices().Create("home", "hp-1", hp, At("2026-11-21T10:00:00Z"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->type, DeviceType::kHeatPump);
  EXPECT_EQ(created->state, Json::object());
  EXPECT_EQ(created->last_seen, std::nullopt);
  EXPECT_EQ(devices().Create("home", "hp-1", hp, At("2026-11-21T10:00:00Z")).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(devices().Create("nowhere", "hp-2", hp, At("2026-11-21T10:00:00Z")).error().code,
            ErrorCode::kNotFound);
  const auto bad =
      devices().Create("home", "hp-3", {DeviceType::kHeatPump, "x", {{"rated_power_w", 0}}},
                       At("2026-11-21T10:00:00Z"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidDevice);
  EXPECT_EQ(bad.error().message, "Property 'rated_power_w' must be a number greater than 0.");

  const DeviceSpec bigger{DeviceType::kHeatPump, "Heat pump", {{"rated_power_w", 4500}}};
  const auto updated = devices().Update("hp-1", bigger, At("2026-11-21T11:00:00Z"));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->properties["rated_power_w"], 4500);
  EXPECT_EQ(updated->updated_at, At("2026-11-21T11:00:00Z"));
  EXPECT_EQ(devices().Update("nope", bigger, At("2026-11-21T11:00:00Z")).error().code,
            ErrorCode::kNotFound);

  writer().Insert("hp-1", "power_w", At("2026-11-21T11:00:00Z"), -3000, "UTC");
  ASSERT_EQ(Count("SELECT count(*) FROM telemetry"), 1);
  ASSERT_EQ(Count("SELECT count(*) FROM telemetry_rollups"), 5);
  EXPECT_EQ(store().Sites().Get("home", Visibility::All())->device_count, 2);
  EXPECT_TRUE(devices().Delete("hp-1"));
  EXPECT_FALSE(devices().Delete("hp-1"));
  EXPECT_EQ(devices().Get("hp-1", Visibility::All()), std::nullopt);
  // Its telemetry went with it, so a device re-created under the id starts clean.
  EXPECT_EQ(Count("SELECT count(*) FROM series WHERE device_id = 'hp-1'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM telemetry_rollups"), 0);
  EXPECT_TRUE(reader().Latest("hp-1").empty());
}

std::vector<std::string> Ids(const Page<ListedDevice, std::string>& page) {
  std::vector<std::string> ids;
  for (const auto& d : page.items) ids.push_back(d.device.id);
  return ids;
}

TEST_F(RepositoryTest, ListPagesWithAKeysetCursorAndCarriesTheLatestMetrics) {
  for (const char* id : {"d3", "d1", "d5", "d2", "d4"}) {
    AddDevice("home", id, DeviceType::kSolarPanel, kRated);
  }
  AddDevice("other", "d0", DeviceType::kSolarPanel, kRated);
  writer().Insert("d1", "power_w", At("2026-11-21T10:00:00Z"), 1500, "UTC");
  writer().Insert("d1", "energy_wh", At("2026-11-21T10:00:05Z"), 12, "UTC");
  const DeviceFilter home{Visibility::All(), "home", std::nullopt};
  const auto first = devices().List(home, "", 2);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"d1", "d2"}));
  ASSERT_EQ(first.next_cursor, "d2");
  EXPECT_EQ(first.items[0].latest,
            (std::vector<LatestMetric>{{"energy_wh", 12, At("2026-11-21T10:00:05Z")},
                                       {"power_w", 1500, At("2026-11-21T10:00:00Z")}}));
  EXPECT_TRUE(first.items[1].latest.empty());
  const auto second = devices().List(home, *first.next_cursor, 2);
  EXPECT_EQ(Ids(second), (std::vector<std::string>{"d3", "d4"}));
  const auto last = devices().List(home, *second.next_cursor, 2);
  EXPECT_EQ(Ids(last), (std::vector<std::string>{"d5"}));
  EXPECT_EQ(last.next_cursor, std::nullopt);
  EXPECT_EQ(devices().List(home, "", 1000).items.size(), 5u);
  EXPECT_EQ(devices().List(home, "", 5).next_cursor, std::nullopt);
}

TEST_F(RepositoryTest, TheFleetListSpansSitesFiltersByTypeAndSiteAndHonoursVisibility) {
  AddDevice("home", "pv-1", DeviceType::kSolarPanel, kRated);
  AddDevice("home", "bat-1", DeviceType::kBattery, kBatteryProps);
  AddDevice("school", "pv-2", DeviceType::kSolarPanel, kRated);
  AddDevice("school", "bat-2", DeviceType::kBattery, kBatteryProps);
  ASSERT_TRUE(store().Users().Create(User{"vera", "hash", Role::kViewer, {"school"}},
                                     At("2026-01-01T00:00:00Z")));
  const auto all = Visibility::All();
  EXPECT_EQ(Ids(devices().List({all, std::nullopt, std::nullopt}, "", 100)),
            (std::vector<std::string>{"bat-1", "bat-2", "pv-1", "pv-2"}));
  const auto page = devices().List({all, std::nullopt, std::nullopt}, "", 3);
  EXPECT_EQ(page.next_cursor, "pv-1");
  EXPECT_EQ(Ids(devices().List({all, std::nullopt, std::nullopt}, *page.next_cursor, 3)),
            (std::vector<std::string>{"pv-2"}));
  EXPECT_EQ(Ids(devices().List({all, std::nullopt, DeviceType::kBattery}, "", 100)),
            (std::vector<std::string>{"bat-1", "bat-2"}));
  EXPECT_EQ(Ids(devices().List({all, "school", DeviceType::kSolarPanel}, "", 100)),
            (std::vector<std::string>{"pv-2"}));
  const auto vera = Visibility::SitesOf("vera");
  EXPECT_EQ(Ids(devices().List({vera, std::nullopt, std::nullopt}, "", 100)),
            (std::vector<std::string>{"bat-2", "pv-2"}));
  EXPECT_TRUE(devices().List({vera, "home", std::nullopt}, "", 100).items.empty());
  EXPECT_TRUE(devices().List({all, "nowhere", std::nullopt}, "", 100).items.empty());
}

TEST_F(RepositoryTest, VisibleSiteReadingsHoldEverySiteTheCallerSeesWithItsDevices) {
  AddDevice("home", "pv-1", DeviceType::kSolarPanel, kRated);
  AddDevice("home", "bat-1", DeviceType::kBattery, kBatteryProps);
  AddDevice("school", "pv-2", DeviceType::kSolarPanel, kRated);
  store().Sites().Ensure("empty", "Empty", "UTC", At("2026-01-01T00:00:00Z"));
  writer().Insert("bat-1", "power_w", At("2026-11-21T10:00:00Z"), -500, "UTC");
  writer().Insert("bat-1", "soc_pct", At("2026-11-21T10:00:00Z"), 40, "UTC");
  const auto all = reader().VisibleSiteReadings(Visibility::All());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].site_id, "empty");
  EXPECT_TRUE(all[0].devices.empty());
  EXPECT_EQ(all[1].site_id, "home");
  // The same readings as the site's own query.
  const auto home = reader().SiteReadings("home");
  ASSERT_EQ(all[1].devices.size(), home.size());
  for (std::size_t i = 0; i < home.size(); ++i) {
    EXPECT_EQ(all[1].devices[i].device_id, home[i].device_id);
    EXPECT_EQ(all[1].devices[i].power_w, home[i].power_w);
    EXPECT_EQ(all[1].devices[i].soc_pct, home[i].soc_pct);
    EXPECT_EQ(all[1].devices[i].capacity_wh, home[i].capacity_wh);
  }
  EXPECT_EQ(all[1].devices[0].capacity_wh, 10000.0);
  EXPECT_EQ(all[2].site_id, "school");
  ASSERT_TRUE(store().Users().Create(User{"vera", "hash", Role::kViewer, {"school"}},
                                     At("2026-01-01T00:00:00Z")));
  const auto vera = reader().VisibleSiteReadings(Visibility::SitesOf("vera"));
  ASSERT_EQ(vera.size(), 1u);
  EXPECT_EQ(vera[0].site_id, "school");
}

TEST_F(RepositoryTest, RecordTelemetryMergesStateOnlyFromNewerMessages) {
  AddDevice("home", "ev", DeviceType::kEv,
            {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}});
  EXPECT_TRUE(devices().RecordTelemetry("ev", At("2026-11-21T10:00:00Z"),
                                        {{"mode", "charging"}, {"at_home", true}}));
  EXPECT_TRUE(devices().RecordTelemetry("ev", At("2026-11-21T10:05:00Z"), {{"mode", "idle"}}));
  // Older message arriving late: last_seen and state stay.
  EXPECT_TRUE(devices().RecordTelemetry("ev", At("2026-11-21T10:01:00Z"), {{"at_home", false}}));
  // A message without state only moves last_seen.
  EXPECT_TRUE(devices().RecordTelemetry("ev", At("2026-11-21T10:06:00Z"), Json::object()));
  const auto d = devices().Get("ev", Visibility::All());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->state, (Json{{"mode", "idle"}, {"at_home", true}}));
  EXPECT_EQ(d->last_seen, At("2026-11-21T10:06:00Z"));
  EXPECT_FALSE(devices().RecordTelemetry("ghost", At("2026-11-21T10:00:00Z"), Json::object()));
}

}  // namespace
}  // namespace ems::store
