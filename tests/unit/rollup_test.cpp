#include "ems/domain/rollup.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support.h"

namespace ems {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

using ems::testing::At;
std::string Start(const char* ts, Interval i, const char* tz) {
  return FormatTimestamp(BucketStart(At(ts), i, tz));
}
std::string Next(const char* ts, Interval i, const char* tz) {
  return FormatTimestamp(NextBucketStart(At(ts), i, tz));
}

TEST(IntervalTest, NamesRoundTrip) {
  for (const char* name : {"raw", "1m", "15m", "1h", "1d", "1w", "1mo"}) {
    const auto i = ParseInterval(name);
    ASSERT_TRUE(i) << name;
    EXPECT_EQ(ToString(*i), name);
  }
  for (const char* bad : {"", "1M", "5m", "1y", "hour", "1mon"}) {
    EXPECT_FALSE(ParseInterval(bad)) << bad;
  }
  for (const char* name : {"avg", "min", "max", "sum", "last"}) {
    const auto a = ParseAgg(name);
    ASSERT_TRUE(a) << name;
    EXPECT_EQ(ToString(*a), name);
  }
  EXPECT_FALSE(ParseAgg("mean"));
  EXPECT_FALSE(ParseAgg("AVG"));
}

TEST(BucketTest, SubDailyBucketsAreUtcAlignedWhateverTheZone) {
  EXPECT_EQ(Start("2026-11-21T10:07:31.500Z", Interval::k1m, "Europe/Berlin"),
            "2026-11-21T10:07:00Z");
  EXPECT_EQ(Start("2026-11-21T10:29:59.999Z", Interval::k15m, "Europe/Berlin"),
            "2026-11-21T10:15:00Z");
  EXPECT_EQ(Start("2026-11-21T10:30:00Z", Interval::k15m, "UTC"), "2026-11-21T10:30:00Z");
  // Kolkata is UTC+05:30: its hours are still cut at UTC hours.
  EXPECT_EQ(Start("2026-11-21T10:45:00Z", Interval::k1h, "Asia/Kolkata"), "2026-11-21T10:00:00Z");
  EXPECT_EQ(Next("2026-11-21T23:59:00Z", Interval::k1h, "UTC"), "2026-11-22T00:00:00Z");
  EXPECT_EQ(Start("1969-12-31T23:59:30Z", Interval::k1m, "UTC"), "1969-12-31T23:59:00Z");
  EXPECT_EQ(BucketStart(At("2026-11-21T10:07:31.5Z"), Interval::kRaw, "UTC"),
            At("2026-11-21T10:07:31.5Z"));
}

TEST(BucketTest, BerlinSpringForwardDayHas23Hours) {
  // 2026-03-29 02:00 CET jumps to 03:00 CEST.
  const char* tz = "Europe/Berlin";
  EXPECT_EQ(Start("2026-03-29T12:00:00Z", Interval::k1d, tz), "2026-03-28T23:00:00Z");
  EXPECT_EQ(Next("2026-03-29T12:00:00Z", Interval::k1d, tz), "2026-03-29T22:00:00Z");
  EXPECT_EQ(NextBucketStart(At("2026-03-29T12:00:00Z"), Interval::k1d, tz) -
                BucketStart(At("2026-03-29T12:00:00Z"), Interval::k1d, tz),
            hours(23));
  // The last instant of the short day and the first of the next.
  EXPECT_EQ(Start("2026-03-29T21:59:59.999Z", Interval::k1d, tz), "2026-03-28T23:00:00Z");
  EXPECT_EQ(Start("2026-03-29T22:00:00Z", Interval::k1d, tz), "2026-03-29T22:00:00Z");
  // The day before starts at 23:00Z too (still CET); the day after at 22:00Z (CEST).
  EXPECT_EQ(Start("2026-03-28T12:00:00Z", Interval::k1d, tz), "2026-03-27T23:00:00Z");
}

TEST(BucketTest, BerlinFallBackDayHas25Hours) {
  const char* tz = "Europe/Berlin";
  EXPECT_EQ(Start("2026-10-25T01:30:00Z", Interval::k1d, tz), "2026-10-24T22:00:00Z");
  EXPECT_EQ(Next("2026-10-25T01:30:00Z", Interval::k1d, tz), "2026-10-25T23:00:00Z");
  const auto starts =
      BucketStarts(At("2026-10-24T22:00:00Z"), At("2026-10-26T00:00:00Z"), Interval::k1d, tz);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1] - starts[0], hours(25));
  // Both 02:30 local times of the repeated hour belong to the same local day.
  EXPECT_EQ(Start("2026-10-25T00:30:00Z", Interval::k1d, tz),
            Start("2026-10-25T01:30:00Z", Interval::k1d, tz));
}

