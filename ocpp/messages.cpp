#include "ocpp/messages.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace ems::ocpp {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidJson;

Result<int> RequiredConnector(const Json& obj, int min) {
  EMS_TRY(connector, codec::RequiredInteger(obj, "connectorId", kCode));
  if (connector < min || connector > 1000) {
    return Rejected(kCode, "Field 'connectorId' must be " + std::to_string(min) + " or more.");
  }
  return static_cast<int>(connector);
}

std::optional<double> Number(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string StringOr(const Json& obj, const char* field, const char* fallback) {
  const auto it = obj.find(field);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// What one measurand becomes: a metric name, how phases combine, and unit factors.
enum class Combine { kSum, kMax, kMean };
struct Measurand {
  const char* metric;
  Combine combine;
  double sign;
  const char* unit;    // OCPP's unit of `factor` 1
  const char* k_unit;  // its kilo form (factor 1000), or nullptr
};

const Measurand* Lookup(const std::string& measurand) {
  static const std::map<std::string, Measurand, std::less<>> kMeasurands = {
      {"Power.Active.Import", {"power_w", Combine::kSum, -1, "W", "kW"}},
      {"Power.Active.Export", {"power_w", Combine::kSum, 1, "W", "kW"}},
      {"Energy.Active.Import.Register", {"energy_wh", Combine::kSum, 1, "Wh", "kWh"}},
      {"Current.Import", {"current_a", Combine::kMax, 1, "A", nullptr}},
      {"Voltage", {"voltage_v", Combine::kMean, 1, "V", nullptr}},
      {"SoC", {"soc_pct", Combine::kMax, 1, "Percent", nullptr}},
      {"Temperature", {"temperature_c", Combine::kMax, 1, "Celsius", nullptr}},
  };
  const auto it = kMeasurands.find(measurand);
  return it == kMeasurands.end() ? nullptr : &it->second;
}

struct Gathered {
  std::optional<double> total;  // a value without phase
  std::vector<double> phases;
};

Result<std::vector<MeterReading>> Readings(const Json& payload, const char* field, bool required) {
  std::vector<MeterReading> out;
  const auto it = payload.find(field);
  if (it == payload.end() || it->is_null()) {
    if (required) return Rejected(kCode, std::string("Field '") + field + "' is required.");
    return out;
  }
  if (!it->is_array()) return Rejected(kCode, std::string("Field '") + field + "' must be a list.");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& mv = (*it)[i];
    const std::string path = std::string(field) + "[" + std::to_string(i) + "]";
    if (!mv.is_object()) return Rejected(kCode, "Field '" + path + "' must be an object.");
    auto ts = codec::RequiredTimestamp(mv, "timestamp", kCode);
    if (!ts) return Unexpected(codec::AtPath(ts.error(), path));
    const auto sampled = mv.find("sampledValue");
    if (sampled == mv.end()) {
      return Rejected(kCode, "Field '" + path + ".sampledValue' is required.");
    }
    auto metrics = MetricsOfSampledValues(*sampled);
    if (!metrics) return Unexpected(codec::AtPath(metrics.error(), path));
    if (!metrics->empty()) out.push_back({*ts, std::move(*metrics)});
  }
  return out;
}

}  // namespace

Result<BootNotification> DecodeBootNotification(const Json& p) {
  EMS_TRY(vendor, codec::RequiredString(p, "chargePointVendor", kCode));
  EMS_TRY(model, codec::RequiredString(p, "chargePointModel", kCode));
  EMS_TRY(serial, codec::OptionalString(p, "chargePointSerialNumber", kCode));
  EMS_TRY(box_serial, codec::OptionalString(p, "chargeBoxSerialNumber", kCode));
  EMS_TRY(firmware, codec::OptionalString(p, "firmwareVersion", kCode));
  return BootNotification{vendor, model, serial ? serial : box_serial, firmware};
}

Result<StatusNotification> DecodeStatusNotification(const Json& p) {
  EMS_TRY(connector, RequiredConnector(p, 0));
  EMS_TRY(status, codec::RequiredString(p, "status", kCode));
  EMS_TRY(error_code, codec::RequiredString(p, "errorCode", kCode));
  EMS_TRY(ts, codec::OptionalTimestamp(p, "timestamp", kCode));
  return StatusNotification{connector, status, error_code, ts};
}

