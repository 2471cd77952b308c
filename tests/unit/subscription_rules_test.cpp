// Subscription rules (docs/contract.md §6.3): what a body may hold and who may subscribe what.
#include <gtest/gtest.h>

#include "ems/domain/subscription.h"
#include "support.h"

namespace ems {
namespace {

using ems::testing::ErrorOf;

SubscriptionSpec Spec(std::vector<SubscribedMetric> metrics) {
  return SubscriptionSpec{"My homes", std::move(metrics)};
}

TEST(SubscriptionRulesTest, AcceptsUpToTheLimitOfDistinctMetrics) {
  EXPECT_TRUE(ValidateSubscriptionSpec(Spec({{"bat-1", "soc_pct"}, {"pv-1", "power_w"}})));
  std::vector<SubscribedMetric> many;
  for (std::size_t i = 0; i < kMaxSubscriptionMetrics; ++i) {
    many.push_back({"dev-" + std::to_string(i), "power_w"});
  }
  EXPECT_TRUE(ValidateSubscriptionSpec(Spec(many)));
  many.push_back({"one-more", "power_w"});
  EXPECT_EQ(ErrorOf(ValidateSubscriptionSpec(Spec(many))).message,
            "Field 'metrics' must hold 1 to 100 metrics.");
  EXPECT_EQ(ErrorOf(ValidateSubscriptionSpec(Spec({}))).message,
            "Field 'metrics' must hold 1 to 100 metrics.");
}

TEST(SubscriptionRulesTest, NamesTheOffendingField) {
  const auto message = [](const SubscriptionSpec& spec) {
    const Reject r = ErrorOf(ValidateSubscriptionSpec(spec));
    EXPECT_EQ(r.code, ErrorCode::kInvalidSubscription);
    return r.message;
  };
  EXPECT_EQ(message({" ", {{"pv-1", "power_w"}}}), "Field 'name' must not be empty.");
  EXPECT_EQ(message(Spec({{"pv-1", "power_w"}, {"pv/2", "power_w"}})),
            "Field 'metrics[1].device_id' must be 1 to 64 characters of letters, digits, '_', "
            "'.' or '-'.");
  EXPECT_EQ(message(Spec({{"pv-1", "Power"}})),
            "Field 'metrics[0].metric' must be 1 to 64 characters of a-z, 0-9 and '_', starting "
            "with a letter.");
  EXPECT_EQ(message(Spec({{"pv-1", "power_w"}, {"bat-1", "soc_pct"}, {"pv-1", "power_w"}})),
            "Field 'metrics[2]' names pv-1 power_w a second time.");
}

TEST(SubscriptionRulesTest, OnlyVisibleDevicesAndMetricsTheyExposeMayBeSubscribed) {
  const std::vector<SubscribedMetric> metrics = {{"bat-1", "soc_pct"}, {"pv-1", "rpm"}};
  const MetricTarget battery{"home", "Europe/Berlin", DeviceType::kBattery, false};
  const MetricTarget solar{"home", "Europe/Berlin", DeviceType::kSolarPanel, false};
  // soc_pct is typical of a battery (exposed before its first telemetry); rpm is not of a solar
  // panel, until the panel reports it.
  const std::vector<std::optional<MetricTarget>> unreported = {battery, solar};
  const Reject no_metric = ErrorOf(RequireSubscribable(metrics, unreported));
  EXPECT_EQ(no_metric.code, ErrorCode::kNotFound);
  EXPECT_EQ(no_metric.message, "Device pv-1 has no metric rpm.");
  MetricTarget reported = solar;
  reported.reported = true;
  EXPECT_TRUE(
      RequireSubscribable(metrics, std::vector<std::optional<MetricTarget>>{battery, reported}));
  // Missing or invisible: the answer of a missing device.
  const Reject missing = ErrorOf(
      RequireSubscribable(metrics, std::vector<std::optional<MetricTarget>>{std::nullopt, solar}));
  EXPECT_EQ(missing.code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.message, "Device bat-1 not found.");
}

}  // namespace
}  // namespace ems
