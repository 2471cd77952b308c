#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ems/domain/device.h"

namespace ems {
namespace {

// The code rejects carry in these tests; the rules take it from their caller.
constexpr ErrorCode kCode = ErrorCode::kInvalidDevice;

using Json = nlohmann::json;

std::string MessageOf(const Result<void>& r) { return r ? "" : r.error().message; }

TEST(DeviceTypeTest, EveryTypeRoundTripsThroughItsName) {
  ASSERT_EQ(AllDeviceTypes().size(), 8u);
  for (DeviceType t : AllDeviceTypes()) EXPECT_EQ(ParseDeviceType(ToString(t)), t);
  EXPECT_EQ(ToString(DeviceType::kChargingStation), "charging_station");
  EXPECT_EQ(ToString(DeviceType::kHeatPump), "heat_pump");
  EXPECT_EQ(ParseDeviceType("ev"), DeviceType::kEv);
}

TEST(DeviceTypeTest, RejectsUnknownAndMisspelledNames) {
  for (const char* bad : {"", "Battery", "solar", "solar-panel", "ev ", "grid"}) {
    EXPECT_FALSE(ParseDeviceType(bad).has_value()) << bad;
  }
  EXPECT_EQ(DeviceTypeList(),
            "solar_panel, wind_turbine, battery, ev, appliance, heat_pump, inverter, "
            "charging_station");
}

TEST(DevicePropertiesTest, AcceptsEveryTypeWithItsRequiredProperties) {
  const std::pair<DeviceType, Json> ok[] = {
      {DeviceType::kSolarPanel, {{"rated_power_w", 5000}}},
      {DeviceType::kWindTurbine, {{"rated_power_w", 2500.5}}},
      {DeviceType::kBattery,
       {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 3000}}},
      {DeviceType::kEv,
       {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}}},
      {DeviceType::kAppliance, {{"average_power_w", 800}}},
      {DeviceType::kHeatPump, {{"rated_power_w", 3000}}},
      {DeviceType::kInverter, {{"rated_power_w", 6000}}},
      {DeviceType::kChargingStation, {{"max_power_w", 22000}, {"connectors", 2}}},
  };
  for (const auto& [type, props] : ok) {
    EXPECT_TRUE(ValidateProperties(type, props, ErrorCode::kInvalidDevice)) << ToString(type);
  }
}

TEST(DevicePropertiesTest, ExtraPropertiesAreAllowed) {
  EXPECT_TRUE(ValidateProperties(DeviceType::kSolarPanel,
                                 {{"rated_power_w", 4000}, {"model", "X-400"}, {"tilt", -5}},
                                 ErrorCode::kInvalidDevice));
}

TEST(DevicePropertiesTest, MissingPropertyIsNamed) {
  const auto r =
      ValidateProperties(DeviceType::kBattery, {{"max_charge_w", 5000}, {"max_discharge_w", 3000}},
                         ErrorCode::kInvalidMeta);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidMeta);
  EXPECT_EQ(r.error().message, "Property 'capacity_wh' is required.");
  EXPECT_EQ(
      MessageOf(ValidateProperties(
          DeviceType::kBattery,
          {{"capacity_wh", nullptr}, {"max_charge_w", 5000}, {"max_discharge_w", 3000}}, kCode)),
      "Property 'capacity_wh' is required.");
}

TEST(DevicePropertiesTest, NonPositiveOrNonNumericPropertyIsNamed) {
  for (const Json& bad : {Json(0), Json(-1), Json("5000"), Json(true), Json::array()}) {
    const auto r =
        ValidateProperties(DeviceType::kBattery,
                           {{"capacity_wh", bad}, {"max_charge_w", 5000}, {"max_discharge_w", 1}},
                           ErrorCode::kInvalidDevice);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(r.error().message, "Property 'capacity_wh' must be a number greater than 0.");
  }
  EXPECT_EQ(MessageOf(ValidateProperties(DeviceType::kSolarPanel, {{"rated_power_w", 0}}, kCode)),
            "Property 'rated_power_w' must be a number greater than 0.");
}

TEST(DevicePropertiesTest, BatteryMaxDischargeMustBePositiveButEvMayBeZero) {
  EXPECT_EQ(MessageOf(ValidateProperties(
                DeviceType::kBattery,
                {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 0}}, kCode)),
            "Property 'max_discharge_w' must be a number greater than 0.");
  EXPECT_EQ(MessageOf(ValidateProperties(
                DeviceType::kEv,
                {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", -1}},
                kCode)),
            "Property 'max_discharge_w' must be a number of at least 0.");
  EXPECT_EQ(
      MessageOf(ValidateProperties(
          DeviceType::kEv,
          {{"battery_capacity_wh", 60000}, {"max_charge_w", 0}, {"max_discharge_w", 0}}, kCode)),
      "Property 'max_charge_w' must be a number greater than 0.");
}

