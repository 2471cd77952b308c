// ems-publisher's pure parts: the simulated clock (docs/contract.md §2 EMS_PUBLISHER_SPEED; nothing
// stamped in the future) and its duration flag.
#include "publisher/publisher_app.h"

#include <gtest/gtest.h>

#include "publisher/sim_clock.h"
#include "support.h"

namespace ems::publisher {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

using ems::testing::At;

TEST(SimClockTest, RealTimeRunsWithTheWallClockAndCatchesUpAGapAtOnce) {
  const Timestamp wall = At("2026-11-21T10:00:00Z");
  EXPECT_EQ(FreshStart(wall, 1), wall);
  const SimClock fresh(wall, wall, 1);
  EXPECT_EQ(fresh.At(wall + seconds(7)), wall + seconds(7));
  // A restart after an hour down at speed 1: the gap is there to replay as fast as it goes.
  const SimClock restarted(wall - hours(1), wall, 1);
  EXPECT_EQ(restarted.At(wall + seconds(1)), wall + seconds(1));
}

TEST(SimClockTest, ASpeedUpReplaysTheLastDayThenRunsWithTheWallClock) {
  const Timestamp wall = At("2026-11-21T10:00:00Z");
  const Timestamp start = FreshStart(wall, 60);
  EXPECT_EQ(start, wall - hours(24));
  const SimClock clock(start, wall, 60);
  EXPECT_EQ(clock.At(wall), start);
  EXPECT_EQ(clock.At(wall + minutes(1)), start + hours(1));  // a simulated hour a minute
  EXPECT_EQ(clock.At(wall + minutes(23)), start + hours(23));
  // After 24 h / 60 ≈ 24.4 minutes of wall time it has caught up, and stays with the wall clock.
  for (Timestamp w = wall + minutes(24); w < wall + hours(2); w += seconds(13)) {
    ASSERT_LE(clock.At(w), w);
  }
  EXPECT_EQ(clock.At(wall + minutes(30)), wall + minutes(30));
}

TEST(ParseDurationTest, AcceptsDaysHoursMinutesSeconds) {
  EXPECT_EQ(ParseDuration("30d"), std::chrono::seconds(30 * 86400));
  EXPECT_EQ(ParseDuration("12h"), std::chrono::seconds(12 * 3600));
  EXPECT_EQ(ParseDuration("90m"), std::chrono::seconds(90 * 60));
  EXPECT_EQ(ParseDuration("45s"), std::chrono::seconds(45));
  for (const char* bad : {"", "d", "0d", "-1d", "3w", "1.5h", "12"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ems::publisher
