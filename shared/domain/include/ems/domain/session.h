// Charging sessions (docs/contract.md §4.1, §4.2, §6.5): the value, its rules, and how a newly
// arrived message for a known session_id merges with the stored one.
#pragma once

#include <optional>
#include <string>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems {

enum class SessionStatus { kActive, kCompleted };

std::string_view ToString(SessionStatus s);
std::optional<SessionStatus> ParseSessionStatus(std::string_view s);

struct ChargingSession {
  std::string session_id;
  std::string station_id;
  std::string site_id;
  std::optional<int> connector;
  std::optional<std::string> vehicle_id;
  SessionStatus status = SessionStatus::kCompleted;
  Timestamp started_at;
  std::optional<Timestamp> ended_at;  // null exactly while active
  double energy_kwh = 0;
  std::optional<double> cost;
  std::string currency;  // ISO 4217, e.g. "EUR"

  friend bool operator==(const ChargingSession&, const ChargingSession&) = default;
};

// The rules of a stored session: valid ids, connector ≥ 1, an active session has no end, a
// completed one ends at or after its start, energy and cost finite and ≥ 0, a three-letter
// upper-case currency. Rejects carry kInvalidSession.
Result<ChargingSession> ValidateSession(ChargingSession s);

// What storing `incoming` does given what is stored under its session_id.
enum class SessionMerge {
  kInsert,       // nothing stored yet
  kReplace,      // a later active update, or the completion of an active session
  kDuplicate,    // identical to what is stored
  kIgnoreFinal,  // stored one is completed: completed is final
};
// A session belongs to the site of its first message: a message of the same session_id on
// another site's topic cannot move it there (nor touch it) and is rejected with
// kDeviceSiteMismatch, so one site's gateway can never change another site's sessions.
Result<SessionMerge> MergeSession(const std::optional<ChargingSession>& stored,
                                  const ChargingSession& incoming);

}  // namespace ems