TEST(BucketTest, NewYorkDstDaysHave23And25Hours) {
  const char* tz = "America/New_York";
  EXPECT_EQ(Start("2026-03-08T12:00:00Z", Interval::k1d, tz), "2026-03-08T05:00:00Z");
  EXPECT_EQ(Next("2026-03-08T12:00:00Z", Interval::k1d, tz), "2026-03-09T04:00:00Z");
  EXPECT_EQ(Start("2026-11-01T12:00:00Z", Interval::k1d, tz), "2026-11-01T04:00:00Z");
  EXPECT_EQ(Next("2026-11-01T12:00:00Z", Interval::k1d, tz), "2026-11-02T05:00:00Z");
  // 03:00Z on 2026-03-08 is 22:00 EST on the 7th.
  EXPECT_EQ(Start("2026-03-08T03:00:00Z", Interval::k1d, tz), "2026-03-07T05:00:00Z");
}

TEST(BucketTest, WeeksStartMondayInTheSiteZone) {
  // Sunday 2026-03-29 (Berlin's short day) belongs to the week of Monday 2026-03-23, which then
  // lasts 167 hours.
  const char* tz = "Europe/Berlin";
  EXPECT_EQ(Start("2026-03-29T21:00:00Z", Interval::k1w, tz), "2026-03-22T23:00:00Z");
  EXPECT_EQ(Next("2026-03-29T21:00:00Z", Interval::k1w, tz), "2026-03-29T22:00:00Z");
  // 22:00Z that Sunday is already Monday 00:00 CEST.
  EXPECT_EQ(Start("2026-03-29T22:00:00Z", Interval::k1w, tz), "2026-03-29T22:00:00Z");
  // New York's fall-back week lasts 169 hours.
  EXPECT_EQ(Start("2026-11-01T12:00:00Z", Interval::k1w, "America/New_York"),
            "2026-10-26T04:00:00Z");
  EXPECT_EQ(Next("2026-11-01T12:00:00Z", Interval::k1w, "America/New_York"),
            "2026-11-02T05:00:00Z");
  // A Monday at local midnight starts its own week.
  EXPECT_EQ(Start("2026-11-16T00:00:00Z", Interval::k1w, "UTC"), "2026-11-16T00:00:00Z");
  EXPECT_EQ(Start("2026-11-15T23:59:59Z", Interval::k1w, "UTC"), "2026-11-09T00:00:00Z");
}

TEST(BucketTest, MonthsEndAtLocalMidnight) {
  const char* tz = "Europe/Berlin";
  // March in Berlin starts in CET and ends in CEST.
  EXPECT_EQ(Start("2026-03-15T00:00:00Z", Interval::k1mo, tz), "2026-02-28T23:00:00Z");
  EXPECT_EQ(Next("2026-03-15T00:00:00Z", Interval::k1mo, tz), "2026-03-31T22:00:00Z");
  EXPECT_EQ(Start("2026-03-31T21:59:59.999Z", Interval::k1mo, tz), "2026-02-28T23:00:00Z");
  EXPECT_EQ(Start("2026-03-31T22:00:00Z", Interval::k1mo, tz), "2026-03-31T22:00:00Z");
  // Leap February.
  EXPECT_EQ(Start("2028-02-29T22:59:59Z", Interval::k1mo, tz), "2028-01-31T23:00:00Z");
  EXPECT_EQ(Next("2028-02-29T22:59:59Z", Interval::k1mo, tz), "2028-02-29T23:00:00Z");
  // New York: 23:30Z on Jan 31 is still January locally.
  EXPECT_EQ(Start("2026-01-31T23:30:00Z", Interval::k1mo, "America/New_York"),
            "2026-01-01T05:00:00Z");
  EXPECT_EQ(Next("2026-01-31T23:30:00Z", Interval::k1mo, "America/New_York"),
            "2026-02-01T05:00:00Z");
  // December → January across the year.
  EXPECT_EQ(Next("2026-12-31T12:00:00Z", Interval::k1mo, "UTC"), "2027-01-01T00:00:00Z");
}

