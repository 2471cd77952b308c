// Charging sessions in SQLite (SPEC §4.1 merge rule, §6.5 queries).
//
// One repository per connection; not thread-safe. The repository never begins a transaction:
// the caller owns it (the listener commits a whole batch at once).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>
#include <string>
#include <vector>

#include "ems/domain/session.h"

namespace ems::store {

struct SessionFilter {
  std::optional<std::string> site_id, station_id, vehicle_id;
  std::optional<SessionStatus> status;
  std::optional<Timestamp> from, to;  // on started_at: from inclusive, to exclusive
  // Non-admin callers: only sessions of sites assigned to this user.
  std::optional<std::string> visible_to_user;
};

// Keyset position of the last item of a page (newest first: started_at desc, session_id desc).
struct SessionCursor {
  Timestamp started_at;
  std::string session_id;
};

struct SessionPage {
  std::vector<ChargingSession> items;
  std::optional<SessionCursor> next;
};

struct StationRow {
  std::string id, site_id;
  std::int64_t sessions = 0;
  Timestamp last_session_at;
};

struct StationSummary {
  std::int64_t sessions = 0;
  double energy_kwh = 0;
  std::optional<double> cost;           // null when the sessions mix currencies
  std::optional<std::string> currency;  // null when there are none or they are mixed
};

class SessionRepository {
 public:
  explicit SessionRepository(SQLite::Database& db);

  // Applies MergeSession against the stored row and writes when needed; returns the outcome.
  SessionMerge Store(const ChargingSession& s, Timestamp now);

  std::optional<ChargingSession> Get(const std::string& session_id);
  SessionPage List(const SessionFilter& filter, int limit,
                   const std::optional<SessionCursor>& after);

  // Stations that have sessions, ordered by id, after `after_id`.
  std::vector<StationRow> ListStations(const std::optional<std::string>& visible_to_user, int limit,
                                       const std::optional<std::string>& after_id);
  std::optional<StationRow> GetStation(const std::string& station_id,
                                       const std::optional<std::string>& visible_to_user);
  StationSummary Summarize(const std::string& station_id, std::optional<Timestamp> from,
                           std::optional<Timestamp> to);

  // The site a station device belongs to (for existing stations, §4.2).
  std::optional<std::string> SiteOfDevice(const std::string& device_id);

 private:
  SQLite::Database& db_;
  SQLite::Statement get_;
  SQLite::Statement upsert_;
};

}  // namespace ems::store
