// The planner on any tariff resolution and its explanation (docs/contract.md §6.6, ems/domain/
// charging_schedule.h PlanCharging): quarter-hour and mixed tariffs, the 92 and 100 quarter hours
// of DST days, measured against nominal charge power, efficiency, expected cost and the reason a
// target cannot be reached.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ems/domain/charging_schedule.h"
#include "support.h"

namespace ems {
namespace {

using ems::testing::At;
using std::chrono::minutes;

ChargingSlot Slot(const char* start, const char* end) { return {At(start), At(end)}; }

// 40 kWh battery charging at 10 kW: 0.25 of soc per hour.
constexpr EvParams kEv{40'000, 10'000};

PlanRequest Request(double soc, double target, const char* now, const char* ready_by,
                    const Tariff* tariff, EvParams ev = kEv) {
  return PlanRequest{.soc = soc,
                     .goal = ChargingGoal{target, At(ready_by)},
                     .ev = ev,
                     .tariff = tariff,
                     .now = At(now)};
}

// One price per local quarter hour of `day` in `tz`, priced by its local clock reading
// ("02:15 CET") — the way a day-ahead market publishes a DST day.
Tariff QuarterHourDay(const char* day, const char* tz,
                      const std::function<double(const std::string&)>& price_of) {
  const Date d = *ParseDate(day);
  const Timestamp start = LocalMidnightOf(d, tz);
  const Timestamp end = NextLocalMidnight(start, tz);
  Tariff tariff{"EUR", {}};
  for (Timestamp t = start; t < end; t += minutes(15)) {
    tariff.prices.push_back({t, t + minutes(15), price_of(FormatLocal(t, tz, "%H:%M %Z"))});
  }
  return tariff;
}

bool NoOverlap(const std::vector<ChargingSlot>& slots) {
  for (std::size_t i = 1; i < slots.size(); ++i) {
    if (slots[i].start < slots[i - 1].end) return false;
  }
  return true;
}

TEST(PlanOnQuarterHoursTest, PicksTheCheapestQuarterHoursAndPricesThem) {
  // Four quarter hours at 0.10 scattered among 0.30 ones; one hour of charging takes them all.
  Tariff tariff{"EUR", {}};
  for (Timestamp t = At("2026-11-21T20:00:00Z"); t < At("2026-11-22T02:00:00Z"); t += minutes(15)) {
    const bool cheap = t == At("2026-11-21T21:15:00Z") || t == At("2026-11-21T23:00:00Z") ||
                       t == At("2026-11-21T23:15:00Z") || t == At("2026-11-22T01:45:00Z");
    tariff.prices.push_back({t, t + minutes(15), cheap ? 0.10 : 0.30});
  }
  const ChargingPlan plan =
      PlanCharging(Request(0.5, 0.75, "2026-11-21T20:00:00Z", "2026-11-22T02:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T21:15:00Z", "2026-11-21T21:30:00Z"),
                                     Slot("2026-11-21T23:00:00Z", "2026-11-21T23:30:00Z"),
                                     Slot("2026-11-22T01:45:00Z", "2026-11-22T02:00:00Z")}));
  // 10 kWh at 0.10.
  ASSERT_TRUE(plan.explanation.expected_cost);
  EXPECT_NEAR(*plan.explanation.expected_cost, 1.0, 1e-9);
  EXPECT_EQ(plan.explanation.currency, "EUR");
  EXPECT_EQ(plan.explanation.reason, "");
}

TEST(PlanOnQuarterHoursTest, MixedHourlyAndQuarterHourPricesNeverOverlap) {
  // Hourly prices until midnight, quarter hours after it, and an hourly price that overlaps
  // the first quarter hours (an earlier interval wins over an overlap).
  Tariff tariff{"EUR",
                {{At("2026-11-21T22:00:00Z"), At("2026-11-21T23:00:00Z"), 0.20},
                 {At("2026-11-21T23:00:00Z"), At("2026-11-22T00:15:00Z"), 0.05}}};
  for (Timestamp t = At("2026-11-22T00:15:00Z"); t < At("2026-11-22T02:00:00Z"); t += minutes(15)) {
    tariff.prices.push_back({t, t + minutes(15), 0.06});
  }
  // 2 h: 23:00–00:15 at 0.05 (1 h 15 min), then the earliest 45 min at 0.06.
  const ChargingPlan plan =
      PlanCharging(Request(0.25, 0.75, "2026-11-21T22:00:00Z", "2026-11-22T02:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T23:00:00Z", "2026-11-22T01:00:00Z")}));
  EXPECT_TRUE(NoOverlap(plan.slots));
  ASSERT_TRUE(plan.explanation.expected_cost);
  EXPECT_NEAR(*plan.explanation.expected_cost, 12.5 * 0.05 + 7.5 * 0.06, 1e-9);
}

