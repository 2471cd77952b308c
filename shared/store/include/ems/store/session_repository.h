// SessionRepository: charging sessions (docs/contract.md §4.1 merge rule, §6.5 queries), the only
// writer of the sessions table. Stations are not stored apart: a station is the sessions with its
// id. Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ems/domain/result.h"
#include "ems/domain/session.h"
#include "ems/store/page.h"
#include "ems/store/visibility.h"

namespace ems::store {

struct SessionFilter {
  std::optional<std::string> site_id, station_id, vehicle_id;
  std::optional<SessionStatus> status;
  std::optional<Timestamp> from, to;  // on started_at: from inclusive, to exclusive
  Visibility visibility = Visibility::All();
};

// Keyset position of the last item of a page (newest first: started_at desc, session_id desc).
struct SessionCursor {
  Timestamp started_at;
  std::string session_id;
};

struct StationRow {
  std::string id, site_id;  // the site of the station's most recent visible session
  std::int64_t sessions = 0;
  Timestamp last_session_at;  // latest ended_at, or started_at while active
};

struct StationSummary {
  std::int64_t sessions = 0;
  double energy_kwh = 0;
  std::optional<double> cost;           // null when the sessions mix currencies
  std::optional<std::string> currency;  // null when there are none or they are mixed
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;

  // Applies MergeSession against the stored row and writes when needed; returns the outcome, or
  // MergeSession's kDeviceSiteMismatch (nothing written) for a session of another site.
  virtual Result<SessionMerge> Store(const ChargingSession& s, Timestamp now) = 0;

  // The session, when it exists and its site is visible.
  virtual std::optional<ChargingSession> Get(const std::string& session_id,
                                             const Visibility& visibility) = 0;
  // Newest first; `limit` is clamped.
  virtual Page<ChargingSession, SessionCursor> List(const SessionFilter& filter, int limit,
                                                    const std::optional<SessionCursor>& after) = 0;

  // Stations with a session on a visible site, in id order after `after`; `limit` is clamped.
  virtual Page<StationRow, std::string> ListStations(const Visibility& visibility, int limit,
                                                     const std::optional<std::string>& after) = 0;
  virtual std::optional<StationRow> GetStation(const std::string& station_id,
                                               const Visibility& visibility) = 0;
  // Sessions of the station on visible sites started in [from, to) (either bound open).
  virtual StationSummary Summarize(const std::string& station_id, const Visibility& visibility,
                                   std::optional<Timestamp> from, std::optional<Timestamp> to) = 0;

  // Deletes every session of the site; how many.
  virtual int DeleteBySite(const std::string& site_id) = 0;
};

}  // namespace ems::store
