#include "ems/domain/subscription.h"

#include <set>
#include <utility>

#include "ems/domain/ids.h"

namespace ems {

Result<void> ValidateSubscriptionSpec(const SubscriptionSpec& spec) {
  constexpr ErrorCode kCode = ErrorCode::kInvalidSubscription;
  if (auto ok = ValidateName(spec.name, kCode); !ok) return ok;
  if (spec.metrics.empty() || spec.metrics.size() > kMaxSubscriptionMetrics) {
    return Rejected(kCode, "Field 'metrics' must hold 1 to " +
                               std::to_string(kMaxSubscriptionMetrics) + " metrics.");
  }
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
    const SubscribedMetric& m = spec.metrics[i];
    const std::string field = "Field 'metrics[" + std::to_string(i) + "]";
    if (!IsValidId(m.device_id)) {
      return Rejected(kCode, field +
                                 ".device_id' must be 1 to 64 characters of letters, digits, "
                                 "'_', '.' or '-'.");
    }
    if (!IsValidMetricName(m.metric)) {
      return Rejected(kCode, field +
                                 ".metric' must be 1 to 64 characters of a-z, 0-9 and '_', "
                                 "starting with a letter.");
    }
    if (!seen.emplace(m.device_id, m.metric).second) {
      return Rejected(kCode, field + "' names " + m.device_id + " " + m.metric + " a second time.");
    }
  }
  return {};
}

Result<void> RequireSubscribable(std::span<const SubscribedMetric> metrics,
                                 std::span<const std::optional<MetricTarget>> targets) {
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const auto& m = metrics[i];
    if (i >= targets.size() || !targets[i]) return Unexpected(DeviceNotFound(m.device_id));
    const MetricTarget& t = *targets[i];
    if (auto ok = RequireExposedMetric(m.device_id, t.type, m.metric, t.reported); !ok) return ok;
  }
  return {};
}

}  // namespace ems
