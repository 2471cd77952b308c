#include "ems/codec/device_codec.h"

#include <gtest/gtest.h>

#include "ems/codec/energy_codec.h"
#include "support.h"

namespace ems::codec {
namespace {

using ems::testing::At;

using ems::testing::ErrorOf;
using ems::testing::Written;

TEST(MetaCodecTest, DecodesTheSpecExample) {
  const auto meta = DecodeMeta(R"({"type": "battery", "name": "Garage battery",
      "properties": {"capacity_wh": 10000, "max_charge_w": 5000, "max_discharge_w": 4000},
      "site_name": "Home", "site_timezone": "Europe/Berlin"})");
  ASSERT_TRUE(meta) << meta.error().message;
  EXPECT_EQ(meta->spec.type, DeviceType::kBattery);
  EXPECT_EQ(meta->spec.name, "Garage battery");
  EXPECT_EQ(meta->spec.properties["capacity_wh"], 10000);
  EXPECT_EQ(meta->site_name, "Home");
  EXPECT_EQ(meta->site_timezone, "Europe/Berlin");
}

TEST(MetaCodecTest, SiteFieldsAreOptional) {
  const auto meta = DecodeMeta(
      R"({"type": "solar_panel", "name": "Roof", "properties": {"rated_power_w": 6000}})");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->site_name, std::nullopt);
  EXPECT_EQ(meta->site_timezone, std::nullopt);
}

TEST(MetaCodecTest, RejectsWithReasonInvalidMetaNamingTheField) {
  struct Case {
    const char* payload;
    const char* message;
  };
  const Case cases[] = {
      {R"({"name": "x", "properties": {}})", "Field 'type' is required."},
      {R"({"type": "toaster", "name": "x", "properties": {}})",
       "Field 'type' must be one of solar_panel, wind_turbine, battery, ev, appliance, heat_pump, "
       "inverter, charging_station."},
      {R"({"type": "solar_panel", "properties": {"rated_power_w": 1}})",
       "Field 'name' is required."},
      {R"({"type": "solar_panel", "name": "Roof"})", "Field 'properties' is required."},
      {R"({"type": "solar_panel", "name": "Roof", "properties": {"rated_power_w": -5}})",
       "Property 'rated_power_w' must be a number greater than 0."},
      {R"({"type": "charging_station", "name": "Drive", "properties": {"max_power_w": 11000}})",
       "Property 'connectors' is required."},
      {R"({"type": "solar_panel", "name": "Roof", "properties": {"rated_power_w": 1},
           "site_timezone": "Mars/Olympus"})",
       "Field 'site_timezone' must be an IANA time zone such as Europe/Berlin."},
      {R"({"type": "solar_panel", "name": "Roof", "properties": {"rated_power_w": 1},
           "site_name": 7})",
       "Field 'site_name' must be a string."},
  };
  for (const auto& c : cases) {
    const Reject r = ErrorOf(DecodeMeta(c.payload));
    EXPECT_EQ(r.code, ErrorCode::kInvalidMeta) << c.payload;
    EXPECT_EQ(r.message, c.message) << c.payload;
  }
}

TEST(MetaCodecTest, NonJsonIsInvalidJson) {
  EXPECT_EQ(ErrorOf(DecodeMeta("{not json")).code, ErrorCode::kInvalidJson);
  EXPECT_EQ(ErrorOf(DecodeMeta("[1, 2]")).code, ErrorCode::kInvalidJson);
}

TEST(MetaCodecTest, EncodeRoundTrips) {
  // Built from a parsed document: GCC 12 at -O2 reports a false "maybe-uninitialized" for an
  // aggregate initialised from a nested braced json.
  DeviceMeta meta;
  meta.spec.type = DeviceType::kEv;
  meta.spec.name = "Car";
  meta.spec.properties =
      Json::parse(R"({"battery_capacity_wh": 60000, "max_charge_w": 11000, "max_discharge_w": 0})");
  meta.site_name = "Home";
  meta.site_timezone = "America/New_York";
  EXPECT_EQ(DecodeMeta(EncodeMeta(meta).dump()), meta);
}

TEST(TelemetryCodecTest, DecodesTheSpecExample) {
  const auto t = DecodeTelemetry(R"({"ts": "2026-11-21T10:00:00Z",
      "metrics": {"power_w": -1830.5, "soc_pct": 54.2},
      "state": {"mode": "charging", "at_home": true}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->ts, At("2026-11-21T10:00:00Z"));
  ASSERT_EQ(t->metrics.size(), 2u);
  EXPECT_EQ(t->metrics[0], (MetricSample{"power_w", -1830.5}));
  EXPECT_EQ(t->metrics[1], (MetricSample{"soc_pct", 54.2}));
  EXPECT_EQ(t->state["mode"], "charging");
  EXPECT_EQ(t->state["at_home"], true);
}