TEST(BucketTest, BucketStartsCoverEveryOverlappingBucket) {
  const auto starts = BucketStarts(At("2026-11-21T10:20:00Z"), At("2026-11-21T11:00:00.001Z"),
                                   Interval::k15m, "UTC");
  std::vector<std::string> text;
  for (auto t : starts) text.push_back(FormatTimestamp(t));
  EXPECT_EQ(text, (std::vector<std::string>{"2026-11-21T10:15:00Z", "2026-11-21T10:30:00Z",
                                            "2026-11-21T10:45:00Z", "2026-11-21T11:00:00Z"}));
  EXPECT_TRUE(
      BucketStarts(At("2026-11-21T10:00:00Z"), At("2026-11-21T10:00:00Z"), Interval::k1m, "UTC")
          .empty());
  EXPECT_TRUE(
      BucketStarts(At("2026-11-21T10:00:00Z"), At("2026-11-22T10:00:00Z"), Interval::kRaw, "UTC")
          .empty());
  // A Berlin month: 31 local days, one of them 23 hours long.
  EXPECT_EQ(BucketStarts(At("2026-02-28T23:00:00Z"), At("2026-03-31T22:00:00Z"), Interval::k1d,
                         "Europe/Berlin")
                .size(),
            31u);
}

TEST(AggStateTest, AggregatesAndMergesLikeOneSet) {
  AggState whole;
  AggState a;
  AggState b;
  const std::vector<TimedValue> samples = {{At("2026-11-21T10:00:00Z"), 4},
                                           {At("2026-11-21T10:00:30Z"), -2},
                                           {At("2026-11-21T10:00:10Z"), 10},
                                           {At("2026-11-21T10:00:20Z"), 0}};
  for (std::size_t i = 0; i < samples.size(); ++i) {
    whole.Add(samples[i].ts, samples[i].value);
    (i % 2 == 0 ? a : b).Add(samples[i].ts, samples[i].value);
  }
  EXPECT_EQ(whole.count, 4);
  EXPECT_EQ(whole.Value(Agg::kSum), 12);
  EXPECT_EQ(whole.Value(Agg::kAvg), 3);
  EXPECT_EQ(whole.Value(Agg::kMin), -2);
  EXPECT_EQ(whole.Value(Agg::kMax), 10);
  EXPECT_EQ(whole.Value(Agg::kLast), -2);  // greatest ts (10:00:30), not last added
  AggState merged = b;
  merged.Merge(a);
  EXPECT_EQ(merged, whole);
  AggState empty;
  merged.Merge(empty);
  EXPECT_EQ(merged, whole);
  empty.Merge(whole);
  EXPECT_EQ(empty, whole);
}

