// The session ledger's rules (ems/domain/session_ledger.h): the solar share of a session on a
// constructed day, unknown over a data gap, an active session counted until now, and the range.
#include "ems/domain/session_ledger.h"

#include <gtest/gtest.h>

#include <vector>

#include "support.h"

namespace ems {
namespace {

using ems::testing::At;
using std::chrono::minutes;

// 08:00–16:00 UTC in 15m buckets: the site consumes 1 kWh a quarter hour throughout; the sun
// covers half of it from 10:00 to 13:00 and twice of it from 13:00 to 14:00; no readings at all
// from 15:00 to 15:30 (a gap).
class SolarShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (Timestamp t = day_start_; t < day_end_; t += minutes(15)) {
      EnergyBucket b{t, 0, 1000};
      if (t >= At("2026-06-01T10:00:00Z") && t < At("2026-06-01T13:00:00Z")) b.produced_wh = 500;
      if (t >= At("2026-06-01T13:00:00Z") && t < At("2026-06-01T14:00:00Z")) b.produced_wh = 2000;
      if (t >= At("2026-06-01T15:00:00Z") && t < At("2026-06-01T15:30:00Z")) b.consumed_wh = 0;
      buckets_.push_back(b);
    }
  }

  static ChargingSession Session(const char* start, std::optional<const char*> end) {
    ChargingSession s;
    s.session_id = "s-1";
    s.station_id = "st-1";
    s.site_id = "home";
    s.started_at = At(start);
    if (end) {
      s.ended_at = At(*end);
    } else {
      s.status = SessionStatus::kActive;
    }
    s.energy_kwh = 20;
    return s;
  }

  std::optional<double> Share(const ChargingSession& s,
                              Timestamp now = At("2026-06-02T00:00:00Z")) {
    return SolarShare(s, buckets_, day_end_, now);
  }

  const Timestamp day_start_ = At("2026-06-01T08:00:00Z"), day_end_ = At("2026-06-01T16:00:00Z");
  std::vector<EnergyBucket> buckets_;
};

TEST_F(SolarShareTest, WeighsEachBucketsCoverByTheSessionsTimeInIt) {
  // 09:00–10:00 no sun (0), 10:00–13:00 half covered: (1 × 0 + 3 × 0.5) / 4.
  EXPECT_EQ(Share(Session("2026-06-01T09:00:00Z", "2026-06-01T13:00:00Z")), 0.375);
}

TEST_F(SolarShareTest, ProductionBeyondConsumptionCoversAllOfIt) {
  // 12:00–13:00 half, 13:00–14:00 more sun than load: (0.5 + 1) / 2.
  EXPECT_EQ(Share(Session("2026-06-01T12:00:00Z", "2026-06-01T14:00:00Z")), 0.75);
  EXPECT_EQ(Share(Session("2026-06-01T13:10:00Z", "2026-06-01T13:50:00Z")), 1.0);
}

TEST_F(SolarShareTest, SplitsBucketsTheSessionOnlyPartlyOverlaps) {
  // 09:45–10:00 dark, 10:00–10:15 half covered: 15 min × 0 + 15 min × 0.5 over 30 min.
  EXPECT_EQ(Share(Session("2026-06-01T09:45:00Z", "2026-06-01T10:15:00Z")), 0.25);
  // 09:50–10:05: 10 min × 0 + 5 min × 0.5 over 15 min.
  EXPECT_DOUBLE_EQ(*Share(Session("2026-06-01T09:50:00Z", "2026-06-01T10:05:00Z")), 2.5 / 15);
}

TEST_F(SolarShareTest, NoSunNoShare) {
  EXPECT_EQ(Share(Session("2026-06-01T08:00:00Z", "2026-06-01T10:00:00Z")), 0.0);
}

TEST_F(SolarShareTest, UnknownWhenAnyBucketOfTheSessionHasNoReadings) {
  EXPECT_EQ(Share(Session("2026-06-01T14:30:00Z", "2026-06-01T15:45:00Z")), std::nullopt);
  EXPECT_EQ(Share(Session("2026-06-01T15:05:00Z", "2026-06-01T15:10:00Z")), std::nullopt);
  // Right after the gap it is known again.
  EXPECT_EQ(Share(Session("2026-06-01T15:30:00Z", "2026-06-01T16:00:00Z")), 0.0);
}

TEST_F(SolarShareTest, UnknownOutsideTheBucketsAndWithoutDuration) {
  EXPECT_EQ(Share(Session("2026-06-01T07:45:00Z", "2026-06-01T09:00:00Z")), std::nullopt);
  EXPECT_EQ(Share(Session("2026-06-01T15:45:00Z", "2026-06-01T16:15:00Z")), std::nullopt);
  EXPECT_EQ(Share(Session("2026-06-01T10:00:00Z", "2026-06-01T10:00:00Z")), std::nullopt);
  EXPECT_EQ(
      SolarShare(Session("2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"), {}, day_end_, day_end_),
      std::nullopt);
}

TEST_F(SolarShareTest, AnActiveSessionCountsUntilNow) {
  const auto active = Session("2026-06-01T09:00:00Z", std::nullopt);
  // 09:00–12:00: (1 × 0 + 2 × 0.5) / 3.
  EXPECT_DOUBLE_EQ(*Share(active, At("2026-06-01T12:00:00Z")), 1.0 / 3);
  // Until 13:00 it is the completed session of the first test.
  EXPECT_EQ(Share(active, At("2026-06-01T13:00:00Z")), 0.375);
  // Started after now (a clock ahead): no duration yet.
  EXPECT_EQ(Share(active, At("2026-06-01T08:30:00Z")), std::nullopt);
}

TEST(LedgerRangeTest, FromNotAfterToAndAtMost400DaysBothIncluded) {
  EXPECT_TRUE(ValidateLedgerRange({2026, 11, 1}, {2026, 11, 30}));
  EXPECT_TRUE(ValidateLedgerRange({2026, 11, 1}, {2026, 11, 1}));
  EXPECT_TRUE(ValidateLedgerRange({2026, 1, 1}, {2027, 2, 4}));  // 400 days
  const auto reversed = ValidateLedgerRange({2026, 11, 2}, {2026, 11, 1});
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().code, ErrorCode::kInvalidQuery);
  const auto too_long = ValidateLedgerRange({2026, 1, 1}, {2027, 2, 5});  // 401 days
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidQuery);
  EXPECT_NE(too_long.error().message.find("400 days"), std::string::npos);
}

}  // namespace
}  // namespace ems