TEST(PlanOnQuarterHoursTest, SpringForwardDayHas92QuarterHoursAndThePlanFollowsUtc) {
  // Europe/Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST. The cheapest local hour is
  // 03:00–04:00 CEST, i.e. 01:00–02:00 UTC.
  const Tariff tariff = QuarterHourDay("2026-03-29", "Europe/Berlin", [](const std::string& l) {
    return l.starts_with("03:") ? 0.01 : 0.25;
  });
  ASSERT_EQ(tariff.prices.size(), 92u);
  const ChargingPlan plan =
      PlanCharging(Request(0.5, 0.75, "2026-03-28T23:00:00Z", "2026-03-29T21:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z")}));
  EXPECT_NEAR(*plan.explanation.expected_cost, 10 * 0.01, 1e-9);
}

TEST(PlanOnQuarterHoursTest, FallBackDayHas100QuarterHoursAndTheRepeatedHourIsDistinct) {
  // Europe/Berlin, 25 October 2026: 02:00–03:00 runs twice, first CEST (00:00Z) then CET
  // (01:00Z). Only the second pass is cheap; the plan takes it and nothing of the first.
  const Tariff tariff = QuarterHourDay("2026-10-25", "Europe/Berlin", [](const std::string& l) {
    return l.starts_with("02:") && l.ends_with("CET") ? 0.02 : 0.30;
  });
  ASSERT_EQ(tariff.prices.size(), 100u);
  const ChargingPlan plan =
      PlanCharging(Request(0.4, 0.65, "2026-10-24T22:00:00Z", "2026-10-25T22:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z")}));
  EXPECT_NEAR(*plan.explanation.expected_cost, 10 * 0.02, 1e-9);
}

