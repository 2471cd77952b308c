// SubscriptionRepository: metric subscriptions (docs/contract.md §6.3), the only writer of the
// subscriptions and subscription_metrics tables (store/sql/0006_subscriptions.sql), and the one
// place that decides what a subscribed metric points at for a caller.
//
// What callers can rely on: every read and write is scoped to the owner, so another user's
// subscription is answered exactly as a missing one. Writes of several rows (Create, Update) are
// atomic inside the caller's transaction; Create, Update and Resolve each cost one statement for
// any number of metrics. Subscriptions go with their owner's user row; their metrics outlive the
// devices they name (Resolve answers those as unavailable). Contract of the store's
// repositories: ems/store/store.h.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/subscription.h"
#include "ems/domain/time.h"
#include "ems/store/page.h"
#include "ems/store/visibility.h"

namespace ems::store {

class SubscriptionRepository {
 public:
  virtual ~SubscriptionRepository() = default;

  // Stores `spec` as subscription `id` of `owner`. Rejects kInvalidSubscription (a spec breaking
  // ValidateSubscriptionSpec) and kConflict (the id is taken). Whether the caller may see the
  // devices is Resolve's to say, before.
  virtual Result<Subscription> Create(const std::string& id, const std::string& owner,
                                      const SubscriptionSpec& spec, Timestamp now) = 0;
  // Replaces name and metrics of `owner`'s subscription `id`. Rejects kInvalidSubscription, and
  // kNotFound when `owner` has no subscription `id`.
  virtual Result<Subscription> Update(const std::string& id, const std::string& owner,
                                      const SubscriptionSpec& spec, Timestamp now) = 0;
  // False when `owner` has no subscription `id`.
  virtual bool Delete(const std::string& id, const std::string& owner) = 0;

  // `owner`'s subscription `id`, with its metrics.
  virtual std::optional<Subscription> Get(const std::string& id, const std::string& owner) = 0;
  // `owner`'s subscriptions with their metrics, in id order after `after` ("" = from the start);
  // `limit` is clamped.
  virtual Page<Subscription, std::string> List(const std::string& owner, const std::string& after,
                                               int limit) = 0;

  // For each metric, in order, where its device is when `visibility` sees it; std::nullopt when
  // the device does not exist or its site is not visible (answered alike: unavailable).
  virtual std::vector<std::optional<MetricTarget>> Resolve(
      std::span<const SubscribedMetric> metrics, const Visibility& visibility) = 0;
};

}  // namespace ems::store
