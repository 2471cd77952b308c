// The session ledger (docs/contract.md §6.5, GET /api/v1/sessions/export): the range it covers and
// the share of a charging session's energy that came from its site's own production while it ran.
// Pure: no I/O; `now` is a parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "ems/domain/energy.h"
#include "ems/domain/result.h"
#include "ems/domain/session.h"
#include "ems/domain/time.h"

namespace ems {

// A ledger covers at most this many site-local days, and at most this many sessions (the answer
// is built in memory; a longer list asks for a shorter range).
inline constexpr int kMaxLedgerDays = 400;
inline constexpr std::int64_t kMaxLedgerSessions = 100'000;

// One line of the ledger: a session and its solar share (SolarShare; std::nullopt when unknown).
struct LedgerEntry {
  ChargingSession session;
  std::optional<double> solar_share;
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// The rules of a ledger's dates, `from` to `to` both included (kInvalidQuery): from ≤ to, at most
// kMaxLedgerDays days.
Result<void> ValidateLedgerRange(const Date& from, const Date& to);

// The kInvalidQuery reject of a ledger over `from`..`to` that holds more than kMaxLedgerSessions
// sessions.
Reject TooManyLedgerSessions(const Date& from, const Date& to);

// The share (0–1) of `session`'s energy that its site's own production covered, from the site's
// energy per bucket (`buckets`: consecutive, ascending, the last one ending at `end`; the energy
// series' 15m buckets, TelemetryReader::EnergySeries). The rule:
// - the session runs from started_at to ended_at, an active one until `now`; its energy is taken
//   as spread evenly over that time;
// - in each bucket the session overlaps, own production covers min(1, produced_wh / consumed_wh)
//   of what the site consumed (the session draws from the site's supply like every other load);
// - the session's share is the mean of those, weighted by the session's energy in each bucket,
//   which is its time in it.
// Unknown (std::nullopt) when a bucket the session overlaps holds no consumption (no readings: a
// gap, for the session's own draw is missing from it at least), when part of the session lies
// outside the buckets, or when it has no duration.
std::optional<double> SolarShare(const ChargingSession& session,
                                 std::span<const EnergyBucket> buckets, Timestamp end,
                                 Timestamp now);

}  // namespace ems