Result<StartTransaction> DecodeStartTransaction(const Json& p) {
  EMS_TRY(connector, RequiredConnector(p, 1));
  EMS_TRY(id_tag, codec::RequiredString(p, "idTag", kCode));
  EMS_TRY(meter_start, codec::RequiredInteger(p, "meterStart", kCode));
  EMS_TRY(ts, codec::RequiredTimestamp(p, "timestamp", kCode));
  return StartTransaction{connector, id_tag, meter_start, ts};
}

Result<MeterValues> DecodeMeterValues(const Json& p) {
  EMS_TRY(connector, RequiredConnector(p, 0));
  EMS_TRY(transaction_id, codec::OptionalInteger(p, "transactionId", kCode));
  EMS_TRY(readings, Readings(p, "meterValue", true));
  return MeterValues{connector, transaction_id, std::move(readings)};
}

Result<StopTransaction> DecodeStopTransaction(const Json& p) {
  EMS_TRY(transaction_id, codec::RequiredInteger(p, "transactionId", kCode));
  EMS_TRY(meter_stop, codec::RequiredInteger(p, "meterStop", kCode));
  EMS_TRY(ts, codec::RequiredTimestamp(p, "timestamp", kCode));
  EMS_TRY(reason, codec::OptionalString(p, "reason", kCode));
  EMS_TRY(data, Readings(p, "transactionData", false));
  return StopTransaction{transaction_id, meter_stop, ts, reason, std::move(data)};
}

Result<std::vector<MetricSample>> MetricsOfSampledValues(const Json& sampled_values) {
  if (!sampled_values.is_array()) return Rejected(kCode, "Field 'sampledValue' must be a list.");
  std::map<const Measurand*, Gathered> gathered;
  for (std::size_t i = 0; i < sampled_values.size(); ++i) {
    const Json& sv = sampled_values[i];
    const std::string path = "sampledValue[" + std::to_string(i) + "]";
    if (!sv.is_object()) return Rejected(kCode, "Field '" + path + "' must be an object.");
    auto text = codec::RequiredString(sv, "value", kCode);
    if (!text) return Unexpected(codec::AtPath(text.error(), path));
    if (StringOr(sv, "format", "Raw") != "Raw") continue;
    const Measurand* m = Lookup(StringOr(sv, "measurand", "Energy.Active.Import.Register"));
    auto value = Number(*text);
    if (m == nullptr || !value) continue;
    const std::string unit = StringOr(sv, "unit", m->unit);
    double factor = 0;
    if (unit == m->unit) {
      factor = m->sign;
    } else if (m->k_unit != nullptr && unit == m->k_unit) {
      factor = 1000 * m->sign;
    } else {
      continue;
    }
    auto& g = gathered[m];
    const std::string phase = StringOr(sv, "phase", "");
    if (phase.empty()) {
      g.total = *value * factor;
    } else if (phase != "N") {
      g.phases.push_back(*value * factor);
    }
  }
  // A measurand's value: its total, else its phases combined. Import and export power add up.
  std::map<std::string, double> metrics;
  for (const auto& [m, g] : gathered) {
    if (!g.total && g.phases.empty()) continue;  // only a neutral's value
    double v = 0;
    if (g.total) {
      v = *g.total;
    } else if (m->combine == Combine::kMax) {
      v = *std::ranges::max_element(g.phases,
                                    [](double a, double b) { return std::abs(a) < std::abs(b); });
    } else {
      for (double p : g.phases) v += p;
      if (m->combine == Combine::kMean) v /= static_cast<double>(g.phases.size());
    }
    metrics[m->metric] += v;
  }
  std::vector<MetricSample> out;
  for (const auto& [name, value] : metrics) out.push_back({name, value});
  return out;
}

DeviceMeta StationMeta(const DeviceSpec& registered, const BootNotification& boot) {
  DeviceMeta meta{registered, std::nullopt, std::nullopt};
  auto& props = meta.spec.properties;
  props["vendor"] = boot.vendor;
  props["model"] = boot.model;
  if (boot.serial) props["serial"] = *boot.serial;
  if (boot.firmware) props["firmware"] = *boot.firmware;
  return meta;
}

Telemetry StatusTelemetry(const StatusNotification& status, Timestamp now) {
  Telemetry t;
  t.ts = status.ts.value_or(now);
  const std::string key = "connector_" + std::to_string(status.connector);
  t.state[key] = status.status;
  t.state[key + "_error"] = status.error_code;
  return t;
}