TEST(TelemetryCodecTest, AcceptsOffsetsAndMissingZoneAndUnknownMetrics) {
  const auto t = DecodeTelemetry(
      R"({"ts": "2024-03-03T11:00:00+01:00", "metrics": {"humidity_pct": 40, "power_w": 0}})");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTimestamp(t->ts), "2024-03-03T10:00:00Z");
  EXPECT_TRUE(t->state.empty());
  const auto no_zone = DecodeTelemetry(R"({"ts": "2024-03-03T10:00:00", "metrics": {"a": 1}})");
  ASSERT_TRUE(no_zone);
  EXPECT_EQ(no_zone->ts, t->ts);
}

TEST(TelemetryCodecTest, RejectsWithReasonInvalidTelemetry) {
  struct Case {
    const char* payload;
    const char* message;
  };
  const Case cases[] = {
      {R"({"metrics": {"power_w": 1}})", "Field 'ts' is required."},
      {R"({"ts": "yesterday", "metrics": {"power_w": 1}})",
       "Field 'ts' must be an RFC 3339 timestamp."},
      {R"({"ts": "2026-11-21T10:00:00Z"})", "Field 'metrics' is required."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": [1]})", "Field 'metrics' must be an object."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"power_w": "12"}})",
       "Metric 'power_w' must be a finite number."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"power_w": null}})",
       "Metric 'power_w' must be a finite number."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"power_w": true}})",
       "Metric 'power_w' must be a finite number."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"soc_pct": 120}})",
       "Metric 'soc_pct' must be between 0 and 100."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"Power W": 1}})",
       "Metric name 'Power W' must be 1 to 64 characters of a-z, 0-9 and '_', starting with a "
       "letter."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"power_w": 1}, "state": "on"})",
       "Field 'state' must be an object."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {}, "state": {"mode": "turbo"}})",
       "Field 'state.mode' must be one of charging, discharging, idle."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {}, "state": {"at_home": 1}})",
       "Field 'state.at_home' must be true or false."},
      {R"({"ts": "2026-11-21T10:00:00Z", "metrics": {}})",
       "Telemetry must carry at least one metric or a state."},
  };
  for (const auto& c : cases) {
    const Reject r = ErrorOf(DecodeTelemetry(c.payload));
    EXPECT_EQ(r.code, ErrorCode::kInvalidTelemetry) << c.payload;
    EXPECT_EQ(r.message, c.message) << c.payload;
  }
}

TEST(TelemetryCodecTest, StateAloneIsEnough) {
  const auto t = DecodeTelemetry(R"({"ts": "2026-11-21T10:00:00Z", "metrics": {},
                                     "state": {"at_home": false}})");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->metrics.empty());
  EXPECT_EQ(t->state["at_home"], false);
}

TEST(TelemetryCodecTest, TypeAwareDecodeAppliesTheSignConvention) {
  const char* drawing = R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"power_w": -200}})";
  EXPECT_TRUE(DecodeTelemetry(drawing, DeviceType::kBattery));
  EXPECT_TRUE(DecodeTelemetry(drawing, DeviceType::kHeatPump));
  const Reject r = ErrorOf(DecodeTelemetry(drawing, DeviceType::kSolarPanel));
  EXPECT_EQ(r.code, ErrorCode::kInvalidTelemetry);
  EXPECT_EQ(
      r.message,
      "Metric 'power_w' of a solar_panel must be 0 or more (positive = supplying power to the "
      "site).");
  EXPECT_FALSE(DecodeTelemetry(R"({"ts": "2026-11-21T10:00:00Z", "metrics": {"power_w": 7}})",
                               DeviceType::kChargingStation));
}

TEST(TelemetryCodecTest, EncodeRoundTrips) {
  Telemetry t{At("2026-11-21T10:00:00.250Z"),
              {{"power_w", -1830.5}, {"soc_pct", 54.2}},
              {{"mode", "idle"}, {"at_home", true}}};
  const std::string encoded = EncodeTelemetry(t);
  EXPECT_EQ(Json::parse(encoded)["ts"], "2026-11-21T10:00:00.250Z");
  EXPECT_EQ(DecodeTelemetry(encoded), t);
  t.state = Json::object();
  EXPECT_FALSE(Json::parse(EncodeTelemetry(t)).contains("state"));
  // Whole numbers stay JSON floats, as every producer wrote them.
  EXPECT_EQ(EncodeTelemetry("2026-11-21T10:00:00Z", std::vector<MetricSample>{{"power_w", 100.0}},
                            Json::object()),
            R"({"ts":"2026-11-21T10:00:00Z","metrics":{"power_w":100.0}})");
}