TEST(ComputeSeriesTest, DailyBucketsOfABerlinDstDay) {
  // One sample every hour from 2026-03-28 23:00Z (local midnight) for 24 UTC hours: the
  // 23-hour local day 2026-03-29 holds 23 of them, the next day the 24th.
  std::vector<TimedValue> samples;
  for (int h = 0; h < 24; ++h) samples.push_back({At("2026-03-28T23:00:00Z") + hours(h), 1.0 * h});
  const auto points = ComputeSeries(samples, At("2026-03-29T00:00:00Z"), At("2026-03-31T00:00:00Z"),
                                    Interval::k1d, Agg::kSum, "Europe/Berlin");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(FormatTimestamp(points[0].ts), "2026-03-28T23:00:00Z");
  EXPECT_EQ(points[0].count, 23);
  EXPECT_EQ(points[0].value, 253);  // 0 + 1 + … + 22
  EXPECT_EQ(FormatTimestamp(points[1].ts), "2026-03-29T22:00:00Z");
  EXPECT_EQ(points[1].count, 1);
  EXPECT_EQ(points[1].value, 23);
}

TEST(ComputeSeriesTest, WholeBucketsOverlappingTheRangeAndRawAsIs) {
  const std::vector<TimedValue> samples = {{At("2026-11-21T10:05:00Z"), 1},
                                           {At("2026-11-21T10:20:00Z"), 2},
                                           {At("2026-11-21T10:40:00Z"), 3},
                                           {At("2026-11-21T11:10:00Z"), 4}};
  // [10:20, 11:00) at 1h: the 10:00 bucket with all three of its samples, not the 11:00 one.
  const auto hourly = ComputeSeries(samples, At("2026-11-21T10:20:00Z"), At("2026-11-21T11:00:00Z"),
                                    Interval::k1h, Agg::kAvg, "UTC");
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_EQ(hourly[0], (SeriesPoint{At("2026-11-21T10:00:00Z"), 2, 3}));
  // raw: exactly [from, to), in ts order, count 1, whatever the aggregation.
  const auto raw = ComputeSeries(samples, At("2026-11-21T10:20:00Z"), At("2026-11-21T11:10:00Z"),
                                 Interval::kRaw, Agg::kMax, "UTC");
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_EQ(raw[0], (SeriesPoint{At("2026-11-21T10:20:00Z"), 2, 1}));
  EXPECT_EQ(raw[1], (SeriesPoint{At("2026-11-21T10:40:00Z"), 3, 1}));
  // Empty buckets are left out.
  const auto quarter = ComputeSeries(samples, At("2026-11-21T10:00:00Z"),
                                     At("2026-11-21T12:00:00Z"), Interval::k15m, Agg::kLast, "UTC");
  ASSERT_EQ(quarter.size(), 4u);
  EXPECT_EQ(FormatTimestamp(quarter[2].ts), "2026-11-21T10:30:00Z");
  EXPECT_EQ(FormatTimestamp(quarter[3].ts), "2026-11-21T11:00:00Z");
}

TEST(DefaultIntervalTest, KeepsRangesWithinAFewHundredPoints) {
  const Timestamp t0 = At("2026-01-01T00:00:00Z");
  EXPECT_EQ(DefaultInterval(t0, t0 + hours(1)), Interval::k1m);      // 60 points
  EXPECT_EQ(DefaultInterval(t0, t0 + minutes(400)), Interval::k1m);  // 400
  EXPECT_EQ(DefaultInterval(t0, t0 + hours(24)), Interval::k15m);    // 96
  EXPECT_EQ(DefaultInterval(t0, t0 + days(7)), Interval::k1h);       // 168
  EXPECT_EQ(DefaultInterval(t0, t0 + days(30)), Interval::k1d);      // 30
  EXPECT_EQ(DefaultInterval(t0, t0 + days(400)), Interval::k1d);     // 400
  EXPECT_EQ(DefaultInterval(t0, t0 + days(401)), Interval::k1w);     // 58
  EXPECT_EQ(DefaultInterval(t0, t0 + days(3650)), Interval::k1mo);   // 122
  EXPECT_EQ(DefaultInterval(t0, t0), Interval::k1m);
}

