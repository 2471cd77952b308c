#include "ems/domain/charging_schedule.h"

#include <gtest/gtest.h>

#include <vector>

#include "support.h"

namespace ems {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

using ems::testing::At;
ChargingSlot Slot(const char* start, const char* end) { return {At(start), At(end)}; }

// 40 kWh battery charging at 10 kW: 0.25 of soc per hour, 0.0625 per quarter hour.
constexpr EvParams kEv{40'000, 10'000};
constexpr EvState kHome{0.5, true};

TEST(SocGainTest, IsPowerTimesHoursOverCapacity) {
  EXPECT_DOUBLE_EQ(SocGain(kEv, hours(1)), 0.25);
  EXPECT_DOUBLE_EQ(SocGain(kEv, minutes(90)), 0.375);
  EXPECT_DOUBLE_EQ(SocGain(EvParams{60'000, 11'000}, hours(3)), 0.55);
  EXPECT_EQ(SocGain(kEv, Millis(0)), 0);
  EXPECT_EQ(SocGain(kEv, -hours(1)), 0);
  EXPECT_EQ(SocGain(EvParams{0, 10'000}, hours(1)), 0);
  EXPECT_EQ(SocGain(EvParams{40'000, -1}, hours(1)), 0);
}

// ---- Slot validation ----

TEST(ValidateSlotsTest, EmptyListIsRejected) {
  const auto r = ValidateSlots({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidSchedule);
  EXPECT_EQ(r.error().message, "A manual schedule needs at least one slot.");
}

TEST(ValidateSlotsTest, SlotEndingAtOrBeforeItsStartIsRejectedByIndex) {
  auto r = ValidateSlots({Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z"),
                          Slot("2026-11-21T03:00:00Z", "2026-11-21T03:00:00Z")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidSchedule);
  EXPECT_EQ(r.error().message, "Slot 'slots[1]' must end after it starts.");

  r = ValidateSlots({Slot("2026-11-21T05:00:00Z", "2026-11-21T04:00:00Z")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "Slot 'slots[0]' must end after it starts.");
}

TEST(ValidateSlotsTest, OverlapIsRejectedNamingBothSlotsEvenWhenUnsorted) {
  const auto r = ValidateSlots({Slot("2026-11-21T01:00:00Z", "2026-11-21T03:00:00Z"),
                                Slot("2026-11-21T05:00:00Z", "2026-11-21T06:00:00Z"),
                                Slot("2026-11-21T02:59:00Z", "2026-11-21T04:00:00Z")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidSchedule);
  EXPECT_EQ(r.error().message, "Slots 'slots[0]' and 'slots[2]' overlap.");
}

TEST(ValidateSlotsTest, TouchingAndMultiDaySlotsAreValidAndComeBackSorted) {
  const auto r = ValidateSlots({Slot("2026-11-22T02:00:00Z", "2026-11-22T03:00:00Z"),
                                Slot("2026-11-20T22:00:00Z", "2026-11-22T02:00:00Z")});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (std::vector{Slot("2026-11-20T22:00:00Z", "2026-11-22T02:00:00Z"),
                             Slot("2026-11-22T02:00:00Z", "2026-11-22T03:00:00Z")}));
}

TEST(ScheduleModeTest, RoundTripsItsNames) {
  EXPECT_EQ(ToString(ScheduleMode::kManual), "manual");
  EXPECT_EQ(ToString(ScheduleMode::kPlanned), "planned");
  EXPECT_EQ(ParseScheduleMode("planned"), ScheduleMode::kPlanned);
  EXPECT_EQ(ParseScheduleMode("manual"), ScheduleMode::kManual);
  EXPECT_EQ(ParseScheduleMode("Manual"), std::nullopt);
}

// ---- Projection ----

TEST(ProjectSocTest, PartlyElapsedSlotCountsItsRemainingHalf) {
  const std::vector slots{Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z")};
  const auto p =
      ProjectSoc(slots, kHome, std::nullopt, std::nullopt, kEv, At("2026-11-21T01:30:00Z"));
  ASSERT_EQ(p.slots.size(), 1u);
  EXPECT_EQ(p.slots[0].slot, slots[0]);
  EXPECT_DOUBLE_EQ(p.slots[0].soc_gained, 0.125);  // half of the hour's 0.25
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.625);
  EXPECT_EQ(p.override_soc_gained, 0);
}

TEST(ProjectSocTest, FutureSlotCountsFullyAndElapsedSlotNotAtAll) {
  const std::vector slots{Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z"),
                          Slot("2026-11-21T04:00:00Z", "2026-11-21T05:30:00Z")};
  const auto p =
      ProjectSoc(slots, kHome, std::nullopt, std::nullopt, kEv, At("2026-11-21T03:00:00Z"));
  EXPECT_EQ(p.slots[0].soc_gained, 0);
  EXPECT_DOUBLE_EQ(p.slots[1].soc_gained, 0.375);
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.875);
}

TEST(ProjectSocTest, OverrideStartingFifteenMinutesBeforeSlotEndCountsTheOverlapOnce) {
  const std::vector slots{Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z")};
  const Timestamp now = At("2026-11-21T01:45:00Z");
  const auto schedule = StartOverride(ChargingSchedule{.slots = slots}, now, true);
  ASSERT_TRUE(schedule);
  ASSERT_EQ(schedule->override_window, Slot("2026-11-21T01:45:00Z", "2026-11-21T02:45:00Z"));

  const auto p = ProjectSoc(slots, kHome, std::nullopt, schedule->override_window, kEv, now);
  EXPECT_DOUBLE_EQ(p.slots[0].soc_gained, 0.0625);  // the slot's last 15 minutes
  EXPECT_DOUBLE_EQ(p.override_soc_gained, 0.1875);  // the 45 minutes after the slot
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.5 + 0.25);    // one hour of charging, not 1h15
}

TEST(ProjectSocTest, OverrideAroundASlotAddsOnlyTheUncoveredParts) {
  // Slot 10:20–10:40 inside the override hour 10:00–11:00: 40 minutes are the override's.
  const std::vector slots{Slot("2026-11-21T10:20:00Z", "2026-11-21T10:40:00Z")};
  const auto p = ProjectSoc(slots, EvState{0.1, true}, std::nullopt,
                            Slot("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z"), kEv,
                            At("2026-11-21T10:00:00Z"));
  EXPECT_DOUBLE_EQ(p.slots[0].soc_gained, 0.25 / 3);
  EXPECT_DOUBLE_EQ(p.override_soc_gained, 0.25 * 2 / 3);
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.35);
}

TEST(ProjectSocTest, ChargingStopsWhenTheBatteryIsFull) {
  const std::vector slots{Slot("2026-11-21T03:00:00Z", "2026-11-21T04:00:00Z"),
                          Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z")};
  const auto p = ProjectSoc(slots, EvState{0.9, true}, std::nullopt, std::nullopt, kEv,
                            At("2026-11-21T00:00:00Z"));
  // The earlier slot (listed second) fills the battery; the later one adds nothing.
  EXPECT_DOUBLE_EQ(p.slots[1].soc_gained, 0.1);
  EXPECT_EQ(p.slots[0].soc_gained, 0);
  EXPECT_EQ(p.projected_soc, 1.0);
}

TEST(ProjectSocTest, PauseCoversTodayUntilLocalMidnightAndTomorrowsSlotCounts) {
  // Site in Berlin (CET, UTC+1 in November); paused at 19:00 local until 00:00 local = 23:00Z.
  const Timestamp now = At("2026-11-21T18:00:00Z");
  const ChargingSchedule schedule =
      Pause(ChargingSchedule{.slots = {Slot("2026-11-21T20:00:00Z", "2026-11-21T22:00:00Z"),
                                       Slot("2026-11-21T22:30:00Z", "2026-11-22T00:30:00Z"),
                                       Slot("2026-11-22T20:00:00Z", "2026-11-22T22:00:00Z")}},
            now, "Europe/Berlin");
  ASSERT_EQ(schedule.paused_until, At("2026-11-21T23:00:00Z"));
  EXPECT_TRUE(IsPaused(schedule, now));

  const EvState state{0.1, true};
  const auto p = ProjectSoc(schedule.slots, state, schedule.paused_until, std::nullopt, kEv, now);
  EXPECT_EQ(p.slots[0].soc_gained, 0);             // entirely inside the pause
  EXPECT_DOUBLE_EQ(p.slots[1].soc_gained, 0.375);  // 23:00Z–00:30Z, after midnight
  EXPECT_DOUBLE_EQ(p.slots[2].soc_gained, 0.5);    // tomorrow: untouched
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.975);

  // Next day the pause is over by itself.
  const Timestamp next_day = At("2026-11-22T12:00:00Z");
  EXPECT_FALSE(IsPaused(schedule, next_day));
  const auto later =
      ProjectSoc(schedule.slots, state, schedule.paused_until, std::nullopt, kEv, next_day);
  EXPECT_EQ(later.slots[1].soc_gained, 0);
  EXPECT_DOUBLE_EQ(later.slots[2].soc_gained, 0.5);
  EXPECT_DOUBLE_EQ(later.projected_soc, 0.6);
}

TEST(ProjectSocTest, AwayAddsNothingAndHomeAgainAddsTheSlots) {
  const std::vector slots{Slot("2026-11-21T01:00:00Z", "2026-11-21T03:00:00Z")};
  const Timestamp now = At("2026-11-21T00:00:00Z");
  const auto away = ProjectSoc(slots, EvState{0.4, false}, std::nullopt,
                               Slot("2026-11-21T00:00:00Z", "2026-11-21T01:00:00Z"), kEv, now);
  EXPECT_EQ(away.slots[0].soc_gained, 0);
  EXPECT_EQ(away.override_soc_gained, 0);
  EXPECT_DOUBLE_EQ(away.projected_soc, 0.4);

  const auto home = ProjectSoc(slots, EvState{0.4, true}, std::nullopt, std::nullopt, kEv, now);
  EXPECT_DOUBLE_EQ(home.slots[0].soc_gained, 0.5);
  EXPECT_DOUBLE_EQ(home.projected_soc, 0.9);
}

TEST(ProjectSocTest, OverrideChargesDuringAPause) {
  const Timestamp now = At("2026-11-21T18:00:00Z");
  const std::vector slots{Slot("2026-11-21T18:00:00Z", "2026-11-21T20:00:00Z")};
  const auto p = ProjectSoc(slots, EvState{0.2, true}, At("2026-11-21T23:00:00Z"),
                            Slot("2026-11-21T18:00:00Z", "2026-11-21T19:00:00Z"), kEv, now);
  EXPECT_EQ(p.slots[0].soc_gained, 0);  // paused
  EXPECT_DOUBLE_EQ(p.override_soc_gained, 0.25);
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.45);
}

TEST(ProjectSocTest, ExpiredPauseAndOverrideChangeNothing) {
  const std::vector slots{Slot("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")};
  const auto p = ProjectSoc(slots, kHome, At("2026-11-21T08:00:00Z"),
                            Slot("2026-11-21T07:00:00Z", "2026-11-21T08:00:00Z"), kEv,
                            At("2026-11-21T09:00:00Z"));
  EXPECT_DOUBLE_EQ(p.slots[0].soc_gained, 0.25);
  EXPECT_EQ(p.override_soc_gained, 0);
  EXPECT_DOUBLE_EQ(p.projected_soc, 0.75);
}

TEST(ProjectSocTest, FullOrOverfullBatteryStaysAtOne) {
  const std::vector slots{Slot("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")};
  const auto p = ProjectSoc(slots, EvState{1.0, true}, std::nullopt, std::nullopt, kEv,
                            At("2026-11-21T09:00:00Z"));
  EXPECT_EQ(p.slots[0].soc_gained, 0);
  EXPECT_EQ(p.projected_soc, 1.0);
}

// ---- Pause: next local midnight, DST included ----

TEST(PauseTest, LastsUntilTheNextLocalMidnightOfTheSite) {
  const auto paused = [](const char* now, const char* tz) {
    return FormatTimestamp(*Pause(ChargingSchedule{}, At(now), tz).paused_until);
  };
  // Europe/Berlin springs forward on 2026-03-29 (a 23-hour day): paused at 00:30 CET.
  EXPECT_EQ(paused("2026-03-28T23:30:00Z", "Europe/Berlin"), "2026-03-29T22:00:00Z");
  // …and falls back on 2026-10-25 (a 25-hour day): paused at 00:30 CEST.
  EXPECT_EQ(paused("2026-10-24T22:30:00Z", "Europe/Berlin"), "2026-10-25T23:00:00Z");
  // America/New_York: spring forward 2026-03-08, fall back 2026-11-01, both at 00:30 local.
  EXPECT_EQ(paused("2026-03-08T05:30:00Z", "America/New_York"), "2026-03-09T04:00:00Z");
  EXPECT_EQ(paused("2026-11-01T04:30:00Z", "America/New_York"), "2026-11-02T05:00:00Z");
  // A pause at local midnight lasts the whole day; one a second before it, one second.
  EXPECT_EQ(paused("2026-11-21T23:00:00Z", "Europe/Berlin"), "2026-11-22T23:00:00Z");
  EXPECT_EQ(paused("2026-11-21T22:59:59Z", "Europe/Berlin"), "2026-11-21T23:00:00Z");
  EXPECT_EQ(paused("2026-11-21T22:59:59Z", "UTC"), "2026-11-22T00:00:00Z");
}

TEST(PauseTest, PauseEndsARunningOverrideAndResumeEndsThePause) {
  const Timestamp now = At("2026-11-21T10:00:00Z");
  auto schedule = StartOverride(ChargingSchedule{}, now, true);
  ASSERT_TRUE(schedule);
  const ChargingSchedule paused = Pause(*schedule, now + minutes(10), "UTC");
  EXPECT_EQ(paused.override_window, std::nullopt);
  EXPECT_EQ(paused.paused_until, At("2026-11-22T00:00:00Z"));
  const ChargingSchedule resumed = Resume(paused);
  EXPECT_EQ(resumed.paused_until, std::nullopt);
  EXPECT_FALSE(IsPaused(resumed, now));
}

// ---- Override ----

TEST(OverrideTest, IsAConflictWhenTheEvIsAway) {
  const auto r = StartOverride(ChargingSchedule{}, At("2026-11-21T10:00:00Z"), false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message, "The EV is not at home.");
}

TEST(OverrideTest, LastsOneHourFromNowReplacesAnEarlierOneAndKeepsThePause) {
  ChargingSchedule schedule{
      .paused_until = At("2026-11-22T00:00:00Z"),
      .override_window = Slot("2026-11-21T08:00:00Z", "2026-11-21T09:00:00Z")};
  const auto r = StartOverride(schedule, At("2026-11-21T10:15:30Z"), true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->override_window, Slot("2026-11-21T10:15:30Z", "2026-11-21T11:15:30Z"));
  EXPECT_EQ(r->paused_until, At("2026-11-22T00:00:00Z"));
  EXPECT_EQ(ActiveOverride(*r, At("2026-11-21T11:15:29Z")), r->override_window);
  EXPECT_EQ(ActiveOverride(*r, At("2026-11-21T11:15:30Z")), std::nullopt);
}

TEST(OverrideTest, GoingAwayEndsTheOverrideAndComingBackDoesNotRestoreIt) {
  const Timestamp now = At("2026-11-21T10:00:00Z");
  auto schedule = StartOverride(ChargingSchedule{}, now, true);
  ASSERT_TRUE(schedule);
  EXPECT_EQ(ApplyAtHome(*schedule, true), *schedule);
  const ChargingSchedule away = ApplyAtHome(*schedule, false);
  EXPECT_EQ(away.override_window, std::nullopt);
  const ChargingSchedule back = ApplyAtHome(away, true);
  EXPECT_EQ(back.override_window, std::nullopt);
  const auto p = ProjectSoc(ScheduledSlots(back), kHome, back.paused_until, back.override_window,
                            kEv, now + minutes(10));
  EXPECT_EQ(p.projected_soc, 0.5);
}

// ---- Schedule requests ----

TEST(ApplyScheduleRequestTest, SwitchesModeDropsThePlanAndKeepsPauseAndOverride) {
  const ChargingSchedule planned{
      .goal = ChargingGoal{0.8, At("2026-11-22T07:00:00Z")},
      .plan = ChargingPlan{.slots = {Slot("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z")}},
      .paused_until = At("2026-11-22T00:00:00Z"),
      .override_window = Slot("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")};
  EXPECT_EQ(ModeOf(planned), ScheduleMode::kPlanned);
  EXPECT_EQ(ScheduledSlots(planned).size(), 1u);

  const std::vector slots{Slot("2026-11-21T20:00:00Z", "2026-11-21T21:00:00Z")};
  const ChargingSchedule manual = ApplyScheduleRequest(planned, ManualScheduleRequest{slots});
  EXPECT_EQ(ModeOf(manual), ScheduleMode::kManual);
  EXPECT_EQ(manual.slots, slots);
  EXPECT_EQ(manual.goal, std::nullopt);
  EXPECT_EQ(manual.plan, std::nullopt);
  EXPECT_EQ(manual.paused_until, planned.paused_until);
  EXPECT_EQ(manual.override_window, planned.override_window);

  const ChargingGoal goal{0.9, At("2026-11-23T07:00:00Z")};
  const ChargingSchedule replanned = ApplyScheduleRequest(manual, goal);
  EXPECT_EQ(ModeOf(replanned), ScheduleMode::kPlanned);
  EXPECT_TRUE(replanned.slots.empty());
  EXPECT_EQ(replanned.goal, goal);
  EXPECT_TRUE(ScheduledSlots(replanned).empty());  // no plan yet
}

// ---- Planner ----

Tariff MakeTariff(std::vector<TariffPrice> prices) { return Tariff{"EUR", std::move(prices)}; }
TariffPrice Price(const char* start, const char* end, double price) {
  return {At(start), At(end), price};
}

PlanRequest Request(double soc, double target, const char* now, const char* ready_by,
                    const Tariff* tariff = nullptr) {
  return PlanRequest{.soc = soc,
                     .goal = ChargingGoal{target, At(ready_by)},
                     .ev = kEv,
                     .tariff = tariff,
                     .now = At(now)};
}

TEST(PlanChargingTest, PicksTheCheapestTimeAndEarlierOnTiesMergingAdjacentSlots) {
  const Tariff tariff = MakeTariff({Price("2026-11-21T20:00:00Z", "2026-11-21T22:00:00Z", 0.30),
                                    Price("2026-11-21T22:00:00Z", "2026-11-22T00:00:00Z", 0.20),
                                    Price("2026-11-22T00:00:00Z", "2026-11-22T02:00:00Z", 0.25),
                                    Price("2026-11-22T02:00:00Z", "2026-11-22T04:00:00Z", 0.20),
                                    Price("2026-11-22T04:00:00Z", "2026-11-22T06:00:00Z", 0.20)});
  // 0.2 → 0.95 needs 3 hours. Six hours cost 0.20; the earliest three are 22:00–00:00 and
  // 02:00–03:00.
  const ChargingPlan plan =
      PlanCharging(Request(0.2, 0.95, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T22:00:00Z", "2026-11-22T00:00:00Z"),
                                     Slot("2026-11-22T02:00:00Z", "2026-11-22T03:00:00Z")}));
  EXPECT_TRUE(plan.target_reachable);
  EXPECT_DOUBLE_EQ(plan.projected_soc, 0.95);
  EXPECT_EQ(plan.message, "Target 95% will be reached by 2026-11-22T06:00:00Z.");
  EXPECT_EQ(plan.computed_at, At("2026-11-21T20:00:00Z"));
}

TEST(PlanChargingTest, AdjacentChosenIntervalsBecomeOneSlot) {
  const Tariff tariff = MakeTariff({Price("2026-11-21T20:00:00Z", "2026-11-21T22:00:00Z", 0.30),
                                    Price("2026-11-21T22:00:00Z", "2026-11-21T23:00:00Z", 0.10),
                                    Price("2026-11-21T23:00:00Z", "2026-11-22T01:00:00Z", 0.12)});
  // 2 hours: 22:00–23:00 (0.10) and 23:00–00:00 (0.12) touch.
  const ChargingPlan plan =
      PlanCharging(Request(0.3, 0.8, "2026-11-21T20:00:00Z", "2026-11-22T01:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T22:00:00Z", "2026-11-22T00:00:00Z")}));
}

TEST(PlanChargingTest, SplitsAPriceIntervalWhenOnlyPartIsNeededAndPrefersNegativePrices) {
  const Tariff tariff = MakeTariff({Price("2026-11-21T20:00:00Z", "2026-11-21T22:00:00Z", 0.05),
                                    Price("2026-11-21T22:00:00Z", "2026-11-22T01:00:00Z", -0.02)});
  // 0.5 → 0.875 needs 1.5 hours: the first half of the negative-price interval.
  const ChargingPlan plan =
      PlanCharging(Request(0.5, 0.875, "2026-11-21T20:00:00Z", "2026-11-22T01:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T22:00:00Z", "2026-11-21T23:30:00Z")}));
  EXPECT_DOUBLE_EQ(plan.projected_soc, 0.875);
}

TEST(PlanChargingTest, NeverBeforeNowNorPastReadyBy) {
  const Tariff tariff = MakeTariff({Price("2026-11-21T19:00:00Z", "2026-11-21T21:00:00Z", 0.01),
                                    Price("2026-11-21T21:00:00Z", "2026-11-21T23:00:00Z", 0.30),
                                    Price("2026-11-21T23:00:00Z", "2026-11-22T03:00:00Z", 0.02)});
  // 0.2 → 0.9 needs 2 h 48 min: the 0.01 interval only from now (1 h), the 0.02 one only until
  // ready_by (1.5 h), and the earliest 18 minutes at 0.30.
  const ChargingPlan plan =
      PlanCharging(Request(0.2, 0.9, "2026-11-21T20:00:00Z", "2026-11-22T00:30:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T21:18:00Z"),
                                     Slot("2026-11-21T23:00:00Z", "2026-11-22T00:30:00Z")}));
  EXPECT_TRUE(plan.target_reachable);
  EXPECT_DOUBLE_EQ(plan.projected_soc, 0.9);
}

