// ScheduleRepository and TariffRepository against a real SQLite file with every migration.
#include <gtest/gtest.h>

#include "ems/store/store.h"
#include "support.h"

namespace ems::store {
namespace {

using ems::testing::At;
ChargingSlot Slot(const char* start, const char* end) { return {At(start), At(end)}; }

// A real database file with every migration applied, an `ev-1` and `ev-2` at site `home` and
// an `ev-3` at site `cabin`.
class ScheduleRepositoryTest : public testing::TempDbTest {
 protected:
  void SetUp() override {
    Exec(
        "INSERT INTO sites (id, name, timezone, created_at) VALUES "
        "('home', 'Home', 'Europe/Berlin', 0), ('cabin', 'Cabin', 'UTC', 0);"
        "INSERT INTO devices (id, site_id, type, name, created_at, updated_at) VALUES "
        "('ev-1', 'home', 'ev', 'Car', 0, 0), ('ev-2', 'home', 'ev', 'Van', 0, 0), "
        "('ev-3', 'cabin', 'ev', 'Camper', 0, 0);");
  }

  std::int64_t Rows(const std::string& table) { return Count("SELECT count(*) FROM " + table); }

  ScheduleRepository& repo_ = store().Schedules();
  TariffRepository& tariffs_ = store().Tariffs();
  // Every stored price of the site.
  std::optional<Tariff> AllPrices(const std::string& site) {
    return tariffs_.Get(site, Timestamp::min(), Timestamp::max());
  }
  const Timestamp now_ = At("2026-11-21T10:00:00Z");
};

ChargingSchedule PlannedSchedule() {
  return ChargingSchedule{
      .goal = ChargingGoal{0.8, At("2026-11-22T07:00:00Z")},
      .plan = ChargingPlan{.slots = {Slot("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z"),
                                     Slot("2026-11-22T03:00:00Z", "2026-11-22T05:00:00Z")},
                           .projected_soc = 0.64,
                           .target_reachable = false,
                           .message = "Target 80% cannot be reached by 2026-11-22T07:00:00Z; "
                                      "projected 64%.",
                           .computed_at = At("2026-11-21T09:59:00Z")},
      .paused_until = At("2026-11-21T23:00:00Z"),
      .override_window = Slot("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")};
}

TEST_F(ScheduleRepositoryTest, NothingStoredReadsAsNone) {
  EXPECT_EQ(repo_.Get("ev-1"), std::nullopt);
  EXPECT_EQ(AllPrices("home"), std::nullopt);
}

TEST_F(ScheduleRepositoryTest, ManualScheduleRoundTrips) {
  const ChargingSchedule manual{.slots = {Slot("2026-11-21T20:00:00Z", "2026-11-21T21:00:00Z"),
                                          Slot("2026-11-21T22:00:00Z", "2026-11-22T01:30:00.250Z")},
                                .paused_until = At("2026-11-21T23:00:00Z")};
  repo_.Put("ev-1", manual, now_);
  EXPECT_EQ(repo_.Get("ev-1"), manual);
  EXPECT_EQ(repo_.Get("ev-2"), std::nullopt);
  EXPECT_EQ(Text("SELECT mode FROM ev_schedules WHERE device_id = 'ev-1'"), "manual");
  EXPECT_EQ(Count("SELECT updated_at FROM ev_schedules"), ToMillis(now_));
}

TEST_F(ScheduleRepositoryTest, PlannedScheduleWithPlanPauseAndOverrideRoundTrips) {
  const ChargingSchedule planned = PlannedSchedule();
  repo_.Put("ev-1", planned, now_);
  EXPECT_EQ(repo_.Get("ev-1"), planned);

  // Switching back to manual replaces everything, the plan's slots included.
  const ChargingSchedule manual{.slots = {Slot("2026-11-21T20:00:00Z", "2026-11-21T21:00:00Z")}};
  repo_.Put("ev-1", manual, now_);
  EXPECT_EQ(repo_.Get("ev-1"), manual);
  EXPECT_EQ(Rows("ev_schedule_slots"), 1);
}

TEST_F(ScheduleRepositoryTest, RecurringPlanOneOffRollingGoalAndExplanationRoundTrip) {
  ChargingSchedule recurring = PlannedSchedule();
  recurring.recurring = RecurringPlan{{{0b0011111, 7 * 60, 0.8}, {0b1100000, 9 * 60, 0.5}},
                                      {*ParseDate("2026-12-24"), *ParseDate("2026-12-31")}};
  recurring.one_off = ChargingGoal{0.6, At("2026-11-24T08:00:00Z")};
  recurring.plan->explanation = PlanExplanation{.charge_power_w = 7'400,
                                                .power_measured = true,
                                                .efficiency = 0.9,
                                                .expected_cost = 1.25,
                                                .currency = "EUR",
                                                .reason = "needs 7.5 h at 11 kW, 5 h left"};
  repo_.Put("ev-1", recurring, now_);
  EXPECT_EQ(repo_.Get("ev-1"), recurring);

  // The listener moves the goal on to the next occurrence with its plan.
  ChargingPlan next = *recurring.plan;
  next.slots = {Slot("2026-11-23T01:00:00Z", "2026-11-23T02:00:00Z")};
  const ChargingGoal occurrence{0.8, At("2026-11-23T06:00:00Z")};
  EXPECT_TRUE(repo_.PutPlan("ev-1", occurrence, next, now_));
  recurring.goal = occurrence;
  recurring.plan = next;
  EXPECT_EQ(repo_.Get("ev-1"), recurring);

  ChargingSchedule rolling = PlannedSchedule();
  rolling.rolling = RollingGoal{0.6, std::chrono::hours(12)};
  repo_.Put("ev-1", rolling, now_);
  EXPECT_EQ(repo_.Get("ev-1"), rolling);
  EXPECT_EQ(Rows("ev_schedule_repeats"), 0);
  EXPECT_EQ(Rows("ev_schedule_skips"), 0);
}

TEST_F(ScheduleRepositoryTest, PauseAndOverrideCreateADefaultScheduleAndTouchNothingElse) {
  repo_.SetPause("ev-2", At("2026-11-21T23:00:00Z"), now_);
  EXPECT_EQ(repo_.Get("ev-2"), (ChargingSchedule{.paused_until = At("2026-11-21T23:00:00Z")}));

  repo_.Put("ev-1", PlannedSchedule(), now_);
  repo_.SetPause("ev-1", std::nullopt, now_);
  repo_.SetOverride("ev-1", Slot("2026-11-21T12:00:00Z", "2026-11-21T13:00:00Z"), now_);
  ChargingSchedule expected = PlannedSchedule();
  expected.paused_until.reset();
  expected.override_window = Slot("2026-11-21T12:00:00Z", "2026-11-21T13:00:00Z");
  EXPECT_EQ(repo_.Get("ev-1"), expected);

  repo_.SetOverride("ev-1", std::nullopt, now_);
  expected.override_window.reset();
  EXPECT_EQ(repo_.Get("ev-1"), expected);
}

TEST_F(ScheduleRepositoryTest, PlanIsStoredOnlyForAPlannedSchedule) {
  const ChargingPlan plan{.slots = {Slot("2026-11-22T02:00:00Z", "2026-11-22T04:00:00Z")},
                          .projected_soc = 0.8,
                          .target_reachable = true,
                          .message = "Target 80% will be reached by 2026-11-22T07:00:00Z.",
                          .computed_at = now_};
  EXPECT_FALSE(repo_.PutPlan("ev-1", *PlannedSchedule().goal, plan, now_));  // no schedule
  repo_.Put("ev-1",
            ChargingSchedule{.slots = {Slot("2026-11-21T20:00:00Z", "2026-11-21T21:00:00Z")}},
            now_);
  EXPECT_FALSE(repo_.PutPlan("ev-1", *PlannedSchedule().goal, plan, now_));  // manual
  EXPECT_EQ(repo_.Get("ev-1")->plan, std::nullopt);

  repo_.Put("ev-2", PlannedSchedule(), now_);
  EXPECT_TRUE(repo_.PutPlan("ev-2", *PlannedSchedule().goal, plan, now_));
  ChargingSchedule expected = PlannedSchedule();
  expected.plan = plan;  // the old plan's two slots are gone
  EXPECT_EQ(repo_.Get("ev-2"), expected);
}

TEST_F(ScheduleRepositoryTest, PlannedDevicesOfASiteAreListedSorted) {
  repo_.Put("ev-2", PlannedSchedule(), now_);
  repo_.Put("ev-1", PlannedSchedule(), now_);
  repo_.Put("ev-3", PlannedSchedule(), now_);
  EXPECT_EQ(repo_.PlannedDevicesOfSite("home"), (std::vector<std::string>{"ev-1", "ev-2"}));
  repo_.Put("ev-1", ChargingSchedule{}, now_);
  EXPECT_EQ(repo_.PlannedDevicesOfSite("home"), (std::vector<std::string>{"ev-2"}));
  EXPECT_EQ(repo_.PlannedDevicesOfSite("cabin"), (std::vector<std::string>{"ev-3"}));
  EXPECT_TRUE(repo_.PlannedDevicesOfSite("nowhere").empty());
}

TEST_F(ScheduleRepositoryTest, ScheduleBelongsToAnExistingDeviceAndGoesWithIt) {
  EXPECT_THROW(repo_.Put("ghost", ChargingSchedule{}, now_), std::runtime_error);
  repo_.Put("ev-1", PlannedSchedule(), now_);
  Exec("DELETE FROM devices WHERE id = 'ev-1'");
  EXPECT_EQ(repo_.Get("ev-1"), std::nullopt);
  EXPECT_EQ(Rows("ev_schedules"), 0);
  EXPECT_EQ(Rows("ev_schedule_slots"), 0);
}

TEST_F(ScheduleRepositoryTest, NeverCommitsOnItsOwnTheCallerOwnsTheTransaction) {
  {
    auto tx = store().Begin(TxMode::kWrite);
    repo_.Put("ev-1", PlannedSchedule(), now_);
    repo_.SetPause("ev-2", At("2026-11-21T23:00:00Z"), now_);
    tariffs_.Put("home", now_, Tariff{"EUR", {}}, now_);
    EXPECT_TRUE(repo_.Get("ev-1").has_value());
  }  // rolled back
  EXPECT_EQ(repo_.Get("ev-1"), std::nullopt);
  EXPECT_EQ(repo_.Get("ev-2"), std::nullopt);
  EXPECT_EQ(AllPrices("home"), std::nullopt);

  auto tx = store().Begin(TxMode::kWrite);
  repo_.Put("ev-1", PlannedSchedule(), now_);
  tx.Commit();
  EXPECT_EQ(repo_.Get("ev-1"), PlannedSchedule());
}

TEST_F(ScheduleRepositoryTest, TariffPricesAreReplacedFromATimeAndReadByRange) {
  const Tariff first{"EUR",
                     {{At("2026-11-21T22:00:00Z"), At("2026-11-21T23:00:00Z"), 0.27},
                      {At("2026-11-21T23:00:00Z"), At("2026-11-22T00:00:00Z"), -0.05}}};
  tariffs_.Put("home", Timestamp::min(), first, now_);
  EXPECT_EQ(AllPrices("home"), first);
  EXPECT_EQ(AllPrices("cabin"), std::nullopt);

  // A range answers the prices overlapping it, with the currency; none overlapping is no price.
  EXPECT_EQ(tariffs_.Get("home", At("2026-11-21T22:30:00Z"), At("2026-11-21T23:00:00Z")),
            (Tariff{"EUR", {first.prices[0]}}));
  EXPECT_EQ(tariffs_.Get("home", At("2026-11-20T00:00:00Z"), At("2026-11-21T22:00:00Z")),
            (Tariff{"EUR", {}}));

  // Replacing from 23:00 keeps the price that ends by then and replaces the rest.
  const TariffPrice later{At("2026-11-22T00:00:00Z"), At("2026-11-22T01:00:00Z"), 0.31};
  tariffs_.Put("home", At("2026-11-21T23:00:00Z"), Tariff{"EUR", {later}}, now_);
  EXPECT_EQ(AllPrices("home"), (Tariff{"EUR", {first.prices[0], later}}));
  EXPECT_EQ(Rows("site_tariff_prices"), 2);

  // From the beginning of time: the whole history, and the currency, replaced.
  const Tariff second{"SEK", {{At("2026-11-22T00:00:00Z"), At("2026-11-22T01:00:00Z"), 1.5}}};
  tariffs_.Put("home", Timestamp::min(), second, now_);
  EXPECT_EQ(AllPrices("home"), second);
  EXPECT_EQ(Rows("site_tariff_prices"), 1);

  // A tariff may arrive before its site exists.
  tariffs_.Put("not-yet-discovered", Timestamp::min(), first, now_);
  EXPECT_EQ(AllPrices("not-yet-discovered"), first);
}

}  // namespace
}  // namespace ems::store