TEST(PlanPowerTest, MeasuredPowerReplacesNominalAndIsStated) {
  // 11 kW nominal, 7.4 kW really drawn: 0.5 → 0.8 of 40 kWh is 12 kWh, 97.3 min → 98 min.
  EvParams ev{40'000, 11'000};
  const ChargingPlan nominal =
      PlanCharging(Request(0.5, 0.8, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z", nullptr, ev));
  EXPECT_EQ(nominal.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T21:06:00Z")}));
  EXPECT_EQ(nominal.explanation.charge_power_w, 11'000);
  EXPECT_FALSE(nominal.explanation.power_measured);
  EXPECT_FALSE(nominal.explanation.expected_cost);  // no tariff, no cost

  ev.measured_charge_w = 7'400;
  const ChargingPlan measured =
      PlanCharging(Request(0.5, 0.8, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z", nullptr, ev));
  EXPECT_EQ(measured.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T21:38:00Z")}));
  EXPECT_EQ(measured.explanation.charge_power_w, 7'400);
  EXPECT_TRUE(measured.explanation.power_measured);
}

TEST(PlanPowerTest, EfficiencyLengthensTheChargeAndCostCountsDrawnEnergy) {
  // 80 % efficiency: 10 kW drawn adds 8 kWh an hour; 0.5 → 0.7 of 40 kWh takes 1 h.
  const Tariff tariff{"EUR", {{At("2026-11-21T20:00:00Z"), At("2026-11-22T06:00:00Z"), 0.25}}};
  const EvParams ev{40'000, 10'000, std::nullopt, 0.8};
  const ChargingPlan plan =
      PlanCharging(Request(0.5, 0.7, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z", &tariff, ev));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T21:00:00Z")}));
  EXPECT_DOUBLE_EQ(plan.explanation.efficiency, 0.8);
  EXPECT_NEAR(*plan.explanation.expected_cost, 10 * 0.25, 1e-9);
  EXPECT_DOUBLE_EQ(SocGain(ev, std::chrono::hours(1)), 0.2);
}

TEST(PlanPowerTest, UnreachableTargetSaysHowLongItNeedsAndHowLongIsLeft) {
  // 0 → 80 % of 103.125 kWh is 82.5 kWh: 7.5 h at 11 kW, with 5 h to go.
  const ChargingPlan plan =
      PlanCharging(Request(0.0, 0.8, "2026-11-22T02:00:00Z", "2026-11-22T07:00:00Z", nullptr,
                           EvParams{103'125, 11'000}));
  EXPECT_FALSE(plan.target_reachable);
  EXPECT_EQ(plan.explanation.reason, "needs 7.5 h at 11 kW, 5 h left");
  EXPECT_NEAR(plan.projected_soc, 0.8 * 5 / 7.5, 1e-9);
}

TEST(PlanPowerTest, CostIsUnknownWhenPartOfTheChosenTimeHasNoPrice) {
  const Tariff tariff{"EUR", {{At("2026-11-21T20:00:00Z"), At("2026-11-21T21:00:00Z"), 0.25}}};
  const ChargingPlan plan =
      PlanCharging(Request(0.25, 0.75, "2026-11-21T20:00:00Z", "2026-11-22T06:00:00Z", &tariff));
  EXPECT_EQ(plan.slots, (std::vector{Slot("2026-11-21T20:00:00Z", "2026-11-21T22:00:00Z")}));
  EXPECT_FALSE(plan.explanation.expected_cost);
  EXPECT_EQ(plan.explanation.currency, "EUR");
}

TEST(MeasuredChargePowerTest, IsTheMedianDrawOfChargingHours) {
  // Idle hours (0, a 300 W standby) do not count; a spike and a taper do not move the median.
  const std::vector<double> hours = {0, -300, -7'350, -7'400, -12'000, -7'420, -2'100, 150};
  EXPECT_EQ(MeasuredChargePower(hours), 7'400);
  const std::vector<double> even = {-7'000, -7'200, -7'400, -7'600};
  EXPECT_EQ(MeasuredChargePower(even), 7'300);
}

TEST(MeasuredChargePowerTest, FewerThanThreeChargingHoursKeepTheNominalPower) {
  const std::vector<double> hours = {-7'400, -7'400, -500, 0};
  EXPECT_EQ(MeasuredChargePower(hours), std::nullopt);
  EvParams ev{40'000, 11'000, MeasuredChargePower(hours)};
  EXPECT_EQ(ChargePowerW(ev), 11'000);
  ev.measured_charge_w = 7'400;
  EXPECT_EQ(ChargePowerW(ev), 7'400);
}

TEST(ViewScheduleTest, NextStartIsTheFirstSlotNotYetOverAndTheExplanationIsCarried) {
  const Tariff tariff{"EUR", {{At("2026-11-21T20:00:00Z"), At("2026-11-22T06:00:00Z"), 0.25}}};
  ChargingSchedule schedule;
  schedule.slots = {};
  schedule.goal = ChargingGoal{0.75, At("2026-11-22T06:00:00Z")};
  schedule = Replan(schedule, EvState{0.5, true}, kEv, &tariff, At("2026-11-21T20:00:00Z"), "UTC");
  const ScheduleView at_start =
      ViewSchedule("ev-1", schedule, EvState{0.5, true}, kEv, At("2026-11-21T19:00:00Z"));
  EXPECT_EQ(at_start.next_start, At("2026-11-21T20:00:00Z"));
  ASSERT_TRUE(at_start.explanation);
  EXPECT_NEAR(*at_start.explanation->expected_cost, 2.5, 1e-9);
  EXPECT_EQ(at_start.expected_soc_at_ready_by, 0.75);
  const ScheduleView after =
      ViewSchedule("ev-1", schedule, EvState{0.75, true}, kEv, At("2026-11-21T21:00:00Z"));
  EXPECT_EQ(after.next_start, std::nullopt);
}

}  // namespace
}  // namespace ems
