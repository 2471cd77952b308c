// What OCPP 1.6 messages mean for ems (docs/contract.md §4.5, docs/ocpp.md): the charger's requests
// decoded from CALL payloads, and the §4.1 messages, sessions and charging profiles made from them.
// Pure: no I/O, no clock (`now` is a parameter).
//
// Payload rejects carry ErrorCode::kInvalidJson and a sentence naming the field; the central
// system answers them with CALLERROR FormationViolation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ems/codec/json_fields.h"
#include "ems/domain/charging_schedule.h"
#include "ems/domain/device.h"
#include "ems/domain/result.h"
#include "ems/domain/session.h"
#include "ems/domain/tariff.h"

namespace ems::ocpp {

using codec::Json;

// ---- requests ----

struct BootNotification {
  std::string vendor, model;
  std::optional<std::string> serial, firmware;
};
Result<BootNotification> DecodeBootNotification(const Json& payload);

struct StatusNotification {
  int connector = 0;  // 0 = the charger itself
  std::string status;
  std::string error_code;
  std::optional<Timestamp> ts;
};
Result<StatusNotification> DecodeStatusNotification(const Json& payload);

struct StartTransaction {
  int connector = 1;
  std::string id_tag;
  std::int64_t meter_start_wh = 0;
  Timestamp ts;
};
Result<StartTransaction> DecodeStartTransaction(const Json& payload);

// One meterValue element as telemetry: the charger's timestamp and the metrics it carries.
struct MeterReading {
  Timestamp ts;
  std::vector<MetricSample> metrics;  // in name order
};

struct MeterValues {
  int connector = 0;
  std::optional<std::int64_t> transaction_id;
  std::vector<MeterReading> readings;  // in the charger's order; readings without a metric
                                       // ems knows are left out
};
Result<MeterValues> DecodeMeterValues(const Json& payload);

struct StopTransaction {
  std::int64_t transaction_id = 0;
  std::int64_t meter_stop_wh = 0;
  Timestamp ts;
  std::optional<std::string> reason;
  std::vector<MeterReading> transaction_data;
};
Result<StopTransaction> DecodeStopTransaction(const Json& payload);

// The metrics of one OCPP meterValue `sampledValue` array (docs/contract.md §4.5):
//   Power.Active.Import    → power_w = −W (kW × 1000); Power.Active.Export adds +W
//   Energy.Active.Import.Register (the default measurand) → energy_wh (kWh × 1000)
//   Current.Import → current_a, Voltage → voltage_v, SoC → soc_pct, Temperature → temperature_c
// A value without `phase` is the total and wins; without one, power and energy are the sum of the
// phases (L1, L2, L3), current the largest phase (what limits a charger), voltage their mean.
// Signed data, values that are not numbers, unknown units and other measurands are skipped.
Result<std::vector<MetricSample>> MetricsOfSampledValues(const Json& sampled_values);

// ---- what ems publishes ----

// The station's discovery message after a boot: the registered device's spec with vendor, model,
// serial and firmware set in its properties.
DeviceMeta StationMeta(const DeviceSpec& registered, const BootNotification& boot);

// The connector's status and error code as telemetry state: {"connector_1": "Charging",
// "connector_1_error": "NoError"}, stamped with the charger's time or `now`.
Telemetry StatusTelemetry(const StatusNotification& status, Timestamp now);

// A reading as telemetry (no state).
Telemetry ReadingTelemetry(const MeterReading& reading);

// What a session costs at the site's tariff: energy × the time-weighted mean price of the priced
// part of [start, end) (a transaction of no duration: the price at its start); std::nullopt
// without a tariff or a price in that range.
std::optional<double> SessionCost(const Tariff* tariff, Timestamp start, Timestamp end,
                                  double energy_kwh);

// The session of transaction `transaction_id` of `station` (id "{station}-{transaction_id}"):
// active with `ended_at` unset, energy from the register values in Wh (never negative).
struct SessionFacts {
  std::string station_id, site_id;
  std::int64_t transaction_id = 0;
  int connector = 1;
  std::optional<std::string> vehicle_id;
  Timestamp started_at;
  std::int64_t meter_start_wh = 0;
  double meter_now_wh = 0;
  std::optional<Timestamp> ended_at;
};
ChargingSession SessionOf(const SessionFacts& facts, const Tariff* tariff,
                          const std::string& default_currency, Timestamp now);

// The SetChargingProfile payload that makes a charger follow an EV's plan (docs/contract.md §4.5,
// §6.6): TxDefaultProfile for every connector, absolute, from `now`, in W: `max_charge_w` while a
// slot or the override runs (outside the pause), 0 otherwise and whenever the EV is away.
// std::nullopt when the plan has nothing to say (manual, no slots, no override, no pause): the
// charger's profile is cleared then.
inline constexpr int kProfileId = 1;
std::optional<Json> ChargingProfileOf(const ScheduleView& view, double max_charge_w, Timestamp now);
Json ClearChargingProfile();

}  // namespace ems::ocpp
