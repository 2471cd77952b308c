// JSON codecs of metric subscriptions (docs/contract.md §6.3): the POST / PUT body, the
// subscription, and the answer of its series.
//
// Rejects carry kInvalidSubscription (answer 422), or kInvalidJson (400) for text that is not a
// JSON object within kMaxSubscriptionBytes; messages name the field ("Field 'metrics[1].metric'
// is required."). Encoders produce exactly the documented shapes; instants are RFC 3339 UTC.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ems/codec/json_fields.h"
#include "ems/domain/result.h"
#include "ems/domain/rollup.h"
#include "ems/domain/subscription.h"

namespace ems::codec {

// Largest subscription body accepted: 100 metrics of long ids fit several times over.
inline constexpr std::size_t kMaxSubscriptionBytes = 64 << 10;

// {"name", "metrics": [{"device_id", "metric"}, ...]}, validated by ValidateSubscriptionSpec.
// Other fields are ignored.
Result<SubscriptionSpec> DecodeSubscriptionBody(std::string_view body);

// {"id", "name", "metrics": [{"device_id", "metric"}], "created_at", "updated_at"}.
Json EncodeSubscription(const Subscription& subscription);

// One series of a subscription's answer: a metric, the site and zone of its device when the
// caller may still see it (std::nullopt: unavailable — invisible or deleted), and its points.
struct SubscriptionSeries {
  SubscribedMetric metric;
  std::optional<std::string> site_id;
  std::string timezone;  // the zone of its 1d, 1w and 1mo buckets; empty when unavailable
  std::vector<SeriesPoint> points;
};

// {"subscription_id", "name", "from", "to", "interval", "agg", "series": [...]} as JSON text; each
// series is the device series object (WriteSeriesMembers) plus "status": "available", "site_id"
// and "timezone", or, unavailable, the same shape with "status": "unavailable", "site_id" and
// "timezone" null and no points.
std::string EncodeSubscriptionSeries(const Subscription& subscription, const SeriesWindow& window,
                                     std::span<const SubscriptionSeries> series);

}  // namespace ems::codec