TEST(DevicePropertiesTest, ConnectorsMustBeAnIntegerOfAtLeastOne) {
  const auto station = [](Json connectors) {
    return ValidateProperties(DeviceType::kChargingStation,
                              {{"max_power_w", 22000}, {"connectors", connectors}}, kCode);
  };
  EXPECT_TRUE(station(1));
  EXPECT_TRUE(station(4.0));  // JSON has one number type: 4.0 is the integer 4
  for (const Json& bad : {Json(0), Json(-2), Json(1.5), Json("2")}) {
    EXPECT_EQ(MessageOf(station(bad)), "Property 'connectors' must be an integer of at least 1.")
        << bad.dump();
  }
}

TEST(DevicePropertiesTest, PropertiesMustBeAnObject) {
  EXPECT_EQ(MessageOf(ValidateProperties(DeviceType::kSolarPanel, Json::array(), kCode)),
            "Field 'properties' must be an object.");
}

TEST(DeviceSpecTest, NameMustBeNonEmptyAndAtMost200Characters) {
  EXPECT_EQ(MessageOf(ValidateName("  ", kCode)), "Field 'name' must not be empty.");
  EXPECT_TRUE(ValidateName(std::string(200, 'a'), kCode));
  EXPECT_EQ(MessageOf(ValidateName(std::string(201, 'a'), kCode)),
            "Field 'name' must be at most 200 characters.");
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "ü";  // 400 bytes, 200 characters
  EXPECT_TRUE(ValidateName(umlauts, kCode));
}

TEST(DeviceSpecTest, StorageCapacityComesFromTheTypesProperty) {
  EXPECT_EQ(StorageCapacityWh(DeviceType::kBattery, {{"capacity_wh", 10000}}), 10000.0);
  EXPECT_EQ(StorageCapacityWh(DeviceType::kEv, {{"battery_capacity_wh", 60000}}), 60000.0);
  EXPECT_EQ(StorageCapacityWh(DeviceType::kEv, {{"capacity_wh", 60000}}), std::nullopt);
  EXPECT_EQ(StorageCapacityWh(DeviceType::kSolarPanel, {{"capacity_wh", 1}}), std::nullopt);
  EXPECT_TRUE(IsStorage(DeviceType::kEv));
  EXPECT_FALSE(IsStorage(DeviceType::kChargingStation));
}

TEST(MetricTest, NamesFollowThePattern) {
  for (const char* ok : {"power_w", "a", "x1", "soc_pct", "temp_2_c"}) {
    EXPECT_TRUE(IsValidMetricName(ok)) << ok;
  }
  EXPECT_TRUE(IsValidMetricName(std::string(64, 'a')));
  EXPECT_FALSE(IsValidMetricName(std::string(65, 'a')));
  for (const char* bad : {"", "Power", "1power", "_x", "power-w", "power w", "pöwer", "a/b"}) {
    EXPECT_FALSE(IsValidMetricName(bad)) << bad;
  }
}

TEST(MetricTest, KnownMetricsHaveUnitsAndOthersNone) {
  EXPECT_EQ(MetricUnit("power_w"), "W");
  EXPECT_EQ(MetricUnit("energy_wh"), "Wh");
  EXPECT_EQ(MetricUnit("soc_pct"), "%");
  EXPECT_EQ(MetricUnit("voltage_v"), "V");
  EXPECT_EQ(MetricUnit("current_a"), "A");
  EXPECT_EQ(MetricUnit("temperature_c"), "°C");
  EXPECT_EQ(MetricUnit("wind_speed_ms"), "m/s");
  EXPECT_EQ(MetricUnit("frequency_hz"), "Hz");
  EXPECT_EQ(MetricUnit("humidity_pct"), std::nullopt);
}

