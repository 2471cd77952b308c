#include "ems/codec/device_codec.h"

#include <cmath>
#include <limits>
#include <vector>

namespace ems::codec {
namespace {

constexpr ErrorCode kMetaCode = ErrorCode::kInvalidMeta;
constexpr ErrorCode kTelemetryCode = ErrorCode::kInvalidTelemetry;
constexpr ErrorCode kDeviceCode = ErrorCode::kInvalidDevice;

// {"type", "name", "properties"} shared by meta and the REST body. Moves the properties out of
// `obj` (never copies an untrusted sub-tree).
Result<DeviceSpec> DecodeSpec(Json& obj, ErrorCode code) {
  auto type_name = RequiredString(obj, "type", code);
  if (!type_name) return Unexpected(type_name.error());
  const auto type = ParseDeviceType(*type_name);
  if (!type) {
    return Rejected(code, "Field 'type' must be one of " + DeviceTypeList() + ".");
  }
  auto name = RequiredString(obj, "name", code);
  if (!name) return Unexpected(name.error());
  DeviceSpec spec{*type, std::move(*name), Json::object()};
  const auto props = obj.find("properties");
  if (props == obj.end() || props->is_null()) {
    return Rejected(code, "Field 'properties' is required.");
  }
  spec.properties = std::move(*props);
  if (auto ok = ValidateDeviceSpec(spec, code); !ok) return Unexpected(ok.error());
  return spec;
}

Json UnitJson(std::string_view metric) {
  const auto unit = MetricUnit(metric);
  return unit ? Json(std::string(*unit)) : Json(nullptr);
}

}  // namespace

Result<DeviceMeta> DecodeMeta(std::string_view payload) {
  auto obj = ParseObject(payload, kMaxDeviceBytes);
  if (!obj) return Unexpected(obj.error());
  auto spec = DecodeSpec(*obj, kMetaCode);
  if (!spec) return Unexpected(spec.error());
  DeviceMeta meta{std::move(*spec), std::nullopt, std::nullopt};
  auto site_name = OptionalString(*obj, "site_name", kMetaCode);
  if (!site_name) return Unexpected(site_name.error());
  if (*site_name && site_name->value().find_first_not_of(" \t") == std::string::npos) {
    return Rejected(kMetaCode, "Field 'site_name' must not be empty.");
  }
  meta.site_name = std::move(*site_name);
  auto tz = OptionalString(*obj, "site_timezone", kMetaCode);
  if (!tz) return Unexpected(tz.error());
  if (*tz && !IsValidTimeZone(**tz)) {
    return Rejected(kMetaCode,
                    "Field 'site_timezone' must be an IANA time zone such as Europe/Berlin.");
  }
  meta.site_timezone = std::move(*tz);
  return meta;
}

Json EncodeMeta(const DeviceMeta& meta) {
  Json out = {{"type", ToString(meta.spec.type)},
              {"name", meta.spec.name},
              {"properties", meta.spec.properties}};
  if (meta.site_name) out["site_name"] = *meta.site_name;
  if (meta.site_timezone) out["site_timezone"] = *meta.site_timezone;
  return out;
}

Result<Telemetry> DecodeTelemetry(std::string_view payload) {
  auto obj = ParseObject(payload, kMaxDeviceBytes);
  if (!obj) return Unexpected(obj.error());
  Telemetry t;
  auto ts = RequiredTimestamp(*obj, "ts", kTelemetryCode);
  if (!ts) return Unexpected(ts.error());
  t.ts = *ts;
  const auto metrics = obj->find("metrics");
  if (metrics == obj->end() || metrics->is_null()) {
    return Rejected(kTelemetryCode, "Field 'metrics' is required.");
  }
  if (!metrics->is_object()) {
    return Rejected(kTelemetryCode, "Field 'metrics' must be an object.");
  }
  t.metrics.reserve(metrics->size());
  for (const auto& [name, value] : metrics->items()) {  // nlohmann objects iterate in key order
    // A non-number reads as NaN, so the name is checked first and the value second.
    const double v =
        value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
    if (auto ok = ValidateMetric(name, v, kTelemetryCode); !ok) {
      return Unexpected(ok.error());
    }
    t.metrics.push_back(MetricSample{name, v});
  }
  if (const auto state = obj->find("state"); state != obj->end() && !state->is_null()) {
    if (auto ok = ValidateDeviceState(*state, kTelemetryCode); !ok) {
      return Unexpected(ok.error());
    }
    t.state = std::move(*state);
  }
  if (t.metrics.empty() && t.state.empty()) {
    return Rejected(kTelemetryCode, "Telemetry must carry at least one metric or a state.");
  }
  return t;
}

Result<Telemetry> DecodeTelemetry(std::string_view payload, DeviceType type) {
  auto t = DecodeTelemetry(payload);
  if (!t) return t;
  if (auto ok = ValidateTelemetryFor(type, *t, kTelemetryCode); !ok) {
    return Unexpected(ok.error());
  }
  return t;
}

std::string EncodeTelemetry(std::string_view ts, std::span<const MetricSample> metrics,
                            const Json& state) {
  JsonWriter w;
  w.BeginObject().Field("ts", ts).Key("metrics").BeginObject();
  for (const auto& m : metrics) w.Field(m.name, m.value);
  w.EndObject();
  if (state.is_object() && !state.empty()) w.Field("state", state);
  return w.EndObject().Take();
}

std::string EncodeTelemetry(const Telemetry& t) {
  return EncodeTelemetry(FormatTimestamp(t.ts), t.metrics, t.state);
}

Result<DeviceBody> DecodeDeviceBody(std::string_view body) {
  auto obj = ParseObject(body, kMaxDeviceBytes);
  if (!obj) return Unexpected(obj.error());
  auto id = OptionalId(*obj, "id", kDeviceCode);
  if (!id) return Unexpected(id.error());
  auto spec = DecodeSpec(*obj, kDeviceCode);
  if (!spec) return Unexpected(spec.error());
  return DeviceBody{std::move(*id), std::move(*spec)};
}

Json EncodeMetricMap(DeviceType type, std::span<const LatestMetric> latest) {
  Json out = Json::object();
  for (const auto& m : latest) {
    out[m.name] = {{"value", m.value}, {"unit", UnitJson(m.name)}, {"ts", FormatTimestamp(m.ts)}};
  }
  for (std::string_view name : TypicalMetrics(type)) {
    const std::string key(name);
    if (!out.contains(key)) {
      out[key] = {{"value", nullptr}, {"unit", UnitJson(name)}, {"ts", nullptr}};
    }
  }
  return out;
}

Json EncodeDevice(const Device& device, std::span<const LatestMetric> latest) {
  return {
      {"id", device.id},
      {"site_id", device.site_id},
      {"type", ToString(device.type)},
      {"name", device.name},
      {"properties", device.properties.is_object() ? device.properties : Json::object()},
      {"state", device.state.is_object() ? device.state : Json::object()},
      {"metrics", EncodeMetricMap(device.type, latest)},
      {"last_seen", device.last_seen ? Json(FormatTimestamp(*device.last_seen)) : Json(nullptr)},
  };
}

Json EncodeLatestMetrics(DeviceType type, std::span<const LatestMetric> latest) {
  const Json metrics = EncodeMetricMap(type, latest);
  Json items = Json::array();
  for (const auto& [name, metric] : metrics.items()) {  // objects are name-ordered
    Json item = {{"name", name}};
    item.update(metric);
    items.push_back(std::move(item));
  }
  return {{"items", std::move(items)}};
}

void WriteSeriesMembers(JsonWriter& w, std::string_view device_id, std::string_view metric,
                        Interval interval, Agg agg, std::span<const SeriesPoint> points) {
  w.Reserve(160 + 64 * points.size());  // a point is 50–70 bytes
  w.Field("device_id", device_id)
      .Field("metric", metric)
      .Field("unit", MetricUnit(metric))
      .Field("interval", ToString(interval))
      .Field("agg", ToString(agg))
      .Key("points")
      .BeginArray();
  for (const auto& p : points) {
    w.BeginObject().Field("ts", p.ts).Field("value", p.value).Field("count", p.count).EndObject();
  }
  w.EndArray();
}

}  // namespace ems::codec