Telemetry ReadingTelemetry(const MeterReading& reading) {
  Telemetry t;
  t.ts = reading.ts;
  t.metrics = reading.metrics;
  return t;
}

std::optional<double> SessionCost(const Tariff* tariff, Timestamp start, Timestamp end,
                                  double energy_kwh) {
  if (tariff == nullptr) return std::nullopt;
  if (end <= start) {
    for (const auto& p : tariff->prices) {
      if (p.start <= start && start < p.end) return energy_kwh * p.price_per_kwh;
    }
    return std::nullopt;
  }
  double weighted = 0;
  double covered = 0;
  for (const auto& p : tariff->prices) {
    const auto from = std::max(p.start, start);
    const auto to = std::min(p.end, end);
    if (to <= from) continue;
    const double ms = static_cast<double>((to - from).count());
    weighted += ms * p.price_per_kwh;
    covered += ms;
  }
  if (covered == 0) return std::nullopt;
  return std::round(energy_kwh * weighted / covered * 100) / 100;
}

ChargingSession SessionOf(const SessionFacts& f, const Tariff* tariff,
                          const std::string& default_currency, Timestamp now) {
  ChargingSession s;
  s.session_id = f.station_id + "-" + std::to_string(f.transaction_id);
  s.station_id = f.station_id;
  s.site_id = f.site_id;
  s.connector = f.connector;
  s.vehicle_id = f.vehicle_id;
  s.status = f.ended_at ? SessionStatus::kCompleted : SessionStatus::kActive;
  s.started_at = f.started_at;
  s.ended_at = f.ended_at;
  s.energy_kwh =
      std::max(0.0, std::round(f.meter_now_wh - static_cast<double>(f.meter_start_wh)) / 1000);
  s.cost = SessionCost(tariff, f.started_at, f.ended_at.value_or(now), s.energy_kwh);
  s.currency = tariff != nullptr && !tariff->currency.empty() ? tariff->currency : default_currency;
  return s;
}

std::optional<Json> ChargingProfileOf(const ScheduleView& view, double max_charge_w,
                                      Timestamp now) {
  if (view.mode == ScheduleMode::kManual && view.slots.empty() && !view.override_window &&
      !view.is_paused) {
    return std::nullopt;
  }
  // Windows of charging from now on, then the pause cut out of them.
  std::vector<ChargingSlot> on;
  if (view.is_at_home) {
    for (const auto& s : view.slots) on.push_back(s.slot);
    if (view.override_window) on.push_back(*view.override_window);
  }
  // Paused from now until pause_end (now when not paused).
  const Timestamp pause_end = view.is_paused && view.paused_until ? *view.paused_until : now;
  std::vector<Timestamp> edges{now};
  for (const auto& s : on) edges.insert(edges.end(), {s.start, s.end});
  edges.push_back(pause_end);
  std::ranges::sort(edges);
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  auto charging_at = [&](Timestamp t) {
    if (t < pause_end) return false;
    return std::ranges::any_of(on,
                               [&](const ChargingSlot& s) { return s.start <= t && t < s.end; });
  };
  // Offsets count from the schedule's start, `now` in whole seconds.
  const auto start = std::chrono::floor<std::chrono::seconds>(now);
  Json periods = Json::array();
  std::optional<bool> last;
  for (const auto t : edges) {
    if (t < now) continue;
    const bool charging = charging_at(t);
    if (last == charging) continue;
    last = charging;
    const auto offset = std::chrono::duration_cast<std::chrono::seconds>(t - start).count();
    periods.push_back(
        {{"startPeriod", offset}, {"limit", charging ? std::round(max_charge_w) : 0}});
  }
  return Json{{"connectorId", 0},
              {"csChargingProfiles",
               {{"chargingProfileId", kProfileId},
                {"stackLevel", 0},
                {"chargingProfilePurpose", "TxDefaultProfile"},
                {"chargingProfileKind", "Absolute"},
                {"chargingSchedule",
                 {{"startSchedule", FormatTimestamp(start)},
                  {"chargingRateUnit", "W"},
                  {"chargingSchedulePeriod", std::move(periods)}}}}}};
}

Json ClearChargingProfile() { return Json{{"id", kProfileId}}; }

}  // namespace ems::ocpp
