// Recurring plans and the rolling goal (docs/contract.md §6.6, docs/decisions.md "Recurring plans
// and the rolling goal", ems/domain/charging_schedule.h ResolveGoal): which occurrence is planned
// when, in the site's local time across DST weekends, with skipped dates and a one-off goal that
// takes precedence for its day.
#include <gtest/gtest.h>

#include "ems/domain/charging_schedule.h"
#include "support.h"

namespace ems {
namespace {

using ems::testing::At;

constexpr const char* kBerlin = "Europe/Berlin";
constexpr std::uint8_t kWeekdays = 0b0011111;  // mon–fri
constexpr EvParams kEv{40'000, 10'000};

// "80 % by 07:00 on weekdays", optionally skipping dates.
ChargingSchedule Weekdays(std::vector<Date> skip = {}) {
  ChargingSchedule schedule;
  schedule = ApplyScheduleRequest(schedule, RecurringPlan{{{kWeekdays, 7 * 60, 0.8}}, skip});
  return schedule;
}

TEST(RecurringPlanTest, NextWeekdayMorningInLocalTimeAcrossTheAutumnDstWeekend) {
  const ChargingSchedule schedule = Weekdays();
  // Friday 23 October 2026, 07:00 CEST = 05:00 UTC.
  EXPECT_EQ(ResolveGoal(schedule, At("2026-10-22T20:00:00Z"), kBerlin),
            (ChargingGoal{0.8, At("2026-10-23T05:00:00Z")}));
  // After it: Monday 26 October, 07:00 CET = 06:00 UTC (the clocks went back on Sunday).
  EXPECT_EQ(ResolveGoal(schedule, At("2026-10-23T05:00:00Z"), kBerlin),
            (ChargingGoal{0.8, At("2026-10-26T06:00:00Z")}));
}

TEST(RecurringPlanTest, SpringDstWeekendMovesTheUtcInstantTheOtherWay) {
  const ChargingSchedule schedule = Weekdays();
  // Friday 27 March 2026 07:00 CET = 06:00 UTC; Monday 30 March 07:00 CEST = 05:00 UTC.
  EXPECT_EQ(ResolveGoal(schedule, At("2026-03-26T21:00:00Z"), kBerlin)->ready_by,
            At("2026-03-27T06:00:00Z"));
  EXPECT_EQ(ResolveGoal(schedule, At("2026-03-27T07:00:00Z"), kBerlin)->ready_by,
            At("2026-03-30T05:00:00Z"));
}

TEST(RecurringPlanTest, ALocalTimeTheSpringNightSkipsIsWhenTheClockJumps) {
  ChargingSchedule schedule;
  schedule = ApplyScheduleRequest(schedule, RecurringPlan{{{0b1000000, 2 * 60 + 30, 0.6}}, {}});
  // Sunday 29 March 2026: 02:30 does not exist in Berlin; 03:00 CEST = 01:00 UTC.
  EXPECT_EQ(ResolveGoal(schedule, At("2026-03-28T12:00:00Z"), kBerlin),
            (ChargingGoal{0.6, At("2026-03-29T01:00:00Z")}));
}

TEST(RecurringPlanTest, ASkippedDateHasNoOccurrence) {
  const ChargingSchedule schedule = Weekdays({*ParseDate("2026-12-24")});
  // Wednesday 23 December after 07:00: Thursday 24 is skipped, Friday 25 is next.
  EXPECT_EQ(ResolveGoal(schedule, At("2026-12-23T08:00:00Z"), kBerlin)->ready_by,
            At("2026-12-25T06:00:00Z"));
  // Without the skip, Thursday.
  EXPECT_EQ(ResolveGoal(Weekdays(), At("2026-12-23T08:00:00Z"), kBerlin)->ready_by,
            At("2026-12-24T06:00:00Z"));
}

TEST(RecurringPlanTest, AOneOffGoalTakesPrecedenceForItsDayAndThenTheRuleGoesOn) {
  ChargingSchedule schedule = Weekdays();
  // Tuesday 24 November: 50 % by 09:00 instead of 80 % by 07:00.
  const ChargingGoal one_off{0.5, At("2026-11-24T08:00:00Z")};
  schedule = ApplyScheduleRequest(schedule, one_off);
  ASSERT_TRUE(schedule.recurring);  // kept
  EXPECT_EQ(ResolveGoal(schedule, At("2026-11-23T19:00:00Z"), kBerlin), one_off);
  // Once it is past, Wednesday's occurrence.
  EXPECT_EQ(ResolveGoal(schedule, At("2026-11-24T08:00:00Z"), kBerlin),
            (ChargingGoal{0.8, At("2026-11-25T06:00:00Z")}));
  // Monday morning still plans Monday's own occurrence first.
  EXPECT_EQ(ResolveGoal(schedule, At("2026-11-23T01:00:00Z"), kBerlin),
            (ChargingGoal{0.8, At("2026-11-23T06:00:00Z")}));
}

TEST(RecurringPlanTest, ReplanPlansTheOccurrenceAndAPauseDelaysIt) {
  const Tariff tariff{"EUR",
                      {{At("2026-11-23T19:00:00Z"), At("2026-11-23T23:00:00Z"), 0.30},
                       {At("2026-11-23T23:00:00Z"), At("2026-11-24T06:00:00Z"), 0.10}}};
  ChargingSchedule schedule = Weekdays();
  schedule = Pause(schedule, At("2026-11-23T19:00:00Z"), kBerlin);  // until 23:00 UTC
  schedule =
      Replan(schedule, EvState{0.55, true}, kEv, &tariff, At("2026-11-23T19:00:00Z"), kBerlin);
  ASSERT_TRUE(schedule.plan);
  EXPECT_EQ(schedule.goal, (ChargingGoal{0.8, At("2026-11-24T06:00:00Z")}));
  // 0.25 of soc: one hour, the first cheap one after the pause.
  EXPECT_EQ(schedule.plan->slots,
            (std::vector{ChargingSlot{At("2026-11-23T23:00:00Z"), At("2026-11-24T00:00:00Z")}}));
  EXPECT_NEAR(*schedule.plan->explanation.expected_cost, 1.0, 1e-9);
  EXPECT_EQ(ModeOf(schedule), ScheduleMode::kPlanned);
}

TEST(RecurringPlanTest, SlotsOrARollingGoalReplaceIt) {
  ChargingSchedule schedule = Weekdays();
  schedule = ApplyScheduleRequest(schedule, RollingGoal{0.6, std::chrono::hours(12)});
  EXPECT_FALSE(schedule.recurring);
  schedule = Weekdays();
  schedule = ApplyScheduleRequest(
      schedule, ManualScheduleRequest{{{At("2026-11-23T19:00:00Z"), At("2026-11-23T20:00:00Z")}}});
  EXPECT_FALSE(schedule.recurring);
  EXPECT_EQ(ModeOf(schedule), ScheduleMode::kManual);
}

TEST(RollingGoalTest, PlansForNowPlusTheHorizonEachTime) {
  ChargingSchedule schedule;
  schedule = ApplyScheduleRequest(schedule, RollingGoal{0.6, std::chrono::hours(12)});
  EXPECT_EQ(ModeOf(schedule), ScheduleMode::kPlanned);
  EXPECT_EQ(ResolveGoal(schedule, At("2026-11-23T19:00:00Z"), kBerlin),
            (ChargingGoal{0.6, At("2026-11-24T07:00:00Z")}));
  const Tariff tariff{"EUR",
                      {{At("2026-11-23T19:00:00Z"), At("2026-11-24T03:00:00Z"), 0.30},
                       {At("2026-11-24T03:00:00Z"), At("2026-11-24T05:00:00Z"), 0.05},
                       {At("2026-11-24T05:00:00Z"), At("2026-11-24T09:00:00Z"), 0.01}}};
  schedule =
      Replan(schedule, EvState{0.35, true}, kEv, &tariff, At("2026-11-23T19:00:00Z"), kBerlin);
  // The window ends at 07:00: 0.25 of soc in the cheapest hour inside it, 05:00–06:00.
  EXPECT_EQ(schedule.plan->slots,
            (std::vector{ChargingSlot{At("2026-11-24T05:00:00Z"), At("2026-11-24T06:00:00Z")}}));
  // An hour later the window reaches 08:00 and the plan moves with it.
  schedule =
      Replan(schedule, EvState{0.35, true}, kEv, &tariff, At("2026-11-23T20:00:00Z"), kBerlin);
  EXPECT_EQ(schedule.goal->ready_by, At("2026-11-24T08:00:00Z"));
}

}  // namespace
}  // namespace ems