TEST(SeriesRangeTest, RejectsEmptyRangesAndLongRawRanges) {
  const Timestamp t0 = At("2026-01-01T00:00:00Z");
  const auto empty = ValidateSeriesRange(t0, t0, Interval::k1h);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidQuery);
  EXPECT_EQ(empty.error().message, "Parameter 'from' must be earlier than 'to'.");
  EXPECT_FALSE(ValidateSeriesRange(t0 + hours(1), t0, Interval::k1d));
  EXPECT_TRUE(ValidateSeriesRange(t0, t0 + days(400), Interval::kRaw));
  const auto long_raw = ValidateSeriesRange(t0, t0 + days(400) + Millis(1), Interval::kRaw);
  ASSERT_FALSE(long_raw);
  EXPECT_EQ(long_raw.error().code, ErrorCode::kInvalidQuery);
  EXPECT_EQ(long_raw.error().message,
            "A raw series may span at most 400 days; choose an interval such as 1h.");
  EXPECT_TRUE(ValidateSeriesRange(t0, t0 + days(4000), Interval::k1d));
  EXPECT_TRUE(ValidateSeriesRange(t0, t0 + minutes(100'000), Interval::k1m));
  const auto too_many = ValidateSeriesRange(t0, t0 + minutes(100'001), Interval::k1m);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().message,
            "The range holds more than 100000 buckets of 1m; choose an interval of 15m or "
            "coarser.");
}

TEST(SeriesRangeTest, ThePointLimitCountsEverySeriesOfTheAnswer) {
  const Timestamp t0 = At("2026-01-01T00:00:00Z");
  // 50 000 minutes fit once and twice, not three times.
  EXPECT_TRUE(ValidateSeriesRange(t0, t0 + minutes(50'000), Interval::k1m, 2));
  const auto three = ValidateSeriesRange(t0, t0 + minutes(50'000), Interval::k1m, 3);
  ASSERT_FALSE(three);
  EXPECT_EQ(three.error().code, ErrorCode::kInvalidQuery);
  EXPECT_EQ(three.error().message,
            "The range holds more than 100000 buckets of 1m over 3 series; choose an interval "
            "of 15m or coarser.");
  // 100 series of 1000 days: not even hourly buckets fit (2.4 M), daily ones do (100 000).
  const auto hundred = ValidateSeriesRange(t0, t0 + days(1000), Interval::k1h, 100);
  ASSERT_FALSE(hundred);
  EXPECT_NE(hundred.error().message.find("choose an interval of 1d or coarser"), std::string::npos);
  EXPECT_TRUE(ValidateSeriesRange(t0, t0 + days(1000), Interval::k1d, 100));
  // Nothing coarser than 1mo to advise.
  const auto months = ValidateSeriesRange(t0, t0 + days(30 * 2000), Interval::k1mo, 100);
  ASSERT_FALSE(months);
  EXPECT_NE(months.error().message.find("choose a shorter range"), std::string::npos);
  // No series at all: only the range itself is checked.
  EXPECT_TRUE(ValidateSeriesRange(t0, t0 + days(4000), Interval::k1m, 0));
  EXPECT_FALSE(ValidateSeriesRange(t0, t0, Interval::k1m, 0));
}

TEST(SeriesRangeTest, TooManyRawPointsNamesAnIntervalThatFits) {
  const Timestamp t0 = At("2026-01-01T00:00:00Z");
  const Reject r = TooManyRawPoints(t0, t0 + days(30), 4);
  EXPECT_EQ(r.code, ErrorCode::kInvalidQuery);
  EXPECT_EQ(r.message,
            "The range holds more than 100000 raw samples over 4 series; choose an interval of "
            "15m or coarser.");
}

TEST(FinestIntervalWithinTest, PicksTheFinestIntervalUnderTheLimit) {
  const Timestamp t0 = At("2026-01-01T00:00:00Z");
  EXPECT_EQ(FinestIntervalWithin(t0, t0 + days(1), 1440), Interval::k1m);
  EXPECT_EQ(FinestIntervalWithin(t0, t0 + days(1), 1439), Interval::k15m);
  EXPECT_EQ(FinestIntervalWithin(t0, t0 + days(365), 1000), Interval::k1d);
  EXPECT_EQ(FinestIntervalWithin(t0, t0 + days(365), 1), Interval::k1mo);
}

}  // namespace
}  // namespace ems
