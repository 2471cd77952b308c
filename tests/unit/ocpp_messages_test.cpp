// What OCPP 1.6 messages become (ocpp/messages.h): units, signs, phases and missing fields of
// MeterValues, status as state, the boot's meta, session energy and cost, and the charging
// profile of an EV's plan.
#include <gtest/gtest.h>

#include "ocpp/messages.h"
#include "support.h"

namespace ems::ocpp {
namespace {

using Json = codec::Json;
using ems::testing::At;

std::map<std::string, double> Metrics(const Json& sampled) {
  auto metrics = MetricsOfSampledValues(sampled);
  EXPECT_TRUE(metrics.has_value()) << (metrics ? "" : metrics.error().message);
  std::map<std::string, double> out;
  if (metrics) {
    for (const auto& m : *metrics) out[m.name] = m.value;
  }
  return out;
}

TEST(OcppMeterValues, ImportPowerIsNegativeAndKiloUnitsAreConverted) {
  const auto m = Metrics(Json::parse(R"([
    {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW"},
    {"value": "12.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
    {"value": "230.5", "measurand": "Voltage", "unit": "V"},
    {"value": "16", "measurand": "Current.Import", "unit": "A"},
    {"value": "54", "measurand": "SoC", "unit": "Percent", "location": "EV"}])"));
  EXPECT_DOUBLE_EQ(m.at("power_w"), -7400);
  EXPECT_DOUBLE_EQ(m.at("energy_wh"), 12500);
  EXPECT_DOUBLE_EQ(m.at("voltage_v"), 230.5);
  EXPECT_DOUBLE_EQ(m.at("current_a"), 16);
  EXPECT_DOUBLE_EQ(m.at("soc_pct"), 54);
}

TEST(OcppMeterValues, AValueWithoutMeasurandOrUnitIsTheImportRegisterInWh) {
  const auto m = Metrics(Json::parse(R"([{"value": "1234"}])"));
  EXPECT_EQ(m, (std::map<std::string, double>{{"energy_wh", 1234}}));
}

TEST(OcppMeterValues, PhasesAddUpForPowerAndEnergyCurrentTakesTheLargestVoltageTheMean) {
  const auto m = Metrics(Json::parse(R"([
    {"value": "2000", "measurand": "Power.Active.Import", "phase": "L1", "unit": "W"},
    {"value": "2100", "measurand": "Power.Active.Import", "phase": "L2", "unit": "W"},
    {"value": "1.9", "measurand": "Power.Active.Import", "phase": "L3", "unit": "kW"},
    {"value": "15.5", "measurand": "Current.Import", "phase": "L1"},
    {"value": "16.0", "measurand": "Current.Import", "phase": "L2"},
    {"value": "14", "measurand": "Current.Import", "phase": "L3"},
    {"value": "0.2", "measurand": "Current.Import", "phase": "N"},
    {"value": "229", "measurand": "Voltage", "phase": "L1-N"},
    {"value": "231", "measurand": "Voltage", "phase": "L2-N"}])"));
  EXPECT_DOUBLE_EQ(m.at("power_w"), -6000);
  EXPECT_DOUBLE_EQ(m.at("current_a"), 16);
  EXPECT_DOUBLE_EQ(m.at("voltage_v"), 230);
}

TEST(OcppMeterValues, ATotalWinsOverItsPhases) {
  const auto m = Metrics(Json::parse(R"([
    {"value": "1000", "measurand": "Power.Active.Import", "phase": "L1"},
    {"value": "3300", "measurand": "Power.Active.Import"}])"));
  EXPECT_DOUBLE_EQ(m.at("power_w"), -3300);
}

TEST(OcppMeterValues, ExportPowerIsPositiveAndNetsWithImport) {
  const auto m = Metrics(Json::parse(R"([
    {"value": "500", "measurand": "Power.Active.Import", "unit": "W"},
    {"value": "1.5", "measurand": "Power.Active.Export", "unit": "kW"}])"));
  EXPECT_DOUBLE_EQ(m.at("power_w"), 1000);
}

TEST(OcppMeterValues, SkipsWhatItCannotReadButRefusesAMissingValue) {
  const auto m = Metrics(Json::parse(R"([
    {"value": "abc", "measurand": "Power.Active.Import"},
    {"value": "12", "measurand": "Power.Active.Import", "unit": "kvar"},
    {"value": "3.5", "measurand": "Frequency"},
    {"value": "3F2A", "format": "SignedData"},
    {"value": "1e400"}])"));
  EXPECT_TRUE(m.empty());
  const auto missing = MetricsOfSampledValues(Json::parse(R"([{"measurand": "SoC"}])"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "Field 'sampledValue[0].value' is required.");
}

TEST(OcppMeterValues, KeepsTheChargersTimestampsAndDropsReadingsWithoutMetrics) {
  const auto values = DecodeMeterValues(Json::parse(R"({"connectorId": 1, "transactionId": 7,
    "meterValue": [
      {"timestamp": "2026-11-21T08:00:00+01:00", "sampledValue": [{"value": "100"}]},
      {"timestamp": "2026-11-21T07:00:10Z", "sampledValue": [{"value": "1", "measurand": "Frequency"}]},
      {"timestamp": "2026-11-21T07:00:20Z", "sampledValue": [{"value": "200"}]}]})"));
  ASSERT_TRUE(values.has_value()) << values.error().message;
  EXPECT_EQ(values->transaction_id, 7);
  ASSERT_EQ(values->readings.size(), 2u);
  EXPECT_EQ(values->readings[0].ts, At("2026-11-21T07:00:00Z"));
  EXPECT_EQ(values->readings[1].ts, At("2026-11-21T07:00:20Z"));
  EXPECT_EQ(ReadingTelemetry(values->readings[1]).metrics,
            (std::vector<MetricSample>{{"energy_wh", 200}}));
}

TEST(OcppMeterValues, MissingFieldsAreNamed) {
  auto no_connector = DecodeMeterValues(Json::parse(R"({"meterValue": []})"));
  ASSERT_FALSE(no_connector.has_value());
  EXPECT_EQ(no_connector.error().message, "Field 'connectorId' is required.");
  auto no_ts =
      DecodeMeterValues(Json::parse(R"({"connectorId": 1, "meterValue": [{"sampledValue": []}]})"));
  ASSERT_FALSE(no_ts.has_value());
  EXPECT_EQ(no_ts.error().message, "Field 'meterValue[0].timestamp' is required.");
}

TEST(OcppMessages, StatusBecomesTheConnectorsState) {
  auto status = DecodeStatusNotification(
      Json::parse(R"({"connectorId": 2, "status": "Faulted", "errorCode": "GroundFailure"})"));
  ASSERT_TRUE(status.has_value());
  const auto t = StatusTelemetry(*status, At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(t.ts, At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(t.state, Json::parse(R"({"connector_2": "Faulted",
                                     "connector_2_error": "GroundFailure"})"));
  EXPECT_TRUE(t.metrics.empty());
}

TEST(OcppMessages, BootKeepsTheRegisteredPropertiesAndAddsVendorModelSerialFirmware) {
  auto boot = DecodeBootNotification(Json::parse(R"({"chargePointVendor": "ABB",
    "chargePointModel": "Terra AC", "chargeBoxSerialNumber": "SN1", "firmwareVersion": "1.6.2"})"));
  ASSERT_TRUE(boot.has_value());
  const DeviceSpec registered{
      DeviceType::kChargingStation, "Garage", {{"connectors", 1}, {"max_power_w", 11000}}};
  const auto meta = StationMeta(registered, *boot);
  EXPECT_EQ(meta.spec.properties, Json::parse(R"({"connectors": 1, "max_power_w": 11000,
    "vendor": "ABB", "model": "Terra AC", "serial": "SN1", "firmware": "1.6.2"})"));
  EXPECT_EQ(meta.spec.name, "Garage");
  EXPECT_FALSE(DecodeBootNotification(Json::parse(R"({"chargePointVendor": "ABB"})")));
}

TEST(OcppMessages, SessionEnergyIsTheRegisterDifferenceAndCostFollowsTheTariff) {
  const Tariff tariff{"EUR",
                      {{At("2026-11-21T08:00:00Z"), At("2026-11-21T09:00:00Z"), 0.30},
                       {At("2026-11-21T09:00:00Z"), At("2026-11-21T10:00:00Z"), 0.20}}};
  SessionFacts f{"st-1", "home", 42,
                 2,      "ev-1", At("2026-11-21T08:30:00Z"),
                 1000,   11000,  At("2026-11-21T09:30:00Z")};
  const auto s = SessionOf(f, &tariff, "CHF", At("2026-11-21T09:30:00Z"));
  EXPECT_EQ(s.session_id, "st-1-42");
  EXPECT_EQ(s.status, SessionStatus::kCompleted);
  EXPECT_DOUBLE_EQ(s.energy_kwh, 10);
  ASSERT_TRUE(s.cost.has_value());
  EXPECT_DOUBLE_EQ(*s.cost, 2.5);  // half an hour at 0.30, half at 0.20
  EXPECT_EQ(s.currency, "EUR");
  f.ended_at.reset();
  const auto active = SessionOf(f, nullptr, "CHF", At("2026-11-21T09:00:00Z"));
  EXPECT_EQ(active.status, SessionStatus::kActive);
  EXPECT_FALSE(active.cost.has_value());
  EXPECT_EQ(active.currency, "CHF");
  EXPECT_TRUE(ValidateSession(active).has_value());
}

ScheduleView View() {
  ScheduleView v;
  v.device_id = "ev-1";
  return v;
}

std::vector<std::pair<std::int64_t, double>> Periods(const Json& profile) {
  std::vector<std::pair<std::int64_t, double>> out;
  for (const auto& p :
       profile["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"]) {
    out.emplace_back(p["startPeriod"].get<std::int64_t>(), p["limit"].get<double>());
  }
  return out;
}

TEST(OcppProfiles, SlotsBecomeAnAbsoluteTxDefaultProfileInWatts) {
  auto v = View();
  v.mode = ScheduleMode::kPlanned;
  v.slots = {{{At("2026-11-21T11:00:00Z"), At("2026-11-21T12:00:00Z")}, 0.1},
             {{At("2026-11-21T12:00:00Z"), At("2026-11-21T12:30:00Z")}, 0.05},
             {{At("2026-11-21T14:00:00Z"), At("2026-11-21T15:00:00Z")}, 0.1}};
  const auto profile = ChargingProfileOf(v, 7400, At("2026-11-21T10:00:00.400Z"));
  ASSERT_TRUE(profile.has_value());
  const auto& p = (*profile)["csChargingProfiles"];
  EXPECT_EQ((*profile)["connectorId"], 0);
  EXPECT_EQ(p["chargingProfilePurpose"], "TxDefaultProfile");
  EXPECT_EQ(p["chargingProfileKind"], "Absolute");
  EXPECT_EQ(p["chargingSchedule"]["chargingRateUnit"], "W");
  EXPECT_EQ(p["chargingSchedule"]["startSchedule"], "2026-11-21T10:00:00Z");
  EXPECT_EQ(Periods(*profile), (std::vector<std::pair<std::int64_t, double>>{
                                   {0, 0}, {3600, 7400}, {9000, 0}, {14400, 7400}, {18000, 0}}));
}

TEST(OcppProfiles, APauseCutsSlotsAnOverrideChargesAndAwayChargesNothing) {
  auto v = View();
  v.slots = {{{At("2026-11-21T10:00:00Z"), At("2026-11-21T12:00:00Z")}, 0.2}};
  v.is_paused = true;
  v.paused_until = At("2026-11-21T11:00:00Z");
  EXPECT_EQ(Periods(*ChargingProfileOf(v, 3000, At("2026-11-21T10:00:00Z"))),
            (std::vector<std::pair<std::int64_t, double>>{{0, 0}, {3600, 3000}, {7200, 0}}));
  auto o = View();
  o.override_window = ChargingSlot{At("2026-11-21T09:30:00Z"), At("2026-11-21T10:30:00Z")};
  EXPECT_EQ(Periods(*ChargingProfileOf(o, 3000, At("2026-11-21T10:00:00Z"))),
            (std::vector<std::pair<std::int64_t, double>>{{0, 3000}, {1800, 0}}));
  o.is_at_home = false;
  EXPECT_EQ(Periods(*ChargingProfileOf(o, 3000, At("2026-11-21T10:00:00Z"))),
            (std::vector<std::pair<std::int64_t, double>>{{0, 0}}));
}

TEST(OcppProfiles, AManualScheduleWithoutSlotsIsCleared) {
  EXPECT_FALSE(ChargingProfileOf(View(), 3000, At("2026-11-21T10:00:00Z")).has_value());
  EXPECT_EQ(ClearChargingProfile(), Json::parse(R"({"id": 1})"));
}

}  // namespace
}  // namespace ems::ocpp