TEST(DeviceBodyCodecTest, DecodesWithAndWithoutId) {
  const auto with_id = DecodeDeviceBody(
      R"({"id": "hp-1", "type": "heat_pump", "name": "Heat pump", "properties": {"rated_power_w": 3000}})");
  ASSERT_TRUE(with_id);
  EXPECT_EQ(with_id->id, "hp-1");
  EXPECT_EQ(with_id->spec.type, DeviceType::kHeatPump);
  const auto without = DecodeDeviceBody(R"({"type": "appliance", "name": "Dishwasher",
                           "properties": {"average_power_w": 1200}})");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->id, std::nullopt);
}

TEST(DeviceBodyCodecTest, RejectsWithReasonInvalidDeviceNamingTheField) {
  const Reject bad_id = ErrorOf(DecodeDeviceBody(
      R"({"id": "a/b", "type": "heat_pump", "name": "x", "properties": {"rated_power_w": 1}})"));
  EXPECT_EQ(bad_id.code, ErrorCode::kInvalidDevice);
  EXPECT_EQ(bad_id.message,
            "Field 'id' must be 1 to 64 characters of letters, digits, '_', '.' or '-'.");
  const Reject missing = ErrorOf(DecodeDeviceBody(
      R"({"type": "battery", "name": "x", "properties": {"capacity_wh": 1, "max_charge_w": 1}})"));
  EXPECT_EQ(missing.code, ErrorCode::kInvalidDevice);
  EXPECT_EQ(missing.message, "Property 'max_discharge_w' is required.");
  EXPECT_EQ(ErrorOf(DecodeDeviceBody(
                        R"({"type": "heat_pump", "name": "", "properties": {"rated_power_w": 1}})"))
                .message,
            "Field 'name' must not be empty.");
  EXPECT_EQ(ErrorOf(DecodeDeviceBody("")).code, ErrorCode::kInvalidJson);
}

TEST(DeviceEncodeTest, MatchesSpecShapeWithMetricsMap) {
  Device d;
  d.id = "bat-1";
  d.site_id = "home";
  d.type = DeviceType::kBattery;
  d.name = "Garage battery";
  d.properties = {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 4000}};
  d.state = {{"mode", "charging"}};
  d.last_seen = At("2026-11-21T10:00:05Z");
  const std::vector<LatestMetric> latest = {{"soc_pct", 54.2, At("2026-11-21T10:00:05Z")},
                                            {"power_w", -1830.5, At("2026-11-21T10:00:00Z")},
                                            {"cell_delta", 3, At("2026-11-21T10:00:00Z")}};
  const Json expected = Json::parse(R"({
    "id": "bat-1", "site_id": "home", "type": "battery", "name": "Garage battery",
    "properties": {"capacity_wh": 10000, "max_charge_w": 5000, "max_discharge_w": 4000},
    "state": {"mode": "charging"},
    "metrics": {
      "power_w": {"value": -1830.5, "unit": "W", "ts": "2026-11-21T10:00:00Z"},
      "soc_pct": {"value": 54.2, "unit": "%", "ts": "2026-11-21T10:00:05Z"},
      "cell_delta": {"value": 3, "unit": null, "ts": "2026-11-21T10:00:00Z"}},
    "last_seen": "2026-11-21T10:00:05Z"})");
  EXPECT_EQ(EncodeDevice(d, latest), expected);

  // Before its first telemetry a device lists the metrics its type reports, without values.
  d.last_seen.reset();
  const Json never = EncodeDevice(d, {});
  EXPECT_TRUE(never["last_seen"].is_null());
  EXPECT_EQ(never["metrics"], Json::parse(R"({
      "power_w": {"value": null, "unit": "W", "ts": null},
      "soc_pct": {"value": null, "unit": "%", "ts": null}})"));
}

