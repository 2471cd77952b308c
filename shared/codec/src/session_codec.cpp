#include "ems/codec/session_codec.h"

#include <cmath>

namespace ems::codec {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidSession;

}  // namespace

Result<ChargingSession> DecodeSession(std::string_view payload, std::string_view site,
                                      std::string_view station, std::string_view default_currency) {
  EMS_TRY(doc, ParseObject(payload, kMaxSessionBytes));
  ChargingSession s;
  EMS_TRY(session_id, RequiredId(doc, "session_id", kCode));
  EMS_TRY(station_id, RequiredId(doc, "station_id", kCode));
  if (station_id != station) {
    return Rejected(kCode, "Field 'station_id' '" + station_id +
                               "' does not match the topic's station '" + std::string(station) +
                               "'.");
  }
  EMS_TRY(connector, OptionalInteger(doc, "connector", kCode));
  if (connector && (*connector < 1 || *connector > 1000)) {
    return Rejected(kCode, "Field 'connector' must be an integer from 1 to 1000.");
  }
  EMS_TRY(vehicle_id, OptionalId(doc, "vehicle_id", kCode));
  EMS_TRY(status_text, RequiredString(doc, "status", kCode));
  const auto status = ParseSessionStatus(status_text);
  if (!status) {
    return Rejected(kCode, "Field 'status' must be 'active' or 'completed'.");
  }
  EMS_TRY(started_at, RequiredTimestamp(doc, "started_at", kCode));
  EMS_TRY(ended_at, OptionalTimestamp(doc, "ended_at", kCode));
  EMS_TRY(energy_kwh, RequiredNumber(doc, "energy_kwh", kCode));
  EMS_TRY(cost, OptionalNumber(doc, "cost", kCode));
  EMS_TRY(currency, OptionalString(doc, "currency", kCode));

  s.session_id = std::move(session_id);
  s.station_id = std::move(station_id);
  s.site_id = std::string(site);
  if (connector) s.connector = static_cast<int>(*connector);
  s.vehicle_id = std::move(vehicle_id);
  s.status = *status;
  s.started_at = started_at;
  s.ended_at = ended_at;
  s.energy_kwh = energy_kwh;
  s.cost = cost;
  s.currency = currency ? *currency : std::string(default_currency);
  return ValidateSession(std::move(s));
}

Result<ChargingSession> DecodeLegacySession(std::string_view payload, std::string_view station,
                                            int connector, std::string_view site_id,
                                            Timestamp arrival, std::string_view default_currency) {
  EMS_TRY(doc, ParseObject(payload, kMaxSessionBytes));
  EMS_TRY(n, RequiredInteger(doc, "session_id", kCode));
  // Firmware differs in the spelling of the energy field.
  const char* energy_field = doc.contains("energy_delivered_in_kWh") ? "energy_delivered_in_kWh"
                                                                     : "energy_delivered_in_kwh";
  EMS_TRY(energy, RequiredNumber(doc, energy_field, kCode));
  EMS_TRY(duration_s, RequiredNumber(doc, "duration_in_seconds", kCode));
  if (duration_s < 0 || duration_s > 366.0 * 86400) {
    return Rejected(kCode, "Field 'duration_in_seconds' must be from 0 to one year in seconds.");
  }
  EMS_TRY(cents, RequiredNumber(doc, "session_cost_in_cents", kCode));
  EMS_TRY(unix_ts, OptionalNumber(doc, "timestamp", kCode));
  if (unix_ts && (*unix_ts < 0 || *unix_ts > 253402300799.0)) {
    return Rejected(kCode, "Field 'timestamp' must be Unix seconds.");
  }

  ChargingSession s;
  s.session_id = std::string(station) + "-" + std::to_string(connector) + "-" + std::to_string(n);
  s.station_id = std::string(station);
  s.site_id = std::string(site_id);
  s.connector = connector;
  s.status = SessionStatus::kCompleted;
  s.ended_at =
      unix_ts ? FromMillis(static_cast<std::int64_t>(std::llround(*unix_ts * 1000))) : arrival;
  s.started_at = *s.ended_at - Millis(static_cast<std::int64_t>(std::llround(duration_s * 1000)));
  s.energy_kwh = energy;
  s.cost = cents / 100.0;
  s.currency = std::string(default_currency);
  return ValidateSession(std::move(s));
}

void WriteSession(JsonWriter& w, const ChargingSession& s) {
  w.BeginObject()
      .Field("session_id", s.session_id)
      .Field("station_id", s.station_id)
      .Field("site_id", s.site_id)
      .Field("connector", s.connector)
      .Field("vehicle_id", s.vehicle_id)
      .Field("status", ToString(s.status))
      .Field("started_at", s.started_at)
      .Field("ended_at", s.ended_at)
      .Field("energy_kwh", s.energy_kwh)
      .Field("cost", s.cost)
      .Field("currency", s.currency)
      .EndObject();
}

std::string EncodeSessionPayload(const ChargingSession& s) {
  JsonWriter w;
  w.BeginObject()
      .Field("session_id", s.session_id)
      .Field("station_id", s.station_id)
      .Field("connector", s.connector.value_or(1))
      .Field("vehicle_id", s.vehicle_id)
      .Field("status", ToString(s.status))
      .Field("started_at", s.started_at)
      .Field("ended_at", s.ended_at)
      .Field("energy_kwh", s.energy_kwh)
      .Field("cost", s.cost)
      .Field("currency", s.currency)
      .EndObject();
  return w.Take();
}

}  // namespace ems::codec