TEST(MetricTest, ValuesMustBeFiniteAndSocWithinRange) {
  EXPECT_TRUE(ValidateMetric("soc_pct", 0, kCode));
  EXPECT_TRUE(ValidateMetric("soc_pct", 100, kCode));
  EXPECT_EQ(MessageOf(ValidateMetric("soc_pct", 100.01, kCode)),
            "Metric 'soc_pct' must be between 0 and 100.");
  EXPECT_EQ(MessageOf(ValidateMetric("soc_pct", -0.5, kCode)),
            "Metric 'soc_pct' must be between 0 and 100.");
  EXPECT_EQ(MessageOf(ValidateMetric("power_w", std::numeric_limits<double>::infinity(), kCode)),
            "Metric 'power_w' must be a finite number.");
  EXPECT_EQ(MessageOf(ValidateMetric("power_w", std::nan(""), kCode)),
            "Metric 'power_w' must be a finite number.");
  const auto bad_name = ValidateMetric("Power", 1, ErrorCode::kInvalidTelemetry);
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, ErrorCode::kInvalidTelemetry);
  EXPECT_EQ(bad_name.error().message,
            "Metric name 'Power' must be 1 to 64 characters of a-z, 0-9 and '_', starting with a "
            "letter.");
}

TEST(MetricTest, PowerSignFollowsTheConvention) {
  // Producers never draw.
  EXPECT_TRUE(ValidateMetricFor(DeviceType::kSolarPanel, "power_w", 0, kCode));
  EXPECT_TRUE(ValidateMetricFor(DeviceType::kSolarPanel, "power_w", 3200, kCode));
  EXPECT_EQ(MessageOf(ValidateMetricFor(DeviceType::kSolarPanel, "power_w", -1, kCode)),
            "Metric 'power_w' of a solar_panel must be 0 or more (positive = supplying power to "
            "the site).");
  EXPECT_FALSE(ValidateMetricFor(DeviceType::kWindTurbine, "power_w", -0.1, kCode));
  // Consumers never supply.
  for (DeviceType t :
       {DeviceType::kAppliance, DeviceType::kHeatPump, DeviceType::kChargingStation}) {
    EXPECT_TRUE(ValidateMetricFor(t, "power_w", -1500, kCode)) << ToString(t);
    EXPECT_TRUE(ValidateMetricFor(t, "power_w", 0, kCode)) << ToString(t);
    EXPECT_FALSE(ValidateMetricFor(t, "power_w", 1, kCode)) << ToString(t);
  }
  EXPECT_EQ(MessageOf(ValidateMetricFor(DeviceType::kHeatPump, "power_w", 5, kCode)),
            "Metric 'power_w' of a heat_pump must be 0 or less (negative = drawing power from the "
            "site).");
  // Storage and inverters go both ways.
  for (DeviceType t : {DeviceType::kBattery, DeviceType::kEv, DeviceType::kInverter}) {
    EXPECT_TRUE(ValidateMetricFor(t, "power_w", -1830.5, kCode)) << ToString(t);
    EXPECT_TRUE(ValidateMetricFor(t, "power_w", 2000, kCode)) << ToString(t);
  }
  // The sign rule is about power_w only; the generic rules still apply to every metric.
  EXPECT_TRUE(ValidateMetricFor(DeviceType::kSolarPanel, "temperature_c", -12, kCode));
  EXPECT_FALSE(ValidateMetricFor(DeviceType::kBattery, "soc_pct", 101, kCode));
}

TEST(MetricTest, TelemetryIsValidatedMetricByMetric) {
  Telemetry t{FromMillis(0), {{"energy_wh", 10}, {"power_w", -5}}, Json::object()};
  const auto r = ValidateTelemetryFor(DeviceType::kSolarPanel, t, ErrorCode::kInvalidTelemetry);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidTelemetry);
  EXPECT_TRUE(ValidateTelemetryFor(DeviceType::kBattery, t, ErrorCode::kInvalidTelemetry));
}

TEST(DeviceStateTest, AtHomeIsBoolAndModeIsKnown) {
  EXPECT_TRUE(ValidateDeviceState(Json::object(), kCode));
  EXPECT_TRUE(
      ValidateDeviceState({{"mode", "charging"}, {"at_home", true}, {"plug", "ccs"}}, kCode));
  EXPECT_TRUE(ValidateDeviceState({{"mode", "idle"}}, kCode));
  EXPECT_TRUE(ValidateDeviceState({{"mode", "discharging"}}, kCode));
  EXPECT_EQ(MessageOf(ValidateDeviceState({{"mode", "boost"}}, kCode)),
            "Field 'state.mode' must be one of charging, discharging, idle.");
  EXPECT_EQ(MessageOf(ValidateDeviceState({{"mode", 1}}, kCode)),
            "Field 'state.mode' must be one of charging, discharging, idle.");
  EXPECT_EQ(MessageOf(ValidateDeviceState({{"at_home", "yes"}}, kCode)),
            "Field 'state.at_home' must be true or false.");
  EXPECT_EQ(MessageOf(ValidateDeviceState(Json::array(), kCode)),
            "Field 'state' must be an object.");
}

}  // namespace
}  // namespace ems