TEST(DeviceEncodeTest, EveryTypeListsAtLeastOneMetricFromTheStart) {
  for (DeviceType type : AllDeviceTypes()) {
    Device d;
    d.type = type;
    const Json metrics = EncodeDevice(d, {})["metrics"];
    EXPECT_TRUE(metrics.contains("power_w")) << ToString(type);
    EXPECT_EQ(metrics.size(), TypicalMetrics(type).size()) << ToString(type);
  }
  Device pv;
  pv.type = DeviceType::kSolarPanel;
  const std::vector<LatestMetric> power = {{"power_w", 3000, At("2026-11-21T10:00:00Z")}};
  EXPECT_EQ(EncodeDevice(pv, power)["metrics"], Json::parse(R"({
      "energy_wh": {"value": null, "unit": "Wh", "ts": null},
      "power_w": {"value": 3000, "unit": "W", "ts": "2026-11-21T10:00:00Z"}})"));
  EXPECT_EQ(EncodeLatestMetrics(DeviceType::kSolarPanel, power), Json::parse(R"({"items": [
      {"name": "energy_wh", "value": null, "unit": "Wh", "ts": null},
      {"name": "power_w", "value": 3000, "unit": "W", "ts": "2026-11-21T10:00:00Z"}]})"));
}

TEST(DeviceEncodeTest, LatestMetricsListIsInNameOrder) {
  const std::vector<LatestMetric> latest = {{"temperature_c", 21.5, At("2026-11-21T10:00:00Z")},
                                            {"power_w", -800, At("2026-11-21T10:00:01Z")}};
  EXPECT_EQ(EncodeLatestMetrics(DeviceType::kHeatPump, latest), Json::parse(R"({"items": [
      {"name": "power_w", "value": -800, "unit": "W", "ts": "2026-11-21T10:00:01Z"},
      {"name": "temperature_c", "value": 21.5, "unit": "°C", "ts": "2026-11-21T10:00:00Z"}]})"));
}

TEST(DeviceEncodeTest, SeriesShape) {
  const std::vector<SeriesPoint> points = {{At("2026-11-21T10:00:00Z"), 1250.5, 12},
                                           {At("2026-11-21T11:00:00Z"), -300, 720}};
  EXPECT_EQ(Written([&](JsonWriter& w) {
              w.BeginObject();
              WriteSeriesMembers(w, "bat-1", "power_w", Interval::k1h, Agg::kAvg, points);
              w.EndObject();
            }),
            Json::parse(R"({"device_id": "bat-1", "metric": "power_w", "unit": "W",
                "interval": "1h", "agg": "avg", "points": [
                {"ts": "2026-11-21T10:00:00Z", "value": 1250.5, "count": 12},
                {"ts": "2026-11-21T11:00:00Z", "value": -300, "count": 720}]})"));
  EXPECT_TRUE(Written([](JsonWriter& w) {
                w.BeginObject();
                WriteSeriesMembers(w, "x", "rpm", Interval::kRaw, Agg::kLast, {});
                w.EndObject();
              })["unit"]
                  .is_null());
}

TEST(EnergyEncodeTest, SummaryShapeRoundsAndUsesNullForUnknowns) {
  EnergySummary s;
  s.site_id = "home";
  s.ts = At("2026-11-21T10:00:00Z");
  s.produced_w = 3200.1 + 0.2;  // 3200.2999999999997 in binary
  s.consumed_w = 1830.5;
  s.net_w = s.produced_w - s.consumed_w;
  s.storage = {{"bat-1", DeviceType::kBattery, 10000, 54.2, 5420},
               {"ev-1", DeviceType::kEv, 60000, std::nullopt, std::nullopt}};
  s.devices_reporting = 3;
  s.devices_stale = 1;
  EXPECT_EQ(EncodeEnergySummary(s), Json::parse(R"({"site_id": "home",
      "ts": "2026-11-21T10:00:00Z", "produced_w": 3200.3, "consumed_w": 1830.5, "net_w": 1369.8,
      "storage": [
        {"device_id": "bat-1", "type": "battery", "capacity_wh": 10000, "soc_pct": 54.2, "stored_wh": 5420},
        {"device_id": "ev-1", "type": "ev", "capacity_wh": 60000, "soc_pct": null, "stored_wh": null}],
      "devices_reporting": 3, "devices_stale": 1})"));
}

TEST(EnergyEncodeTest, SeriesShape) {
  const std::vector<EnergyBucket> buckets = {{At("2026-11-21T00:00:00Z"), 1500, 2000.25},
                                             {At("2026-11-21T01:00:00Z"), 0, 0}};
  EXPECT_EQ(EncodeEnergySeries("home", Interval::k1h, buckets),
            Json::parse(R"({"site_id": "home", "interval": "1h", "points": [
      {"ts": "2026-11-21T00:00:00Z", "produced_wh": 1500, "consumed_wh": 2000.25, "net_wh": -500.25},
      {"ts": "2026-11-21T01:00:00Z", "produced_wh": 0, "consumed_wh": 0, "net_wh": 0}]})"));
}

}  // namespace
}  // namespace ems::codec
