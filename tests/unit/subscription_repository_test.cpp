// SubscriptionRepository against a real SQLite file with every migration: subscriptions scoped to
// their owner, paged, replaced and deleted, and what their metrics point at for a caller.
#include "ems/store/subscription_repository.h"

#include <gtest/gtest.h>

#include "ems/store/store.h"
#include "support.h"

namespace ems::store {
namespace {

using ems::testing::At;
using ems::testing::ErrorOf;

const Timestamp kNow = At("2026-11-21T10:00:00Z");

class SubscriptionRepositoryTest : public testing::TempDbTest {
 protected:
  void SetUp() override {
    AddDevice("berlin", "bat-1", "Europe/Berlin",
              {DeviceType::kBattery,
               "Battery",
               {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 4000}}});
    AddDevice("nyc", "pv-1", "America/New_York",
              {DeviceType::kSolarPanel, "Roof", {{"rated_power_w", 5000}}});
    ASSERT_TRUE(store().Users().Create(User{"vera", "hash", Role::kViewer, {"berlin"}}, kNow));
    ASSERT_TRUE(
        store().Users().Create(User{"otto", "hash", Role::kViewer, {"berlin", "nyc"}}, kNow));
  }

  void AddDevice(const std::string& site, const std::string& id, const std::string& zone,
                 DeviceSpec spec) {
    ASSERT_TRUE(
        store().Devices().UpsertFromMeta(site, id, DeviceMeta{std::move(spec), site, zone}, kNow));
  }

  SubscriptionRepository& subs() { return store().Subscriptions(); }
};

const SubscriptionSpec kHomes{"Homes", {{"pv-1", "power_w"}, {"bat-1", "soc_pct"}}};

TEST_F(SubscriptionRepositoryTest, ASubscriptionIsItsOwnersAlone) {
  const auto created = subs().Create("sub-1", "otto", kHomes, kNow);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(*created, (Subscription{"sub-1", "otto", "Homes", kHomes.metrics, kNow, kNow}));
  EXPECT_EQ(subs().Get("sub-1", "otto"), *created);  // metrics in the user's order
  EXPECT_EQ(subs().Get("sub-1", "vera"), std::nullopt);
  EXPECT_EQ(ErrorOf(subs().Update("sub-1", "vera", kHomes, kNow)).code, ErrorCode::kNotFound);
  EXPECT_FALSE(subs().Delete("sub-1", "vera"));
  EXPECT_TRUE(subs().List("vera", "", 100).items.empty());
  EXPECT_EQ(subs().Get("sub-1", "otto")->name, "Homes");  // untouched by vera's attempts

  EXPECT_EQ(ErrorOf(subs().Create("sub-1", "vera", kHomes, kNow)).code, ErrorCode::kConflict);
  EXPECT_EQ(ErrorOf(subs().Create("sub-2", "otto", {"", kHomes.metrics}, kNow)).code,
            ErrorCode::kInvalidSubscription);
  EXPECT_EQ(Count("SELECT count(*) FROM subscriptions"), 1);
}

TEST_F(SubscriptionRepositoryTest, UpdateReplacesNameAndMetricsAndDeleteRemovesBoth) {
  ASSERT_TRUE(subs().Create("sub-1", "otto", kHomes, kNow));
  const SubscriptionSpec batteries{"Batteries", {{"bat-1", "soc_pct"}}};
  const auto later = kNow + std::chrono::hours(1);
  const auto updated = subs().Update("sub-1", "otto", batteries, later);
  ASSERT_TRUE(updated);
  EXPECT_EQ(*updated, (Subscription{"sub-1", "otto", "Batteries", batteries.metrics, kNow, later}));
  EXPECT_EQ(Count("SELECT count(*) FROM subscription_metrics"), 1);
  EXPECT_TRUE(subs().Delete("sub-1", "otto"));
  EXPECT_FALSE(subs().Delete("sub-1", "otto"));
  EXPECT_EQ(Count("SELECT count(*) FROM subscription_metrics"), 0);
}

TEST_F(SubscriptionRepositoryTest, ListPagesTheOwnersSubscriptionsWithTheirMetrics) {
  for (const char* id : {"sub-c", "sub-a", "sub-b"}) {
    ASSERT_TRUE(subs().Create(id, "otto", kHomes, kNow));
  }
  ASSERT_TRUE(subs().Create("sub-0", "vera", {"Mine", {{"bat-1", "power_w"}}}, kNow));
  const auto first = subs().List("otto", "", 2);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].id, "sub-a");
  EXPECT_EQ(first.items[0].metrics, kHomes.metrics);
  EXPECT_EQ(first.items[1].id, "sub-b");
  ASSERT_EQ(first.next_cursor, "sub-b");
  const auto last = subs().List("otto", *first.next_cursor, 2);
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].id, "sub-c");
  EXPECT_EQ(last.items[0].metrics, kHomes.metrics);
  EXPECT_EQ(last.next_cursor, std::nullopt);
}

TEST_F(SubscriptionRepositoryTest, ResolveAnswersWhereEachDeviceIsForTheCaller) {
  store().Telemetry().Insert("pv-1", "power_w", kNow, 1200, "America/New_York");
  const std::vector<SubscribedMetric> metrics = {
      {"pv-1", "power_w"}, {"bat-1", "soc_pct"}, {"ghost", "power_w"}, {"pv-1", "energy_wh"}};
  const MetricTarget pv{"nyc", "America/New_York", DeviceType::kSolarPanel, true};
  const MetricTarget pv_energy{"nyc", "America/New_York", DeviceType::kSolarPanel, false};
  const MetricTarget bat{"berlin", "Europe/Berlin", DeviceType::kBattery, false};
  EXPECT_EQ(subs().Resolve(metrics, Visibility::All()),
            (std::vector<std::optional<MetricTarget>>{pv, bat, std::nullopt, pv_energy}));
  EXPECT_EQ(subs().Resolve(metrics, Visibility::SitesOf("otto")),
            (std::vector<std::optional<MetricTarget>>{pv, bat, std::nullopt, pv_energy}));
  // vera sees Berlin only: New York's device is answered exactly as a missing one.
  EXPECT_EQ(
      subs().Resolve(metrics, Visibility::SitesOf("vera")),
      (std::vector<std::optional<MetricTarget>>{std::nullopt, bat, std::nullopt, std::nullopt}));
  // Deleted: unavailable to everyone; the subscription keeps naming it.
  ASSERT_TRUE(subs().Create("sub-1", "otto", kHomes, kNow));
  ASSERT_TRUE(store().Devices().Delete("bat-1"));
  EXPECT_EQ(subs().Get("sub-1", "otto")->metrics, kHomes.metrics);
  EXPECT_EQ(subs().Resolve(kHomes.metrics, Visibility::All()),
            (std::vector<std::optional<MetricTarget>>{pv, std::nullopt}));
}

TEST_F(SubscriptionRepositoryTest, SubscriptionsGoWithTheirOwner) {
  ASSERT_TRUE(subs().Create("sub-1", "vera", {"Mine", {{"bat-1", "soc_pct"}}}, kNow));
  Exec("DELETE FROM users WHERE username = 'vera'");
  EXPECT_EQ(Count("SELECT count(*) FROM subscriptions"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM subscription_metrics"), 0);
}

}  // namespace
}  // namespace ems::store
