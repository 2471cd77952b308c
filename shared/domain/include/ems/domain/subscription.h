// Metric subscriptions (docs/contract.md §6.3): a user's named set of metrics of any devices they
// can see, across sites, and the rules of its content. Pure: no I/O, no clock.
//
// A subscription belongs to the user who created it; only they see it, whatever their role. Its
// metrics name devices by id. Who may see those devices is decided whenever it is written or
// answered (ems/store/subscription_repository.h), so a device that became invisible or was
// deleted since is answered as unavailable, neither leaked nor an error.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems {

// One metric of one device.
struct SubscribedMetric {
  std::string device_id;
  std::string metric;
  friend bool operator==(const SubscribedMetric&, const SubscribedMetric&) = default;
};

// What a user writes: POST and PUT /api/v1/subscriptions bodies.
struct SubscriptionSpec {
  std::string name;
  std::vector<SubscribedMetric> metrics;  // in the user's order, which answers keep
  friend bool operator==(const SubscriptionSpec&, const SubscriptionSpec&) = default;
};

// A stored subscription.
struct Subscription {
  std::string id;
  std::string owner;  // the username of its creator
  std::string name;
  std::vector<SubscribedMetric> metrics;
  Timestamp created_at;
  Timestamp updated_at;
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// Where a subscribed metric's device is now, for a caller who may see it.
struct MetricTarget {
  std::string site_id;
  std::string timezone;  // the site's IANA zone
  DeviceType type = DeviceType::kSolarPanel;
  bool reported = false;  // the device has a latest value of the metric
  friend bool operator==(const MetricTarget&, const MetricTarget&) = default;
};

// Bounds what one subscription costs to answer: its series answer at most this many series.
inline constexpr std::size_t kMaxSubscriptionMetrics = 100;

// kInvalidSubscription, messages naming the field: the name (ValidateName); 1 to
// kMaxSubscriptionMetrics metrics, each with a valid device id (docs/contract.md §3) and metric
// name (IsValidMetricName), none named twice ("Field 'metrics[2]' names bat-1 soc_pct a second
// time.").
Result<void> ValidateSubscriptionSpec(const SubscriptionSpec& spec);

// Whether the caller may subscribe `metrics`, given `targets`: where each device is for the
// caller (std::nullopt: missing or not visible), in the same order. Each device must be one the
// caller sees (else DeviceNotFound, exactly as for a missing device) and expose the metric
// (RequireExposedMetric); the first failure is returned.
Result<void> RequireSubscribable(std::span<const SubscribedMetric> metrics,
                                 std::span<const std::optional<MetricTarget>> targets);

}  // namespace ems
