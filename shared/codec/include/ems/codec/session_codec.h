// JSON <-> ChargingSession: the docs/contract.md §4.1 session payload, the existing stations'
// payload of §4.2, and the REST representation of §6.5.
#pragma once

#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/codec/json_writer.h"
#include "ems/domain/session.h"

namespace ems::codec {

// Largest session payload accepted (a session is a few hundred bytes).
inline constexpr std::size_t kMaxSessionBytes = 16 << 10;

// A session published on {p}/sites/{site}/devices/{station}/sessions (`site` and `station` are
// the topic's levels). The payload's station_id must match `station`; currency defaults to
// `default_currency`.
Result<ChargingSession> DecodeSession(std::string_view payload, std::string_view site,
                                      std::string_view station, std::string_view default_currency);

// A completed session from an existing station (§4.2), published on
// charger/{station}/connector/{connector}/session/{n}. `site_id` is the site the station device
// belongs to (or "unassigned"); `arrival` stands in for a missing "timestamp".
Result<ChargingSession> DecodeLegacySession(std::string_view payload, std::string_view station,
                                            int connector, std::string_view site_id,
                                            Timestamp arrival, std::string_view default_currency);

// The §4.1 payload of a session, as stations publish it: {"session_id", "station_id",
// "connector", "vehicle_id", "status", "started_at", "ended_at", "energy_kwh", "cost",
// "currency"} (connector 1 when unknown; vehicle_id, ended_at and cost null when unset).
std::string EncodeSessionPayload(const ChargingSession& s);

// §6.5: {"session_id", "station_id", "site_id", "connector", "vehicle_id", "status",
// "started_at", "ended_at", "energy_kwh", "cost", "currency"}, written as one value.
void WriteSession(JsonWriter& w, const ChargingSession& s);

}  // namespace ems::codec