TEST(PlanChargingTest, WithoutATariffChargesAtTheEarliestTime) {
  const ChargingPlan plan =
      PlanCharging(Request(0.5, 0.875, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T21:30:00Z")}));
  EXPECT_TRUE(plan.target_reachable);
}

TEST(PlanChargingTest, TariffGapsAreUsedAfterPricedTimeEarliestFirst) {
  const Tariff tariff = MakeTariff({Price("2026-11-21T22:00:00Z", "2026-11-21T23:00:00Z", 0.30),
                                    Price("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z", 0.10)});
  // 2.5 hours: the two priced hours (any price), then the earliest uncovered half hour.
  const ChargingPlan plan =
      PlanCharging(Request(0.25, 0.875, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T20:30:00Z"),
                                     Slot("2026-11-21T22:00:00Z", "2026-11-21T23:00:00Z"),
                                     Slot("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z")}));
  EXPECT_TRUE(plan.target_reachable);
  EXPECT_DOUBLE_EQ(plan.projected_soc, 0.875);
}

TEST(PlanChargingTest, TooLittleTimeChargesAllOfItAndSaysSo) {
  const ChargingPlan plan =
      PlanCharging(Request(0.14, 0.8, "2026-11-22T05:00:00Z", "2026-11-22T07:00:00Z"));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-22T05:00:00Z", "2026-11-22T07:00:00Z")}));
  EXPECT_FALSE(plan.target_reachable);
  EXPECT_DOUBLE_EQ(plan.projected_soc, 0.64);
  EXPECT_EQ(plan.message, "Target 80% cannot be reached by 2026-11-22T07:00:00Z; projected 64%.");
}

TEST(PlanChargingTest, TargetAlreadyReachedNeedsNoSlots) {
  for (double soc : {0.8, 0.93}) {
    const ChargingPlan plan =
        PlanCharging(Request(soc, 0.8, "2026-11-21T20:00:00Z", "2026-11-22T07:00:00Z"));
    EXPECT_TRUE(plan.slots.empty());
    EXPECT_TRUE(plan.target_reachable);
    EXPECT_EQ(plan.projected_soc, soc);
    EXPECT_EQ(plan.message, "Target 80% is already reached.");
  }
}

TEST(PlanChargingTest, ReadyByInThePastCannotBeReached) {
  const ChargingPlan plan =
      PlanCharging(Request(0.3, 0.8, "2026-11-22T10:00:00Z", "2026-11-22T09:00:00Z"));
  EXPECT_TRUE(plan.slots.empty());
  EXPECT_FALSE(plan.target_reachable);
  EXPECT_EQ(plan.projected_soc, 0.3);
  EXPECT_EQ(plan.message, "Target 80% cannot be reached by 2026-11-22T09:00:00Z; projected 30%.");
}

TEST(PlanChargingTest, ChargingTimeIsRoundedUpToWholeMinutes) {
  // 0.01 of soc takes 2.4 minutes: the plan charges 3.
  const ChargingPlan plan =
      PlanCharging(Request(0.5, 0.51, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T20:03:00Z")}));
  EXPECT_DOUBLE_EQ(plan.projected_soc, 0.5125);
  EXPECT_EQ(plan.message, "Target 51% will be reached by 2026-11-22T06:00:00Z.");
}

TEST(PlanChargingTest, PlansOnlyAfterAPause) {
  PlanRequest request = Request(0.5, 0.75, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z");
  request.paused_until = At("2026-11-21T23:00:00Z");
  const ChargingPlan plan = PlanCharging(request);
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T23:00:00Z", "2026-11-22T00:00:00Z")}));
}

// ---- View ----

TEST(ViewScheduleTest, PlannedScheduleShowsGoalPlanAndProjection) {
  const ChargingSchedule schedule{
      .goal = ChargingGoal{0.8, At("2026-11-22T07:00:00Z")},
      .plan = ChargingPlan{.slots = {Slot("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z")},
                           .projected_soc = 0.75,
                           .target_reachable = false,
                           .message = "Target 80% cannot be reached by 2026-11-22T07:00:00Z; "
                                      "projected 75%."},
      .paused_until = At("2026-11-21T09:00:00Z"),  // over
      .override_window = Slot("2026-11-21T09:30:00Z", "2026-11-21T10:30:00Z")};
  const ScheduleView view = ViewSchedule("ev-1", schedule, kHome, kEv, At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(view.device_id, "ev-1");
  EXPECT_EQ(view.mode, ScheduleMode::kPlanned);
  EXPECT_FALSE(view.is_paused);
  EXPECT_EQ(view.paused_until, std::nullopt);
  EXPECT_EQ(view.override_window, schedule.override_window);
  ASSERT_EQ(view.slots.size(), 1u);
  EXPECT_DOUBLE_EQ(view.slots[0].soc_gained, 0.25);
  EXPECT_DOUBLE_EQ(view.projected_soc, 0.5 + 0.125 + 0.25);  // half an override hour + slot
  EXPECT_EQ(view.goal, schedule.goal);
  EXPECT_EQ(view.target_reachable, false);
  EXPECT_EQ(view.plan_message, schedule.plan->message);
}

TEST(ViewScheduleTest, ManualScheduleWhilePausedHasNoPlanFields) {
  const ChargingSchedule schedule{
      .slots = {Slot("2026-11-21T20:00:00Z", "2026-11-21T21:00:00Z")},
      .paused_until = At("2026-11-22T00:00:00Z"),
      .override_window = Slot("2026-11-21T08:00:00Z", "2026-11-21T09:00:00Z")};  // over
  const ScheduleView view = ViewSchedule("ev-1", schedule, kHome, kEv, At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(view.mode, ScheduleMode::kManual);
  EXPECT_TRUE(view.is_paused);
  EXPECT_EQ(view.paused_until, At("2026-11-22T00:00:00Z"));
  EXPECT_EQ(view.override_window, std::nullopt);
  EXPECT_EQ(view.slots[0].soc_gained, 0);
  EXPECT_EQ(view.projected_soc, 0.5);
  EXPECT_EQ(view.goal, std::nullopt);
  EXPECT_EQ(view.target_reachable, std::nullopt);
  EXPECT_EQ(view.plan_message, std::nullopt);
}

}  // namespace
}  // namespace ems
