#include "ems/codec/subscription_codec.h"

#include <utility>

#include "ems/codec/device_codec.h"

namespace ems::codec {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidSubscription;

// {"device_id", "metric"} at `path` (e.g. "metrics[2]").
Result<SubscribedMetric> DecodeMetric(const Json& item, const std::string& path) {
  if (!item.is_object()) return Rejected(kCode, "Field '" + path + "' must be an object.");
  auto device_id = RequiredString(item, "device_id", kCode);
  if (!device_id) return Unexpected(AtPath(device_id.error(), path));
  auto metric = RequiredString(item, "metric", kCode);
  if (!metric) return Unexpected(AtPath(metric.error(), path));
  return SubscribedMetric{std::move(*device_id), std::move(*metric)};
}

Result<SubscriptionSpec> DecodeSpec(const Json& obj) {
  EMS_TRY(name, RequiredString(obj, "name", kCode));
  const auto items = obj.find("metrics");
  if (items == obj.end() || items->is_null()) {
    return Rejected(kCode, "Field 'metrics' is required.");
  }
  if (!items->is_array()) return Rejected(kCode, "Field 'metrics' must be an array.");
  SubscriptionSpec spec{std::move(name), {}};
  // The body's size bounds the items read; ValidateSubscriptionSpec then bounds their number.
  for (std::size_t i = 0; i < items->size(); ++i) {
    EMS_TRY(metric, DecodeMetric((*items)[i], "metrics[" + std::to_string(i) + "]"));
    spec.metrics.push_back(std::move(metric));
  }
  if (auto ok = ValidateSubscriptionSpec(spec); !ok) return Unexpected(ok.error());
  return spec;
}

Json MetricJson(const SubscribedMetric& m) {
  return {{"device_id", m.device_id}, {"metric", m.metric}};
}

}  // namespace

Result<SubscriptionSpec> DecodeSubscriptionBody(std::string_view body) {
  return DecodeObject(body, kMaxSubscriptionBytes, DecodeSpec);
}

Json EncodeSubscription(const Subscription& subscription) {
  Json metrics = Json::array();
  for (const auto& m : subscription.metrics) metrics.push_back(MetricJson(m));
  return {{"id", subscription.id},
          {"name", subscription.name},
          {"metrics", std::move(metrics)},
          {"created_at", FormatTimestamp(subscription.created_at)},
          {"updated_at", FormatTimestamp(subscription.updated_at)}};
}

std::string EncodeSubscriptionSeries(const Subscription& subscription, const SeriesWindow& window,
                                     std::span<const SubscriptionSeries> series) {
  const auto [from, to, interval, agg] = window;
  JsonWriter w;
  w.BeginObject()
      .Field("subscription_id", subscription.id)
      .Field("name", subscription.name)
      .Field("from", from)
      .Field("to", to)
      .Field("interval", ToString(interval))
      .Field("agg", ToString(agg))
      .Key("series")
      .BeginArray();
  for (const auto& s : series) {
    w.BeginObject();
    WriteSeriesMembers(w, s.metric.device_id, s.metric.metric, interval, agg, s.points);
    w.Field("status", s.site_id ? "available" : "unavailable")
        .Field("site_id", s.site_id)
        .Key("timezone");
    if (s.site_id) {
      w.Value(s.timezone);
    } else {
      w.Value(nullptr);
    }
    w.EndObject();
  }
  return w.EndArray().EndObject().Take();
}

}  // namespace ems::codec
