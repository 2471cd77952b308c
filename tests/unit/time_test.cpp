#include "ems/domain/time.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "support.h"

namespace ems {
namespace {

using ems::testing::At;

TEST(TimeTest, ParsesRfc3339WithAndWithoutOffset) {
  EXPECT_EQ(FormatTimestamp(At("2026-11-21T10:00:00Z")), "2026-11-21T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(At("2026-11-21T11:00:00+01:00")), "2026-11-21T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(At("2026-11-21T05:30:00-04:30")), "2026-11-21T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(At("2024-03-03T10:00:00")), "2024-03-03T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(At("2026-11-21T10:00:00.25Z")), "2026-11-21T10:00:00.250Z");
  EXPECT_EQ(FormatTimestamp(At("2026-11-21 10:00:00.123456Z")), "2026-11-21T10:00:00.123Z");
}

// The formatter keeps the date of its previous call: every stamp must still carry its own day,
// also when calls go back and forth between days, across a leap day and a year's end.
TEST(TimeTest, FormatsEveryStampWithItsOwnDate) {
  const auto reference = [](Timestamp t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd(day);
    const std::chrono::hh_mm_ss hms(t - day);
    char buf[40];
    const int ms = static_cast<int>(hms.subseconds().count());
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()));
    std::string text = buf;
    if (ms != 0) {
      std::snprintf(buf, sizeof buf, ".%03d", ms);
      text += buf;
    }
    return text + "Z";
  };
  const Timestamp start = At("2027-12-30T22:59:59.999Z");
  for (std::int64_t i = 0; i < 2000; ++i) {
    // Steps of 37 min 1.013 s, and every other stamp 61 days earlier (another date each time).
    const Timestamp t =
        start + std::chrono::milliseconds(i * 2'221'013) - std::chrono::days(i % 2 == 0 ? 0 : 61);
    ASSERT_EQ(FormatTimestamp(t), reference(t)) << i;
  }
  EXPECT_EQ(FormatTimestamp(At("2028-02-29T23:59:59Z")), "2028-02-29T23:59:59Z");
  EXPECT_EQ(FormatTimestamp(At("2028-03-01T00:00:00.001Z")), "2028-03-01T00:00:00.001Z");
  EXPECT_EQ(FormatTimestamp(At("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(At("9999-12-31T23:59:59.999Z")), "9999-12-31T23:59:59.999Z");
}

TEST(TimeTest, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2026-11-21", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-21T24:00:00Z", "2026-11-21T10:00:00+0100",
                          "2026-11-21T10:00:00Zjunk", "2026-11-21T10:00:00.Z", "yesterday"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(TimeTest, DatesRoundTripAndRejectImpossibleDays) {
  EXPECT_EQ(FormatDate(*ParseDate("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-2-9"));
}

TEST(TimeTest, LocalDaysFollowDst) {
  // Europe/Berlin springs forward on 2026-03-29: that local day has 23 hours.
  const auto start =
      LocalPeriodStart(At("2026-03-29T12:00:00Z"), CalendarUnit::kDay, "Europe/Berlin");
  const auto next =
      NextLocalPeriodStart(At("2026-03-29T12:00:00Z"), CalendarUnit::kDay, "Europe/Berlin");
  EXPECT_EQ(FormatTimestamp(start), "2026-03-28T23:00:00Z");
  EXPECT_EQ(next - start, std::chrono::hours(23));
  // …and falls back on 2026-10-25: 25 hours.
  const auto autumn = At("2026-10-25T12:00:00Z");
  EXPECT_EQ(NextLocalPeriodStart(autumn, CalendarUnit::kDay, "Europe/Berlin") -
                LocalPeriodStart(autumn, CalendarUnit::kDay, "Europe/Berlin"),
            std::chrono::hours(25));
}

TEST(TimeTest, WeeksStartMondayAndMonthsAtLocalMidnight) {
  // 2026-11-21 is a Saturday.
  EXPECT_EQ(
      FormatTimestamp(LocalPeriodStart(At("2026-11-21T10:00:00Z"), CalendarUnit::kWeek, "UTC")),
      "2026-11-16T00:00:00Z");
  EXPECT_EQ(
      FormatTimestamp(LocalPeriodStart(At("2026-11-16T00:00:00Z"), CalendarUnit::kWeek, "UTC")),
      "2026-11-16T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(NextLocalPeriodStart(At("2026-01-31T23:30:00Z"), CalendarUnit::kMonth,
                                                 "America/New_York")),
            "2026-02-01T05:00:00Z");
  EXPECT_EQ(LocalWeekday(At("2026-11-21T10:00:00Z"), "UTC"), 5);
}

TEST(TimeTest, NextLocalMidnightIsStrictlyLater) {
  EXPECT_EQ(FormatTimestamp(NextLocalMidnight(At("2026-11-21T23:00:00Z"), "Europe/Berlin")),
            "2026-11-22T23:00:00Z");
  EXPECT_EQ(FormatTimestamp(NextLocalMidnight(At("2026-11-21T22:59:59Z"), "Europe/Berlin")),
            "2026-11-21T23:00:00Z");
  EXPECT_TRUE(IsValidTimeZone("America/New_York"));
  EXPECT_FALSE(IsValidTimeZone("Mars/Olympus"));
  EXPECT_TRUE(IsValidTimeZone("Etc/GMT+5"));
  // cctz would open any path it is given: names of files are no zones.
  for (const char* path : {"/etc/localtime", "/dev/stdin", "../../../dev/zero", "file:/dev/zero",
                           "Europe//Berlin", "Europe/", "Europe/./Berlin"}) {
    EXPECT_FALSE(IsValidTimeZone(path)) << path;
  }
}

}  // namespace
}  // namespace ems
