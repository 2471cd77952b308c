// JSON codecs of device payloads: the MQTT `meta` and `telemetry` messages (docs/contract.md §4.1),
// the REST device body and device / metric / series answers (§6.2, §6.3).
//
// Decoders apply every rule that needs only the payload, so what they return is valid;
// telemetry rules that depend on the device type (the power_w sign) need
// DecodeTelemetry(payload, type) or ValidateTelemetryFor. Unparsable JSON or a non-object
// payload is rejected with kInvalidJson (answer 400); anything else with the payload
// family's reason (answer 422): kInvalidMeta, kInvalidTelemetry, kInvalidDevice.
// Encoders produce exactly the documented shapes; instants are RFC 3339 UTC.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/codec/json_writer.h"
#include "ems/domain/device.h"
#include "ems/domain/result.h"
#include "ems/domain/rollup.h"

namespace ems::codec {

// Largest meta, telemetry or device body accepted (a device is a few hundred bytes; telemetry
// carries a handful of metrics).
inline constexpr std::size_t kMaxDeviceBytes = 64 << 10;

// --- MQTT meta: {"type", "name", "properties", "site_name"?, "site_timezone"?} ---

// kInvalidMeta: unknown type, empty name, properties breaking ValidateProperties,
// empty site_name, unknown site_timezone.
Result<DeviceMeta> DecodeMeta(std::string_view payload);
Json EncodeMeta(const DeviceMeta& meta);  // what the publisher sends

// --- MQTT telemetry: {"ts", "metrics": {"power_w": -1830.5, ...}, "state": {...}?} ---

// kInvalidTelemetry: missing or malformed ts, metrics not an object, a metric failing
// ValidateMetric, state failing ValidateDeviceState, or neither a metric nor a state.
Result<Telemetry> DecodeTelemetry(std::string_view payload);
// The same, then ValidateTelemetryFor(type): the sign convention of power_w.
Result<Telemetry> DecodeTelemetry(std::string_view payload, DeviceType type);
// The one encoder of the telemetry payload, used by the publisher's simulator, the OCPP gateway,
// the tests and the fuzzers. Written straight into one string (JsonWriter): a backfill writes
// millions. `ts` is RFC 3339 text (FormatTimestamp), formatted once for every payload of a tick;
// "state" only when `state` is a non-empty object.
std::string EncodeTelemetry(std::string_view ts, std::span<const MetricSample> metrics,
                            const Json& state);
std::string EncodeTelemetry(const Telemetry& t);

// --- REST: POST /sites/{site}/devices and PUT /devices/{device} ---

struct DeviceBody {
  std::optional<std::string> id;  // a valid id when present
  DeviceSpec spec;
  friend bool operator==(const DeviceBody&, const DeviceBody&) = default;
};

// {"id"?, "type", "name", "properties"}; kInvalidDevice, messages name the field
// ("Field 'type' must be one of solar_panel, …", "Property 'capacity_wh' is required.").
Result<DeviceBody> DecodeDeviceBody(std::string_view body);

// --- answers ---

// A device's metrics keyed by name: {"value", "unit", "ts"} for each latest value, and for each
// typical metric of `type` it never reported (TypicalMetrics) {"value": null, "unit", "ts": null}.
Json EncodeMetricMap(DeviceType type, std::span<const LatestMetric> latest);

// §6.2: {"id", "site_id", "type", "name", "properties", "state", "metrics": {...},
// "last_seen": "..."|null}; metrics as EncodeMetricMap.
Json EncodeDevice(const Device& device, std::span<const LatestMetric> latest);

// §6.3 GET /devices/{device}/metrics: {"items": [{"name", "value", "unit", "ts"}]} in name order,
// the same metrics as EncodeMetricMap.
Json EncodeLatestMetrics(DeviceType type, std::span<const LatestMetric> latest);

// §6.3 series: the members "device_id", "metric", "unit", "interval", "agg", "points": [{"ts",
// "value", "count"}] of an object the caller opens and closes (and may add members to); written,
// not built, since a series holds up to 100 000 points.
void WriteSeriesMembers(JsonWriter& w, std::string_view device_id, std::string_view metric,
                        Interval interval, Agg agg, std::span<const SeriesPoint> points);

}  // namespace ems::codec
