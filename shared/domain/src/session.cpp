#include "ems/domain/session.h"

#include <cmath>

#include "ems/domain/ids.h"

namespace ems {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidSession;

}  // namespace

std::string_view ToString(SessionStatus s) {
  return s == SessionStatus::kActive ? "active" : "completed";
}

std::optional<SessionStatus> ParseSessionStatus(std::string_view s) {
  if (s == "active") return SessionStatus::kActive;
  if (s == "completed") return SessionStatus::kCompleted;
  return std::nullopt;
}

Result<ChargingSession> ValidateSession(ChargingSession s) {
  if (!IsValidId(s.session_id)) return Rejected(kCode, "Field 'session_id' is not a valid id.");
  if (!IsValidId(s.station_id)) return Rejected(kCode, "Field 'station_id' is not a valid id.");
  if (!IsValidId(s.site_id)) return Rejected(kCode, "The site id is not a valid id.");
  if (s.connector && *s.connector < 1) {
    return Rejected(kCode, "Field 'connector' must be an integer of at least 1.");
  }
  if (s.vehicle_id && !IsValidId(*s.vehicle_id)) {
    return Rejected(kCode, "Field 'vehicle_id' is not a valid id.");
  }
  if (s.status == SessionStatus::kActive && s.ended_at) {
    return Rejected(kCode, "An active session must not have 'ended_at'.");
  }
  if (s.status == SessionStatus::kCompleted) {
    if (!s.ended_at) return Rejected(kCode, "A completed session needs 'ended_at'.");
    if (*s.ended_at < s.started_at) {
      return Rejected(kCode, "Field 'ended_at' is before 'started_at'.");
    }
  }
  if (!std::isfinite(s.energy_kwh) || s.energy_kwh < 0) {
    return Rejected(kCode, "Field 'energy_kwh' must be a number of at least 0.");
  }
  if (s.cost && (!std::isfinite(*s.cost) || *s.cost < 0)) {
    return Rejected(kCode, "Field 'cost' must be a number of at least 0.");
  }
  if (!IsCurrencyCode(s.currency)) {
    return Rejected(kCode, "Field 'currency' must be a three-letter ISO 4217 code such as EUR.");
  }
  return s;
}

Result<SessionMerge> MergeSession(const std::optional<ChargingSession>& stored,
                                  const ChargingSession& incoming) {
  if (!stored) return SessionMerge::kInsert;
  if (stored->site_id != incoming.site_id) {
    return Rejected(ErrorCode::kDeviceSiteMismatch, "Session '" + incoming.session_id +
                                                        "' belongs to site '" + stored->site_id +
                                                        "', not '" + incoming.site_id + "'.");
  }
  if (*stored == incoming) return SessionMerge::kDuplicate;
  if (stored->status == SessionStatus::kCompleted) return SessionMerge::kIgnoreFinal;
  return SessionMerge::kReplace;
}

}  // namespace ems
